//! The benchmark workloads (`BENCHMARKS.md`), timed by a small harness (no criterion).
//!
//! ```console
//! CARGO_TARGET_DIR=/tmp/target-bench cargo bench -p autograd --bench workloads
//! cargo bench -p autograd --bench workloads -- --json            # for bench/compare.py
//! cargo bench -p autograd --bench workloads -- --only scalar_chain_1m --peak-mem
//! ```
//!
//! Options: `--only a,b` (a full name selects that workload, another word
//! every workload whose name contains it), `--budget S`
//! (seconds per workload, default 2), `--json`, `--peak-mem` (run each
//! selected workload once and report the process's peak resident memory,
//! `VmHWM`, so run it with a single workload), `--untimed N` (run each
//! selected workload N times and nothing else: for profilers), `--list`.
//!
//! Each workload is warmed up (at least 3 runs and a fifth of the budget),
//! then run as many times as fit in the budget (at least 5, at most 500); each run is timed on its own and
//! the table shows the median, minimum and maximum. Nothing here asserts a
//! time: a slow machine makes slow numbers, never a failure.

use std::hint::black_box;
use std::time::{Duration, Instant};

use autograd::Graph;
use autograd::scalar::Tape;
use ndarray::{ArcArray1, ArcArray2, Array1, Array2, ArrayD, ArrayView2, Axis, Zip};

// ---------------------------------------------------------------------------
// Inputs: a tiny seeded generator (SplitMix64), so runs are reproducible
// without the rand crate.
// ---------------------------------------------------------------------------

struct SplitMix(u64);

impl SplitMix {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [lo, hi).
    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        let unit = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        lo + (hi - lo) * unit
    }

    fn array2(&mut self, rows: usize, cols: usize, scale: f64) -> Array2<f32> {
        Array2::from_shape_simple_fn((rows, cols), || self.uniform(-scale, scale) as f32)
    }

    fn array1(&mut self, n: usize, scale: f64) -> Array1<f32> {
        Array1::from_shape_simple_fn(n, || self.uniform(-scale, scale) as f32)
    }
}

// ---------------------------------------------------------------------------
// Scalar MLP 2-16-16-1 over 100 points: micrograd's demo network. micrograd's
// `MLP` has ReLU hidden neurons and a linear output; the loss is the sum of
// squared errors. Operations are recorded in micrograd's order
// (`b + w0·x0 + w1·x1 + …`, then relu), so both tapes have the same nodes.
// ---------------------------------------------------------------------------

struct ScalarMlp {
    /// Per layer, per neuron: (weights, bias).
    layers: Vec<Vec<(Vec<f64>, f64)>>,
    points: Vec<[f64; 2]>,
    targets: Vec<f64>,
}

impl ScalarMlp {
    fn new(rng: &mut SplitMix) -> Self {
        let sizes = [2, 16, 16, 1];
        let layers = sizes
            .windows(2)
            .map(|w| {
                (0..w[1])
                    .map(|_| ((0..w[0]).map(|_| rng.uniform(-1.0, 1.0)).collect(), 0.0))
                    .collect()
            })
            .collect();
        let points: Vec<[f64; 2]> = (0..100)
            .map(|_| [rng.uniform(-2.0, 2.0), rng.uniform(-2.0, 2.0)])
            .collect();
        let targets = points
            .iter()
            .map(|p| if p[0] * p[1] > 0.0 { 1.0 } else { -1.0 })
            .collect();
        ScalarMlp {
            layers,
            points,
            targets,
        }
    }

    /// One forward + backward step on a fresh tape; returns every
    /// parameter's gradient (the step includes reading them out).
    fn step(&self) -> Vec<f64> {
        let tape = Tape::new();
        let params: Vec<Vec<(Vec<_>, _)>> = self
            .layers
            .iter()
            .map(|layer| {
                layer
                    .iter()
                    .map(|(w, b)| (w.iter().map(|&w| tape.var(w)).collect(), tape.var(*b)))
                    .collect()
            })
            .collect();
        let last = params.len() - 1;
        let mut loss = tape.var(0.0);
        for (point, &target) in self.points.iter().zip(&self.targets) {
            let mut x: Vec<_> = point.iter().map(|&v| tape.var(v)).collect();
            for (l, layer) in params.iter().enumerate() {
                x = layer
                    .iter()
                    .map(|(w, b)| {
                        let mut act = *b;
                        for (&wi, &xi) in w.iter().zip(&x) {
                            act += wi * xi;
                        }
                        if l == last { act } else { act.relu() }
                    })
                    .collect();
            }
            loss += (x[0] - target).powi(2);
        }
        loss.backward();
        params
            .iter()
            .flatten()
            .flat_map(|(w, b)| w.iter().chain(std::iter::once(b)).map(|v| v.grad()))
            .collect()
    }
}

// ---------------------------------------------------------------------------
// Chains h ← w·h: the scalar engine at 1,000,000 steps, and (for
// comparison with PyTorch's 0-d chain) the tensor engine at 100,000.
// ---------------------------------------------------------------------------

const CHAIN_W: f64 = 0.999_999_9;

fn scalar_chain(steps: usize, reserve: bool) -> (f64, f64) {
    // `reserve`: room for every node up front, so the tape never regrows
    // (informational: shows what the tape's reallocations cost).
    let tape = if reserve {
        Tape::with_capacity(steps + 2)
    } else {
        Tape::new()
    };
    let w = tape.var(CHAIN_W);
    let mut h = tape.var(1.0);
    for _ in 0..steps {
        h = w * h;
    }
    h.backward();
    (h.data(), w.grad())
}

fn tensor_chain(steps: usize) -> (f32, f32) {
    let g = Graph::<f32>::new();
    let w = g.scalar(CHAIN_W as f32).requires_grad();
    let mut h = g.scalar(1.0);
    for _ in 0..steps {
        h = w * h;
    }
    h.backward().expect("scalar output");
    (h.item(), w.grad_array().expect("reached").sum())
}

// ---------------------------------------------------------------------------
// Tensor MLP 784-256-256-10, batch 128, f32: ReLU hidden, linear output,
// MSE loss. One training step = fresh graph whose parameter leaves are
// built from persistent arrays, forward, loss, backward, gradients read out.
// ---------------------------------------------------------------------------

struct TensorMlp {
    // Shared arrays: bringing them into each step's graph is a reference
    // count, as PyTorch's parameters are referenced, not copied, by its graph.
    w: [ArcArray2<f32>; 3],
    b: [ArcArray1<f32>; 3],
    x: ArcArray2<f32>,
    t: ArcArray2<f32>,
}

impl TensorMlp {
    fn new(rng: &mut SplitMix) -> Self {
        let sizes = [784, 256, 256, 10];
        let layer = |rng: &mut SplitMix, i: usize| {
            let scale = 1.0 / (sizes[i] as f64).sqrt();
            (
                rng.array2(sizes[i], sizes[i + 1], scale),
                rng.array1(sizes[i + 1], scale),
            )
        };
        let (w0, b0) = layer(rng, 0);
        let (w1, b1) = layer(rng, 1);
        let (w2, b2) = layer(rng, 2);
        TensorMlp {
            w: [w0.into_shared(), w1.into_shared(), w2.into_shared()],
            b: [b0.into_shared(), b1.into_shared(), b2.into_shared()],
            x: rng.array2(128, 784, 1.0).into_shared(),
            t: rng.array2(128, 10, 1.0).into_shared(),
        }
    }

    /// The engine: returns [dW1, db1, dW2, db2, dW3, db3].
    fn engine_step(&self) -> Vec<ArrayD<f32>> {
        let g = Graph::<f32>::new();
        let w: Vec<_> = self.w.iter().map(|w| g.tensor(w).requires_grad()).collect();
        let b: Vec<_> = self.b.iter().map(|b| g.tensor(b).requires_grad()).collect();
        let x = g.tensor(&self.x);
        let t = g.tensor(&self.t);
        let h1 = (x.matmul(w[0]) + b[0]).relu();
        let h2 = (h1.matmul(w[1]) + b[1]).relu();
        let y = h2.matmul(w[2]) + b[2];
        let d = y - t;
        let loss = (d * d).mean_all();
        loss.backward().expect("scalar loss");
        // Read out and zeroed, as an optimizer step would.
        (0..3)
            .flat_map(|i| [w[i], b[i]])
            .map(|p| p.take_grad().expect("reached"))
            .collect()
    }

    /// The same step with its gradients from `gradients()`, which runs
    /// every backward rule in its recorded form, in tensor operations (as
    /// an engine that wrote each rule once would for first order too).
    fn recorded_step(&self) -> Vec<ArrayD<f32>> {
        let g = Graph::<f32>::new();
        let w: Vec<_> = self.w.iter().map(|w| g.tensor(w).requires_grad()).collect();
        let b: Vec<_> = self.b.iter().map(|b| g.tensor(b).requires_grad()).collect();
        let x = g.tensor(&self.x);
        let t = g.tensor(&self.t);
        let h1 = (x.matmul(w[0]) + b[0]).relu();
        let h2 = (h1.matmul(w[1]) + b[1]).relu();
        let y = h2.matmul(w[2]) + b[2];
        let d = y - t;
        let loss = (d * d).mean_all();
        let params: Vec<_> = (0..3).flat_map(|i| [w[i], b[i]]).collect();
        let grads = loss.gradients(&params).expect("scalar loss");
        grads.iter().map(|grad| grad.to_array()).collect()
    }

    /// The floor: the same gradients derived by hand, with the same kernels
    /// (the engine's matrix product, ndarray's broadcasting adds, `mapv`,
    /// `Zip`, `sum_axis`).
    fn hand_step(&self) -> Vec<ArrayD<f32>> {
        let relu = |v: f32| if v <= 0.0 { 0.0 } else { v };
        let relu_back =
            |g: &Array2<f32>, h: &Array2<f32>| Zip::from(g).and(h).map_collect(|&g, &h| if h <= 0.0 { 0.0 } else { g });
        let x = &self.x;
        let [w1, w2, w3] = &self.w;
        let [b1, b2, b3] = &self.b;
        // Forward.
        let h1 = (mm(x.view(), w1.view()) + b1).mapv(relu);
        let h2 = (mm(h1.view(), w2.view()) + b2).mapv(relu);
        let y = mm(h2.view(), w3.view()) + b3;
        let d = &y - &self.t;
        let n = d.len() as f32;
        let _loss = d.mapv(|v| v * v).sum() / n;
        // Backward: d loss/d y = 2·d/n.
        let dy = d.mapv(|v| 2.0 * v / n);
        let gw3 = mm(h2.t(), dy.view());
        let gb3 = dy.sum_axis(Axis(0));
        let dz2 = relu_back(&mm(dy.view(), w3.t()), &h2);
        let gw2 = mm(h1.t(), dz2.view());
        let gb2 = dz2.sum_axis(Axis(0));
        let dz1 = relu_back(&mm(dz2.view(), w2.t()), &h1);
        let gw1 = mm(x.t(), dz1.view());
        let gb1 = dz1.sum_axis(Axis(0));
        vec![
            gw1.into_dyn(),
            gb1.into_dyn(),
            gw2.into_dyn(),
            gb2.into_dyn(),
            gw3.into_dyn(),
            gb3.into_dyn(),
        ]
    }
}

/// The engine's matrix product of two f32 matrices.
fn mm(a: ArrayView2<'_, f32>, b: ArrayView2<'_, f32>) -> Array2<f32> {
    autograd::gemm::product(a, b)
}

/// The MLP step's eight matrix products alone (155 MFLOP), on operands
/// computed once by the hand-written step: the part of the step's time that
/// is the matrix product, beside PyTorch's products on the same shapes.
struct MlpProducts {
    x: ArcArray2<f32>,
    w: [ArcArray2<f32>; 3],
    h1: Array2<f32>,
    h2: Array2<f32>,
    dy: Array2<f32>,
    dz2: Array2<f32>,
    dz1: Array2<f32>,
}

impl MlpProducts {
    fn new(mlp: &TensorMlp) -> Self {
        let relu = |v: f32| if v <= 0.0 { 0.0 } else { v };
        let [w1, w2, w3] = &mlp.w;
        let [b1, b2, b3] = &mlp.b;
        let h1 = (mm(mlp.x.view(), w1.view()) + b1).mapv(relu);
        let h2 = (mm(h1.view(), w2.view()) + b2).mapv(relu);
        let d = mm(h2.view(), w3.view()) + b3 - &mlp.t;
        let n = d.len() as f32;
        let dy = d.mapv(|v| 2.0 * v / n);
        let mask = |g: Array2<f32>, h: &Array2<f32>| {
            Zip::from(&g)
                .and(h)
                .map_collect(|&g, &h| if h <= 0.0 { 0.0 } else { g })
        };
        let dz2 = mask(mm(dy.view(), w3.t()), &h2);
        let dz1 = mask(mm(dz2.view(), w2.t()), &h1);
        MlpProducts {
            x: mlp.x.clone(),
            w: mlp.w.clone(),
            h1,
            h2,
            dy,
            dz2,
            dz1,
        }
    }

    /// The forward products, then the backward ones, transposes as views.
    fn run(&self) -> [Array2<f32>; 8] {
        let [w1, w2, w3] = &self.w;
        [
            mm(self.x.view(), w1.view()),
            mm(self.h1.view(), w2.view()),
            mm(self.h2.view(), w3.view()),
            mm(self.h2.t(), self.dy.view()),
            mm(self.dy.view(), w3.t()),
            mm(self.h1.t(), self.dz2.view()),
            mm(self.dz2.view(), w2.t()),
            mm(self.x.t(), self.dz1.view()),
        ]
    }
}

// ---------------------------------------------------------------------------
// tanh RNN: hidden 128, input 128, batch 32, 100 steps,
// h ← tanh(x_t·Wx + h·Wh + b), loss = mean(h_T²), backward through time.
// ---------------------------------------------------------------------------

struct Rnn {
    wx: ArcArray2<f32>,
    wh: ArcArray2<f32>,
    b: ArcArray1<f32>,
    xs: Vec<ArcArray2<f32>>,
    h0: ArcArray2<f32>,
}

impl Rnn {
    fn new(rng: &mut SplitMix) -> Self {
        let scale = 1.0 / 128f64.sqrt();
        Rnn {
            wx: rng.array2(128, 128, scale).into_shared(),
            wh: rng.array2(128, 128, scale).into_shared(),
            b: rng.array1(128, scale).into_shared(),
            xs: (0..100).map(|_| rng.array2(32, 128, 1.0).into_shared()).collect(),
            h0: ArcArray2::zeros((32, 128)),
        }
    }

    fn step(&self) -> Vec<ArrayD<f32>> {
        let g = Graph::<f32>::new();
        let (wx, wh, b) = (
            g.tensor(&self.wx).requires_grad(),
            g.tensor(&self.wh).requires_grad(),
            g.tensor(&self.b).requires_grad(),
        );
        let mut h = g.tensor(&self.h0);
        for x in &self.xs {
            h = (g.tensor(x).matmul(wx) + h.matmul(wh) + b).tanh();
        }
        (h * h).mean_all().backward().expect("scalar loss");
        [wx, wh, b].iter().map(|p| p.take_grad().expect("reached")).collect()
    }

    /// The same, its gradients from `gradients()` (recorded rules).
    fn recorded_step(&self) -> Vec<ArrayD<f32>> {
        let g = Graph::<f32>::new();
        let (wx, wh, b) = (
            g.tensor(&self.wx).requires_grad(),
            g.tensor(&self.wh).requires_grad(),
            g.tensor(&self.b).requires_grad(),
        );
        let mut h = g.tensor(&self.h0);
        for x in &self.xs {
            h = (g.tensor(x).matmul(wx) + h.matmul(wh) + b).tanh();
        }
        let grads = (h * h).mean_all().gradients(&[wx, wh, b]).expect("scalar loss");
        grads.iter().map(|grad| grad.to_array()).collect()
    }
}

// ---------------------------------------------------------------------------
// topk of 1,000,000 f32, k = 1000: forward, sum of the values, backward.
// ---------------------------------------------------------------------------

fn topk_step(x: &ArcArray1<f32>) -> ArrayD<f32> {
    let g = Graph::<f32>::new();
    let x = g.tensor(x).requires_grad();
    let (values, _indices) = x.topk(1000);
    values.sum_all().backward().expect("scalar");
    x.take_grad().expect("reached")
}

// ---------------------------------------------------------------------------
// The harness.
// ---------------------------------------------------------------------------

struct Workload {
    name: &'static str,
    what: &'static str,
    /// Work units per run (steps of a chain), for per-step comparisons.
    steps: usize,
    run: Box<dyn FnMut()>,
}

struct Stats {
    runs: usize,
    median: f64,
    min: f64,
    max: f64,
}

fn measure(run: &mut dyn FnMut(), budget: Duration) -> Stats {
    const MIN_RUNS: usize = 5;
    const MAX_RUNS: usize = 500;
    // Warm-up (page faults, allocator, the matrix product's helper threads): at
    // least 3 runs and a fifth of the budget; its median sets the run count.
    let start = Instant::now();
    let mut warm = Vec::new();
    while warm.len() < 3 || (start.elapsed() < budget / 5 && warm.len() < MAX_RUNS) {
        warm.push(time(run));
    }
    warm.sort_by(f64::total_cmp);
    let per_run = warm[warm.len() / 2].max(1e-9);
    let runs = ((budget.as_secs_f64() / per_run) as usize).clamp(MIN_RUNS, MAX_RUNS);
    stats((0..runs).map(|_| time(run)).collect())
}

/// Seconds one run takes.
fn time(run: &mut dyn FnMut()) -> f64 {
    let t = Instant::now();
    run();
    t.elapsed().as_secs_f64()
}

/// Two workloads timed in alternation (a b, b a, a b, …), so both see the
/// same moments of a noisy machine; the ratio is the median of the ratios
/// of neighbouring runs. This is how "engine ≤ 1.10 × hand-written" is judged.
struct Pair {
    a: Stats,
    b: Stats,
    ratio: f64,
}

fn measure_pair(a: &mut dyn FnMut(), b: &mut dyn FnMut(), budget: Duration) -> Pair {
    // Warm-up, and the time of one round (a then b).
    let mut round = f64::MAX;
    for _ in 0..5 {
        round = round.min(time(&mut *a) + time(&mut *b));
    }
    let rounds = ((budget.as_secs_f64() / round) as usize).clamp(5, 1000);
    let (mut ta, mut tb, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..rounds {
        let (x, y) = if i % 2 == 0 {
            let x = time(&mut *a);
            (x, time(&mut *b))
        } else {
            let y = time(&mut *b);
            (time(&mut *a), y)
        };
        ta.push(x);
        tb.push(y);
        ratios.push(x / y);
    }
    Pair {
        a: stats(ta),
        b: stats(tb),
        ratio: stats(ratios).median,
    }
}

fn stats(mut times: Vec<f64>) -> Stats {
    times.sort_by(f64::total_cmp);
    let runs = times.len();
    let median = if runs % 2 == 1 {
        times[runs / 2]
    } else {
        (times[runs / 2 - 1] + times[runs / 2]) / 2.0
    };
    Stats {
        runs,
        median,
        min: times[0],
        max: times[runs - 1],
    }
}

fn human(seconds: f64) -> String {
    if seconds >= 1.0 {
        format!("{seconds:.3} s")
    } else if seconds >= 1e-3 {
        format!("{:.3} ms", seconds * 1e3)
    } else if seconds >= 1e-6 {
        format!("{:.3} µs", seconds * 1e6)
    } else {
        format!("{:.1} ns", seconds * 1e9)
    }
}

/// The process's peak resident set (`VmHWM`), in bytes.
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

fn max_abs_diff(a: &[ArrayD<f32>], b: &[ArrayD<f32>]) -> f32 {
    a.iter()
        .zip(b)
        .map(|(a, b)| {
            assert_eq!(a.shape(), b.shape());
            Zip::from(a).and(b).fold(0f32, |m, &x, &y| m.max((x - y).abs()))
        })
        .fold(0.0, f32::max)
}

fn workloads() -> Vec<Workload> {
    let mut rng = SplitMix(0x5EED_0006);
    let scalar_mlp = ScalarMlp::new(&mut rng);
    let mlp = std::rc::Rc::new(TensorMlp::new(&mut rng));
    let rnn = std::rc::Rc::new(Rnn::new(&mut rng));
    let rnn2 = rnn.clone();
    let topk_input = Array1::from_shape_simple_fn(1_000_000, || rng.uniform(-1.0, 1.0) as f32).into_shared();
    let mlp2 = mlp.clone();
    let mlp3 = mlp.clone();
    let products = MlpProducts::new(&mlp);
    vec![
        Workload {
            name: "scalar_mlp",
            what: "scalar MLP 2-16-16-1, 100 points, fwd+bwd",
            steps: 1,
            run: Box::new(move || {
                black_box(scalar_mlp.step());
            }),
        },
        Workload {
            name: "scalar_chain_1m",
            what: "scalar chain h=w·h, 1,000,000 steps, fwd+bwd",
            steps: 1_000_000,
            run: Box::new(|| {
                black_box(scalar_chain(black_box(1_000_000), false));
            }),
        },
        Workload {
            name: "scalar_chain_1m_reserved",
            what: "the same on Tape::with_capacity (info)",
            steps: 1_000_000,
            run: Box::new(|| {
                black_box(scalar_chain(black_box(1_000_000), true));
            }),
        },
        Workload {
            name: "tensor_chain_100k",
            what: "tensor engine 0-d chain h=w·h, 100,000 steps (info)",
            steps: 100_000,
            run: Box::new(|| {
                black_box(tensor_chain(black_box(100_000)));
            }),
        },
        Workload {
            name: "tensor_mlp",
            what: "tensor MLP 784-256-256-10, batch 128, f32, train step",
            steps: 1,
            run: Box::new(move || {
                black_box(mlp.engine_step());
            }),
        },
        Workload {
            name: "tensor_mlp_recorded",
            what: "the same step, gradients() (recorded rules) (info)",
            steps: 1,
            run: Box::new(move || {
                black_box(mlp3.recorded_step());
            }),
        },
        Workload {
            name: "tensor_mlp_hand",
            what: "same network, hand-written gradients (floor)",
            steps: 1,
            run: Box::new(move || {
                black_box(mlp2.hand_step());
            }),
        },
        Workload {
            name: "mlp_products",
            what: "the MLP step's 8 matrix products alone, 155 MFLOP, f32",
            steps: 1,
            run: Box::new(move || {
                black_box(products.run());
            }),
        },
        Workload {
            name: "rnn",
            what: "tanh RNN h128 b32, 100 steps, fwd+BPTT",
            steps: 1,
            run: Box::new(move || {
                black_box(rnn.step());
            }),
        },
        Workload {
            name: "rnn_recorded",
            what: "the same RNN, gradients() (recorded rules) (info)",
            steps: 1,
            run: Box::new(move || {
                black_box(rnn2.recorded_step());
            }),
        },
        Workload {
            name: "topk",
            what: "topk 1,000,000 f32, k=1000, fwd+bwd",
            steps: 1,
            run: Box::new(move || {
                black_box(topk_step(&topk_input));
            }),
        },
    ]
}

/// Checks (untimed) that the engine and the hand-written gradients agree,
/// so the floor is a floor for the same computation.
fn check_mlp() -> f32 {
    let mlp = TensorMlp::new(&mut SplitMix(0x5EED_0006 ^ 1));
    max_abs_diff(&mlp.engine_step(), &mlp.hand_step())
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (mut json, mut peak_mem, mut list) = (false, false, false);
    let mut untimed: Option<usize> = None;
    let mut only: Vec<String> = Vec::new();
    let mut budget = 2.0f64;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--json" => json = true,
            "--peak-mem" => peak_mem = true,
            "--list" => list = true,
            "--untimed" => untimed = args.next().and_then(|s| s.parse().ok()),
            "--only" => only.extend(args.next().expect("--only NAMES").split(',').map(String::from)),
            "--budget" => budget = args.next().and_then(|s| s.parse().ok()).expect("--budget SECONDS"),
            // `cargo bench` passes `--bench`; filters without a flag act as --only.
            "--bench" => {}
            other if !other.starts_with('-') => only.push(other.to_string()),
            other => eprintln!("workloads: ignoring unknown option {other}"),
        }
    }
    let all = workloads();
    let names: Vec<&str> = all.iter().map(|w| w.name).collect();
    // A word that is a workload's full name selects that one only; any
    // other word selects every workload whose name contains it.
    let matches = |name: &str, word: &str| name == word || (name.contains(word) && !names.contains(&word));
    let selected: Vec<Workload> = all
        .into_iter()
        .filter(|w| only.is_empty() || only.iter().any(|o| matches(w.name, o)))
        .collect();
    if list {
        for w in &selected {
            println!("{:<24} {}", w.name, w.what);
        }
        return;
    }

    if let Some(n) = untimed {
        // For profilers (callgrind, perf): the selected workloads, n times
        // each, with no warm-up, no check and no timing.
        for mut w in selected {
            for _ in 0..n {
                (w.run)();
            }
        }
        return;
    }

    if peak_mem {
        let before = peak_rss();
        let mut rows = Vec::new();
        for mut w in selected {
            let t = Instant::now();
            (w.run)();
            rows.push((w.name, t.elapsed().as_secs_f64()));
        }
        let after = peak_rss();
        if json {
            let v = serde_json::json!({
                "engine": "autograd",
                "peak_mem": {
                    "workloads": rows.iter().map(|r| r.0).collect::<Vec<_>>(),
                    "vmhwm_before_bytes": before,
                    "vmhwm_bytes": after,
                }
            });
            println!("{v}");
        } else {
            let names: Vec<_> = rows.iter().map(|r| r.0).collect();
            let mb = |b: Option<u64>| b.map_or("unknown".into(), |b| format!("{:.1} MB", b as f64 / 1e6));
            println!(
                "peak resident memory (VmHWM) after {}: {} (at start: {})",
                names.join(", "),
                mb(after),
                mb(before)
            );
        }
        return;
    }

    let check = check_mlp();
    eprintln!("check: tensor MLP gradients, engine vs hand-written: max |Δ| = {check:e}");
    let budget = Duration::from_secs_f64(budget);
    let mut results = Vec::new();
    if !json {
        println!(
            "{:<24} {:>12} {:>12} {:>12} {:>6}  workload",
            "name", "median", "min", "max", "runs"
        );
    }
    let mut selected = selected;
    for w in &mut selected {
        let s = measure(&mut *w.run, budget);
        if !json {
            println!(
                "{:<24} {:>12} {:>12} {:>12} {:>6}  {}",
                w.name,
                human(s.median),
                human(s.min),
                human(s.max),
                s.runs,
                w.what
            );
        }
        results.push(serde_json::json!({
            "name": w.name,
            "what": w.what,
            "steps": w.steps,
            "runs": s.runs,
            "median_s": s.median,
            "min_s": s.min,
            "max_s": s.max,
        }));
    }
    // The engine against its floor, and first-order backward against the
    // recorded rules of `gradients()`, interleaved (see `measure_pair`).
    let mut pairs = Vec::new();
    for (a, b) in [
        ("tensor_mlp", "tensor_mlp_hand"),
        ("tensor_mlp", "tensor_mlp_recorded"),
        ("rnn", "rnn_recorded"),
    ] {
        let position = |name: &str| selected.iter().position(|w| w.name == name);
        let (Some(i), Some(j)) = (position(a), position(b)) else {
            continue;
        };
        let (first, second) = selected.split_at_mut(i.max(j));
        let (one, other) = if i < j {
            (&mut first[i], &mut second[0])
        } else {
            (&mut second[0], &mut first[j])
        };
        let p = measure_pair(&mut *one.run, &mut *other.run, budget * 2);
        if !json {
            println!(
                "interleaved: {a} {} / {b} {} (medians, {} rounds): ratio {:.3} (median of per-round ratios)",
                human(p.a.median),
                human(p.b.median),
                p.a.runs,
                p.ratio
            );
        }
        pairs.push(serde_json::json!({
            "a": a,
            "b": b,
            "rounds": p.a.runs,
            "a_median_s": p.a.median,
            "b_median_s": p.b.median,
            "a_min_s": p.a.min,
            "b_min_s": p.b.min,
            "ratio_median": p.ratio,
        }));
    }
    if json {
        let v = serde_json::json!({
            "engine": "autograd",
            "pairs": pairs,
            "mlp_grad_check_max_abs_diff": check,
            "matrix_product": format!(
                "the {} kernel, large products shared by {} threads",
                autograd::gemm::Kernel::in_use().name(),
                std::thread::available_parallelism().map_or(1, |n| n.get()).min(8)
            ),
            "workloads": results,
        });
        println!("{v}");
    }
}

//! Property tests: random programs, shapes and broadcasts agree with
//! `gradcheck` in f64.
//!
//! A case is a small random program: 1–3 input tensors whose shapes are
//! random broadcast-compatible variants of one base shape (rank 0–3, sizes
//! 1–4: some leading dimensions dropped, some sizes set to 1), then 3–8
//! steps, each a smooth unary or binary operation applied to earlier
//! results. Operations that need a positive argument (ln, reciprocal,
//! division, fractional powers) get `x·x + 1`, so no input is near a
//! singularity. Inputs are drawn from [−1.5, 1.5); a program whose values
//! grow beyond ±100 (say, exp of exp of a sum) is discarded rather than
//! checked, since finite differences lose their precision there.
//!
//! A second property composes the matrix products (all four `matmul` forms
//! and `tensordot`) with shape and selection operations.
//!
//! On failure, proptest prints the shrunk program, its inputs and the
//! gradcheck report naming the worst Jacobian entry.

use crate::common;

use std::collections::HashMap;
use std::fmt;

use autograd::Tensor;
use autograd::gradcheck::gradcheck;
use autograd::tensor::where_;
use common::operations::{Random, listed};
use common::program::{Arg, Step as Call, apply};
use ndarray::{ArrayD, IxDyn, s};
use proptest::prelude::*;

// ---------------------------------------------------------------------------
// Elementwise programs with broadcasting.
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug)]
enum Unary {
    /// An operation of `reference/operations.json` marked `unary` or
    /// `positive` (given x·x + 1).
    Listed(&'static str, Random),
    Square,
    Cube,
    /// (x·x + 1)^0.5
    SqrtPos,
    /// (x·x + 1)^-1.5
    PowPos,
    /// 0.7·x − 0.2, with plain-number operands
    Affine,
    /// 1.5 − x / 2 (numbers on the left and right)
    NumberLeft,
    /// sum along axis (k mod rank), keepdim: the shape stays broadcastable
    SumAxis(usize),
    MeanAxis(usize),
}

#[derive(Clone, Copy, Debug)]
enum Binary {
    /// An operation of `reference/operations.json` marked `binary`.
    Listed(&'static str),
    /// a / (b·b + 1)
    DivPos,
    /// where(a > b, a, b): smooth except where a = b, which random inputs miss
    Max,
}

#[derive(Clone, Copy, Debug)]
enum Step {
    Unary(Unary, usize),
    Binary(Binary, usize, usize),
}

#[derive(Clone, Debug)]
struct Program {
    steps: Vec<Step>,
}

fn apply_unary<'g>(op: Unary, x: Tensor<'g, f64>) -> Tensor<'g, f64> {
    let positive = || x * x + 1.0;
    match op {
        Unary::Listed(op, Random::Positive) => listed_op(op, &[positive()]),
        Unary::Listed(op, _) => listed_op(op, &[x]),
        Unary::Square => x.pow(2.0),
        Unary::Cube => x.pow(3.0),
        Unary::SqrtPos => positive().pow(0.5),
        Unary::PowPos => positive().pow(-1.5),
        Unary::Affine => x * 0.7 - 0.2,
        Unary::NumberLeft => 1.5 - x / 2.0,
        Unary::SumAxis(_) | Unary::MeanAxis(_) if x.ndim() == 0 => {
            if matches!(op, Unary::SumAxis(_)) {
                x.sum_all()
            } else {
                x.mean_all()
            }
        }
        Unary::SumAxis(k) => x.sum(k % x.ndim(), true),
        Unary::MeanAxis(k) => x.mean(k % x.ndim(), true),
    }
}

/// A listed operation on `args`, through the reference language's interpreter.
fn listed_op<'g>(op: &str, args: &[Tensor<'g, f64>]) -> Tensor<'g, f64> {
    let names: Vec<String> = (0..args.len()).map(|k| format!("v{k}")).collect();
    let env: HashMap<String, Tensor<'g, f64>> = names.iter().cloned().zip(args.iter().copied()).collect();
    let call = Call {
        out: "y".into(),
        op: op.into(),
        args: names.into_iter().map(Arg::Name).collect(),
        attrs: Default::default(),
    };
    apply(&env, &call).unwrap_or_else(|e| panic!("{op}: {e}")).0
}

/// The listed operations of one random role, their names kept for the run.
fn listed_for(role: Random) -> Vec<&'static str> {
    listed()
        .into_iter()
        .filter(|o| o.random == Some(role))
        .map(|o| &*Box::leak(o.op.into_boxed_str()))
        .collect()
}

fn apply_binary<'g>(op: Binary, a: Tensor<'g, f64>, b: Tensor<'g, f64>) -> Tensor<'g, f64> {
    match op {
        Binary::Listed(op) => listed_op(op, &[a, b]),
        Binary::DivPos => a / (b * b + 1.0),
        Binary::Max => where_(a.gt(b), a, b),
    }
}

impl Program {
    /// Every value of the program: the inputs, then one per step.
    fn values<'g>(&self, inputs: &[Tensor<'g, f64>]) -> Vec<Tensor<'g, f64>> {
        let mut values = inputs.to_vec();
        for &step in &self.steps {
            let next = match step {
                Step::Unary(op, x) => apply_unary(op, values[x]),
                Step::Binary(op, a, b) => apply_binary(op, values[a], values[b]),
            };
            values.push(next);
        }
        values
    }

    fn run<'g>(&self, inputs: &[Tensor<'g, f64>]) -> Tensor<'g, f64> {
        *self.values(inputs).last().expect("a program has a step")
    }
}

struct Case {
    program: Program,
    inputs: Vec<ArrayD<f64>>,
}

impl fmt::Display for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "program:")?;
        for (i, x) in self.inputs.iter().enumerate() {
            writeln!(f, "  v{i} = input {:?} = {:?}", x.shape(), x.iter().collect::<Vec<_>>())?;
        }
        let n = self.inputs.len();
        for (k, step) in self.program.steps.iter().enumerate() {
            match *step {
                Step::Unary(op, x) => writeln!(f, "  v{} = {op:?}(v{x})", n + k)?,
                Step::Binary(op, a, b) => writeln!(f, "  v{} = {op:?}(v{a}, v{b})", n + k)?,
            }
        }
        write!(f, "  output v{}", n + self.program.steps.len() - 1)
    }
}

impl fmt::Debug for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

fn unary_op() -> impl Strategy<Value = Unary> {
    let (unary, positive) = (listed_for(Random::Unary), listed_for(Random::Positive));
    // Weighted by their number, so that every operation is as likely as another.
    prop_oneof![
        unary.len() as u32 => prop::sample::select(unary).prop_map(|op| Unary::Listed(op, Random::Unary)),
        positive.len() as u32 => prop::sample::select(positive).prop_map(|op| Unary::Listed(op, Random::Positive)),
        1 => Just(Unary::Square),
        1 => Just(Unary::Cube),
        1 => Just(Unary::SqrtPos),
        1 => Just(Unary::PowPos),
        1 => Just(Unary::Affine),
        1 => Just(Unary::NumberLeft),
        1 => (0..3usize).prop_map(Unary::SumAxis),
        1 => (0..3usize).prop_map(Unary::MeanAxis),
    ]
}

fn binary_op() -> impl Strategy<Value = Binary> {
    let binary = listed_for(Random::Binary);
    prop_oneof![
        binary.len() as u32 => prop::sample::select(binary).prop_map(Binary::Listed),
        1 => Just(Binary::DivPos),
        1 => Just(Binary::Max),
    ]
}

/// A step as drawn: an operation and raw operand picks, resolved against
/// the number of values available when the program is assembled. Binary
/// steps are drawn twice as often, since they are where broadcasting happens.
#[derive(Clone, Copy, Debug)]
enum RawStep {
    Unary(Unary, usize),
    Binary(Binary, usize, usize),
}

fn raw_step() -> impl Strategy<Value = RawStep> {
    prop_oneof![
        1 => (unary_op(), any::<usize>()).prop_map(|(op, x)| RawStep::Unary(op, x)),
        2 => (binary_op(), any::<usize>(), any::<usize>()).prop_map(|(op, a, b)| RawStep::Binary(op, a, b)),
    ]
}

/// An input shape derived from the base: drop `drop` leading dimensions
/// and set to 1 each dimension whose bit in `ones` is set.
fn derived_shape(base: &[usize], drop: usize, ones: u8) -> Vec<usize> {
    let drop = drop % (base.len() + 1);
    base[drop..]
        .iter()
        .enumerate()
        .map(|(i, &n)| if ones & (1 << i) != 0 { 1 } else { n })
        .collect()
}

fn case() -> impl Strategy<Value = Case> {
    let base = prop::collection::vec(1..=4usize, 0..=3);
    let variants = prop::collection::vec((any::<usize>(), any::<u8>()), 1..=3);
    let steps = prop::collection::vec(raw_step(), 3..=8);
    (base, variants, steps).prop_flat_map(|(base, variants, raw)| {
        let shapes: Vec<Vec<usize>> = variants
            .iter()
            .map(|&(drop, ones)| derived_shape(&base, drop, ones))
            .collect();
        let n_inputs = shapes.len();
        let steps: Vec<Step> = raw
            .iter()
            .enumerate()
            .map(|(k, step)| {
                let available = n_inputs + k;
                match *step {
                    // Steps lean towards the most recent value, so that
                    // programs are deep rather than a fan of one-op branches.
                    RawStep::Unary(op, x) => Step::Unary(op, available - 1 - x % available.min(3)),
                    RawStep::Binary(op, a, b) => Step::Binary(op, available - 1 - a % available.min(2), b % available),
                }
            })
            .collect();
        let values: Vec<_> = shapes
            .iter()
            .map(|shape| {
                let shape = shape.clone();
                prop::collection::vec(-1.5f64..1.5, shape.iter().product::<usize>())
                    .prop_map(move |v| ArrayD::from_shape_vec(IxDyn(&shape), v).expect("sizes match"))
            })
            .collect();
        (Just(Program { steps }), values).prop_map(|(program, inputs)| Case { program, inputs })
    })
}

/// Whether every value of the program stays finite and within ±`limit`.
fn values_are_moderate(program: &Program, inputs: &[ArrayD<f64>], limit: f64) -> bool {
    let graph = autograd::Graph::<f64>::new();
    let leaves: Vec<_> = inputs.iter().map(|x| graph.tensor(x.clone())).collect();
    program
        .values(&leaves)
        .iter()
        .all(|t| t.value().iter().all(|v| v.is_finite() && v.abs() <= limit))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_elementwise_programs_pass_gradcheck(case in case()) {
        prop_assume!(values_are_moderate(&case.program, &case.inputs, 100.0));
        let program = &case.program;
        match gradcheck(|x| program.run(x), &case.inputs) {
            Ok(report) => prop_assert!(report.passed(), "{case}\n{report}"),
            Err(e) => prop_assert!(false, "{case}\ngradcheck returned an error: {e}"),
        }
    }
}

// ---------------------------------------------------------------------------
// Matrix products composed with shape and selection operations.
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug)]
enum Product {
    /// [m, k] @ [k, n]
    MatMat,
    /// [m, k] @ [k]
    MatVec,
    /// [k] @ [k, n]
    VecMat,
    /// [k] @ [k]
    Dot,
    /// tensordot([m, k], [k, n, p], 1)
    Tensordot1,
    /// tensordot([m, k, n], [k, n, p], 2)
    Tensordot2,
}

impl Product {
    fn shapes(self, (m, k, n, p): (usize, usize, usize, usize)) -> [Vec<usize>; 2] {
        match self {
            Product::MatMat => [vec![m, k], vec![k, n]],
            Product::MatVec => [vec![m, k], vec![k]],
            Product::VecMat => [vec![k], vec![k, n]],
            Product::Dot => [vec![k], vec![k]],
            Product::Tensordot1 => [vec![m, k], vec![k, n, p]],
            Product::Tensordot2 => [vec![m, k, n], vec![k, n, p]],
        }
    }

    fn apply<'g>(self, a: Tensor<'g, f64>, b: Tensor<'g, f64>) -> Tensor<'g, f64> {
        match self {
            Product::Tensordot1 => a.tensordot(b, 1),
            Product::Tensordot2 => a.tensordot(b, 2),
            _ => a.matmul(b),
        }
    }
}

/// What is done to the product; each is valid on any rank.
#[derive(Clone, Copy, Debug)]
enum Post {
    Tanh,
    /// x·x
    SelfMul,
    /// swap the first and last axes (identity on rank < 2)
    Transpose,
    /// reshape to one dimension
    Flatten,
    /// flatten, then every second element from the end: x[::-2] in NumPy
    FlattenReverseStep2,
    /// index_select along axis 0 with [last, 0, last]
    SelectRepeat,
    /// topk(min(2, n)) along the last axis
    Topk,
    /// sum along axis 0
    SumAxis0,
}

fn apply_post<'g>(op: Post, x: Tensor<'g, f64>) -> Tensor<'g, f64> {
    let shape = x.shape();
    match op {
        Post::Tanh => x.tanh(),
        Post::SelfMul => x * x,
        Post::Transpose if shape.len() >= 2 => x.transpose(0, shape.len() - 1),
        Post::Flatten => x.reshape([x.numel()]),
        Post::FlattenReverseStep2 => x.reshape([x.numel()]).slice(s![..;-2]),
        Post::SelectRepeat if !shape.is_empty() => x.index_select(0, &[shape[0] - 1, 0, shape[0] - 1]),
        Post::Topk if !shape.is_empty() => x.topk(shape[shape.len() - 1].min(2)).0,
        Post::SumAxis0 if !shape.is_empty() => x.sum(0, false),
        _ => x,
    }
}

struct LinearCase {
    product: Product,
    post: Vec<Post>,
    inputs: Vec<ArrayD<f64>>,
}

impl LinearCase {
    fn run<'g>(&self, x: &[Tensor<'g, f64>]) -> Tensor<'g, f64> {
        self.post
            .iter()
            .fold(self.product.apply(x[0], x[1]), |t, &op| apply_post(op, t))
    }
}

impl fmt::Debug for LinearCase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "program: {:?} then {:?}", self.product, self.post)?;
        for (i, x) in self.inputs.iter().enumerate() {
            writeln!(f, "  input {i} {:?} = {:?}", x.shape(), x.iter().collect::<Vec<_>>())?;
        }
        Ok(())
    }
}

fn linear_case() -> impl Strategy<Value = LinearCase> {
    let product = prop_oneof![
        Just(Product::MatMat),
        Just(Product::MatVec),
        Just(Product::VecMat),
        Just(Product::Dot),
        Just(Product::Tensordot1),
        Just(Product::Tensordot2),
    ];
    let post = prop::collection::vec(
        prop_oneof![
            Just(Post::Tanh),
            Just(Post::SelfMul),
            Just(Post::Transpose),
            Just(Post::Flatten),
            Just(Post::FlattenReverseStep2),
            Just(Post::SelectRepeat),
            Just(Post::Topk),
            Just(Post::SumAxis0),
        ],
        0..=3,
    );
    let sizes = (1..=4usize, 1..=4usize, 1..=3usize, 1..=3usize);
    (product, post, sizes).prop_flat_map(|(product, post, sizes)| {
        let values: Vec<_> = product
            .shapes(sizes)
            .into_iter()
            .map(|shape| {
                prop::collection::vec(-1.5f64..1.5, shape.iter().product::<usize>())
                    .prop_map(move |v| ArrayD::from_shape_vec(IxDyn(&shape), v).expect("sizes match"))
            })
            .collect();
        values.prop_map(move |inputs| LinearCase {
            product,
            post: post.clone(),
            inputs,
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_products_with_shape_ops_pass_gradcheck(case in linear_case()) {
        match gradcheck(|x| case.run(x), &case.inputs) {
            Ok(report) => prop_assert!(report.passed(), "{case:?}\n{report}"),
            Err(e) => prop_assert!(false, "{case:?}\ngradcheck returned an error: {e}"),
        }
    }
}

//! A training loop's graphs reuse the memory the previous graph freed: no
//! page faults after the first steps. Alone in its binary, so that the
//! process's page faults are this test's.

#![cfg(all(target_os = "linux", target_env = "gnu"))]

use autograd::Graph;
use autograd::ndarray::Array2;

/// The process's minor page faults so far (`/proc/self/stat`, field 10).
fn minor_faults() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat");
    // The fields after the command name, which is in parentheses, from field 3 on.
    let after_name = &stat[stat.rfind(')').expect("(comm)") + 2..];
    after_name
        .split(' ')
        .nth(7)
        .and_then(|f| f.parse().ok())
        .expect("minflt")
}

/// One step of a tanh RNN, 100 steps of 32×64: about 5 MiB of values.
fn step(wh: &Array2<f32>) -> f32 {
    let g = Graph::<f32>::new();
    let wh = g.tensor(wh).requires_grad();
    let mut h = g.tensor(Array2::<f32>::ones((32, 64)));
    for _ in 0..100 {
        h = (h.matmul(wh) + 0.5).tanh();
    }
    (h * h).mean_all().backward().expect("a scalar");
    wh.take_grad().expect("reached").sum()
}

#[test]
fn each_graph_reuses_the_memory_the_last_one_freed() {
    let tuned = std::env::vars_os().any(|(name, _)| {
        let name = name.to_string_lossy();
        name.starts_with("MALLOC_") || name == "GLIBC_TUNABLES"
    });
    if tuned {
        eprintln!("skipped: the environment tunes glibc's malloc, which the engine then leaves alone");
        return;
    }
    let wh = Array2::from_shape_fn((64, 64), |(i, j)| ((i * 64 + j) % 7) as f32 / 64.0 - 0.05);
    let first = step(&wh);
    let before = minor_faults();
    for _ in 0..5 {
        assert_eq!(step(&wh).to_bits(), first.to_bits());
    }
    let faults = minor_faults() - before;
    // Taking 5 MiB from the system anew would be some 1,300 faults a step.
    assert!(faults < 100, "five more steps took {faults} page faults");
}

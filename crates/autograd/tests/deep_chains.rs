//! A million-step recursion backpropagates on the default 2 MiB test-thread
//! stack: the backward pass is a loop over the tape, never a recursion.

use autograd::scalar::Tape;

#[test]
fn million_step_chain_h_equals_w_times_h() {
    const STEPS: i32 = 1_000_000;
    let tape = Tape::with_capacity(STEPS as usize + 2);
    // w slightly above 1 keeps h and its gradients finite and non-trivial.
    let w = tape.var(1.000_001);
    let h0 = tape.var(0.5);
    let mut h = h0;
    for _ in 0..STEPS {
        h = w * h;
    }
    h.backward();
    // h = w^n·h0, so dh/dh0 = w^n and dh/dw = n·w^(n−1)·h0.
    let wn = 1.000_001f64.powi(STEPS);
    assert!((h0.grad() - wn).abs() <= 1e-9 * wn, "dh/dh0 = {} vs {wn}", h0.grad());
    let dw = f64::from(STEPS) * 1.000_001f64.powi(STEPS - 1) * 0.5;
    assert!((w.grad() - dw).abs() <= 1e-6 * dw, "dh/dw = {} vs {dw}", w.grad());
    assert_eq!(tape.len(), STEPS as usize + 2);
}

#[test]
fn thousand_deep_tanh_rnn() {
    let tape = Tape::new();
    let (w_h, w_x) = (tape.var(0.9), tape.var(0.5));
    let mut h = tape.var(0.0);
    for t in 0..1000 {
        let x = (f64::from(t) * 0.01).sin();
        h = (w_h * h + w_x * x).tanh();
    }
    h.backward();
    assert!(w_h.grad().is_finite() && w_x.grad().is_finite());
    assert!(w_x.grad() != 0.0);
}

// book/ch05-recursion.md, block `rnn-bptt`: generated from the book: edit the chapter, not this file. fnv1a=91a46e7cc9f3d619
fn main() {
    use autograd::scalar::Tape;
    let xs = [1.0, 0.5, -0.5, 2.0];
    let (wh0, wx0) = (0.8, 0.5);

    // The engine.
    let tape = Tape::new();
    let (w_h, w_x) = (tape.var(wh0), tape.var(wx0));
    let h0 = tape.var(0.0);
    let mut h = h0;
    for &x in &xs {
        h = (w_h * h + w_x * x).tanh();
    }
    h.backward();

    // By hand: the forward pass, keeping every h_t ...
    let mut hs = vec![0.0_f64];
    for &x in &xs {
        let prev = *hs.last().unwrap();
        hs.push((wh0 * prev + wx0 * x).tanh());
    }
    // ... then the backward pass, from t = T down to 1.
    let (mut d_wh, mut d_wx, mut delta) = (0.0, 0.0, 1.0);
    for t in (1..=xs.len()).rev() {
        let a = delta * (1.0 - hs[t] * hs[t]);
        d_wh += a * hs[t - 1];
        d_wx += a * xs[t - 1];
        delta = a * wh0;
    }

    println!("h_T    = {:.10} <> {:.10}", h.data(), hs[xs.len()]);
    println!("dL/dwh = {:.10} <> {:.10}", w_h.grad(), d_wh);
    println!("dL/dwx = {:.10} <> {:.10}", w_x.grad(), d_wx);
    println!("dL/dh0 = {:.10} <> {:.10}", h0.grad(), delta);
}

// book/ch05-recursion.md, block `million-steps`: generated from the book: edit the chapter, not this file. fnv1a=7bfa2f67ca118459
fn main() {
    use autograd::scalar::Tape;
    const STEPS: i32 = 1_000_000;
    let tape = Tape::with_capacity(STEPS as usize + 2);
    let w = tape.var(1.000_001);
    let h0 = tape.var(0.5);
    let mut h = h0;
    for _ in 0..STEPS {
        h = w * h;
    }
    h.backward();

    let (w0, h00) = (1.000_001_f64, 0.5);
    println!("nodes on the tape: {}", tape.len());
    println!("h       = {:.6} <> {:.6}", h.data(), w0.powi(STEPS) * h00);
    println!("dh/dh0  = {:.6} <> w^n = {:.6}", h0.grad(), w0.powi(STEPS));
    println!(
        "dh/dw   = {:.1} <> n w^(n-1) h0 = {:.1}",
        w.grad(),
        f64::from(STEPS) * w0.powi(STEPS - 1) * h00
    );
}

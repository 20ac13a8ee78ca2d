// book/ch05-recursion.md, block `t-steps`: generated from the book: edit the chapter, not this file. fnv1a=9f066a66459a2413
fn main() {
    use autograd::scalar::Tape;
    let (w0, h00) = (2.0_f64, 0.5_f64);
    println!(" t | engine dh/dw  recursion  closed form | engine dh/dh0  recursion  w^t");
    let (mut h, mut dw, mut dh0) = (h00, 0.0, 1.0);
    for t in 1..=6 {
        // Hand recursion: one step further.
        dw = h + w0 * dw;
        dh0 *= w0;
        h *= w0;

        // Engine: record t steps on a fresh tape.
        let tape = Tape::new();
        let (w, h0) = (tape.var(w0), tape.var(h00));
        let mut ht = h0;
        for _ in 0..t {
            ht = w * ht;
        }
        ht.backward();

        let closed = f64::from(t) * w0.powi(t - 1) * h00;
        println!(
            "{t:>2} | {:>12}  {dw:>9}  {closed:>11} | {:>13}  {dh0:>9}  {}",
            w.grad(),
            h0.grad(),
            w0.powi(t)
        );
    }
}

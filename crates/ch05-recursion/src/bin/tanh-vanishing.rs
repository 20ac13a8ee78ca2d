// book/ch05-recursion.md, block `tanh-vanishing`: generated from the book: edit the chapter, not this file. fnv1a=e4aa733bfd1b34d9
fn main() {
    use autograd::scalar::Tape;
    println!("{:>4} {:>12} {:>12} {:>12}", "t", "wh = 0.5", "wh = 1", "wh = 1.5");
    for t in [1, 5, 10, 20, 50] {
        let mut row = format!("{t:>4}");
        for wh in [0.5, 1.0, 1.5] {
            let tape = Tape::new();
            let (w, h0) = (tape.var(wh), tape.var(0.5));
            let mut h = h0;
            for _ in 0..t {
                h = (w * h).tanh();
            }
            h.backward();
            row += &format!(" {:>12.4e}", h0.grad().abs());
        }
        println!("{row}");
    }

    // Where the state settles for wh = 1.5, and the factor per step there.
    let mut h = 0.5f64;
    for _ in 0..200 {
        h = (1.5 * h).tanh();
    }
    println!(
        "wh = 1.5 settles at h = {h:.4}; factor per step 1.5(1 - h^2) = {:.4}",
        1.5 * (1.0 - h * h)
    );
}

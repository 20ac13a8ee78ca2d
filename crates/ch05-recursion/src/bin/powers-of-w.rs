// book/ch05-recursion.md, block `powers-of-w`: generated from the book: edit the chapter, not this file. fnv1a=b7e928eb9b6eb5f8
fn main() {
    use autograd::scalar::Tape;
    println!("{:>5} {:>12} {:>12} {:>12}", "t", "w = 0.5", "w = 1", "w = 1.5");
    for t in [1, 5, 10, 20, 50, 100] {
        let mut row = format!("{t:>5}");
        for w0 in [0.5, 1.0, 1.5] {
            let tape = Tape::new();
            let (w, h0) = (tape.var(w0), tape.var(1.0));
            let mut h = h0;
            for _ in 0..t {
                h = w * h;
            }
            h.backward();
            // The engine's answer is exactly w·w·…·w, multiplied in order.
            assert_eq!(h0.grad(), (0..t).fold(1.0, |p, _| p * w0));
            row += &format!(" {:>12.4e}", h0.grad());
        }
        println!("{row}");
    }
}

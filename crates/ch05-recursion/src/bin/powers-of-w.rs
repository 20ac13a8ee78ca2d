// book/ch05-recursion.md, block `powers-of-w`: generated from the book: edit the chapter, not this file. fnv1a=05cbff47c294a0b8
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

    // `powi` multiplies by repeated squaring: another order, other roundings.
    let w0 = std::hint::black_box(1.5f64); // so that it runs, not the compiler
    let by_loop = (0..100).fold(1.0, |p, _| p * w0);
    let by_powi = w0.powi(100);
    let apart = (by_loop.to_bits() as i64 - by_powi.to_bits() as i64).abs();
    println!("1.5^100: {by_loop:e} in order, {by_powi:e} by powi, {apart} ulp apart");
}

// book/ch05-recursion.md, block `exercise-underflow`: generated from the book: edit the chapter, not this file. fnv1a=2340baf55fa8958f
fn main() {
    use autograd::scalar::Tape;
    for t in [1073, 1074, 1075] {
        let tape = Tape::new();
        let (w, h0) = (tape.var(0.5), tape.var(1.0));
        let mut h = h0;
        for _ in 0..t {
            h = w * h;
        }
        h.backward();
        println!("t = {t}: dh/dh0 = {:e}", h0.grad());
    }
}

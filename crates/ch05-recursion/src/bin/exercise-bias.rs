// book/ch05-recursion.md, block `exercise-bias`: generated from the book: edit the chapter, not this file. fnv1a=8a426388414cde33
fn main() {
    use autograd::scalar::Tape;
    let tape = Tape::new();
    let (w, b) = (tape.var(2.0), tape.var(0.3));
    let mut h = tape.var(0.5);
    for _ in 0..3 {
        h = w * h + b;
    }
    h.backward();
    println!("{} <> {}", b.grad(), (0..3).map(|k| 2.0_f64.powi(k)).sum::<f64>());
}

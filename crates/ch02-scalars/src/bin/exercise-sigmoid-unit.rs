// book/ch02-scalars.md, block `exercise-sigmoid-unit`: generated from the book: edit the chapter, not this file. fnv1a=93c75aafe513eb68
fn main() {
    use autograd::scalar::Tape;
    let tape = Tape::new();
    let (w, x, b) = (tape.var(0.5), tape.var(2.0), tape.var(-1.0));
    let s = (w * x + b).sigmoid();
    s.backward();
    let ds = s.data() * (1.0 - s.data());
    println!("s     = {}", s.data());
    println!("ds/dw = {} <> {}", w.grad(), ds * x.data());
    println!("ds/dx = {} <> {}", x.grad(), ds * w.data());
    println!("ds/db = {} <> {}", b.grad(), ds);
}

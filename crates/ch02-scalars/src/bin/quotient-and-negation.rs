// book/ch02-scalars.md, block `quotient-and-negation`: generated from the book: edit the chapter, not this file. fnv1a=1dc5ff8200f06aeb
fn main() {
    use autograd::scalar::Tape;
    let tape = Tape::new();
    let a = tape.var(3.0);
    let b = tape.var(4.0);
    let q = -(a / b);
    q.backward();
    println!("q     = {}", q.data());
    println!("dq/da = {} <> -1/b = {}", a.grad(), -1.0 / b.data());
    println!("dq/db = {} <> a/b² = {}", b.grad(), a.data() / (b.data() * b.data()));
}

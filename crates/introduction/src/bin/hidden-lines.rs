// book/introduction.md, block `hidden-lines`: generated from the book: edit the chapter, not this file. fnv1a=07b427f86a50aa2a
fn main() {
    use autograd::scalar::Tape;
    let tape = Tape::new();
    let x = tape.var(4.0);
    let y = x * x + 3.0 * x;
    y.backward();
    println!("y = {}, dy/dx = {} <> 2x + 3 = {}", y.data(), x.grad(), 2.0 * 4.0 + 3.0);
}

// book/ch02-scalars.md, block `exercise-cubic`: generated from the book: edit the chapter, not this file. fnv1a=e358219a55d3e215
fn main() {
    use autograd::scalar::Tape;
    let tape = Tape::new();
    let x = tape.var(2.0);
    let f = x.powi(3) - 2.0 * x;
    f.backward();
    println!("f'(2) = {} <> 3x² − 2 = {}", x.grad(), 3.0 * 2.0 * 2.0 - 2.0);
}

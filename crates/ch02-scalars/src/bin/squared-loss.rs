// book/ch02-scalars.md, block `squared-loss`: generated from the book: edit the chapter, not this file. fnv1a=3ba6cbd3927cccc6
fn main() {
    use autograd::scalar::Tape;
    let tape = Tape::new();
    let x = tape.var(1.0);
    let loss = (x * x - 10.0).powi(2);
    loss.backward();

    let g = 1.0 * 1.0 - 10.0; // the inner function at x = 1
    let by_hand = 2.0 * g * (2.0 * 1.0);
    println!("L     = {:.1}", loss.data());
    println!("dL/dx = {:.1} <> 2(x^2 - 10)*2x = {:.1}", x.grad(), by_hand);
}

// book/ch02-scalars.md, block `exercise-accumulate`: generated from the book: edit the chapter, not this file. fnv1a=9ecf6818d60f35e0
fn main() {
    use autograd::scalar::Tape;
    let tape = Tape::new();
    let x = tape.var(4.0);
    let y = x * x;
    let z = 3.0 * x;
    y.backward();
    z.backward();
    println!("after y and z:       {} <> 2x + 3 = {}", x.grad(), 2.0 * 4.0 + 3.0);
    tape.zero_grad();
    z.backward();
    println!("after zero_grad, z:  {}", x.grad());
}

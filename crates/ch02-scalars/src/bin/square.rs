// book/ch02-scalars.md:17 (block `square`): generated from the book: edit the chapter, not this file.
fn main() {
use autograd::scalar::Tape;

let tape = Tape::new();
let x = tape.var(3.0);
let y = x * x;
y.backward();
println!("y = {:.1}", y.data());
println!("dy/dx by the engine = {:.1}", x.grad());
println!("dy/dx by hand, 2x   = {:.1}", 2.0 * x.data());
}

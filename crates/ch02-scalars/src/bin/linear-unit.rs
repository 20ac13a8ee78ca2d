// book/ch02-scalars.md:55 (block `linear-unit`): generated from the book: edit the chapter, not this file.
fn main() {
use autograd::scalar::Tape;
let tape = Tape::new();
let w = tape.var(5.0);
let x = tape.var(2.5);
let b = tape.var(4.0);
let z = w * x + b;
z.backward();
println!("z     = {:.2}", z.data());
println!("dz/dw = {:.2}  (the input x)", w.grad());
println!("dz/dx = {:.2}  (the weight w)", x.grad());
println!("dz/db = {:.2}", b.grad());
}

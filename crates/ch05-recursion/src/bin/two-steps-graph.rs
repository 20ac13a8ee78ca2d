// book/ch05-recursion.md:87 (block `two-steps-graph`): generated from the book: edit the chapter, not this file. fnv1a=67f54b99983539c1
fn main() {
use autograd::scalar::Tape;
let tape = Tape::new();
let w = tape.var(2.0);
let h0 = tape.var(0.5);
let h2 = w * (w * h0);
h2.backward();
println!("{}", h2.to_dot());
}

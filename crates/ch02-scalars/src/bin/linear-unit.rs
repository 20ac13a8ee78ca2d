// book/ch02-scalars.md, block `linear-unit`: generated from the book: edit the chapter, not this file. fnv1a=a6eb00bd675e3804
fn main() {
    use autograd::scalar::Tape;
    let tape = Tape::new();
    let w = tape.var(5.0);
    let x = tape.var(2.5);
    let b = tape.var(4.0);
    let z = w * x + b;
    z.backward();
    println!("z     = {:.2}", z.data());
    println!("dz/dw = {:.2} <> x = {:.2}", w.grad(), x.data());
    println!("dz/dx = {:.2} <> w = {:.2}", x.grad(), w.data());
    println!("dz/db = {:.2} <> 1", b.grad());
}

// book/ch02-scalars.md, block `zero-times-infinity`: generated from the book: edit the chapter, not this file. fnv1a=30bf2e269f8229dc
fn main() {
    use autograd::scalar::Tape;
    let tape = Tape::new();
    let x = tape.var(0.0);
    let _unused = x.powf(0.5); // off the path: its partial at 0 is infinite
    let y = 2.0 * x;
    y.backward();
    println!("d(2x)/dx      = {}", x.grad());
    let x = tape.var(0.0);
    let z = 0.0 * x.powf(0.5); // on the path: 0 times an infinite partial
    z.backward();
    println!("d(0 * √x)/dx  = {}", x.grad());
}

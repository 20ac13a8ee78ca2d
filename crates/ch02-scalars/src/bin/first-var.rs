// book/ch02-scalars.md, block `first-var`: generated from the book: edit the chapter, not this file. fnv1a=ef3ae03da6a65be5
fn main() {
    use autograd::scalar::Tape;

    let tape = Tape::new();
    let x = tape.var(3.0);
    println!("x: data {}, grad {}, op {:?}", x.data(), x.grad(), x.op());
    println!("nodes on the tape: {}", tape.len());
}

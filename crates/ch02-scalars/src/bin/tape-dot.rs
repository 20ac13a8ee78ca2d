// book/ch02-scalars.md, block `tape-dot`: generated from the book: edit the chapter, not this file. fnv1a=043c402467198928
fn main() {
    use autograd::scalar::Tape;
    let tape = Tape::new();
    let x = tape.var(1.0);
    let loss = (x * x - 10.0).powi(2);
    loss.backward();
    print!("{}", loss.to_dot());
}

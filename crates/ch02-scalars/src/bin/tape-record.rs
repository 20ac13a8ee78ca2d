// book/ch02-scalars.md, block `tape-record`: generated from the book: edit the chapter, not this file. fnv1a=997294bad6591903
fn main() {
    use autograd::scalar::Tape;
    let tape = Tape::new();
    let x = tape.var(1.0);
    let square = x * x;
    let residual = square - 10.0;
    let loss = residual.powi(2);

    for value in [x, square, residual, loss] {
        println!("{value:?}");
    }
    println!("nodes on the tape: {}", tape.len());
}

// book/ch02-scalars.md, block `square`: generated from the book: edit the chapter, not this file. fnv1a=51d66df38f737505
fn main() {
    use autograd::scalar::Tape;

    for x0 in [0.3926395773887634, -1.5, 0.0, 3.0] {
        let tape = Tape::new();
        let x = tape.var(x0);
        let y = x * x;
        y.backward();
        println!("x = {x0:<18}  dy/dx = {} <> {}", x.grad(), 2.0 * x0);
    }
}

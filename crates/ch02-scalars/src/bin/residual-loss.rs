// book/ch02-scalars.md, block `residual-loss`: generated from the book: edit the chapter, not this file. fnv1a=a815ecaaec4a31f7
fn main() {
    use autograd::scalar::Tape;
    let (x0, y) = (1.5, 10.0);

    let tape = Tape::new();
    let x = tape.var(x0);
    let over = x * x - y; // y_pred − y
    over.backward();
    println!("d(y_pred − y)/dx = {} <> +2x = {}", x.grad(), 2.0 * x0);

    let tape = Tape::new();
    let x = tape.var(x0);
    let under = y - x * x; // y − y_pred
    under.backward();
    println!("d(y − y_pred)/dx = {} <> −2x = {}", x.grad(), -2.0 * x0);
}

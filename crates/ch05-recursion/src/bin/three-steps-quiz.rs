// book/ch05-recursion.md, block `three-steps-quiz`: generated from the book: edit the chapter, not this file. fnv1a=db94ef68510f67b3
fn main() {
    use autograd::scalar::Tape;
    let tape = Tape::new();
    let w = tape.var(2.0);
    let h0 = tape.var(0.5);
    let h3 = w * (w * (w * h0));
    h3.backward();
    println!("h3 = {}, dh3/dw = {}, dh3/dh0 = {}", h3.data(), w.grad(), h0.grad());
}

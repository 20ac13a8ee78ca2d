// book/ch05-recursion.md, block `three-steps-graph`: generated from the book: edit the chapter, not this file. fnv1a=674991fba058cab8
fn main() {
    use autograd::scalar::Tape;
    let tape = Tape::new();
    let w = tape.var(2.0);
    let h0 = tape.var(0.5);
    let h3 = w * (w * (w * h0));
    h3.backward();
    println!("{}", h3.to_dot());
}

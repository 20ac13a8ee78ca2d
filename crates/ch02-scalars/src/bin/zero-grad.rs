// book/ch02-scalars.md, block `zero-grad`: generated from the book: edit the chapter, not this file. fnv1a=77e891c67cc2a004
fn main() {
    use autograd::scalar::Tape;
    let tape = Tape::new();
    let x = tape.var(2.0);
    let y = x * x * x;
    y.backward();
    println!("after one backward:  {:.1}", x.grad());
    y.backward();
    println!("after two backwards: {:.1}", x.grad());
    tape.zero_grad();
    println!("after zero_grad:     {:.1}", x.grad());
}

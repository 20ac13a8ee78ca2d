// book/ch02-scalars.md, block `used-twice`: generated from the book: edit the chapter, not this file. fnv1a=3aaca59111561125
fn main() {
    use autograd::scalar::Tape;
    let tape = Tape::new();
    let a = tape.var(3.0);
    let b = a + a;
    let c = b * b;
    c.backward();
    println!("c     = {}", c.data());
    println!("dc/db = {} <> 2b = {}", b.grad(), 2.0 * b.data());
    println!("dc/da = {} <> 8a = {}", a.grad(), 8.0 * a.data());
}

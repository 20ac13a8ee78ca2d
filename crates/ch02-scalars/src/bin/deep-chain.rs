// book/ch02-scalars.md, block `deep-chain`: generated from the book: edit the chapter, not this file. fnv1a=1ae4651dc7973c29
fn main() {
    use autograd::scalar::Tape;
    const STEPS: usize = 100_000;
    let tape = Tape::with_capacity(STEPS + 1);
    let x = tape.var(0.5);
    let mut h = x;
    for _ in 0..STEPS {
        h += x; // one node deeper than the last
    }
    h.backward();
    println!("nodes on the tape: {}", tape.len());
    println!("h     = {} <> (n + 1) x = {}", h.data(), (STEPS + 1) as f64 * 0.5);
    println!("dh/dx = {} <> n + 1     = {}", x.grad(), STEPS + 1);
}

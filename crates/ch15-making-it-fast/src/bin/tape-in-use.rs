// book/ch15-making-it-fast.md, block `tape-in-use`: generated from the book: edit the chapter, not this file. fnv1a=0e8021e861139d75
fn main() {
    use autograd::Graph;
    let g = Graph::<f64>::new();
    let x = g.tensor([1.0, 2.0]).requires_grad();
    let values = x.value();
    let doubled = x * 2.0; // records a node while `values` borrows the tape
    println!("{} {doubled}", values[0]);
}

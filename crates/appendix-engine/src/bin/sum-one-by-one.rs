// book/appendix-engine.md, block `sum-one-by-one`: generated from the book: edit the chapter, not this file. fnv1a=9939032b96d20830
fn main() {
    use autograd::Graph;
    let g = Graph::<f64>::new();
    let x = g.tensor([1.0, 5.0, 6.0]).requires_grad();
    let squares = x.pow(2.0);

    // Python's `sum` as a loop: 0 + s[0] + s[1] + s[2].
    let mut y = g.scalar(0.0);
    for i in 0..3 {
        y = y + squares.at(&[i]);
    }
    y.backward().unwrap();

    println!("{y} {x}");
    println!("{}", x.grad().unwrap());
}

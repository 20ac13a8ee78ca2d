// book/ch03-vectors.md, block `sum-of-cubes`: generated from the book: edit the chapter, not this file. fnv1a=d6fa6ca6fd01a7bf
fn main() {
    use autograd::Graph;
    let g = Graph::<f64>::new();
    let x = g.tensor([1.0, -2.0, 3.0]).requires_grad();
    x.pow(3.0).sum_all().backward().unwrap();
    println!(
        "{} <> {}",
        x.grad().unwrap(),
        g.tensor(x.to_array().mapv(|v| 3.0 * v * v))
    );
}

// book/ch03-vectors.md, block `broadcast-gradient-shapes`: generated from the book: edit the chapter, not this file. fnv1a=e370e3219c8a7f5d
fn main() {
    use autograd::Graph;
    let g = Graph::<f64>::new();
    let q = g.ones(&[5, 3]);
    let row_bias = g.tensor([0.1, 0.2, 0.3]).requires_grad();
    let col_bias = g.zeros(&[5, 1]).requires_grad();
    let scalar_bias = g.scalar(0.5).requires_grad();

    (q + row_bias + col_bias + scalar_bias).sum_all().backward().unwrap();

    println!("shape [3]:    {}", row_bias.grad().unwrap());
    println!("shape [5, 1]: {}", col_bias.grad().unwrap());
    println!("shape []:     {}", scalar_bias.grad().unwrap());
}

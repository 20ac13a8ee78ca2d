// book/ch14-toolbox.md, block `plain-numbers`: generated from the book: edit the chapter, not this file. fnv1a=b2d1bb0ff0088ea4
fn main() {
    use autograd::Graph;
    let g = Graph::new();
    let x = g.tensor([1.0f32, 2.0, 4.0]).requires_grad();
    let y = 3 * x.pow(2) + 1 / x - 1;
    println!("{y}");
    y.sum_all().backward().unwrap();
    println!("{}", x.grad().unwrap());
}

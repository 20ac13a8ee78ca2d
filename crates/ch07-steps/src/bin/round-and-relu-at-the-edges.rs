// book/ch07-steps.md, block `round-and-relu-at-the-edges`: generated from the book: edit the chapter, not this file. fnv1a=eb10d3cd389014c0
fn main() {
    use autograd::Graph;
    let g = Graph::new();
    let y = g.tensor([0.0f32, -1.0, 2.5, 0.5, 1.5]).requires_grad();
    println!("{} {}", y.relu(), y.round());
    y.relu().sum_all().backward().unwrap();
    println!("{}", y.grad().unwrap());
}

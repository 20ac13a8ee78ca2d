// book/ch06-topk.md, block `topk-ties`: generated from the book: edit the chapter, not this file. fnv1a=d6718b88e9cbaa4f
fn main() {
    use autograd::Graph;
    let g = Graph::new();
    let y = g.tensor([1.0f32, 3.0, 3.0, 2.0, 3.0]).requires_grad();
    let (top, indices) = y.topk(2);
    println!("{top} {indices}");
    top.sum().backward().unwrap();
    println!("{}", y.grad().unwrap());
}

// book/ch06-topk.md, block `topk-ties`: generated from the book: edit the chapter, not this file. fnv1a=94ac5c4723317803
fn main() {
    use autograd::Graph;
    let g = Graph::new();
    let y = g.tensor([1.0f32, 3.0, 3.0, 2.0, 3.0]).requires_grad();
    let (top, indices) = y.topk(2);
    println!("{top} {indices}");
    top.sum_all().backward().unwrap();
    println!("{}", y.grad().unwrap());
}

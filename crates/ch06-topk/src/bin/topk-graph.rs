// book/ch06-topk.md, block `topk-graph`: generated from the book: edit the chapter, not this file. fnv1a=2e7bece3f7342874
fn main() {
    use autograd::Graph;
    let g = Graph::new();
    let y = g.tensor([0.5f32, 2.0, 1.0, 3.0]).requires_grad();
    let (top, _) = y.topk(2);
    let loss = (top * top).sum_all();
    loss.backward().unwrap();
    println!("{}", loss.to_dot());
}

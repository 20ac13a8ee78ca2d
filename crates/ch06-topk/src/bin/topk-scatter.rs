// book/ch06-topk.md, block `topk-scatter`: generated from the book: edit the chapter, not this file. fnv1a=600b75ee88732ce1
fn main() {
    use autograd::Graph;
    let g = Graph::<f64>::new();
    let y = g.tensor([0.3, 0.9, 0.1, 0.7, 0.5]).requires_grad();
    let (top, indices) = y.topk(3);
    println!("values {top}, indices {indices}");

    top.backward_with(g.tensor([10.0, 20.0, 30.0])).unwrap();
    println!("y.grad = {}", y.grad().unwrap());
}

// book/ch06-topk.md, block `topk-per-row`: generated from the book: edit the chapter, not this file. fnv1a=1a2aa6ec9c18edd7
fn main() {
    use autograd::Graph;
    let g = Graph::<f64>::new();
    let scores = g.tensor([[0.1, 0.8, 0.3, 0.6], [0.9, 0.2, 0.4, 0.7]]).requires_grad();
    let (top, indices) = scores.topk(2);
    println!("top = {top}");
    println!("indices = {indices}");

    top.sum_all().backward().unwrap();
    println!("grad = {}", scores.grad().unwrap());
}

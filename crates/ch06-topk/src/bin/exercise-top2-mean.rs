// book/ch06-topk.md, block `exercise-top2-mean`: generated from the book: edit the chapter, not this file. fnv1a=2cc7edd1178e1d3f
fn main() {
    use autograd::Graph;
    let g = Graph::<f64>::new();
    let m = g.tensor([[1.0, 4.0, 2.0, 3.0], [8.0, 5.0, 6.0, 0.0]]).requires_grad();
    let pooled = m.topk(2).0.mean(1, false);
    println!("pooled = {pooled}");
    pooled.sum_all().backward().unwrap();
    println!("grad = {}", m.grad().unwrap());
}

// book/ch06-topk.md, block `exercise-top2-mean`: generated from the book: edit the chapter, not this file. fnv1a=6c7a0db14b268f70
fn main() {
    use autograd::Graph;
    let g = Graph::<f64>::new();
    let m = g.tensor([[1.0, 4.0, 2.0, 3.0], [8.0, 5.0, 6.0, 0.0]]).requires_grad();
    let (top, _) = m.topk(2);
    let pooled_sum = top.sum_all() * 0.5;
    println!("kept = {top}, sum of the pooled = {pooled_sum}");
    pooled_sum.backward().unwrap();
    println!("grad = {}", m.grad().unwrap());
}

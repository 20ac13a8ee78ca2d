// book/ch06-topk.md, block `exercise-max`: generated from the book: edit the chapter, not this file. fnv1a=48e0e07e07648346
fn main() {
    use autograd::Graph;
    let g = Graph::<f64>::new();
    let y = g.tensor([0.2, -1.0, 0.7, 0.4]).requires_grad();
    let (max, index) = y.topk(1);
    max.sum_all().backward().unwrap();
    println!("max {max} at {index}: grad {}", y.grad().unwrap());
}

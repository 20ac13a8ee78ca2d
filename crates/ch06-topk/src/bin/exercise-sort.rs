// book/ch06-topk.md, block `exercise-sort`: generated from the book: edit the chapter, not this file. fnv1a=76322be006801620
fn main() {
    use autograd::Graph;
    let g = Graph::<f64>::new();
    let y = g.tensor([0.5, -2.0, 1.5, 0.25]).requires_grad();
    let (v, order) = y.topk(4);
    (v * v).sum_all().backward().unwrap();
    println!("sorted {v}, order {order}");
    println!("{} <> {}", y.grad().unwrap(), g.tensor(y.to_array() * 2.0));
}

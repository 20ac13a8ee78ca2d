// book/ch07-steps.md, block `exercise-clamp`: generated from the book: edit the chapter, not this file. fnv1a=72a68ed59b14886e
fn main() {
    use autograd::Graph;
    use autograd::tensor::where_;
    let g = Graph::<f64>::new();
    let x = g.tensor([-0.5, 0.3, 0.9, 1.7]).requires_grad();
    let low = where_(x.lt(0.0), 0.0, x);
    let clamped = where_(low.gt(1.0), 1.0, low);
    clamped.sum_all().backward().unwrap();
    println!("{clamped}\n{}", x.grad().unwrap());
}

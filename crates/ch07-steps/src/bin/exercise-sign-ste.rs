// book/ch07-steps.md, block `exercise-sign-ste`: generated from the book: edit the chapter, not this file. fnv1a=91ff14bf769234bc
fn main() {
    use autograd::Graph;
    use autograd::tensor::where_;
    let g = Graph::<f64>::new();
    let x = g.tensor([-2.0, -0.5, 0.25, 3.0]).requires_grad();
    let inner = where_(x.gt(1.0), 1.0, where_(x.lt(-1.0), -1.0, x)); // clamp to [-1, 1]
    let sign = where_(x.ge(0.0), 1.0, -1.0);
    let y = inner + (sign - inner).detach();
    y.sum_all().backward().unwrap();
    println!("{y}\n{}", x.grad().unwrap());
}

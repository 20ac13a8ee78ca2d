// book/ch07-steps.md, block `exercise-puzzle-without-epsilon`: generated from the book: edit the chapter, not this file. fnv1a=b009da512ef927e6
fn main() {
    use autograd::Graph;
    use autograd::tensor::where_;
    let g = Graph::new();
    let x = g.tensor([0.99f32, 1.54, 1.9]).requires_grad();
    let u = x * 10.0;
    let diff = u - u.floor();
    let y = (u - diff + (u.floor() + where_(diff.ge(0.5), 1.0, 0.0))) / 10.0;
    y.sum_all().backward().unwrap();
    println!("{}", x.grad().unwrap().sum_all());
}

// book/ch04-non-scalar-backward.md, block `exercise-upstream-for-ones`: generated from the book: edit the chapter, not this file. fnv1a=2ffb5b707cb07a93
fn main() {
    use autograd::Graph;
    let g = Graph::<f64>::new();
    let a = g.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]).requires_grad();
    let v = g.tensor(a.to_array().mapv(|x| 1.0 / (2.0 * x)));
    (a * a).backward_with(v).unwrap();
    println!("{}", a.grad().unwrap());
}

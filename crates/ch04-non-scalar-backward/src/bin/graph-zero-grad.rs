// book/ch04-non-scalar-backward.md, block `graph-zero-grad`: generated from the book: edit the chapter, not this file. fnv1a=7bd31fb6b6ddab91
fn main() {
    use autograd::Graph;
    let g = Graph::<f64>::new();
    let a = g.tensor([1.0, 2.0]).requires_grad();
    let b = g.tensor([3.0, 4.0]).requires_grad();
    (a * b).sum_all().backward().unwrap();
    println!("a.grad = {}, b.grad = {}", a.grad().unwrap(), b.grad().unwrap());
    g.zero_grad();
    println!("after g.zero_grad(): {:?}, {:?}", a.grad(), b.grad());
}

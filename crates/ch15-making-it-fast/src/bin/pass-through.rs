// book/ch15-making-it-fast.md, block `pass-through`: generated from the book: edit the chapter, not this file. fnv1a=7e53419843fc668a
fn main() {
    use autograd::Graph;
    let g = Graph::<f64>::new();
    let x = g.tensor([1.0, 2.0, 3.0]).requires_grad();
    let b = g.tensor([10.0]).requires_grad();
    (x + x + b).sum_all().backward().unwrap();
    println!("x.grad = {}", x.grad().unwrap());
    println!("b.grad = {}", b.grad().unwrap());
}

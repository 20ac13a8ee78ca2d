// book/ch07-steps.md, block `where-routes-gradient`: generated from the book: edit the chapter, not this file. fnv1a=f97f4bc96ec6fd56
fn main() {
    use autograd::Graph;
    use autograd::tensor::where_;
    let g = Graph::<f64>::new();
    let a = g.tensor([1.0, 2.0, 3.0, 4.0]).requires_grad();
    let b = g.tensor([10.0, 20.0, 30.0, 40.0]).requires_grad();
    let cond = a.gt(2.5);

    let picked = where_(cond, a, b);
    picked.backward_with(g.tensor([0.1, 0.2, 0.3, 0.4])).unwrap();
    println!("picked = {picked}");
    println!("a.grad = {}", a.grad().unwrap());
    println!("b.grad = {}", b.grad().unwrap());
}

// book/ch03-vectors.md, block `sum-of-squares`: generated from the book: edit the chapter, not this file. fnv1a=cb0e2771c82f31d6
fn main() {
    use autograd::Graph;
    let g = Graph::<f64>::new();
    let x = g.tensor([1.0, 5.0, 6.0]).requires_grad();
    let y = (x * x).sum_all();
    y.backward().unwrap();

    println!("y      = {y}");
    println!("x      = {x}");
    println!("x.grad = {}", x.grad().unwrap());
    println!("2x     = {}", g.tensor(x.to_array() * 2.0));
}

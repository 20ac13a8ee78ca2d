// book/ch03-vectors.md, block `operators-and-numbers`: generated from the book: edit the chapter, not this file. fnv1a=26a5abaa4d0cabd1
fn main() {
    use autograd::Graph;

    let g = Graph::<f64>::new();
    let x = g.tensor([1.0, 2.0, 3.0]).requires_grad();
    let y = (2.0 * x - 1.0) / 4.0;
    println!("y = {y}");
    println!("integers too: {}", 3 * x - 1);
    y.sum_all().backward().unwrap();
    println!("dy/dx = {}", x.grad().unwrap());
    if let Err(e) = x.try_add(g.tensor([1.0, 2.0])) {
        println!("{e}");
    }
}

// book/appendix-pytorch-map.md, block `sum-of-squares`: generated from the book: edit the chapter, not this file. fnv1a=e130387321ade7c8
fn main() {
    use autograd::Graph;

    let g = Graph::<f64>::new();
    let x = g.tensor([1.0, 5.0, 6.0]).requires_grad();
    (x * x).sum_all().backward().unwrap();
    println!("{}", x.grad().unwrap());
}

// book/ch04-non-scalar-backward.md, block `upstream-as-loss`: generated from the book: edit the chapter, not this file. fnv1a=a6e8306f55ea59f8
fn main() {
    use autograd::Graph;
    let g = Graph::<f64>::new();
    let a = g.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]).requires_grad();
    let v = g.tensor([[0.5, -1.0, 0.0], [2.0, 0.25, -3.0]]);

    (a * a).backward_with(v).unwrap();
    let via_upstream = a.grad().unwrap();

    a.zero_grad();
    ((a * a) * v).sum_all().backward().unwrap();
    let via_loss = a.grad().unwrap();

    println!("backward_with(v):     {via_upstream}");
    println!("(v * out).sum() back: {via_loss}");
}

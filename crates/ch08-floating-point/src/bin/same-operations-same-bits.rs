// book/ch08-floating-point.md, block `same-operations-same-bits`: generated from the book: edit the chapter, not this file. fnv1a=e18072098fc8677d
fn main() {
    use autograd::Graph;
    let g = Graph::new();
    let a = g.scalar(1.3f32).requires_grad();
    (1.0 / a).backward().unwrap();
    let grad = a.grad().unwrap();

    let as_autograd_does = -(1.0 / a) * (1.0 / a);
    println!("{}", grad - as_autograd_does);
    println!(
        "equal bits: {}",
        grad.item().to_bits() == as_autograd_does.item().to_bits()
    );
}

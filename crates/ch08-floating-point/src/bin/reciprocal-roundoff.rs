// book/ch08-floating-point.md, block `reciprocal-roundoff`: generated from the book: edit the chapter, not this file. fnv1a=50466811a8c364db
fn main() {
    use autograd::Graph;
    let g = Graph::new();
    let a = g.scalar(1.3f32).requires_grad();
    (1.0 / a).backward().unwrap();

    let grad = a.grad().unwrap();
    let by_hand = -1.0 / a.pow(2.0);
    println!("autograd:  {:?}", grad.item());
    println!("-1/x^2:    {:?}", by_hand.item());
    println!("difference {}", grad - by_hand);
}

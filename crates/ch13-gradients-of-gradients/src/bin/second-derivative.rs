// book/ch13-gradients-of-gradients.md, block `second-derivative`: generated from the book: edit the chapter, not this file. fnv1a=ef8e0a329dccf2ee
fn main() {
    use autograd::Graph;

    let g = Graph::<f64>::new();
    let x = g.scalar(0.7).requires_grad();
    let y = x.pow(3.0) * x.tanh();
    let dy = y.gradients(&[x]).unwrap()[0];
    let d2y = dy.gradients(&[x]).unwrap()[0];

    let (t, s) = (0.7f64.tanh(), 1.0 - 0.7f64.tanh().powi(2));
    let by_hand = 6.0 * 0.7 * t + 6.0 * 0.49 * s - 2.0 * 0.343 * s * t;
    println!("y'  = {:.10}", dy.item());
    println!("y'' = {:.10} <> by hand {by_hand:.10}", d2y.item());
}

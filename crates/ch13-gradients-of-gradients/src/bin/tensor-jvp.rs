// book/ch13-gradients-of-gradients.md, block `tensor-jvp`: generated from the book: edit the chapter, not this file. fnv1a=db4a4e791c207dce
fn main() {
    use autograd::Graph;
    use ndarray::array;

    let w = array![[0.5, -1.0, 0.25, 2.0], [1.5, 0.75, -0.5, 0.0], [-0.25, 0.5, 1.0, -1.5]].into_dyn();
    let x0 = array![0.3, -0.2, 0.8, 0.1].into_dyn();
    let u0 = array![1.0, 0.0, -1.0, 0.5].into_dyn(); // the direction

    let g = Graph::<f64>::new();
    let x = g.tensor(x0.clone()).requires_grad();
    let y = g.tensor(w.clone()).matmul(x).tanh();
    let ju = y.jvp(&[x], &[g.tensor(u0.clone())]).unwrap();
    println!("J·u         = {:.8}", ju.to_array());

    let at = |eps: f64| {
        let g = Graph::<f64>::new();
        let moved = g.tensor(&x0 + &(&u0 * eps));
        g.tensor(w.clone()).matmul(moved).tanh().to_array()
    };
    let h = 1e-6;
    println!("difference  = {:.8}", (at(h) - at(-h)) / (2.0 * h));
}

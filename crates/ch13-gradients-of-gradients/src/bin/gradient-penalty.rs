// book/ch13-gradients-of-gradients.md, block `gradient-penalty`: generated from the book: edit the chapter, not this file. fnv1a=a64bb99b204d103a
fn main() {
    use autograd::gradcheck::gradcheck;
    use autograd::{Graph, Tensor};
    use ndarray::array;

    /// (‖∂f/∂x‖ − 1)² for f(x) = Σ tanh(x·W), at a fixed input x.
    fn penalty<'g>(w: Tensor<'g, f64>) -> Tensor<'g, f64> {
        let x = w.graph().tensor([[0.5, -1.0, 0.25]]).requires_grad();
        let f = x.matmul(w).tanh().sum_all();
        let dx = f.gradients(&[x]).unwrap()[0];
        ((dx * dx).sum_all().pow(0.5) - 1.0).pow(2.0)
    }

    let w0 = array![[0.4, -0.3], [0.2, 0.8], [-0.6, 0.1]].into_dyn();
    let g = Graph::<f64>::new();
    let w = g.tensor(w0.clone()).requires_grad();
    let p = penalty(w);
    p.backward().unwrap();
    println!("penalty = {:.8}", p.item());
    println!("dP/dW   = {:.8}", w.grad_array().unwrap());

    let report = gradcheck(|t| penalty(t[0].requires_grad()), &[w0]).unwrap();
    println!("gradcheck passed: {}", report.passed());
}

// book/ch13-gradients-of-gradients.md, block `hessian-vector-product`: generated from the book: edit the chapter, not this file. fnv1a=46c7a3f022d4dce6
fn main() {
    use autograd::{Graph, Tensor};
    use ndarray::{ArrayD, array};

    /// A small network's loss, as a function of its weights.
    fn loss<'g>(w1: Tensor<'g, f64>, w2: Tensor<'g, f64>) -> Tensor<'g, f64> {
        let g = w1.graph();
        let x = g.tensor([[0.5, -1.0], [1.5, 0.25], [-0.75, 1.0]]);
        let y = g.tensor([[1.0], [0.0], [0.5]]);
        let error = x.matmul(w1).tanh().matmul(w2) - y;
        (error * error).mean_all()
    }

    let w1_0 = array![[0.3, -0.2, 0.5], [0.1, 0.4, -0.3]].into_dyn();
    let w2_0 = array![[0.6], [-0.5], [0.2]].into_dyn();
    let v1 = array![[1.0, 0.0, -1.0], [0.5, 0.5, 0.0]].into_dyn();
    let v2 = array![[0.0], [1.0], [-0.5]].into_dyn();

    let g = Graph::<f64>::new();
    let w1 = g.tensor(w1_0.clone()).requires_grad();
    let w2 = g.tensor(w2_0.clone()).requires_grad();
    let grads = loss(w1, w2).gradients(&[w1, w2]).unwrap();
    let along_v = (grads[0] * g.tensor(v1.clone())).sum_all() + (grads[1] * g.tensor(v2.clone())).sum_all();
    let hv = along_v.gradients(&[w1, w2]).unwrap();
    println!("Hv, for w2: {:.6}", hv[1].to_array());

    // The same by a central difference of gradients, (∇L(w + εv) − ∇L(w − εv)) / 2ε.
    let gradient_at = |eps: f64| -> Vec<ArrayD<f64>> {
        let g = Graph::<f64>::new();
        let w1 = g.tensor(&w1_0 + &(&v1 * eps)).requires_grad();
        let w2 = g.tensor(&w2_0 + &(&v2 * eps)).requires_grad();
        loss(w1, w2).backward().unwrap();
        vec![w1.grad_array().unwrap(), w2.grad_array().unwrap()]
    };
    let eps = 1e-5;
    let (plus, minus) = (gradient_at(eps), gradient_at(-eps));
    let numeric = (&plus[1] - &minus[1]) / (2.0 * eps);
    println!("difference: {numeric:.6}");
}

// book/ch13-gradients-of-gradients.md, block `softplus-first-order-only`: generated from the book: edit the chapter, not this file. fnv1a=4d3300370ed89bed
fn main() {
    use autograd::{Graph, Tensor};
    fn softplus<'g>(x: Tensor<'g, f64>) -> Tensor<'g, f64> {
        let value = x.value().mapv(|v| v.max(0.0) + (-v.abs()).exp().ln_1p());
        x.graph().record("SoftplusBackward", &[x], value, |ctx| {
            vec![ctx.gradient(0, || ctx.grad_output * &ctx.input(0).mapv(sigmoid))]
        })
    }
    fn sigmoid(v: f64) -> f64 {
        1.0 / (1.0 + (-v).exp())
    }
    let g = Graph::<f64>::new();
    let x = g.tensor([-1.0, 0.0, 2.0]).requires_grad();
    let error = softplus(x).sum_all().gradients(&[x]).unwrap_err();
    println!("{error}");
}

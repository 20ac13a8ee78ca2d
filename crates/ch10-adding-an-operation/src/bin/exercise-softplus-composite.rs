// book/ch10-adding-an-operation.md, block `exercise-softplus-composite`: generated from the book: edit the chapter, not this file. fnv1a=886f5c431d9a6dd3
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
    (x.exp() + 1.0).ln().sum_all().backward().unwrap();
    let composite = x.grad_array().unwrap();
    x.zero_grad();
    softplus(x).sum_all().backward().unwrap();
    println!("composite: {composite:.6}");
    println!("recorded:  {:.6}", x.grad_array().unwrap());
}

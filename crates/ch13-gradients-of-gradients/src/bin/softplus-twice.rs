// book/ch13-gradients-of-gradients.md, block `softplus-twice`: generated from the book: edit the chapter, not this file. fnv1a=95c7f794a7d70c3a
use autograd::{Graph, Tensor};

/// Softplus with its rule twice: on arrays, for `backward`, and in tensor
/// operations, for `gradients`.
fn softplus<'g>(x: Tensor<'g, f64>) -> Tensor<'g, f64> {
    let value = x.value().mapv(|v| v.max(0.0) + (-v.abs()).exp().ln_1p());
    x.graph()
        .record("SoftplusBackward", &[x], value, |ctx| {
            vec![ctx.gradient(0, || ctx.grad_output * &ctx.input(0).mapv(sigmoid))]
        })
        .with_recorded_backward(|c| vec![c.gradient(0, || c.grad_output * c.input(0).sigmoid())])
}

fn sigmoid(v: f64) -> f64 {
    1.0 / (1.0 + (-v).exp())
}

fn main() {
    let g = Graph::<f64>::new();
    let x = g.tensor([-1.0, 0.0, 2.0]).requires_grad();
    let first = softplus(x).sum_all().gradients(&[x]).unwrap()[0];
    let second = first.sum_all().gradients(&[x]).unwrap()[0];
    let by_hand = x.to_array().mapv(|v| sigmoid(v) * (1.0 - sigmoid(v)));
    println!("d/dx   = {:.4}", first.to_array());
    println!("d2/dx2 = {:.4} <> σ(x)(1 − σ(x)) = {by_hand:.4}", second.to_array());
}

// book/ch10-adding-an-operation.md, block `softplus`: generated from the book: edit the chapter, not this file. fnv1a=b46217c01f542486
use autograd::{Graph, Tensor};

/// softplus(x) = ln(1 + eˣ), computed without overflow, with its backward
/// rule: σ(x) times the gradient that arrives.
fn softplus<'g>(x: Tensor<'g, f64>) -> Tensor<'g, f64> {
    let value = x.value().mapv(|v| v.max(0.0) + (-v.abs()).exp().ln_1p());
    x.graph().record("SoftplusBackward", &[x], value, |ctx| {
        vec![ctx.gradient(0, || ctx.grad_output * &ctx.input(0).mapv(sigmoid))]
    })
}

fn sigmoid(v: f64) -> f64 {
    1.0 / (1.0 + (-v).exp())
}

fn main() {
    let g = Graph::<f64>::new();
    let x = g.tensor([-1.0, 0.0, 2.0, 800.0]).requires_grad();
    let y = softplus(x);
    println!("y     = {y}");
    y.sum_all().backward().unwrap();
    let by_hand = x.to_array().mapv(sigmoid);
    println!("dy/dx = {} <> σ(x) = {by_hand:.4}", x.grad().unwrap());
    println!("ln(1 + e^800) as written: {}", 800f64.exp().ln_1p());
}

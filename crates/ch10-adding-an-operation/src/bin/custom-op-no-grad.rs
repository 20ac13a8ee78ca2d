// book/ch10-adding-an-operation.md, block `custom-op-no-grad`: generated from the book: edit the chapter, not this file. fnv1a=db39f91cdcad8a36
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
    let x = g.tensor([0.5]).requires_grad();
    println!("recorded:    {:?}", softplus(x).grad_fn());
    println!("in no_grad:  {:?}", g.no_grad(|| softplus(x)).grad_fn());
    println!("on detach(): {:?}", softplus(x.detach()).grad_fn());
}

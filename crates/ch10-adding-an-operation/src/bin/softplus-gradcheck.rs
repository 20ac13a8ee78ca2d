// book/ch10-adding-an-operation.md, block `softplus-gradcheck`: generated from the book: edit the chapter, not this file. fnv1a=d5d4abbabf681cac
fn main() {
    use autograd::Tensor;
    use autograd::gradcheck::gradcheck;
    use ndarray::array;
    fn softplus<'g>(x: Tensor<'g, f64>) -> Tensor<'g, f64> {
        let value = x.value().mapv(|v| v.max(0.0) + (-v.abs()).exp().ln_1p());
        x.graph().record("SoftplusBackward", &[x], value, |ctx| {
            vec![ctx.gradient(0, || ctx.grad_output * &ctx.input(0).mapv(sigmoid))]
        })
    }
    fn sigmoid(v: f64) -> f64 {
        1.0 / (1.0 + (-v).exp())
    }

    let report = gradcheck(|t| softplus(t[0]), &[array![-1.5, 0.25, 3.0].into_dyn()]).unwrap();
    println!("{report}");
}

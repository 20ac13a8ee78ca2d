// book/ch10-adding-an-operation.md, block `wrong-backward`: generated from the book: edit the chapter, not this file. fnv1a=173b7d5b10005076
fn main() {
    use autograd::Tensor;
    use autograd::gradcheck::gradcheck;
    use ndarray::array;
    fn sigmoid(v: f64) -> f64 {
        1.0 / (1.0 + (-v).exp())
    }

    /// The same value, and a backward rule that forgets the chain rule.
    fn softplus_wrong<'g>(x: Tensor<'g, f64>) -> Tensor<'g, f64> {
        let value = x.value().mapv(|v| v.max(0.0) + (-v.abs()).exp().ln_1p());
        x.graph().record("SoftplusBackward", &[x], value, |ctx| {
            vec![ctx.gradient(0, || ctx.input(0).mapv(sigmoid))]
        })
    }

    let report = gradcheck(|t| softplus_wrong(t[0]), &[array![-1.5, 0.25, 3.0].into_dyn()]).unwrap();
    println!("{report}");
}

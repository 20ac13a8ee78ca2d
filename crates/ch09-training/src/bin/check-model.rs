// book/ch09-training.md, block `check-model`: generated from the book: edit the chapter, not this file. fnv1a=35e7a10b6a3aba89
fn main() {
    use autograd::Tensor;
    fn bce_with_logits<'g>(z: Tensor<'g, f64>, y: Tensor<'g, f64>) -> Tensor<'g, f64> {
        let abs = z.relu() + (-z).relu();
        (z.relu() - z * y + ((-abs).exp() + 1.0).ln()).mean_all()
    }
    fn logits<'g>(x: Tensor<'g, f64>, [w1, b1, w2, b2]: [Tensor<'g, f64>; 4]) -> Tensor<'g, f64> {
        (x.matmul(w1) + b1).tanh().matmul(w2) + b2
    }
    use autograd::gradcheck::gradcheck;
    use ndarray::array;

    // `bce_with_logits` and `logits` as above (hidden).
    let x = array![[0.5, -0.2], [-0.3, 0.8], [0.1, 0.1]].into_dyn();
    let y = array![[1.0], [0.0], [1.0]].into_dyn();
    let report = gradcheck(
        |p| {
            let g = p[0].graph();
            let z = logits(g.tensor(x.clone()), [p[0], p[1], p[2], p[3]]);
            bce_with_logits(z, g.tensor(y.clone()))
        },
        &[
            array![[0.3, -0.1, 0.2], [0.5, 0.4, -0.6]].into_dyn(),
            array![0.0, 0.1, -0.1].into_dyn(),
            array![[0.7], [-0.5], [0.2]].into_dyn(),
            array![0.05].into_dyn(),
        ],
    )
    .expect("backward succeeds");
    println!("{}", report.passed());
    println!("{} Jacobian entries compared", report.checked);
}

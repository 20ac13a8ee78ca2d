// book/ch09-training.md, block `check-model`: generated from the book: edit the chapter, not this file. fnv1a=52275d77396a9032
fn main() {
    use autograd::gradcheck::gradcheck;
    use ndarray::array;

    let x = array![[0.5, -0.2], [-0.3, 0.8], [0.1, 0.1]].into_dyn();
    let y = array![[1.0], [0.0], [1.0]].into_dyn();
    let report = gradcheck(
        |p| {
            let g = p[0].graph();
            let hidden = (g.tensor(x.clone()).matmul(p[0]) + p[1]).tanh();
            let error = (hidden.matmul(p[2]) + p[3]).sigmoid() - g.tensor(y.clone());
            (error * error).mean()
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

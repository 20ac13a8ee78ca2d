// book/ch09-training.md, block `exercise-relu-gradcheck`: generated from the book: edit the chapter, not this file. fnv1a=3efe966ea29bfa8a
fn main() {
    use autograd::gradcheck::gradcheck;
    use ndarray::array;

    let x = array![[0.5, -0.2], [-0.3, 0.8]].into_dyn();
    let report = gradcheck(
        |p| {
            let g = p[0].graph();
            let hidden = g.tensor(x.clone()).matmul(p[0]).relu();
            hidden.matmul(p[1]).sum_all()
        },
        &[
            array![[0.3, -0.1], [0.5, 0.4]].into_dyn(),
            array![[0.7], [-0.5]].into_dyn(),
        ],
    )
    .expect("backward succeeds");
    println!("{report}");
}

// book/ch03-vectors.md, block `gradcheck-linear-layer`: generated from the book: edit the chapter, not this file. fnv1a=3fb59c65dc074dc5
fn main() {
    use autograd::gradcheck::gradcheck;
    use ndarray::array;
    let report = gradcheck(
        |t| {
            let z = t[0].matmul(t[1]) + t[2];
            (z * z).sum_all()
        },
        &[
            array![
                [-0.5632, -0.3472],
                [-1.1954, -0.6511],
                [1.8192, -1.7200],
                [0.4597, -0.0819],
                [0.4172, -0.1399]
            ]
            .into_dyn(),
            array![[0.4458, 0.6325, 0.4701], [0.0154, 0.1349, 0.2547]].into_dyn(),
            array![[0.9501, 0.2477, -1.2972]].into_dyn(),
        ],
    )
    .unwrap();
    println!("{report}");
}

// book/ch08-floating-point.md, block `gradcheck-too-strict`: generated from the book: edit the chapter, not this file. fnv1a=400527c274ce81ae
fn main() {
    use autograd::gradcheck::{Tolerances, gradcheck_with};
    use ndarray::array;
    let strict = Tolerances {
        eps: 1e-6,
        atol: 0.0,
        rtol: 1e-12,
    };
    let report = gradcheck_with(|t| 1.0 / t[0], &[array![1.3].into_dyn()], strict).unwrap();
    println!("{report}");
}

// book/ch08-floating-point.md, block `exercise-gradcheck-squared-loss`: generated from the book: edit the chapter, not this file. fnv1a=542b8d73c508f401
fn main() {
    use autograd::gradcheck::gradcheck;
    use ndarray::array;
    let report = gradcheck(|t| (t[0].pow(2.0) - 10.0).pow(2.0), &[array![1.0].into_dyn()]).unwrap();
    let worst = report.worst.clone().unwrap();
    println!("{report}");
    println!("analytic {} <> -36", worst.analytic);
}

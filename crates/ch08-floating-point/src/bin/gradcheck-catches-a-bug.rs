// book/ch08-floating-point.md, block `gradcheck-catches-a-bug`: generated from the book: edit the chapter, not this file. fnv1a=dee2c53d314f5fa6
fn main() {
    use autograd::gradcheck::gradcheck;
    use ndarray::array;
    let report = gradcheck(|t| t[0] * t[0].detach(), &[array![3.0, -1.5].into_dyn()]).unwrap();
    println!("{report}");
    println!("passed: {}", report.passed());
}

// book/ch08-floating-point.md, block `gradcheck-passes`: generated from the book: edit the chapter, not this file. fnv1a=04517c3c900ef8ea
fn main() {
    use autograd::gradcheck::gradcheck;
    use ndarray::array;
    let reciprocal = gradcheck(|t| 1.0 / t[0], &[array![1.3, -0.7, 2.0].into_dyn()]).unwrap();
    println!("1/x:          {reciprocal}");

    let mixed = gradcheck(
        |t| (t[0].pow(3.0) * t[1] + t[0] / t[1]).sum_all(),
        &[array![0.5, -1.0].into_dyn(), array![2.0, 3.0].into_dyn()],
    )
    .unwrap();
    println!("x³·y + x/y:   {mixed}");
}

// book/ch06-topk.md, block `topk-gradcheck`: generated from the book: edit the chapter, not this file. fnv1a=aa659075474928f2
fn main() {
    use autograd::gradcheck::gradcheck;
    use ndarray::array;
    let no_tie = gradcheck(|t| t[0].topk(2).0.sum(), &[array![1.0, 3.1, 3.0, 2.0, 2.9].into_dyn()]).unwrap();
    println!("without a tie: {no_tie}");

    let tie = gradcheck(|t| t[0].topk(2).0.sum(), &[array![1.0, 3.0, 3.0, 2.0, 3.0].into_dyn()]).unwrap();
    println!("at a tie:      {tie}");
}

// book/ch06-topk.md, block `topk-gradcheck`: generated from the book: edit the chapter, not this file. fnv1a=889edcf48f873660
fn main() {
    use autograd::Graph;
    use autograd::gradcheck::gradcheck;
    use ndarray::array;
    let no_tie = gradcheck(
        |t| t[0].topk(2).0.sum_all(),
        &[array![1.0, 3.1, 3.0, 2.0, 2.9].into_dyn()],
    )
    .unwrap();
    println!("without a tie: {no_tie}");

    let tie = gradcheck(
        |t| t[0].topk(2).0.sum_all(),
        &[array![1.0, 3.0, 3.0, 2.0, 3.0].into_dyn()],
    )
    .unwrap();
    println!("at a tie:      {tie}");

    // The two tied entries the engine treats differently, by hand.
    let y0 = [1.0, 3.0, 3.0, 2.0, 3.0];
    let top2_sum = |y: [f64; 5]| Graph::<f64>::new().tensor(y).topk(2).0.sum_all().item();
    let g = Graph::<f64>::new();
    let y = g.tensor(y0).requires_grad();
    y.topk(2).0.sum_all().backward().unwrap();
    let engine = y.grad_array().unwrap();
    let eps = 1e-6;
    for i in [1, 4] {
        let (mut up, mut down) = (y0, y0);
        up[i] += eps;
        down[i] -= eps;
        let estimate = (top2_sum(up) - top2_sum(down)) / (2.0 * eps);
        println!("index {i}: engine {}, central difference {estimate:.4}", engine[[i]]);
    }
}

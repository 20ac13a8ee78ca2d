// book/ch06-topk.md, block `topk-at-a-tie`: generated from the book: edit the chapter, not this file. fnv1a=c25975e597534297
fn main() {
    use autograd::Graph;
    // The sum of the top two, as a plain function of five numbers.
    let top2_sum = |y: [f64; 5]| Graph::<f64>::new().tensor(y).topk(2).0.sum_all().item();
    let eps = 1e-6;
    for y0 in [[1.0, 3.1, 3.0, 2.0, 2.9], [1.0, 3.0, 3.0, 2.0, 3.0]] {
        let g = Graph::<f64>::new();
        let y = g.tensor(y0).requires_grad();
        y.topk(2).0.sum_all().backward().unwrap();
        let engine = y.grad_array().unwrap();
        println!("y = {y0:?}");
        for i in [1, 4] {
            let (mut up, mut down) = (y0, y0);
            up[i] += eps;
            down[i] -= eps;
            let estimate = (top2_sum(up) - top2_sum(down)) / (2.0 * eps);
            println!("  index {i}: engine {}, central difference {estimate:.4}", engine[[i]]);
        }
    }
}

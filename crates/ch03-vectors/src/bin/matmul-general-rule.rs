// book/ch03-vectors.md, block `matmul-general-rule`: generated from the book: edit the chapter, not this file. fnv1a=d7d85dfc599d8ea1
fn main() {
    use autograd::Graph;
    use ndarray::{Axis, Ix2};
    let g = Graph::<f64>::new();
    let x = g
        .tensor([
            [-0.5632, -0.3472],
            [-1.1954, -0.6511],
            [1.8192, -1.7200],
            [0.4597, -0.0819],
            [0.4172, -0.1399],
        ])
        .requires_grad();
    let w = g
        .tensor([[0.4458, 0.6325, 0.4701], [0.0154, 0.1349, 0.2547]])
        .requires_grad();
    let b = g.tensor([[0.9501, 0.2477, -1.2972]]).requires_grad();
    let z = x.matmul(w) + b;
    (z * z).sum_all().backward().unwrap();

    // By hand, with plain ndarray matrices.
    let as2 = |t: autograd::Tensor<'_, f64>| t.to_array().into_dimensionality::<Ix2>().unwrap();
    let upstream = as2(z) * 2.0;
    let dx = upstream.dot(&as2(w).t());
    let dw = as2(x).t().dot(&upstream);
    let db = upstream.sum_axis(Axis(0)).insert_axis(Axis(0));

    println!("dX = {}\n  <> {}", x.grad().unwrap(), g.tensor(dx));
    println!("dW = {}\n  <> {}", w.grad().unwrap(), g.tensor(dw));
    println!("dB = {}\n  <> {}", b.grad().unwrap(), g.tensor(db));
}

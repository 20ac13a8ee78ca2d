// book/ch03-vectors.md, block `linear-layer-forward`: generated from the book: edit the chapter, not this file. fnv1a=f57d58b50958f17d
fn main() {
    use autograd::Graph;
    let g = Graph::new();
    let x = g
        .tensor([
            [-0.5632f32, -0.3472],
            [-1.1954, -0.6511],
            [1.8192, -1.7200],
            [0.4597, -0.0819],
            [0.4172, -0.1399],
        ])
        .requires_grad();
    let w = g
        .tensor([[0.4458f32, 0.6325, 0.4701], [0.0154, 0.1349, 0.2547]])
        .requires_grad();
    let b = g.tensor([[0.9501f32, 0.2477, -1.2972]]).requires_grad();

    let q = x.matmul(w);
    let z = q + b;
    let o = z.sum_all();

    println!("X: {:?}  W: {:?}  B: {:?}", x.shape(), w.shape(), b.shape());
    println!("Q: {:?}  Z: {:?}  O: {:?}", q.shape(), z.shape(), o.shape());
    println!("Q = {q}");
    println!("O = {o}");
}

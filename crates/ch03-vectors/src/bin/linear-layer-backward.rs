// book/ch03-vectors.md, block `linear-layer-backward`: generated from the book: edit the chapter, not this file. fnv1a=01c1c5c098c68519
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
    let q = x.matmul(w).retain_grad();
    let z = (q + b).retain_grad();
    z.sum_all().backward().unwrap();

    println!("dZ = {}", z.grad().unwrap());
    println!("dQ = {}", q.grad().unwrap());
    println!("dB = {}", b.grad().unwrap());
}

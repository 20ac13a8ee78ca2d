// book/ch06-topk.md, block `topk-backward`: generated from the book: edit the chapter, not this file. fnv1a=65f0a83fea3184d7
fn main() {
    use autograd::Graph;
    let g = Graph::new();
    let x = g
        .tensor([0.1511f32, 0.5990, 0.6338, 0.5137, 0.5203, 0.0560])
        .requires_grad();
    let w = g
        .tensor([
            [0.2541f32, 0.6699, 0.5311, 0.7801, 0.5042, 0.5475],
            [0.7523, 0.1331, 0.7670, 0.8132, 0.0524, 0.0269],
            [0.3974, 0.2880, 0.9142, 0.9906, 0.4401, 0.3984],
            [0.7956, 0.2071, 0.2209, 0.6192, 0.2054, 0.7693],
            [0.8587, 0.8415, 0.6033, 0.3812, 0.2498, 0.9813],
            [0.9033, 0.0417, 0.2272, 0.1576, 0.9087, 0.3284],
        ])
        .requires_grad();
    let (top, _) = w.matmul(x).topk(3);
    (top * top).sum_all().backward().unwrap();
    println!("W.grad = {}", w.grad().unwrap());
    println!("x.grad = {}", x.grad().unwrap());
}

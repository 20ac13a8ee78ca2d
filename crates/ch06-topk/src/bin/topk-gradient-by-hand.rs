// book/ch06-topk.md, block `topk-gradient-by-hand`: generated from the book: edit the chapter, not this file. fnv1a=8e34a5802cdd6236
fn main() {
    use autograd::Graph;
    use ndarray::Array2;
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
    let y = w.matmul(x);
    let (top, indices) = y.topk(3);
    (top * top).sum_all().backward().unwrap();

    let (xs, ws, ys) = (x.to_array(), w.to_array(), y.to_array());
    let mut dw = Array2::<f32>::zeros((6, 6));
    let mut dx = vec![0.0f32; 6];
    for &i in &indices.to_vec() {
        for j in 0..6 {
            dw[[i, j]] = 2.0 * ys[i] * xs[j];
            dx[j] += 2.0 * ys[i] * ws[[i, j]];
        }
    }
    println!("W.grad  = {}", w.grad().unwrap());
    println!("by hand = {}", g.tensor(dw));
    println!("x.grad  = {}", x.grad().unwrap());
    println!("by hand = {}", g.tensor(dx));
}

// book/ch06-topk.md, block `selection-matrix`: generated from the book: edit the chapter, not this file. fnv1a=6828fc02c44c5927
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
    let y = w.matmul(x);
    let (top, indices) = y.topk(3);
    (top * top).sum_all().backward().unwrap();
    let (w_grad_topk, x_grad_topk) = (w.grad().unwrap().to_array(), x.grad().unwrap().to_array());

    // The selection matrix: row r has a 1 in column indices[r].
    let mut select = vec![0.0f32; 3 * 6];
    for (r, &col) in indices.to_vec().iter().enumerate() {
        select[r * 6 + col] = 1.0;
    }
    let s = g.from_vec(&[3, 6], select).unwrap();
    println!("S = {s}");

    g.zero_grad();
    let picked = s.matmul(w.matmul(x));
    (picked * picked).sum_all().backward().unwrap();

    println!("S y  = {picked}");
    println!("same W.grad: {}", w.grad().unwrap().to_array() == w_grad_topk);
    println!("same x.grad: {}", x.grad().unwrap().to_array() == x_grad_topk);
}

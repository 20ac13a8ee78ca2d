// book/ch03-vectors.md, block `linear-layer-dx-dw`: generated from the book: edit the chapter, not this file. fnv1a=6655f8ac38ad5846
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
    (x.matmul(w) + b).sum_all().backward().unwrap();

    let (xs, ws) = (x.to_array(), w.to_array());
    let w_row_sums: Vec<f32> = (0..2).map(|k| (0..3).map(|j| ws[[k, j]]).sum()).collect();
    let x_col_sums: Vec<f32> = (0..2).map(|k| (0..5).map(|i| xs[[i, k]]).sum()).collect();

    println!("dX = {}", x.grad().unwrap());
    println!("row sums of W:    {w_row_sums:.4?}");
    println!("dW = {}", w.grad().unwrap());
    println!("column sums of X: {x_col_sums:.4?}");
}

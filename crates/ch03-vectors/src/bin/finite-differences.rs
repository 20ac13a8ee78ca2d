// book/ch03-vectors.md, block `finite-differences`: generated from the book: edit the chapter, not this file. fnv1a=6bd0a7f64390388f
fn main() {
    use autograd::Graph;
    use ndarray::{Array2, array};
    let x = array![
        [-0.5632, -0.3472],
        [-1.1954, -0.6511],
        [1.8192, -1.7200],
        [0.4597, -0.0819],
        [0.4172, -0.1399]
    ];
    let w = array![[0.4458, 0.6325, 0.4701], [0.0154, 0.1349, 0.2547]];
    let b = array![[0.9501, 0.2477, -1.2972]];
    let loss = |w: &Array2<f64>| {
        let z = x.dot(w) + &b;
        (&z * &z).sum()
    };

    // Each entry of W nudged by h either way.
    let h = 1e-6;
    let mut numeric = Array2::zeros(w.raw_dim());
    for ((k, j), slope) in numeric.indexed_iter_mut() {
        let (mut up, mut down) = (w.clone(), w.clone());
        up[[k, j]] += h;
        down[[k, j]] -= h;
        *slope = (loss(&up) - loss(&down)) / (2.0 * h);
    }

    let g = Graph::<f64>::new();
    let wt = g.tensor(w).requires_grad();
    let z = g.tensor(x).matmul(wt) + g.tensor(b);
    (z * z).sum_all().backward().unwrap();
    let gap = (wt.grad_array().unwrap() - numeric.clone().into_dyn()).mapv(f64::abs);

    println!("engine dW = {}", wt.grad().unwrap());
    println!("numeric   = {}", g.tensor(numeric));
    println!("every entry within 1e-6: {}", gap.iter().all(|&d| d < 1e-6));
}

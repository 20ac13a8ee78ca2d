// book/ch07-steps.md, block `diff-round-finite-difference`: generated from the book: edit the chapter, not this file. fnv1a=4bf71158ec936aec
fn main() {
    use autograd::tensor::where_;
    use autograd::{Graph, Tensor};
    fn diff_round<'g>(x: Tensor<'g, f64>, decimals: i32) -> Tensor<'g, f64> {
        let scale = 10f64.powi(decimals);
        let x = x * scale;
        let diff = (1.0 + 1e-2) * x - x.floor();
        let x = x - diff + (x.floor() + where_(diff.ge(0.5), 1.0, 0.0));
        x / scale
    }
    // `diff_round` as above, in f64 (hidden).
    let f = |v: f64| {
        let g = Graph::<f64>::new();
        diff_round(g.scalar(v), 1).item()
    };
    let h = 1e-6;
    for v in [0.99, 1.54, 1.9] {
        let slope = (f(v + h) - f(v - h)) / (2.0 * h);
        println!("x = {v}: f(x) = {:.4}, finite-difference slope = {slope:.6}", f(v));
    }
}

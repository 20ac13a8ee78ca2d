// book/ch08-floating-point.md, block `finite-difference-error`: generated from the book: edit the chapter, not this file. fnv1a=982724026413148f
fn main() {
    let f = |x: f64| 1.0 / x;
    let (x, exact) = (1.3_f64, -1.0 / (1.3_f64 * 1.3));
    let (u64_, u32_) = (f64::EPSILON / 2.0, f32::EPSILON / 2.0);
    println!("unit roundoff: {u64_:.1e} in f64, {u32_:.1e} in f32");
    println!("{:>8}  {:>10}", "eps", "|error|");
    for k in [1, 2, 3, 4, 5, 6, 7, 8, 10, 12] {
        let eps = 10f64.powi(-k);
        let estimate = (f(x + eps) - f(x - eps)) / (2.0 * eps);
        println!("{eps:>8.0e}  {:>10.1e}", (estimate - exact).abs());
    }
}

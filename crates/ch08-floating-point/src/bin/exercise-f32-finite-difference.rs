// book/ch08-floating-point.md, block `exercise-f32-finite-difference`: generated from the book: edit the chapter, not this file. fnv1a=1ec5370b7308285f
fn main() {
    let f = |x: f32| 1.0 / x;
    let (x, exact) = (1.3_f32, -1.0 / (1.3_f64 * 1.3));
    for k in 1..=6 {
        let eps = 10f32.powi(-k);
        let estimate = (f(x + eps) - f(x - eps)) / (2.0 * eps);
        println!("eps {eps:.0e}: |error| {:.1e}", (f64::from(estimate) - exact).abs());
    }
}

// book/ch08-floating-point.md, block `which-is-closer`: generated from the book: edit the chapter, not this file. fnv1a=8bb681e17e368045
fn main() {
    let x = 1.3f32;
    let exact = -1.0 / (f64::from(x) * f64::from(x)); // the x that f32 really holds
    let ulp = 2f64.powi(-24);
    for (name, v) in [("-(1/x)*(1/x)", -((1.0 / x) * (1.0 / x))), ("-1/(x*x)", -1.0 / (x * x))] {
        println!("{name:>13}: error {:+.3} ulp", (f64::from(v) - exact) / ulp);
    }
}

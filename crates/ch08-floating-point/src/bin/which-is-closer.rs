// book/ch08-floating-point.md, block `which-is-closer`: generated from the book: edit the chapter, not this file. fnv1a=11639f04cb14d42d
fn main() {
    let ulp = 2f64.powi(-24); // of an f32 between 0.5 and 1, where 1/x² is here
    for x in [1.3f32, 1.004] {
        let exact = -1.0 / (f64::from(x) * f64::from(x)); // the x that f32 really holds
        for (name, v) in [("-(1/x)*(1/x)", -((1.0 / x) * (1.0 / x))), ("-1/(x*x)", -1.0 / (x * x))] {
            println!("x = {x}: {name:>13}: error {:+.3} ulp", (f64::from(v) - exact) / ulp);
        }
    }
}

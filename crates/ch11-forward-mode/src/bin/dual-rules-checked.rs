// book/ch11-forward-mode.md, block `dual-rules-checked`: generated from the book: edit the chapter, not this file. fnv1a=7968ec49d46b3836
fn main() {
    use autograd::dual::Dual;

    let (x, h) = (0.7, 1e-6);
    let rules: [(&str, fn(Dual) -> Dual); 7] = [
        ("x - 3/x", |x| x - Dual::constant(3.0) / x),
        ("-x", |x| -x),
        ("x^3", |x| x.powi(3)),
        ("exp", |x| x.exp()),
        ("ln", |x| x.ln()),
        ("tanh", |x| x.tanh()),
        ("sigmoid", |x| x.sigmoid()),
    ];
    for (name, f) in rules {
        let forward = f(Dual::variable(x)).tangent;
        let central = (f(Dual::constant(x + h)).value - f(Dual::constant(x - h)).value) / (2.0 * h);
        println!("{name:<8} forward {forward:.7}  central {central:.7}");
    }
}

// book/ch11-forward-mode.md, block `dual-rules-checked`: generated from the book: edit the chapter, not this file. fnv1a=4ab87f8fc43eef6b
fn main() {
    use autograd::dual::Dual;

    fn rule(name: &str, x: Dual) -> Dual {
        match name {
            "x - 3/x" => x - Dual::constant(3.0) / x,
            "-x" => -x,
            "x^3" => x.powi(3),
            "exp" => x.exp(),
            "ln" => x.ln(),
            "tanh" => x.tanh(),
            _ => x.sigmoid(),
        }
    }

    let (x, h) = (0.7, 1e-6);
    for name in ["x - 3/x", "-x", "x^3", "exp", "ln", "tanh", "sigmoid"] {
        let f = |x| rule(name, x);
        let forward = f(Dual::variable(x)).tangent;
        let central = (f(Dual::constant(x + h)).value - f(Dual::constant(x - h)).value) / (2.0 * h);
        println!("{name:<8} forward {forward:.7}  central {central:.7}");
    }
}

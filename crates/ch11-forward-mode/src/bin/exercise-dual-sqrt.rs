// book/ch11-forward-mode.md, block `exercise-dual-sqrt`: generated from the book: edit the chapter, not this file. fnv1a=5b8e6b38642f0c43
fn main() {
    use autograd::dual::Dual;

    fn sqrt(x: Dual) -> Dual {
        let r = x.value.sqrt();
        Dual::new(r, x.tangent / (2.0 * r))
    }

    let forward = sqrt(Dual::variable(2.0)).tangent;
    let h = 1e-6;
    let numeric = ((2.0f64 + h).sqrt() - (2.0f64 - h).sqrt()) / (2.0 * h);
    println!("forward {forward:.8}, central difference {numeric:.8}");
}

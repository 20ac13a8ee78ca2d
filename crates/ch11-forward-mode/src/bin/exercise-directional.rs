// book/ch11-forward-mode.md, block `exercise-directional`: generated from the book: edit the chapter, not this file. fnv1a=b3229ba914819818
fn main() {
    use autograd::Number;
    use autograd::dual::Dual;
    use autograd::scalar::Tape;

    fn many_to_one<N: Number>(x: &[N]) -> N {
        let mut s = x[0];
        for &xi in &x[1..] {
            s = (s * xi).tanh() + xi;
        }
        s
    }
    // `many_to_one` as above (hidden).
    let x0 = [0.5, -1.0, 0.25, 2.0, -0.75, 1.5];
    let x: Vec<Dual> = x0.iter().map(|&v| Dual::new(v, 1.0)).collect();
    let forward = many_to_one(&x).tangent;

    let tape = Tape::new();
    let xr: Vec<_> = x0.iter().map(|&v| tape.var(v)).collect();
    many_to_one(&xr).backward();
    let reverse: f64 = xr.iter().map(|v| v.grad()).sum();
    println!("one forward pass {forward:.6} <> sum of the gradient {reverse:.6}");
}

// book/ch11-forward-mode.md, block `columns-and-rows`: generated from the book: edit the chapter, not this file. fnv1a=5dd6a464dba4597e
fn main() {
    use autograd::Number;
    use autograd::dual::Dual;
    use autograd::scalar::Tape;

    /// Six inputs, one output.
    fn many_to_one<N: Number>(x: &[N]) -> N {
        let mut s = x[0];
        for &xi in &x[1..] {
            s = (s * xi).tanh() + xi;
        }
        s
    }

    /// One input, six outputs.
    fn one_to_many<N: Number>(t: N) -> Vec<N> {
        let mut y = vec![t.tanh()];
        for _ in 1..6 {
            let last = y[y.len() - 1];
            y.push((last + t).tanh());
        }
        y
    }

    let x0 = [0.5, -1.0, 0.25, 2.0, -0.75, 1.5];
    let seeded = |i: usize| -> Vec<Dual> {
        let tangent = |j: usize| if i == j { 1.0 } else { 0.0 };
        x0.iter().enumerate().map(|(j, &v)| Dual::new(v, tangent(j))).collect()
    };
    let columns: Vec<f64> = (0..6).map(|i| many_to_one(&seeded(i)).tangent).collect();
    let tape = Tape::new();
    let x: Vec<_> = x0.iter().map(|&v| tape.var(v)).collect();
    many_to_one(&x).backward();
    let rows: Vec<f64> = x.iter().map(|xi| xi.grad()).collect();
    println!("6 inputs, 1 output, by columns: 6 forward passes   {columns:.4?}");
    println!("6 inputs, 1 output, by rows:    1 backward pass    {rows:.4?}");

    let columns: Vec<f64> = one_to_many(Dual::variable(0.3)).iter().map(|y| y.tangent).collect();
    let tape = Tape::new();
    let t = tape.var(0.3);
    let ys = one_to_many(t);
    let mut rows = Vec::new();
    for y in &ys {
        tape.zero_grad();
        y.backward();
        rows.push(t.grad());
    }
    println!("1 input, 6 outputs, by columns: 1 forward pass     {columns:.4?}");
    println!("1 input, 6 outputs, by rows:    6 backward passes  {rows:.4?}");
}

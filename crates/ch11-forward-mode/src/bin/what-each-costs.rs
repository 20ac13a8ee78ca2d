// book/ch11-forward-mode.md, block `what-each-costs`: generated from the book: edit the chapter, not this file. fnv1a=749619cf4aeaa37b
fn main() {
    use autograd::Number;
    use autograd::scalar::Tape;

    fn many_to_one<N: Number>(x: &[N]) -> N {
        let mut s = x[0];
        for &xi in &x[1..] {
            s = (s * xi).tanh() + xi;
        }
        s
    }

    fn one_to_many_n<N: Number>(t: N, m: usize) -> Vec<N> {
        let mut y = vec![t.tanh()];
        for _ in 1..m {
            let last = y[y.len() - 1];
            y.push((last + t).tanh());
        }
        y
    }
    // `many_to_one` as above, and `one_to_many_n`, the same with m outputs (hidden).
    let n = 1000;
    let tape = Tape::new();
    let x: Vec<_> = (0..n).map(|i| tape.var(0.001 * i as f64)).collect();
    let y = many_to_one(&x);
    let ops = tape.len() - n; // the nodes that are not inputs
    y.backward();
    println!("{n} inputs -> 1 output: {ops} operations per evaluation");
    println!("  forward mode: {n} passes, {} dual operations", n * ops);
    println!(
        "  reverse mode: 1 recorded pass of {ops} operations, 1 backward pass over {} nodes",
        tape.len()
    );

    let m = 1000;
    let tape = Tape::new();
    let t = tape.var(0.3);
    let ys = one_to_many_n(t, m);
    let ops = tape.len() - 1;
    ys[m - 1].backward();
    println!("1 input -> {m} outputs: {ops} operations per evaluation");
    println!("  forward mode: 1 pass, {ops} dual operations");
    println!(
        "  reverse mode: 1 recorded pass of {ops} operations, {m} backward passes over up to {} nodes each",
        tape.len()
    );
}

// book/ch05-recursion.md, block `mini-tape`: generated from the book: edit the chapter, not this file. fnv1a=51cdbd54ac2e7e64
fn main() {
    // Each node: (index of its input, local derivative d(node)/d(input)).
    let n = 1_000_000;
    let w = 1.000_001_f64;
    let mut tape: Vec<(usize, f64)> = vec![(usize::MAX, 0.0)]; // node 0: h0
    for i in 1..=n {
        tape.push((i - 1, w)); // h_i = w * h_{i-1}: d h_i / d h_{i-1} = w
    }

    // Backward: one loop over the tape, from the end, no recursion.
    let mut grad = vec![0.0; tape.len()];
    grad[n] = 1.0;
    for i in (1..tape.len()).rev() {
        let (input, local) = tape[i];
        grad[input] += local * grad[i];
    }
    println!("d h_n / d h_0 = {:.6} <> w^n = {:.6}", grad[0], w.powi(n as i32));
}

// book/ch02-scalars.md, block `tape-walk`: generated from the book: edit the chapter, not this file. fnv1a=017ad84719273a70
fn main() {
    use autograd::scalar::Tape;
    let tape = Tape::new();
    let x = tape.var(1.0);
    let square = x * x;
    let residual = square - 10.0;
    let loss = residual.powi(2);
    // (operation, input ids, local partials), in tape order.
    let nodes: Vec<(&str, Vec<usize>, Vec<f64>)> = vec![
        ("var x", vec![], vec![]),
        ("x * x", vec![0, 0], vec![x.data(), x.data()]),
        ("const 10", vec![], vec![]),
        ("sq - 10", vec![1, 2], vec![1.0, -1.0]),
        ("r ^ 2", vec![3], vec![2.0 * residual.data()]),
    ];
    let mut adjoint = vec![0.0; nodes.len()];
    adjoint[4] = 1.0;
    for id in (0..nodes.len()).rev() {
        let (op, inputs, partials) = &nodes[id];
        for (&input, &partial) in inputs.iter().zip(partials) {
            adjoint[input] += partial * adjoint[id];
            println!(
                "node {id} ({op:>8}): adds {:>4} * {:>3} to node {input}",
                partial, adjoint[id]
            );
        }
    }
    println!("by hand:    dL/dx = {}", adjoint[0]);

    loss.backward();
    println!(
        "the engine: dL/dx = {}, dL/dsquare = {}, dL/dresidual = {}",
        x.grad(),
        square.grad(),
        residual.grad()
    );
}

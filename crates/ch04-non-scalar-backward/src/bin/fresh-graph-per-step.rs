// book/ch04-non-scalar-backward.md, block `fresh-graph-per-step`: generated from the book: edit the chapter, not this file. fnv1a=57e1a449b6470869
fn main() {
    use autograd::Graph;
    let mut w = 0.0_f64;
    for step in 1..=3 {
        let g = Graph::<f64>::new();
        let param = g.scalar(w).requires_grad();
        let loss = (param - 5.0).pow(2.0);
        loss.backward().unwrap();

        let grad = param.grad().unwrap().item();
        println!("step {step}: w = {w:<6} grad {grad:<6} <> {}", 2.0 * (w - 5.0));
        w -= 0.25 * grad;
    }
    println!("final w = {w}");
}

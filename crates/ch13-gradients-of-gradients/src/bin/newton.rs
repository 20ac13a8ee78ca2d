// book/ch13-gradients-of-gradients.md, block `newton`: generated from the book: edit the chapter, not this file. fnv1a=dfb2e94d24496792
fn main() {
    use autograd::Graph;

    let mut x0 = 0.0;
    for step in 1..=6 {
        let g = Graph::<f64>::new();
        let x = g.scalar(x0).requires_grad();
        let f = x.exp() - x * 2.0;
        let df = f.gradients(&[x]).unwrap()[0];
        let d2f = df.gradients(&[x]).unwrap()[0];
        x0 -= df.item() / d2f.item();
        println!("step {step}: x = {x0:.15}, f'(x) before the step = {:+.3e}", df.item());
    }
    println!("ln 2     = {:.15}", 2f64.ln());
}

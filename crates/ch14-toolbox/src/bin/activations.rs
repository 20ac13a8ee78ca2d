// book/ch14-toolbox.md, block `activations`: generated from the book: edit the chapter, not this file. fnv1a=66795e3a71391e92
fn main() {
    use autograd::Graph;
    let g = Graph::<f64>::new();
    let x = g.tensor([-2.0, -0.5, 0.0, 1.5, 800.0]).requires_grad();
    for (name, y) in [
        ("silu", x.silu()),
        ("gelu", x.gelu()),
        ("leaky_relu", x.leaky_relu(0.1)),
        ("elu", x.elu(1.0)),
        ("softplus", x.softplus()),
    ] {
        let grad = y.sum_all().gradients(&[x]).unwrap()[0];
        println!("{name:>10}: {}", y.detach());
        println!("{:>10}  {}", "grad", grad.detach());
    }
    let naive = x.exp().ln_1p();
    let grad = naive.sum_all().gradients(&[x]).unwrap()[0];
    println!("ln_1p(exp(x)): {}\ngrad: {}", naive.detach(), grad.detach());
}

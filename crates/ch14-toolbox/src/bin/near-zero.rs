// book/ch14-toolbox.md, block `near-zero`: generated from the book: edit the chapter, not this file. fnv1a=f33e10105c670c28
fn main() {
    use autograd::Graph;
    let g = Graph::new();
    let x = g.tensor([1e-10f32, 1e-4, 0.5]).requires_grad();
    println!("ln(1 + x): {}", (x + 1).ln());
    println!("ln_1p(x):  {}", x.ln_1p());
    println!("exp(x) - 1: {}", x.exp() - 1);
    println!("exp_m1(x):  {}", x.exp_m1());
    x.ln_1p().sum_all().backward().unwrap();
    println!("d ln_1p:    {}", x.grad().unwrap());
}

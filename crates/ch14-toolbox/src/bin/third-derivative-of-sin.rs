// book/ch14-toolbox.md, block `third-derivative-of-sin`: generated from the book: edit the chapter, not this file. fnv1a=570e5d8f2a2d160e
fn main() {
    use autograd::Graph;
    let g = Graph::<f64>::new();
    let x = g.tensor([0.0, 1.0, 2.5]).requires_grad();
    let f = x.sin() * (x / 2).exp();
    let d1 = f.sum_all().gradients(&[x]).unwrap()[0];
    let d2 = d1.sum_all().gradients(&[x]).unwrap()[0];
    let d3 = d2.sum_all().gradients(&[x]).unwrap()[0];
    println!("f    {}", f.detach());
    println!("f'   {}", d1.detach());
    println!("f''  {}", d2.detach());
    println!("f''' {}", d3.detach());
    println!("erf {}", x.erf());
    println!("rsqrt {}", (x + 1).rsqrt());
}

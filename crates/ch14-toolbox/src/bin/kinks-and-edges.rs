// book/ch14-toolbox.md, block `kinks-and-edges`: generated from the book: edit the chapter, not this file. fnv1a=a8905796979907cb
fn main() {
    use autograd::Graph;
    let g = Graph::new();
    let x = g.tensor([-1.0f32, 0.0, 0.5, 1.0, 2.0]).requires_grad();
    x.abs().sum_all().backward().unwrap();
    println!("abs:   {}", x.grad().unwrap());
    x.zero_grad();
    let clamped = x.clamp(0.0, 1.0);
    clamped.sum_all().backward().unwrap();
    println!("clamp: {clamped}");
    println!("grad:  {}", x.grad().unwrap());
}

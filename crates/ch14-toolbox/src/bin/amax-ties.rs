// book/ch14-toolbox.md, block `amax-ties`: generated from the book: edit the chapter, not this file. fnv1a=6371430db0b04719
fn main() {
    use autograd::Graph;
    let g = Graph::new();
    let x = g.tensor([[1.0f32, 3.0, 3.0], [2.0, 2.0, 0.0]]).requires_grad();
    x.amax(1, false).sum_all().backward().unwrap();
    println!("amax(1):  {}", x.grad().unwrap());
    x.zero_grad();
    x.max(1, false).0.sum_all().backward().unwrap();
    println!("max(1):   {}", x.grad().unwrap());
    println!("amin over both: {}", x.amin([0, 1], true));
}

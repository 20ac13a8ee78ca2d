// book/ch14-toolbox.md, block `max-ties`: generated from the book: edit the chapter, not this file. fnv1a=83ac744dc25e5d36
fn main() {
    use autograd::Graph;
    let g = Graph::new();
    let x = g.tensor([1.0f32, 3.0, 3.0, 2.0]).requires_grad();
    x.max().backward().unwrap();
    println!("max():     {}", x.grad().unwrap());
    x.zero_grad();
    let (value, index) = x.max_dim(0);
    value.backward().unwrap();
    println!("max(0):    {value} at {index}, grad {}", x.grad().unwrap());
    println!("argmax():  {}", x.argmax());
    let m = g.tensor([[1.0f32, f32::NAN, 3.0], [3.0, 1.0, 3.0]]);
    let (values, indices) = m.max_dim(1);
    println!("{values} {indices}");
}

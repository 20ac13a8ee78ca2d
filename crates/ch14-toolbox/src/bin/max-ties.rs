// book/ch14-toolbox.md, block `max-ties`: generated from the book: edit the chapter, not this file. fnv1a=597c3c94b3a14afa
fn main() {
    use autograd::Graph;
    let g = Graph::new();
    let x = g.tensor([1.0f32, 3.0, 3.0, 2.0]).requires_grad();
    x.max_all().backward().unwrap();
    println!("max():     {}", x.grad().unwrap());
    x.zero_grad();
    let (value, index) = x.max(0, false);
    value.backward().unwrap();
    println!("max(0):    {value} at {index}, grad {}", x.grad().unwrap());
    println!("argmax():  {}", x.argmax_all());
    let m = g.tensor([[1.0f32, f32::NAN, 3.0], [3.0, 1.0, 3.0]]);
    let (values, indices) = m.max(1, false);
    println!("{values} {indices}");
}

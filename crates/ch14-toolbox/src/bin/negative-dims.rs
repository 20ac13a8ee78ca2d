// book/ch14-toolbox.md, block `negative-dims`: generated from the book: edit the chapter, not this file. fnv1a=f778e35c91bc9ccf
fn main() {
    use autograd::Graph;
    let g = Graph::new();
    let x = g.tensor([[1.0f32, 2.0, 3.0], [4.0, 5.0, 6.0]]).requires_grad();
    println!("{}", x.sum(-1, false));
    println!("{}", x.mean([0, 1], true));
    println!("{}", x.reshape([-1]));
    println!("{}", x.transpose(-2, -1));
    x.sum([0, -1], false).backward().unwrap();
    println!("{}", x.grad().unwrap());
    println!("{}", x.try_sum(2, false).unwrap_err());
}

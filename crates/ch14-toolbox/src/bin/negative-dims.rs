// book/ch14-toolbox.md, block `negative-dims`: generated from the book: edit the chapter, not this file. fnv1a=5384dc2c2de6357f
fn main() {
    use autograd::Graph;
    let g = Graph::new();
    let x = g.tensor([[1.0f32, 2.0, 3.0], [4.0, 5.0, 6.0]]).requires_grad();
    println!("{}", x.sum_dim(-1));
    println!("{}", x.mean_dim_keepdim([0, 1]));
    println!("{}", x.reshape([-1]));
    println!("{}", x.transpose(-2, -1));
    x.sum_dim([0, -1]).backward().unwrap();
    println!("{}", x.grad().unwrap());
    println!("{}", x.try_sum_dim(2, false).unwrap_err());
}

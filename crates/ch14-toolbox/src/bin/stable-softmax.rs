// book/ch14-toolbox.md, block `stable-softmax`: generated from the book: edit the chapter, not this file. fnv1a=22a419560fc85360
fn main() {
    use autograd::Graph;
    let g = Graph::<f64>::new();
    let x = g.tensor([1000.0, 1001.0, 1002.0]).requires_grad();
    let naive = x.exp() / x.exp().sum_all();
    println!("naive:      {naive}");
    println!("softmax:    {}", x.softmax(-1));
    println!("log_softmax {}", x.log_softmax(-1));
    println!("logsumexp:  {}", x.logsumexp(0, false));
    let target = g.tensor([0.0, 0.0, 1.0]);
    (-(x.log_softmax(0) * target).sum_all()).backward().unwrap();
    println!("grad:       {}", x.grad().unwrap());
}

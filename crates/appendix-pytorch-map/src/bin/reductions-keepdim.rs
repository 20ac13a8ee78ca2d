// book/appendix-pytorch-map.md, block `reductions-keepdim`: generated from the book: edit the chapter, not this file. fnv1a=00c61b97a745f55d
fn main() {
    use autograd::Graph;
    let g = Graph::<f64>::new();
    let x = g.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
    println!("{}", x.sum(1, true));
    println!("{}", x.sum(1, false));
    println!("{}", x.sum_all());
    let (values, indices) = x.max(0, false);
    println!("{values} {indices}");
}

// book/ch14-toolbox.md, block `batched-matmul`: generated from the book: edit the chapter, not this file. fnv1a=38ed2de6ce2d6f30
fn main() {
    use autograd::Graph;
    let g = Graph::<f64>::new();
    let data = ndarray::Array::range(0.0, 12.0, 1.0);
    let x = g.tensor(data.into_shape_with_order((2, 2, 3)).unwrap());
    let x = x.requires_grad();
    let w = g.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]).requires_grad();
    let y = x.matmul(w);
    println!("{y}");
    y.sum_all().backward().unwrap();
    println!("{}", w.grad().unwrap());
    println!("{:?}", x.grad().unwrap().shape());
}

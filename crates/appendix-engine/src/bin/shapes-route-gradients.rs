// book/appendix-engine.md, block `shapes-route-gradients`: generated from the book: edit the chapter, not this file. fnv1a=ac9b9b5683c1c949
fn main() {
    use autograd::Graph;
    use ndarray::s;

    let g = Graph::<f64>::new();
    let m = g.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]).requires_grad();
    let picked = m.t().reshape([6]).slice(s![1..4]);
    println!("m.t(), flattened: {}", m.t().reshape([6]));
    println!("picked = {picked}");
    picked.backward_with(g.tensor([10.0, 20.0, 30.0])).unwrap();
    println!("m.grad = {}", m.grad().unwrap());

    let rows = m.index_select(0, &[1, 1, 0]);
    m.zero_grad();
    rows.sum_all().backward().unwrap();
    println!("m.grad after reading row 1 twice = {}", m.grad().unwrap());
}

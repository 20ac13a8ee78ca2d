// book/ch14-toolbox.md, block `topk-as-gather`: generated from the book: edit the chapter, not this file. fnv1a=5210092185646d8d
fn main() {
    use autograd::Graph;
    let g = Graph::<f64>::new();
    let y = g.tensor([0.3, 0.9, 0.1, 0.7, 0.5]).requires_grad();
    let (top, indices) = y.topk(3);
    let gathered = y.gather(0, &indices);
    println!("topk:   {top}");
    println!("gather: {gathered}");

    gathered.backward_with(g.tensor([10.0, 20.0, 30.0])).unwrap();
    println!("y.grad via gather = {}", y.grad().unwrap());
}

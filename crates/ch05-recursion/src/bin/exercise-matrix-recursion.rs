// book/ch05-recursion.md, block `exercise-matrix-recursion`: generated from the book: edit the chapter, not this file. fnv1a=5fe4dbb5b6b53fab
fn main() {
    use autograd::Graph;
    let g = Graph::<f64>::new();
    let w = g.tensor([[0.5, 1.0], [-1.0, 0.25]]);
    let h0 = g.tensor([[1.0], [2.0]]).requires_grad();
    let mut h = h0;
    for _ in 0..3 {
        h = w.matmul(h);
    }
    h.sum_all().backward().unwrap();

    let wt = g.tensor([[0.5, -1.0], [1.0, 0.25]]); // W's rows as columns
    let by_hand = wt.matmul(wt.matmul(wt.matmul(g.ones(&[2, 1]))));
    println!("{} <> {}", h0.grad().unwrap(), by_hand);
}

// book/ch15-making-it-fast.md, block `reading-gradients`: generated from the book: edit the chapter, not this file. fnv1a=c27ea0f31ec1398a
fn main() {
    use autograd::Graph;
    let g = Graph::new();
    let x = g.tensor([1.0f32, 2.0, 4.0]).requires_grad();
    let y = (x * x).sum_all();
    y.backward().unwrap();
    let before = g.len();
    for _ in 0..3 {
        println!("{}", x.grad().unwrap());
    }
    println!("nodes added by three reads: {}", g.len() - before);
    y.backward().unwrap();
    let grad = x.grad().unwrap();
    let added = g.len() - before;
    println!("{grad} after a second backward; nodes added in all: {added}");
}

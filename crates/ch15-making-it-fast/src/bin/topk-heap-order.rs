// book/ch15-making-it-fast.md, block `topk-heap-order`: generated from the book: edit the chapter, not this file. fnv1a=ea20f7bd3f88e25b
fn main() {
    use autograd::Graph;
    let g = Graph::<f64>::new();
    let y = g.tensor([1.0, 3.0, f64::NAN, 3.0, 2.0, 3.0]);
    let (top, indices) = y.topk(4);
    println!("{top} {indices}");
}

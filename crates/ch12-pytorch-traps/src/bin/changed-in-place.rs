// book/ch12-pytorch-traps.md, block `changed-in-place`: generated from the book: edit the chapter, not this file. fnv1a=8305b61ffbaee670
fn main() {
    use autograd::Graph;
    use ndarray::array;

    let mut w = array![0.5f32, -1.0, 2.0].into_dyn().into_shared();
    let g = Graph::new();
    let x = g.tensor(&w).requires_grad();
    let s = x.sigmoid();
    w *= 2.0; // the graph holds w's storage, so this writes to a copy
    s.sum_all().backward().unwrap();
    println!("w, changed:       {w}");
    println!("x, as recorded:   {}", x);
    println!("x.grad = σ'(x):   {}", x.grad().unwrap());
}

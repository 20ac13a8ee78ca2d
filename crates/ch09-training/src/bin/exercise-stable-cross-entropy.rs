// book/ch09-training.md, block `exercise-stable-cross-entropy`: generated from the book: edit the chapter, not this file. fnv1a=2cf57bf90a2883cb
fn main() {
    use autograd::Tensor;
    fn bce_with_logits<'g>(z: Tensor<'g, f64>, y: Tensor<'g, f64>) -> Tensor<'g, f64> {
        let abs = z.relu() + (-z).relu();
        (z.relu() - z * y + ((-abs).exp() + 1.0).ln()).mean_all()
    }
    use autograd::Graph;

    // `bce_with_logits` as above (hidden).
    let g = Graph::<f64>::new();
    let (z, y) = (g.tensor([-800.0]), g.tensor([1.0]));
    let naive = -(z.sigmoid().ln() * y).mean_all();
    println!("as it reads: {}", naive.item());
    println!("stable:      {}", bce_with_logits(z, y).item());
}

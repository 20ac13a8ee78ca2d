// book/ch08-floating-point.md, block `exercise-pow-vs-mul`: generated from the book: edit the chapter, not this file. fnv1a=3ec9c7095887a05f
fn main() {
    use autograd::Graph;
    let g = Graph::new();
    let xs: Vec<f32> = (0..10_000).map(|i| -50.0 + 0.01 * i as f32 + 0.003).collect();
    let x = g.tensor(xs);
    let (a, b) = (x.pow(2.0).to_array(), (x * x).to_array());
    let differ = a
        .iter()
        .zip(b.iter())
        .filter(|(p, q)| p.to_bits() != q.to_bits())
        .count();
    println!("{differ} of 10000 differ");
}

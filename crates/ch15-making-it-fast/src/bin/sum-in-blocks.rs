// book/ch15-making-it-fast.md, block `sum-in-blocks`: generated from the book: edit the chapter, not this file. fnv1a=ca1f1ed31dd694b1
fn main() {
    use autograd::Graph;
    use ndarray::{Array1, aview1};

    let values: Vec<f32> = (0..1_000_000).map(|i| (i % 1000) as f32 * 0.001).collect();
    let g = Graph::<f32>::new();
    let engine = g.tensor(Array1::from(values.clone())).sum_all().item();
    let blocks = values
        .chunks(1 << 16)
        .map(|block| aview1(block).sum())
        .fold(0.0, |total, sum| total + sum);
    let one_pass = aview1(&values).sum();
    let exact: f64 = values.iter().map(|&v| f64::from(v)).sum();
    println!("{} values", values.len());
    println!("the engine's sum:            {engine}");
    println!(
        "its blocks, one thread:      {blocks} (same bits: {})",
        engine.to_bits() == blocks.to_bits()
    );
    println!("one pass, as in chapter 3:   {one_pass}");
    println!("in f64:                      {exact}");
}

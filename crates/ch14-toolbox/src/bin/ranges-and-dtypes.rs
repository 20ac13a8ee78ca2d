// book/ch14-toolbox.md, block `ranges-and-dtypes`: generated from the book: edit the chapter, not this file. fnv1a=262243515c0a35a5
fn main() {
    use autograd::Graph;
    let g = Graph::<f32>::new();
    let r = g.arange(0.0, 1.0, 0.25);
    println!("{r}");
    let g64 = Graph::<f64>::new();
    println!("{}", g.arange(0.1, 0.4, 0.1).cast_to(&g64));
    println!("0.4 - 0.1 = {}", 0.4 - 0.1);
    let noise = g.randn(&[10_000], 7);
    let mean = noise.mean_all().item();
    let std = (noise - mean).pow(2).mean_all().sqrt().item();
    println!("randn, seed 7: mean {mean:.2}, std {std:.2}");
    let (a, b) = (g.rand(&[3], 1), g.rand(&[3], 1));
    println!("rand, seed 1: {a}, again: {b}");
}

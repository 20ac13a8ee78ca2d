// book/ch07-steps.md, block `comparison-mask`: generated from the book: edit the chapter, not this file. fnv1a=25d2be12a20ab894
fn main() {
    use autograd::Graph;
    let g = Graph::new();
    let x = g.tensor([0.999f32, 0.554, 0.19]).requires_grad();
    let mask = x.ge(0.5);
    println!("{mask}");
    println!(
        "x tracks grad: {}, mask tracks grad: {}",
        x.tracks_grad(),
        mask.tracks_grad()
    );
}

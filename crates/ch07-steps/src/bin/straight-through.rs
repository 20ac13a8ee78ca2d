// book/ch07-steps.md, block `straight-through`: generated from the book: edit the chapter, not this file. fnv1a=f9a8aab3f0e2432a
fn main() {
    use autograd::Graph;
    let g = Graph::new();
    let x = g.tensor([0.4f32, 1.6, 2.5, -0.7]).requires_grad();

    let plain = x.round();
    plain.sum_all().backward().unwrap();
    println!("round:          {}  grad {}", plain, x.grad().unwrap());

    x.zero_grad();
    let ste = x + (x.round() - x).detach();
    ste.sum_all().backward().unwrap();
    println!("straight-through: {}  grad {}", ste, x.grad().unwrap());

    let rounded = x.round();
    let cut = rounded.detach();
    println!(
        "detach shares the numbers: {}",
        cut.value().as_ptr() == rounded.value().as_ptr()
    );
}

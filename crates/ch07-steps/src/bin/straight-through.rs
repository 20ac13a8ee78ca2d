// book/ch07-steps.md, block `straight-through`: generated from the book: edit the chapter, not this file. fnv1a=b4bbe65a1c0a7702
fn main() {
    use autograd::Graph;
    let g = Graph::new();
    let x = g.tensor([0.4f32, 1.6, 2.5, -0.7]).requires_grad();

    let plain = x.round();
    plain.sum().backward().unwrap();
    println!("round:          {}  grad {}", plain, x.grad().unwrap());

    x.zero_grad();
    let ste = x + (x.round() - x).detach();
    ste.sum().backward().unwrap();
    println!("straight-through: {}  grad {}", ste, x.grad().unwrap());
}

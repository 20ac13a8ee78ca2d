// book/ch04-non-scalar-backward.md, block `upstream-wrong-shape`: generated from the book: edit the chapter, not this file. fnv1a=d357989051b06125
fn main() {
    use autograd::Graph;
    let g = Graph::new();
    let a = g.tensor([[1.0f32, 2.0, 3.0], [4.0, 5.0, 6.0]]).requires_grad();
    let out = a * a;

    if let Err(e) = out.backward_with(g.ones(&[3, 2])) {
        println!("{e}");
    }
}

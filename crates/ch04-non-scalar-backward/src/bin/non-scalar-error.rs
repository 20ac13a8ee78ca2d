// book/ch04-non-scalar-backward.md, block `non-scalar-error`: generated from the book: edit the chapter, not this file. fnv1a=dfc0754bb6490914
fn main() {
    use autograd::Graph;
    let g = Graph::new();
    let a = g.tensor([[1.0f32, 2.0, 3.0], [4.0, 5.0, 6.0]]).requires_grad();
    let out = a * a;

    match out.backward() {
        Ok(()) => println!("no error?"),
        Err(e) => println!("error ({:?}): {e}", e.kind()),
    }
}

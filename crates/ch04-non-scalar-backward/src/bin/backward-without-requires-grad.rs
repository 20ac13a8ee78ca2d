// book/ch04-non-scalar-backward.md, block `backward-without-requires-grad`: generated from the book: edit the chapter, not this file. fnv1a=470d7a97214f7d37
fn main() {
    use autograd::Graph;
    let g = Graph::new();
    let a = g.tensor([1.0f32, 2.0]); // no requires_grad()
    let loss = (a * a).sum();

    println!("tracks grad: {}", loss.tracks_grad());
    if let Err(e) = loss.backward() {
        println!("{e}");
    }
}

// book/ch04-non-scalar-backward.md, block `backward-without-requires-grad`: generated from the book: edit the chapter, not this file. fnv1a=bb930aa524c69d4b
fn main() {
    use autograd::Graph;
    let g = Graph::new();
    let a = g.tensor([1.0f32, 2.0]); // no requires_grad()
    let loss = (a * a).sum_all();

    println!("tracks grad: {}", loss.tracks_grad());
    if let Err(e) = loss.backward() {
        println!("{e}");
    }
}

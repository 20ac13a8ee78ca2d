// book/ch12-pytorch-traps.md, block `no-grad-at-evaluation`: generated from the book: edit the chapter, not this file. fnv1a=dbf2524acb2e2872
fn main() {
    use autograd::Graph;

    let g = Graph::<f32>::new();
    let x = g.scalar(3.0).requires_grad();
    let z = g.no_grad(|| x * x);
    println!("under no_grad, z requires grad: {}", z.tracks_grad());
    if let Err(error) = z.backward() {
        println!("backward: {error}");
    }
    println!("detached, requires grad: {}", (x * x).detach().tracks_grad());
}

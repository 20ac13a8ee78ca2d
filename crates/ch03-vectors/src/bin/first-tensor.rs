// book/ch03-vectors.md, block `first-tensor`: generated from the book: edit the chapter, not this file. fnv1a=e41d4b9004e3000d
fn main() {
    use autograd::Graph;

    let g = Graph::<f64>::new();
    let x = g.tensor([1.0, 5.0, 6.0]).requires_grad();
    let c = g.scalar(2.0);
    println!("x = {x}, shape {:?}, requires grad: {}", x.shape(), x.tracks_grad());
    println!("c = {c}, shape {:?}, requires grad: {}", c.shape(), c.tracks_grad());
    let leaves = x.is_leaf() && c.is_leaf();
    println!("both leaves: {leaves}; nodes on the graph: {}", g.len());
}

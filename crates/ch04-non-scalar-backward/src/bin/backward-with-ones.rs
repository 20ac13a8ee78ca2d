// book/ch04-non-scalar-backward.md, block `backward-with-ones`: generated from the book: edit the chapter, not this file. fnv1a=7cf05911d1778d49
fn main() {
    use autograd::Graph;
    let g = Graph::new();
    let a = g.tensor([[1.0f32, 2.0, 3.0], [4.0, 5.0, 6.0]]).requires_grad();
    let out = a * a;

    out.backward_with(g.ones(&[2, 3])).unwrap();
    println!("with v = ones: {}", a.grad().unwrap());
}

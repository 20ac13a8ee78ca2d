// book/ch04-non-scalar-backward.md, block `backward-with-a`: generated from the book: edit the chapter, not this file. fnv1a=068bf7597900eae0
fn main() {
    use autograd::Graph;
    let g = Graph::new();
    let a = g.tensor([[1.0f32, 2.0, 3.0], [4.0, 5.0, 6.0]]).requires_grad();
    let out = a * a;

    out.backward_with(a).unwrap();
    let by_hand = a.to_array() * a.to_array() * 2.0;
    println!("with v = a: {}", a.grad().unwrap());
    println!("2 a a:      {}", g.tensor(by_hand));
}

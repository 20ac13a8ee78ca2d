// book/ch04-non-scalar-backward.md, block `entry-by-entry`: generated from the book: edit the chapter, not this file. fnv1a=53b8a5c79f47d710
fn main() {
    use autograd::Graph;
    let g = Graph::new();
    let a = g.tensor([[1.0f32, 2.0, 3.0], [4.0, 5.0, 6.0]]).requires_grad();

    for i in 0..2 {
        for j in 0..3 {
            let out = a.at(&[i, j]) * a.at(&[i, j]);
            out.backward().unwrap();
        }
    }
    println!("a.grad = {}", a.grad().unwrap());
    println!("2a     = {}", g.tensor(a.to_array() * 2.0));
}

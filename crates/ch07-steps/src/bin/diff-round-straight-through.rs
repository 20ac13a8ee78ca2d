// book/ch07-steps.md, block `diff-round-straight-through`: generated from the book: edit the chapter, not this file. fnv1a=fd434f67cb9e93c0
use autograd::{Graph, Tensor};
fn ste_round<'g>(x: Tensor<'g>, decimals: i32) -> Tensor<'g> {
    let scale = 10f32.powi(decimals);
    let u = x * scale;
    (u + (u.round() - u).detach()) / scale
}

fn main() {
    let g = Graph::new();
    let x = g.tensor([0.99f32, 1.54, 1.9]).requires_grad();
    let y = ste_round(x, 1);
    y.sum_all().backward().unwrap();
    println!("y = {y}");
    println!("grad = {}, its sum {}", x.grad().unwrap(), x.grad().unwrap().sum_all());
}

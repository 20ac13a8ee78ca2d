// book/ch07-steps.md, block `diff-round-puzzle`: generated from the book: edit the chapter, not this file. fnv1a=bf5bb41a57c2ace7
use autograd::tensor::where_;
use autograd::{Graph, Tensor};

fn diff_round<'g>(x: Tensor<'g>, decimals: i32) -> Tensor<'g> {
    let scale = 10f32.powi(decimals);
    let x = x * scale;
    let diff = (1.0 + 1e-2) * x - x.floor();
    let x = x - diff + (x.floor() + where_(diff.ge(0.5), 1.0, 0.0));
    x / scale
}

fn main() {
    let g = Graph::new();
    let x = g.tensor([0.99f32, 1.54, 1.9]).requires_grad();
    let loss = diff_round(x, 1).sum_all();
    loss.backward().unwrap();
    println!("{}", x.grad().unwrap().sum_all());
}

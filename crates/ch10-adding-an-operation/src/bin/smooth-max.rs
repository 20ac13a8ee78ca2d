// book/ch10-adding-an-operation.md, block `smooth-max`: generated from the book: edit the chapter, not this file. fnv1a=3f8f361adbe60346
use autograd::{Graph, Tensor};
use ndarray::Zip;

fn sigmoid(v: f64) -> f64 {
    1.0 / (1.0 + (-v).exp())
}

/// ln(eᵃ + eᵇ), elementwise, with `b` broadcast to `a`'s shape.
fn smooth_max<'g>(a: Tensor<'g, f64>, b: Tensor<'g, f64>) -> Tensor<'g, f64> {
    let value = {
        let (a, b) = (a.value(), b.value());
        Zip::from(&*a)
            .and_broadcast(&*b)
            .map_collect(|&x, &y| (x.exp() + y.exp()).ln())
    };
    a.graph().record("SmoothMaxBackward", &[a, b], value, |ctx| {
        // Both gradients at the output's shape: `b`'s is summed to its own.
        let (a, b) = (ctx.input(0), ctx.input(1));
        let slope = |from: f64, to: f64| sigmoid(from - to);
        vec![
            ctx.gradient(0, || {
                Zip::from(a).and_broadcast(b).map_collect(|&x, &y| slope(x, y)) * ctx.grad_output
            }),
            ctx.gradient(1, || {
                Zip::from(a).and_broadcast(b).map_collect(|&x, &y| slope(y, x)) * ctx.grad_output
            }),
        ]
    })
}

fn main() {
    let g = Graph::<f64>::new();
    let a = g.tensor([[0.0, 1.0, 2.0], [3.0, -1.0, 0.5]]).requires_grad();
    let b = g.tensor([1.0, 1.0, 1.0]).requires_grad();
    smooth_max(a, b).sum_all().backward().unwrap();
    println!("da = {}", a.grad().unwrap());
    println!("db = {}", b.grad().unwrap());
    let by_hand: Vec<f64> = (0..3)
        .map(|j| (0..2).map(|i| sigmoid(1.0 - a.to_array()[[i, j]])).sum())
        .collect();
    println!("db <> column sums of σ(b − a) = {by_hand:.4?}");
}

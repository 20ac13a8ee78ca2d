//! The results PyTorch 2.15 prints for the questions the book answers,
//! reproduced by the engine at PyTorch's printed precision. Each expected
//! string is what real PyTorch printed for the same program.

use autograd::tensor::where_;
use autograd::{Graph, Tensor};

/// The "what will this print?" puzzle: rounding made differentiable with
/// floor and where, whose gradient is nevertheless almost constant.
fn diff_round<'g>(x: Tensor<'g>, decimals: i32) -> Tensor<'g> {
    let scale = 10f32.powi(decimals);
    let x = x * scale;
    let diff = (1.0 + 1e-2) * x - x.floor();
    let x = x - diff + (x.floor() + where_(diff.ge(0.5), 1.0, 0.0));
    x / scale
}

#[test]
fn diff_round_forward_and_gradient_sum() {
    let g = Graph::new();
    let x = g.tensor([0.99f32, 1.54, 1.9]).requires_grad();
    let y = diff_round(x, 1);
    assert_eq!(
        y.to_string(),
        "tensor([1.8901, 3.0846, 3.7810], grad_fn=<DivBackward0>)"
    );
    y.sum_all().backward().unwrap();
    let grad = x.grad().unwrap();
    assert_eq!(grad.sum_all().to_string(), "tensor(-0.0300)");
    assert_eq!(grad.to_string(), "tensor([-0.0100, -0.0100, -0.0100])");
}

#[test]
fn squared_loss_chain_rule_in_f64() {
    let g = Graph::<f64>::new();
    let x = g.scalar(1.0).requires_grad();
    let loss = (x.pow(2.0) - 10.0).pow(2.0);
    loss.backward().unwrap();
    assert_eq!(x.grad().unwrap().to_string(), "tensor(-36., dtype=f64)");
}

#[test]
fn linear_function_partials() {
    let g = Graph::<f64>::new();
    let (w, b) = (g.scalar(5.0).requires_grad(), g.scalar(4.0).requires_grad());
    let z = w * 2.5 + b;
    z.backward().unwrap();
    assert_eq!(
        format!("{} {}", w.grad().unwrap(), b.grad().unwrap()),
        "tensor(2.5000, dtype=f64) tensor(1., dtype=f64)"
    );
}

#[test]
fn sum_of_squares_gives_two_x() {
    let g = Graph::<f64>::new();
    let x = g.tensor([1.0, 5.0, 6.0]).requires_grad();
    let y = (x * x).sum_all();
    y.backward().unwrap();
    assert_eq!(x.to_string(), "tensor([1., 5., 6.], dtype=f64, requires_grad=True)");
    assert_eq!(x.grad().unwrap().to_string(), "tensor([ 2., 10., 12.], dtype=f64)");
}

#[test]
fn two_step_recursion_h2_equals_w_w_h0() {
    let g = Graph::new();
    let w = g.scalar(2.0f32).requires_grad();
    let h0 = g.scalar(0.5f32).requires_grad();
    let h2 = w * (w * h0);
    h2.backward().unwrap();
    assert_eq!(
        format!("{} {}", w.grad().unwrap(), h0.grad().unwrap()),
        "tensor(2.) tensor(4.)"
    );
}

#[test]
fn elementwise_backward_calls_accumulate() {
    let g = Graph::new();
    let a = g.tensor([[1.0f32, 2.0, 3.0], [4.0, 5.0, 6.0]]).requires_grad();
    for i in 0..2 {
        for j in 0..3 {
            let out = a.at(&[i, j]) * a.at(&[i, j]);
            out.backward().unwrap();
        }
    }
    assert_eq!(
        a.grad().unwrap().to_string(),
        "tensor([[ 2.,  4.,  6.],\n        [ 8., 10., 12.]])"
    );
}

#[test]
fn non_scalar_backward_needs_an_upstream_gradient() {
    let g = Graph::new();
    let a = g.tensor([[1.0f32, 2.0, 3.0], [4.0, 5.0, 6.0]]).requires_grad();
    let out = a * a;
    let err = out.backward().unwrap_err();
    assert!(
        err.to_string()
            .starts_with("grad can be implicitly created only for scalar outputs"),
        "{err}"
    );
    out.backward_with(a).unwrap();
    assert_eq!(
        a.grad().unwrap().to_string(),
        "tensor([[ 2.,  8., 18.],\n        [32., 50., 72.]])"
    );
    a.zero_grad();
    out.backward_with(g.ones(&[2, 3])).unwrap();
    assert_eq!(
        a.grad().unwrap().to_string(),
        "tensor([[ 2.,  4.,  6.],\n        [ 8., 10., 12.]])"
    );
}

const X: [f32; 6] = [0.1511, 0.5990, 0.6338, 0.5137, 0.5203, 0.0560];
const W: [[f32; 6]; 6] = [
    [0.2541, 0.6699, 0.5311, 0.7801, 0.5042, 0.5475],
    [0.7523, 0.1331, 0.7670, 0.8132, 0.0524, 0.0269],
    [0.3974, 0.2880, 0.9142, 0.9906, 0.4401, 0.3984],
    [0.7956, 0.2071, 0.2209, 0.6192, 0.2054, 0.7693],
    [0.8587, 0.8415, 0.6033, 0.3812, 0.2498, 0.9813],
    [0.9033, 0.0417, 0.2272, 0.1576, 0.9087, 0.3284],
];
const W_GRAD: &str = "tensor([[0.4442, 1.7611, 1.8634, 1.5103, 1.5297, 0.1646],
        [0.0000, 0.0000, 0.0000, 0.0000, 0.0000, 0.0000],
        [0.4751, 1.8834, 1.9929, 1.6152, 1.6360, 0.1761],
        [0.0000, 0.0000, 0.0000, 0.0000, 0.0000, 0.0000],
        [0.4222, 1.6735, 1.7707, 1.4352, 1.4536, 0.1565],
        [0.0000, 0.0000, 0.0000, 0.0000, 0.0000, 0.0000]])";
const X_GRAD: &str = "tensor([4.3957, 5.2261, 6.1215, 6.4733, 3.5641, 5.6040])";

#[test]
fn topk_gradient_flows_to_the_selected_rows() {
    let g = Graph::new();
    let (x, w) = (g.tensor(X).requires_grad(), g.tensor(W).requires_grad());
    let y = w.matmul(x);
    assert_eq!(
        y.to_string(),
        "tensor([1.4700, 1.1260, 1.5721, 0.8523, 1.3969, 0.8776], grad_fn=<MvBackward0>)"
    );
    let (top, indices) = y.topk(3);
    assert_eq!(
        top.to_string(),
        "tensor([1.5721, 1.4700, 1.3969], grad_fn=<TopkBackward0>)"
    );
    assert_eq!(indices.to_string(), "tensor([2, 0, 4])");
    (top * top).sum_all().backward().unwrap();
    assert_eq!(w.grad().unwrap().to_string(), W_GRAD);
    assert_eq!(x.grad().unwrap().to_string(), X_GRAD);
}

#[test]
fn topk_equals_an_explicit_selection_matrix() {
    let g = Graph::new();
    let (x, w) = (g.tensor(X).requires_grad(), g.tensor(W).requires_grad());
    let y = w.matmul(x);
    let (_, indices) = y.topk(3);
    let mut select = ndarray::Array2::<f32>::zeros((3, 6));
    for (row, &col) in indices.to_vec().iter().enumerate() {
        select[[row, col]] = 1.0;
    }
    let picked = g.tensor(select).matmul(y);
    (picked * picked).sum_all().backward().unwrap();
    assert_eq!(w.grad().unwrap().to_string(), W_GRAD);
    assert_eq!(x.grad().unwrap().to_string(), X_GRAD);
}

#[test]
fn reciprocal_gradient_differs_from_the_hand_formula_in_the_last_bit() {
    let g = Graph::new();
    let a = g.scalar(1.3f32).requires_grad();
    (1.0 / a).backward().unwrap();
    let grad = a.grad().unwrap();
    let by_hand = -1.0 / (a * a);
    assert_eq!(
        (grad - by_hand).to_string(),
        "tensor(5.9605e-08, grad_fn=<SubBackward0>)"
    );
    let as_autograd_does = -(1.0 / a) * (1.0 / a);
    assert_eq!((grad - as_autograd_does).item(), 0.0);
}

//! An operation defined outside the crate with `Graph::record`, the
//! mechanism every operation of the engine uses: it is a first-class
//! operation (its name as `grad_fn` and in pictures, `no_grad`, `detach`,
//! its gradient summed to its inputs' shapes), and a mistake in its backward
//! rule is a panic that names it.

use autograd::gradcheck::gradcheck;
use autograd::{Graph, Tensor};
use ndarray::{ArrayD, array};

/// softplus(x) = ln(1 + eˣ); its derivative is σ(x).
fn softplus<'g>(x: Tensor<'g, f64>) -> Tensor<'g, f64> {
    let value = x.value().mapv(|v| v.exp().ln_1p());
    x.graph().record("SoftplusBackward0", &[x], value, |ctx| {
        vec![ctx.gradient(0, || ctx.grad_output * &ctx.input(0).mapv(|v| 1.0 / (1.0 + (-v).exp())))]
    })
}

/// a·b with broadcasting, its gradients left at the output's shape.
fn broadcast_product<'g>(a: Tensor<'g, f64>, b: Tensor<'g, f64>) -> Tensor<'g, f64> {
    let value = &*a.value() * &*b.value();
    a.graph().record("BroadcastProductBackward", &[a, b], value, |ctx| {
        vec![
            ctx.gradient(0, || ctx.grad_output * ctx.input(1)),
            ctx.gradient(1, || ctx.grad_output * ctx.input(0)),
        ]
    })
}

#[test]
fn a_custom_operation_is_a_first_class_operation() {
    let g = Graph::<f64>::new();
    let x = g.tensor([-1.0, 0.0, 2.0]).requires_grad();
    let y = softplus(x);
    assert_eq!(y.grad_fn(), Some("SoftplusBackward0"));
    assert!(y.to_dot().contains("SoftplusBackward0"));
    y.sum_all().backward().expect("a scalar");
    let grad = x.grad().expect("x requires grad").to_array();
    for (g, v) in grad.iter().zip([-1.0f64, 0.0, 2.0]) {
        assert_eq!(*g, 1.0 / (1.0 + (-v).exp()));
    }
    // Not recorded without grad, nor on a detached input.
    assert!(g.no_grad(|| softplus(x)).is_leaf());
    assert!(softplus(x.detach()).is_leaf());
}

#[test]
fn gradcheck_passes_a_right_backward_and_a_broadcast_gradient_is_summed() {
    let report = gradcheck(
        |t| softplus(t[0]).sum_all(),
        &[array![[-1.5, 0.25], [0.0, 3.0]].into_dyn()],
    )
    .expect("gradcheck runs");
    assert!(report.passed(), "{report}");

    let g = Graph::<f64>::new();
    let a = g.tensor([[1.0, 2.0], [3.0, 4.0]]).requires_grad();
    let b = g.tensor([10.0, 20.0]).requires_grad();
    broadcast_product(a, b).sum_all().backward().expect("a scalar");
    // b was used once per row: its gradient is summed over the rows.
    assert_eq!(
        b.grad().unwrap().to_array(),
        ArrayD::from_shape_vec(vec![2], vec![4.0, 6.0]).unwrap()
    );
}

#[test]
#[should_panic(expected = "WrongCountBackward: its backward returned 2 gradient(s) for 1 input(s)")]
fn a_backward_with_the_wrong_number_of_gradients_panics_naming_the_operation() {
    let g = Graph::<f64>::new();
    let x = g.tensor([1.0]).requires_grad();
    let value = x.to_array();
    let y = g.record("WrongCountBackward", &[x], value, |ctx| {
        vec![ctx.pass_through(0), ctx.pass_through(0)]
    });
    y.sum_all().backward().unwrap();
}

#[test]
#[should_panic(
    expected = "WrongShapeBackward: its backward returned a gradient of shape [3] for input 0, of shape [2]"
)]
fn a_gradient_of_the_wrong_shape_panics_naming_the_operation_and_the_shapes() {
    let g = Graph::<f64>::new();
    let x = g.tensor([1.0, 2.0]).requires_grad();
    let value = x.to_array();
    let y = g.record("WrongShapeBackward", &[x], value, |ctx| {
        vec![ctx.gradient(0, || ArrayD::zeros(vec![3]))]
    });
    y.sum_all().backward().unwrap();
}

#[test]
#[should_panic(expected = "MixedBackward: input 1 belongs to another graph")]
fn an_input_of_another_graph_panics_naming_the_operation() {
    let (g, h) = (Graph::<f64>::new(), Graph::<f64>::new());
    // Input 1 is the first node of its own graph: the message names the
    // input's position, not its place on a tape.
    let x = g.tensor([1.0]).requires_grad();
    let y = h.tensor([2.0]).requires_grad();
    h.record("MixedBackward", &[y, x], ArrayD::zeros(vec![1]), |ctx| {
        vec![ctx.pass_through(0), ctx.pass_through(1)]
    });
}

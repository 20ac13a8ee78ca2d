//! Gradient hooks: what a hook sees (a tensor's complete gradient, once),
//! when (before it goes on, in every backward that reaches it), what
//! replacing it does, to first and second order, and removing it.

use std::cell::RefCell;
use std::rc::Rc;

use autograd::Graph;
use ndarray::{ArrayD, array};

fn d(a: ndarray::Array1<f64>) -> ArrayD<f64> {
    a.into_dyn()
}

#[test]
fn a_hook_sees_the_complete_gradient_of_a_tensor_used_twice_once() {
    let g = Graph::<f64>::new();
    let x = g.tensor([1.0, 2.0]).requires_grad();
    let seen = Rc::new(RefCell::new(Vec::new()));
    let log = Rc::clone(&seen);
    let h = x * 3.0;
    h.register_hook(move |grad| {
        log.borrow_mut().push(grad.to_array());
        None
    });
    // h is used twice: its gradient is 2h + 1 from the two uses together.
    (h * h + h).sum_all().backward().unwrap();
    assert_eq!(*seen.borrow(), vec![d(array![7.0, 13.0])]);
    assert_eq!(x.grad_array().unwrap(), d(array![21.0, 39.0]));
}

#[test]
fn a_replaced_gradient_is_what_flows_on_and_what_a_leaf_keeps() {
    let g = Graph::<f64>::new();
    let x = g.tensor([1.0, -4.0]).requires_grad();
    let w = g.tensor([0.5, 0.5]).requires_grad();
    let h = x * w;
    h.register_hook(|grad| Some(grad.clamp(-1.0, 1.0)));
    (h * h).sum_all().backward().unwrap(); // dL/dh = 2h = [1, -4], clipped to [1, -1]
    assert_eq!(x.grad_array().unwrap(), d(array![0.5, -0.5]));
    assert_eq!(w.grad_array().unwrap(), d(array![1.0, 4.0]));

    let y = g.tensor([3.0]).requires_grad();
    y.register_hook(|grad| Some(grad * 10.0));
    (y * y).sum_all().backward().unwrap();
    assert_eq!(y.grad_array().unwrap(), d(array![60.0]));
}

#[test]
fn hooks_run_in_the_order_they_were_registered_on_every_backward() {
    let g = Graph::<f64>::new();
    let order = Rc::new(RefCell::new(Vec::new()));
    let (first, second) = (Rc::clone(&order), Rc::clone(&order));
    let x = g.scalar(2.0).requires_grad();
    x.register_hook(move |grad| {
        first.borrow_mut().push(("double", grad.item()));
        Some(grad * 2.0)
    });
    x.register_hook(move |grad| {
        second.borrow_mut().push(("see", grad.item()));
        None
    });
    let y = x * x;
    y.backward().unwrap();
    y.backward().unwrap();
    assert_eq!(
        *order.borrow(),
        [("double", 4.0), ("see", 8.0), ("double", 4.0), ("see", 8.0)]
    );
    assert_eq!(x.grad_array().unwrap().sum(), 16.0);
}

#[test]
fn gradients_runs_the_hooks_too() {
    let g = Graph::<f64>::new();
    let x = g.tensor([1.0, 2.0]).requires_grad();
    let seen = Rc::new(RefCell::new(0));
    let count = Rc::clone(&seen);
    let h = x * x;
    h.register_hook(move |_| {
        *count.borrow_mut() += 1;
        None
    });
    let dx = h.sum_all().gradients(&[x]).unwrap()[0];
    assert_eq!(dx.to_array(), d(array![2.0, 4.0]));
    assert_eq!(*seen.borrow(), 1);
}

#[test]
#[should_panic(expected = "a hook returned a gradient of shape [3] for a gradient of shape [2]")]
fn a_hook_returning_another_shape_is_an_error_naming_both() {
    let g = Graph::<f64>::new();
    let x = g.tensor([1.0, 2.0]).requires_grad();
    let h = x * 2.0;
    h.register_hook(|grad| Some(grad.graph().zeros(&[3])));
    h.sum_all().backward().unwrap();
}

#[test]
#[should_panic(expected = "cannot register a hook on a tensor that doesn't require gradient")]
fn a_hook_on_a_tensor_without_gradients_is_an_error() {
    let g = Graph::<f64>::new();
    g.tensor([1.0]).register_hook(|_| None);
}

/// d/dx of tanh(h) with h = x² and a hook doubling h's gradient: the first
/// derivative is 2·sech²(h)·2x; differentiating it again, the part that
/// goes back through h is doubled by the hook once more, as in PyTorch.
#[test]
fn a_hook_under_gradients_is_differentiated_and_fires_again_in_the_second_backward() {
    let g = Graph::<f64>::new();
    let x = g.scalar(0.7).requires_grad();
    let h = x * x;
    h.register_hook(|grad| Some(grad * 2.0));
    let first = h.tanh().gradients(&[x]).unwrap()[0];
    first.backward().unwrap();

    let (x0, h0) = (0.7_f64, 0.49_f64);
    let sech2 = 1.0 - h0.tanh().powi(2);
    let dsech2 = -2.0 * h0.tanh() * sech2;
    let expected_first = 2.0 * sech2 * 2.0 * x0;
    let expected_second = 4.0 * sech2 + 2.0 * (4.0 * x0 * dsech2) * 2.0 * x0;
    assert!((first.item() - expected_first).abs() < 1e-12, "{}", first.item());
    let second = x.grad_array().unwrap().sum();
    assert!(
        (second - expected_second).abs() < 1e-12,
        "{second} vs {expected_second}"
    );
    // PyTorch 2.15 prints 2.2223 and -2.4780 for the same program.
    assert_eq!(format!("{:.4} {:.4}", first.item(), second), "2.2223 -2.4780");
}

#[test]
fn a_removed_hook_is_no_longer_called() {
    let g = Graph::<f64>::new();
    let x = g.scalar(3.0).requires_grad();
    let calls = Rc::new(RefCell::new(0));
    let count = Rc::clone(&calls);
    let doubling = x.register_hook(move |grad| {
        *count.borrow_mut() += 1;
        Some(grad * 2.0)
    });
    let kept = x.register_hook(|grad| Some(grad + 1.0));
    (x * x).backward().unwrap();
    assert_eq!(x.grad_array().unwrap().sum(), 13.0); // 6, doubled, plus 1
    doubling.remove();
    x.zero_grad();
    (x * x).backward().unwrap();
    assert_eq!(x.grad_array().unwrap().sum(), 7.0); // 6 plus 1: the second hook stays
    assert_eq!(*calls.borrow(), 1);
    kept.remove();
    x.zero_grad();
    (x * x).backward().unwrap();
    assert_eq!(x.grad_array().unwrap().sum(), 6.0);
}

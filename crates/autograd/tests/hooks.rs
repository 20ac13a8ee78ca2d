//! Gradient hooks: what a hook sees (a tensor's complete gradient, once),
//! when (before it goes on), and what replacing it does.

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
    let h = (x * 3.0).register_hook(move |grad| {
        log.borrow_mut().push(grad.clone());
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
    let clip = |grad: &ArrayD<f64>| Some(grad.mapv(|v| v.clamp(-1.0, 1.0)));
    let h = (x * w).register_hook(clip);
    (h * h).sum_all().backward().unwrap(); // dL/dh = 2h = [1, -4], clipped to [1, -1]
    assert_eq!(x.grad_array().unwrap(), d(array![0.5, -0.5]));
    assert_eq!(w.grad_array().unwrap(), d(array![1.0, 4.0]));

    let y = g.tensor([3.0]).requires_grad().register_hook(|grad| Some(grad * 10.0));
    (y * y).sum_all().backward().unwrap();
    assert_eq!(y.grad_array().unwrap(), d(array![60.0]));
}

#[test]
fn hooks_run_in_the_order_they_were_registered_on_every_backward() {
    let g = Graph::<f64>::new();
    let order = Rc::new(RefCell::new(Vec::new()));
    let (first, second) = (Rc::clone(&order), Rc::clone(&order));
    let x = g
        .scalar(2.0)
        .requires_grad()
        .register_hook(move |grad| {
            first.borrow_mut().push(("double", grad.sum()));
            Some(grad * 2.0)
        })
        .register_hook(move |grad| {
            second.borrow_mut().push(("see", grad.sum()));
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
    let h = (x * x).register_hook(move |_| {
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
    let h = (x * 2.0).register_hook(|_| Some(ArrayD::zeros(ndarray::IxDyn(&[3]))));
    h.sum_all().backward().unwrap();
}

#[test]
#[should_panic(expected = "cannot register a hook on a tensor that doesn't require gradient")]
fn a_hook_on_a_tensor_without_gradients_is_an_error() {
    let g = Graph::<f64>::new();
    g.tensor([1.0]).register_hook(|_| None);
}

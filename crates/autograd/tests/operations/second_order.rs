//! Gradients of gradients: `Tensor::gradients` against `backward` (the two
//! rules of every operation must agree), against gradcheck on the
//! gradient itself (so the recorded rules are right to second order), and
//! against closed forms.

use crate::common;

use std::collections::{BTreeSet, HashMap};

use autograd::gradcheck::gradcheck;
use autograd::tensor::GradOptions;
use autograd::{ErrorKind, Graph, Tensor};
use common::operations::{Domain, listed};
use common::program::apply;
use ndarray::{ArrayD, array};

type Op = for<'g> fn(&[Tensor<'g, f64>]) -> Tensor<'g, f64>;

/// Every operation with a recorded backward, on inputs away from kinks.
fn operations() -> Vec<(&'static str, Op, Vec<ArrayD<f64>>)> {
    let v = || array![0.7, -1.3, 2.1].into_dyn();
    let w = || array![1.1, 0.4, -0.6].into_dyn();
    let m = || array![[0.5, -1.0, 0.25], [1.5, 0.75, -0.5]].into_dyn();
    let positive = || array![0.7, 1.3, 2.1].into_dyn();
    let batch = || {
        array![
            [[0.5, -1.0, 0.25], [1.5, 0.75, -0.5]],
            [[0.2, 0.9, -1.1], [-0.3, 0.6, 1.2]]
        ]
        .into_dyn()
    };
    vec![
        ("add", |t| t[0] + t[1], vec![v(), w()]),
        ("add, broadcast", |t| t[0] + t[1], vec![m(), w()]),
        ("sub", |t| t[0] - t[1], vec![v(), w()]),
        ("mul", |t| t[0] * t[1], vec![v(), w()]),
        ("mul, broadcast", |t| t[0] * t[1], vec![m(), w()]),
        ("div", |t| t[0] / t[1], vec![v(), w()]),
        ("neg", |t| -t[0], vec![v()]),
        ("pow", |t| t[0].pow(3.0), vec![v()]),
        ("pow 0.5", |t| t[0].pow(0.5), vec![positive()]),
        ("exp", |t| t[0].exp(), vec![v()]),
        ("ln", |t| t[0].ln(), vec![positive()]),
        ("tanh", |t| t[0].tanh(), vec![v()]),
        ("sigmoid", |t| t[0].sigmoid(), vec![v()]),
        ("relu", |t| t[0].relu() * t[0], vec![v()]),
        ("reciprocal", |t| t[0].reciprocal(), vec![v()]),
        ("floor", |t| t[0].floor() * t[0], vec![v()]),
        ("sum", |t| t[0].sum_all() * t[0], vec![v()]),
        ("mean", |t| t[0].mean_all() * t[0], vec![m()]),
        (
            "sum_axis",
            |t| t[0].sum(1, false) * t[0].sum(1, true).sum_all(),
            vec![m()],
        ),
        ("mean_axis", |t| t[0].mean(0, true) * t[0], vec![m()]),
        ("matmul", |t| t[0].matmul(t[1]), vec![m(), m().reversed_axes()]),
        ("matrix @ vector", |t| t[0].matmul(t[1]), vec![m(), v()]),
        (
            "vector @ matrix",
            |t| t[0].matmul(t[1]),
            vec![array![0.3, -0.8].into_dyn(), m()],
        ),
        ("dot", |t| t[0].matmul(t[1]), vec![v(), w()]),
        ("transpose", |t| t[0].t() * t[0].t(), vec![m()]),
        ("reshape", |t| t[0].reshape([3, 2]).tanh(), vec![m()]),
        ("reshape -1", |t| t[0].reshape([-1, 2]).tanh(), vec![m()]),
        ("pow 2 (an integer)", |t| t[0].pow(2) * t[0], vec![v()]),
        ("sqrt", |t| t[0].sqrt(), vec![positive()]),
        ("abs", |t| t[0].abs() * t[0], vec![v()]),
        ("sign", |t| t[0].sign() * t[0], vec![v()]),
        ("clamp", |t| t[0].clamp(-1.0, 1.0) * t[0], vec![v()]),
        ("clamp_min", |t| t[0].clamp_min(0.0) * t[0], vec![v()]),
        ("clamp_max", |t| t[0].clamp_max(1.0) * t[0], vec![v()]),
        ("max", |t| t[0].max_all() * t[0], vec![m()]),
        ("min", |t| t[0].min_all() * t[0], vec![m()]),
        ("max_dim", |t| t[0].max(1, false).0 * t[0].sum(1, false), vec![m()]),
        ("min_dim_keepdim", |t| t[0].min(0, true).0 * t[0], vec![m()]),
        ("sum over two dims", |t| t[0].sum([0, -1], false) * t[0], vec![m()]),
        ("mean over -1", |t| t[0].mean(-1, true) * t[0], vec![m()]),
        ("softmax", |t| t[0].softmax(-1), vec![m()]),
        ("softmax along 0", |t| t[0].softmax(0), vec![m()]),
        ("log_softmax", |t| t[0].log_softmax(1), vec![m()]),
        ("logsumexp", |t| t[0].logsumexp(1, false), vec![m()]),
        ("logsumexp over all", |t| t[0].logsumexp([0, 1], true) * t[0], vec![m()]),
        ("cat", |t| autograd::cat(&[t[0], t[1]], 0).tanh(), vec![v(), w()]),
        ("cat along 1", |t| autograd::cat(&[t[0], t[0].tanh()], -1), vec![m()]),
        ("stack", |t| autograd::stack(&[t[0], t[1]], 1).tanh(), vec![v(), w()]),
        ("narrow", |t| t[0].narrow(1, 1, 2).tanh(), vec![m()]),
        ("unsqueeze, squeeze", |t| t[0].unsqueeze(0).tanh().squeeze(), vec![m()]),
        ("squeeze_dim", |t| t[0].unsqueeze(-1).squeeze_dim(2).tanh(), vec![m()]),
        ("expand", |t| t[0].expand([2, -1]) * t[1], vec![v(), m()]),
        (
            "batched matmul",
            |t| t[0].matmul(t[1]),
            vec![batch(), m().reversed_axes()],
        ),
        (
            "batched matmul, both batched",
            |t| t[0].matmul(t[1]),
            vec![batch(), batch().permuted_axes(vec![0, 2, 1])],
        ),
        (
            "vector @ batch",
            |t| t[0].matmul(t[1]),
            vec![array![0.3, -0.8].into_dyn(), batch()],
        ),
        ("batch @ vector", |t| t[0].matmul(t[1]), vec![batch(), v()]),
    ]
}

/// A scalar of the operation's result that is curved in every input, so
/// that its second derivatives are not all zero.
fn loss<'g>(op: Op, inputs: &[Tensor<'g, f64>]) -> Tensor<'g, f64> {
    let y = op(inputs);
    (y * y).sum_all() + y.sum_all()
}

#[test]
fn recorded_gradients_equal_the_gradients_backward_computes() {
    for (name, op, inputs) in operations() {
        let g = Graph::<f64>::new();
        let x: Vec<_> = inputs.iter().map(|a| g.tensor(a.clone()).requires_grad()).collect();
        let l = loss(op, &x);
        let recorded = l.gradients(&x).unwrap();
        l.backward().unwrap();
        for (k, (leaf, grad)) in x.iter().zip(&recorded).enumerate() {
            let (expected, actual) = (leaf.grad_array().unwrap(), grad.to_array());
            let worst = (&expected - &actual).iter().fold(0.0f64, |m, d| m.max(d.abs()));
            assert!(worst < 1e-12, "{name}, input {k}: {actual} vs {expected}");
        }
    }
}

#[test]
fn recorded_gradients_differentiate_again_as_gradcheck_expects() {
    for (name, op, inputs) in operations() {
        // The function gradcheck sees: a scalar of the gradient itself, so
        // its backward runs through every recorded rule.
        let report = gradcheck(
            |p| {
                // The numeric side passes plain leaves: make them variables.
                let p: Vec<_> = p.iter().map(|t| t.requires_grad()).collect();
                let grads = loss(op, &p).gradients(&p).unwrap();
                grads
                    .into_iter()
                    .map(|g| (g * g).sum_all())
                    .reduce(|a, b| a + b)
                    .unwrap()
            },
            &inputs,
        )
        .unwrap();
        assert!(report.passed(), "{name}: {report}");
    }
}

#[test]
fn the_second_derivative_of_x_cubed_tanh_x_is_the_closed_form() {
    for x0 in [-1.5, 0.3, 0.7, 2.0] {
        let g = Graph::<f64>::new();
        let x = g.scalar(x0).requires_grad();
        let y = x.pow(3.0) * x.tanh();
        let [dy] = y.gradients(&[x]).unwrap()[..] else {
            panic!("one gradient")
        };
        let [d2y] = dy.gradients(&[x]).unwrap()[..] else {
            panic!("one gradient")
        };
        let (t, s) = (f64::tanh(x0), 1.0 - f64::tanh(x0).powi(2));
        // y' = 3x²t + x³s, y'' = 6xt + 6x²s − 2x³ts (with s = 1 − t²).
        let first = 3.0 * x0 * x0 * t + x0.powi(3) * s;
        let second = 6.0 * x0 * t + 6.0 * x0 * x0 * s - 2.0 * x0.powi(3) * t * s;
        assert!((dy.item() - first).abs() < 1e-12, "y' at {x0}");
        assert!((d2y.item() - second).abs() < 1e-12, "y'' at {x0}");
    }
}

/// PyTorch's rules for what `torch.autograd.grad` is asked about: an
/// unused tensor is an error unless `materialize_grads` gives it zeros, a
/// tensor behind a flat step (floor) gets zeros, and one that does not
/// require grad is an error.
#[test]
fn an_unused_input_is_an_error_or_zeros_when_asked_and_nothing_is_accumulated() {
    let g = Graph::<f64>::new();
    let (x, unused) = (g.tensor([1.0, 2.0]).requires_grad(), g.scalar(3.0).requires_grad());
    let loss = (x * x).sum_all();
    let error = loss.gradients(&[x, unused]).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Invalid);
    assert!(
        error
            .to_string()
            .starts_with("The differentiated Tensor at index 1 appears to not have been used in the graph"),
        "{error}"
    );
    let options = GradOptions {
        materialize_grads: true,
        ..GradOptions::default()
    };
    let grads = loss.gradients_with(&[x, unused], options).unwrap();
    assert_eq!(
        grads[0].to_string(),
        "tensor([2., 4.], dtype=f64, grad_fn=<AddBackward0>)"
    );
    assert_eq!(grads[1].to_array(), ndarray::arr0(0.0).into_dyn());
    assert!(x.grad().is_none(), "gradients() leaves .grad alone");

    let flat = x.floor().sum_all().gradients(&[x]).unwrap();
    assert_eq!(flat[0].to_array(), ndarray::arr1(&[0.0, 0.0]).into_dyn());
    let constant = g.tensor([1.0, 2.0]);
    let error = loss.gradients(&[constant]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "One of the differentiated Tensors does not require grad"
    );
}

/// `grad_outputs`: the gradient of a non-scalar output along an upstream
/// gradient, recorded, so that it is differentiable in the upstream too.
#[test]
fn an_upstream_gradient_weights_a_non_scalar_output() {
    let g = Graph::<f64>::new();
    let x = g.tensor([1.0, 2.0, 3.0]).requires_grad();
    let v = g.tensor([1.0, 0.5, -1.0]).requires_grad();
    let y = x * x;
    let options = GradOptions {
        grad_output: Some(v),
        ..GradOptions::default()
    };
    let vjp = y.gradients_with(&[x], options).unwrap()[0];
    assert_eq!(vjp.to_array(), ndarray::arr1(&[2.0, 2.0, -6.0]).into_dyn()); // 2x·v
    let dv = vjp.sum_all().gradients(&[v]).unwrap()[0];
    assert_eq!(dv.to_array(), ndarray::arr1(&[2.0, 4.0, 6.0]).into_dyn()); // 2x
    let error = y.gradients(&[x]).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::NonScalarBackward);
    let wrong = GradOptions {
        grad_output: Some(g.tensor([1.0, 2.0])),
        ..GradOptions::default()
    };
    assert_eq!(
        y.gradients_with(&[x], wrong).unwrap_err().to_string(),
        "Mismatch in shape: grad_output has a shape of [2] and output has a shape of [3]"
    );
}

#[test]
fn an_operation_without_a_recorded_backward_is_an_error_naming_it() {
    let g = Graph::<f64>::new();
    let x = g.tensor([1.0, 3.0, 2.0]).requires_grad();
    // An operation of one's own, recorded with an array rule only.
    let doubled = g.record("DoubleBackward0", &[x], x.to_array() * 2.0, |ctx| {
        vec![ctx.gradient(0, || ctx.grad_output * 2.0)]
    });
    let error = doubled.sum_all().gradients(&[x]).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::NotRecorded);
    assert!(error.to_string().starts_with("DoubleBackward0: "), "{error}");
}

#[test]
fn jvp_is_the_directional_derivative_of_every_operation() {
    for (name, op, inputs) in operations() {
        // A tangent per input, of its shape: 1, -0.5, 0.25, ... in order.
        let tangents: Vec<ArrayD<f64>> = inputs
            .iter()
            .map(|x| {
                let mut u = x.clone();
                u.iter_mut()
                    .enumerate()
                    .for_each(|(i, v)| *v = (-0.5f64).powi(i as i32));
                u
            })
            .collect();
        let g = Graph::<f64>::new();
        let x: Vec<_> = inputs.iter().map(|a| g.tensor(a.clone()).requires_grad()).collect();
        let u: Vec<_> = tangents.iter().map(|a| g.tensor(a.clone())).collect();
        let forward = op(&x).jvp(&x, &u).unwrap().to_array();
        let at = |eps: f64| {
            let g = Graph::<f64>::new();
            let moved: Vec<_> = inputs
                .iter()
                .zip(&tangents)
                .map(|(a, u)| g.tensor(a + &(u * eps)))
                .collect();
            op(&moved).to_array()
        };
        let h = 1e-6;
        let numeric = (at(h) - at(-h)) / (2.0 * h);
        let worst = (&forward - &numeric).iter().fold(0.0f64, |m, d| m.max(d.abs()));
        assert!(worst < 1e-6, "{name}: J·u {forward} vs central difference {numeric}");
    }
}

#[test]
fn jvp_checks_its_tangents_and_inputs_and_is_zero_for_an_input_not_used() {
    let g = Graph::<f64>::new();
    let (x, z) = (g.tensor([1.0, 2.0]).requires_grad(), g.scalar(5.0).requires_grad());
    let y = x.tanh();
    let error = y.jvp(&[x], &[g.tensor([1.0, 2.0, 3.0])]).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Shape);
    assert_eq!(
        error.to_string(),
        "jvp: tangents of shapes [[3]] for inputs of shapes [[2]]"
    );
    assert_eq!(
        y.jvp(&[z], &[g.scalar(1.0)]).unwrap().to_array(),
        ndarray::arr1(&[0.0, 0.0]).into_dyn()
    );
    // An input that does not require grad is not silently given zeros.
    let plain = g.tensor([1.0, 2.0]);
    let error = plain.tanh().jvp(&[plain], &[g.tensor([1.0, 1.0])]).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Invalid);
    assert!(
        error.to_string().starts_with("jvp: input 0 does not require grad"),
        "{error}"
    );
}

/// The listed operations whose backward has no recorded form: `gradients`
/// refuses them with `NotRecorded`, naming them.
const NOT_RECORDED: &[&str] = &[];

#[test]
fn every_listed_operation_records_a_backward_that_agrees_or_is_known_not_to() {
    let mut refused = BTreeSet::new();
    for operation in listed().into_iter().filter(|o| o.differentiable) {
        for (k, sample) in operation.samples.iter().enumerate() {
            let g = Graph::<f64>::new();
            let env: HashMap<String, Tensor<'_, f64>> = sample
                .data(k as u32)
                .into_iter()
                .map(|(name, a, domain)| {
                    let t = g.tensor(a);
                    (name, if domain == Domain::Mask { t } else { t.requires_grad() })
                })
                .collect();
            let y = apply(&env, &sample.step(&operation.op)).unwrap().0;
            let l = (y * y).sum_all() + y.sum_all();
            let mut names: Vec<&String> = env.keys().filter(|n| env[*n].tracks_grad()).collect();
            names.sort();
            let wrt: Vec<_> = names.iter().map(|n| env[*n]).collect();
            let recorded = match l.gradients(&wrt) {
                Ok(recorded) => recorded,
                Err(e) => {
                    assert_eq!(e.kind(), ErrorKind::NotRecorded, "{}: {e}", operation.op);
                    refused.insert(operation.op.clone());
                    continue;
                }
            };
            l.backward().unwrap();
            for (leaf, grad) in wrt.iter().zip(&recorded) {
                let (expected, actual) = (leaf.grad_array().unwrap(), grad.to_array());
                let worst = (&expected - &actual).iter().fold(0.0f64, |m, d| m.max(d.abs()));
                assert!(worst < 1e-12, "{} sample {k}: {actual} vs {expected}", operation.op);
            }
        }
    }
    let refused: Vec<&str> = refused.iter().map(String::as_str).collect();
    assert_eq!(refused, NOT_RECORDED);
}

/// Third derivatives through the selections: y = Σ s(x)⁴ for a selection
/// s gives d³y/dx³ summed = 24x at each selected entry, 0 elsewhere.
#[test]
fn the_selections_differentiate_three_times() {
    let g = Graph::<f64>::new();
    let x = g.tensor([0.5, -1.2, 2.0]).requires_grad();
    let index = autograd::tensor::Indices::from(ndarray::arr1(&[2usize, 1]));
    let mask = g.tensor([0.0, 1.0, 1.0]);
    let selections: Vec<(&str, Tensor<'_, f64>)> = vec![
        ("slice", x.slice(ndarray::s![1..])),
        ("at", x.at(&[1]) + x.at(&[2])),
        ("index_select", x.index_select(0, &[1, 2])),
        ("gather", x.gather(0, &index)),
        ("topk", x.topk(2).0),
        ("where", autograd::tensor::where_(mask, x, 0.0)),
    ];
    for (name, selected) in selections {
        let y = if name == "at" {
            x.at(&[1]).pow(4) + x.at(&[2]).pow(4)
        } else {
            selected.pow(4).sum_all()
        };
        let first = y.gradients(&[x]).unwrap()[0];
        let second = first.sum_all().gradients(&[x]).unwrap()[0];
        let third = second.sum_all().gradients(&[x]).unwrap()[0];
        // topk(2) takes the two largest, 2.0 and 0.5; the others take 1 and 2.
        let expected = if name == "topk" {
            array![24.0 * 0.5, 0.0, 24.0 * 2.0]
        } else {
            array![0.0, 24.0 * -1.2, 24.0 * 2.0]
        };
        assert_eq!(third.to_array(), expected.into_dyn(), "{name}");
    }
}

/// Every listed operation, on each of its samples, to the third order:
/// gradcheck of a scalar of its recorded gradient (so the recorded rules
/// are right to second order) and of a scalar of its recorded second
/// derivative (third order). The samples lie away from kinks and ties.
#[test]
fn every_listed_operation_differentiates_to_the_third_order_as_gradcheck_expects() {
    let mut checked = 0;
    for operation in listed().into_iter().filter(|o| o.differentiable) {
        for (k, sample) in operation.samples.iter().enumerate() {
            let data = sample.data(k as u32);
            let step = sample.step(&operation.op);
            // The inputs gradcheck varies; a mask stays as it is.
            let varied: Vec<ArrayD<f64>> = data
                .iter()
                .filter(|(_, _, d)| *d != Domain::Mask)
                .map(|(_, a, _)| a.clone())
                .collect();
            for order in [2, 3] {
                let report = gradcheck(|p| derivative_scalar(p, &data, &step, order), &varied)
                    .unwrap_or_else(|e| panic!("{} sample {k}, order {order}: {e}", operation.op));
                assert!(report.passed(), "{} sample {k}, order {order}: {report}", operation.op);
                checked += 1;
            }
        }
    }
    assert!(checked > 100, "only {checked} checks ran");
}

/// Σ y² + Σ y of the step's output `y` for `order` 1; for each order more,
/// the sum of the previous scalar's recorded gradients in the varied
/// inputs `p` (the step's inputs but its masks, in order). Sums, not sums
/// of squares: the squares of a third derivative of 1/x near 0.2 are
/// about 10¹², too large for a central difference to check.
fn derivative_scalar<'g>(
    p: &[Tensor<'g, f64>],
    data: &[(String, ArrayD<f64>, Domain)],
    step: &common::program::Step,
    order: usize,
) -> Tensor<'g, f64> {
    let g = p[0].graph();
    // The numeric side passes plain leaves: make them variables.
    let wrt: Vec<_> = p.iter().map(|t| t.requires_grad()).collect();
    let mut next = wrt.iter();
    let env: HashMap<String, Tensor<'g, f64>> = data
        .iter()
        .map(|(name, a, domain)| {
            let t = if *domain == Domain::Mask {
                g.tensor(a.clone())
            } else {
                *next.next().expect("one tensor per varied input")
            };
            (name.clone(), t)
        })
        .collect();
    let y = apply(&env, step).unwrap().0;
    let mut scalar = (y * y).sum_all() + y.sum_all();
    for _ in 1..order {
        if !scalar.tracks_grad() {
            break;
        }
        let grads = scalar.gradients(&wrt).unwrap();
        scalar = grads.into_iter().map(|g| g.sum_all()).reduce(|a, b| a + b).unwrap();
    }
    // A constant's derivatives are 0, which gradcheck sees through a term
    // of derivative 0 in every input.
    wrt.iter().fold(scalar, |s, t| s + (*t * 0.0).sum_all())
}

//! The function transforms against closed forms, central differences and
//! each other: `jvp` and `vjp` on tensors that do not require gradients,
//! `jacobian` (reverse) beside `jacfwd` (forward), `hessian` and `hvp`.

use autograd::func::{hessian, hvp, jacfwd, jacobian, jvp, vjp};
use autograd::{ErrorKind, Graph, Tensor};
use ndarray::{ArrayD, array};

fn close(a: &ArrayD<f64>, b: &ArrayD<f64>, tolerance: f64) {
    assert_eq!(a.shape(), b.shape(), "{a} vs {b}");
    let worst = (a - b).iter().fold(0.0f64, |m, d| m.max(d.abs()));
    assert!(worst < tolerance, "{a} vs {b}: {worst}");
}

/// y = tanh(W x), a map from 3 numbers to 2.
fn layer<'g>(w: &ArrayD<f64>) -> impl Fn(Tensor<'g, f64>) -> Tensor<'g, f64> + '_ {
    move |x: Tensor<'g, f64>| x.graph().tensor(w.clone()).matmul(x).tanh()
}

fn w() -> ArrayD<f64> {
    array![[0.5, -1.0, 0.25], [1.5, 0.75, -0.5]].into_dyn()
}

/// The Jacobian by central differences, of shape out ++ in.
fn numeric_jacobian(f: impl Fn(&ArrayD<f64>) -> ArrayD<f64>, x: &ArrayD<f64>) -> ArrayD<f64> {
    let h = 1e-6;
    let out = f(x);
    let mut shape = out.shape().to_vec();
    shape.extend_from_slice(x.shape());
    let mut jac = ArrayD::zeros(shape);
    let n = x.len();
    for j in 0..n {
        let mut step = ArrayD::zeros(x.raw_dim());
        step.as_slice_mut().unwrap()[j] = h;
        let column = (f(&(x + &step)) - f(&(x - &step))) / (2.0 * h);
        for (i, value) in column.iter().enumerate() {
            jac.as_slice_mut().unwrap()[i * n + j] = *value;
        }
    }
    jac
}

#[test]
fn jvp_of_a_tensor_that_does_not_require_grad_is_not_zero() {
    let g = Graph::<f64>::new();
    let (x, u) = (g.tensor([0.3, -0.2, 0.8]), g.tensor([1.0, 0.0, -1.0]));
    let (y, ju) = jvp(|xs| xs[0].tanh(), &[x], &[u]).unwrap();
    let t = x.to_array().mapv(f64::tanh);
    close(&y.to_array(), &t, 1e-15);
    close(&ju.to_array(), &((1.0 - &t * &t) * u.to_array()), 1e-12);
    assert!(!x.tracks_grad(), "the input is left as it was");
}

#[test]
fn vjp_is_the_transposed_product_and_checks_the_cotangent() {
    let g = Graph::<f64>::new();
    let (w, x) = (w(), g.tensor([0.3, -0.2, 0.8]));
    let v = g.tensor([1.0, -2.0]);
    let (y, grads) = vjp(|xs| layer(&w)(xs[0]), &[x], v).unwrap();
    let jac = numeric_jacobian(|x| layer(&w)(Graph::new().tensor(x.clone())).to_array(), &x.to_array());
    let expected = v
        .to_array()
        .into_dimensionality::<ndarray::Ix1>()
        .unwrap()
        .dot(&jac.clone().into_dimensionality::<ndarray::Ix2>().unwrap());
    close(&grads[0].to_array(), &expected.into_dyn(), 1e-8);
    assert_eq!(y.shape(), [2]);
    let error = vjp(|xs| layer(&w)(xs[0]), &[x], g.tensor([1.0])).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::UpstreamShape);
}

#[test]
fn jacobian_in_reverse_and_forward_mode_agree_with_differences() {
    let g = Graph::<f64>::new();
    let (w, x0) = (w(), array![0.3, -0.2, 0.8].into_dyn());
    let reverse = jacobian(layer(&w), g.tensor(x0.clone())).unwrap();
    let forward = jacfwd(layer(&w), g.tensor(x0.clone())).unwrap();
    let numeric = numeric_jacobian(|x| layer(&w)(Graph::new().tensor(x.clone())).to_array(), &x0);
    assert_eq!(reverse.shape(), [2, 3]);
    close(&reverse.to_array(), &numeric, 1e-8);
    close(&forward.to_array(), &reverse.to_array(), 1e-14);
}

fn cubic<'g>(x: Tensor<'g, f64>) -> Tensor<'g, f64> {
    x.pow(3).sum_all() + (x.narrow(0, 0, 1) * x.narrow(0, 1, 1)).sum_all()
}

fn constant<'g>(x: Tensor<'g, f64>) -> Tensor<'g, f64> {
    x.graph().tensor([3.0, 4.0, 5.0])
}

#[test]
fn hessian_and_hvp_of_a_cubic_match_the_closed_form() {
    // f(x) = Σ x³ + x₀x₁: H = diag(6x) + the off-diagonal 1s of x₀x₁.
    let g = Graph::<f64>::new();
    let x = g.tensor([1.0, -2.0, 0.5]);
    let h = hessian(cubic, x).unwrap();
    let expected = array![[6.0, 1.0, 0.0], [1.0, -12.0, 0.0], [0.0, 0.0, 3.0]].into_dyn();
    close(&h.to_array(), &expected, 1e-12);

    let v = g.tensor([1.0, 1.0, 2.0]);
    let (y, hv) = hvp(|xs| cubic(xs[0]), &[x], &[v]).unwrap();
    assert_eq!(y.item(), 1.0 - 8.0 + 0.125 - 2.0);
    close(&hv[0].to_array(), &array![7.0, -11.0, 6.0].into_dyn(), 1e-12);
    let error = hvp(|xs| cubic(xs[0]), &[x], &[g.tensor([1.0])]).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Shape);
}

#[test]
fn a_constant_function_has_zero_derivatives() {
    let g = Graph::<f64>::new();
    let x = g.tensor([1.0, 2.0]);
    assert_eq!(
        jacobian(constant, x).unwrap().to_array(),
        ArrayD::zeros(ndarray::IxDyn(&[3, 2]))
    );
    assert_eq!(
        jacfwd(constant, x).unwrap().to_array(),
        ArrayD::zeros(ndarray::IxDyn(&[3, 2]))
    );
    let (_, ju) = jvp(|xs| constant(xs[0]), &[x], &[x]).unwrap();
    assert_eq!(ju.to_array(), ArrayD::zeros(ndarray::IxDyn(&[3])));
}

#[test]
fn the_results_are_recorded_and_differentiate_again() {
    // d/dx of the jvp of x ↦ x³ along 1 is 6x.
    let g = Graph::<f64>::new();
    let x = g.tensor([0.5, 2.0]).requires_grad();
    let (_, ju) = jvp(|xs| xs[0].pow(3), &[x], &[g.tensor([1.0, 1.0])]).unwrap();
    let d = ju.sum_all().gradients(&[x]).unwrap()[0];
    close(&d.to_array(), &array![3.0, 12.0].into_dyn(), 1e-12);
}

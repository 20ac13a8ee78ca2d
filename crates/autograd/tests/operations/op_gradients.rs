//! One test per operation's gradient, for both engines, and the backward
//! semantics (accumulation, zeroing, `retain_grad`, `detach`, `no_grad`).
//!
//! Every differentiable tensor operation is checked twice: by [`gradcheck`]
//! (the full Jacobian against central differences, in f64) and against an
//! exact expectation for a small case, derived by hand in the test or
//! printed by PyTorch 2.15 for the same program (marked "PyTorch:"). The
//! binary operations are also checked on broadcasting shapes, to see that
//! each gradient is summed back to its own input's shape.

use crate::common;

use std::collections::HashMap;

use autograd::gradcheck::gradcheck;
use autograd::scalar::{Tape, Value};
use autograd::tensor::{Indices, where_};
use autograd::{Graph, Tensor};
use common::operations::{Domain, listed};
use common::program::apply;
use ndarray::{ArrayD, IxDyn, array, s};
use std::ops::Neg;

// ---------------------------------------------------------------------------
// Helpers.
// ---------------------------------------------------------------------------

/// Deterministic, irregular data of `shape` in `[lo, hi)`: no two elements
/// equal (a low-discrepancy sequence), so no ties and no kinks by accident.
fn data(shape: &[usize], seed: u32, lo: f64, hi: f64) -> ArrayD<f64> {
    let n: usize = shape.iter().product();
    let values = (0..n)
        .map(|i| {
            let t = ((i as f64 + 1.0) * 0.754_877_666_246_692_7 + f64::from(seed) * 0.569_840_290_998_053_3).fract();
            lo + (hi - lo) * t
        })
        .collect();
    ArrayD::from_shape_vec(IxDyn(shape), values).unwrap()
}

/// Asserts that `f`'s gradients at `inputs` agree with finite differences.
fn assert_gradcheck<F>(f: F, inputs: &[ArrayD<f64>])
where
    F: for<'g> Fn(&[Tensor<'g, f64>]) -> Tensor<'g, f64>,
{
    let report = gradcheck(f, inputs).expect("backward runs");
    assert!(report.checked > 0, "nothing was checked");
    assert!(report.passed(), "{report}");
}

/// The gradients of `sum(f(inputs))` with respect to each input.
fn grads<F>(f: F, inputs: &[ArrayD<f64>]) -> Vec<ArrayD<f64>>
where
    F: for<'g> Fn(&[Tensor<'g, f64>]) -> Tensor<'g, f64>,
{
    let g = Graph::<f64>::new();
    let leaves: Vec<_> = inputs.iter().map(|x| g.tensor(x.clone()).requires_grad()).collect();
    f(&leaves).sum_all().backward().expect("backward runs");
    leaves
        .iter()
        .zip(inputs)
        .map(|(t, x)| t.grad_array().unwrap_or_else(|| ArrayD::zeros(x.raw_dim())))
        .collect()
}

/// Asserts equal shapes and elements equal to within a relative 1e-12.
#[track_caller]
fn assert_close(actual: &ArrayD<f64>, expected: &ArrayD<f64>) {
    assert_eq!(
        actual.shape(),
        expected.shape(),
        "shape of\n{actual}\nvs expected\n{expected}"
    );
    for (a, e) in actual.iter().zip(expected) {
        assert!(
            (a - e).abs() <= 1e-12 * (1.0 + e.abs()),
            "got\n{actual}\nexpected\n{expected}"
        );
    }
}

fn d<D: ndarray::Dimension>(a: ndarray::Array<f64, D>) -> ArrayD<f64> {
    a.into_dyn()
}

// ---------------------------------------------------------------------------
// Binary elementwise operations, with broadcasting.
// ---------------------------------------------------------------------------

type BinaryOp = for<'g> fn(Tensor<'g, f64>, Tensor<'g, f64>) -> Tensor<'g, f64>;

/// Shape pairs that broadcast: every kind of expansion on either side.
const BROADCAST_PAIRS: &[(&[usize], &[usize])] = &[
    (&[2, 3], &[2, 3]),
    (&[5, 3], &[1, 3]),
    (&[1, 3], &[5, 3]),
    (&[3], &[2, 1]),
    (&[2, 1], &[3]),
    (&[], &[4]),
    (&[4], &[]),
    (&[], &[]),
    (&[2, 3, 4], &[3, 1]),
    (&[2, 1, 4], &[3, 1]),
    (&[1], &[2, 2]),
];

/// gradcheck on every broadcasting pair, and each gradient has its input's shape.
/// The right operand is kept in [0.5, 2) so that division is safe.
fn check_binary_on_broadcast_shapes(op: BinaryOp) {
    for (k, &(sa, sb)) in BROADCAST_PAIRS.iter().enumerate() {
        let k = k as u32;
        let inputs = [data(sa, 2 * k, -2.0, 2.0), data(sb, 2 * k + 1, 0.5, 2.0)];
        let report = gradcheck(|x| op(x[0], x[1]), &inputs).unwrap();
        assert!(report.passed(), "shapes {sa:?} and {sb:?}: {report}");
        let [ga, gb] = <[_; 2]>::try_from(grads(|x| op(x[0], x[1]), &inputs)).unwrap();
        assert_eq!(
            (ga.shape(), gb.shape()),
            (sa, sb),
            "gradient shapes for {sa:?} and {sb:?}"
        );
    }
}

/// The small case of the hand derivations below: a is [2, 3], b is [3]
/// (broadcast along rows), and the loss weights the output by w.
fn hand_case() -> [ArrayD<f64>; 3] {
    [
        d(array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]),
        d(array![2.0, 4.0, 8.0]),
        d(array![[1.0, -1.0, 2.0], [0.5, 3.0, -2.0]]),
    ]
}

#[test]
fn add_gradient() {
    check_binary_on_broadcast_shapes(|a, b| a + b);
    // loss = Σ w·(a + b): da = w, db_j = Σ_i w_ij.
    let [a, b, w] = hand_case();
    let g = grads(|x| (x[0] + x[1]) * x[2].detach(), &[a, b, w.clone()]);
    assert_close(&g[0], &w);
    assert_close(&g[1], &d(array![1.5, 2.0, 0.0]));
}

#[test]
fn sub_gradient() {
    check_binary_on_broadcast_shapes(|a, b| a - b);
    // loss = Σ w·(a − b): da = w, db_j = −Σ_i w_ij.
    let [a, b, w] = hand_case();
    let g = grads(|x| (x[0] - x[1]) * x[2].detach(), &[a, b, w.clone()]);
    assert_close(&g[0], &w);
    assert_close(&g[1], &d(array![-1.5, -2.0, 0.0]));
}

#[test]
fn mul_gradient() {
    check_binary_on_broadcast_shapes(|a, b| a * b);
    // loss = Σ w·a·b: da_ij = w_ij·b_j, db_j = Σ_i w_ij·a_ij.
    let [a, b, w] = hand_case();
    let g = grads(|x| (x[0] * x[1]) * x[2].detach(), &[a, b, w]);
    assert_close(&g[0], &d(array![[2.0, -4.0, 16.0], [1.0, 12.0, -16.0]]));
    assert_close(&g[1], &d(array![1.0 + 2.0, -2.0 + 15.0, 6.0 - 12.0]));
}

#[test]
fn div_gradient() {
    check_binary_on_broadcast_shapes(|a, b| a / b);
    // loss = Σ w·a/b: da_ij = w_ij/b_j, db_j = −Σ_i w_ij·a_ij / b_j².
    let [a, b, w] = hand_case();
    let g = grads(|x| (x[0] / x[1]) * x[2].detach(), &[a, b, w]);
    assert_close(&g[0], &d(array![[0.5, -0.25, 0.25], [0.25, 0.75, -0.25]]));
    assert_close(&g[1], &d(array![-3.0 / 4.0, -13.0 / 16.0, 6.0 / 64.0]));
}

#[test]
fn scalar_and_vector_broadcast_reduce_to_a_0d_gradient() {
    // s·v with s 0-d and v of shape [4]: ds = Σ v, dv = s.
    let inputs = [d(ndarray::arr0(3.0)), d(array![1.0, 2.0, -4.0, 0.5])];
    let g = grads(|x| x[0] * x[1], &inputs);
    assert_close(&g[0], &d(ndarray::arr0(-0.5)));
    assert_close(&g[1], &d(array![3.0, 3.0, 3.0, 3.0]));
    // [3] + [2, 1] broadcasts to [2, 3]: each of a's 3 elements is used twice,
    // each of b's 2 elements three times.
    let g = grads(|x| x[0] + x[1], &[d(array![1.0, 2.0, 3.0]), d(array![[1.0], [2.0]])]);
    assert_close(&g[0], &d(array![2.0, 2.0, 2.0]));
    assert_close(&g[1], &d(array![[3.0], [3.0]]));
}

#[test]
fn plain_numbers_on_either_side() {
    // f = 3x + (2 − x) + x/4 + 1/x, so df/dx = 3 − 1 + 1/4 − 1/x².
    let x = d(array![0.5, 2.0, -1.5]);
    assert_gradcheck(
        |x| x[0] * 3.0 + (2.0 - x[0]) + x[0] / 4.0 + 1.0 / x[0],
        std::slice::from_ref(&x),
    );
    let g = grads(
        |x| x[0] * 3.0 + (2.0 - x[0]) + x[0] / 4.0 + 1.0 / x[0],
        std::slice::from_ref(&x),
    );
    assert_close(&g[0], &x.mapv(|x| 3.0 - 1.0 + 0.25 - 1.0 / (x * x)));
}

// ---------------------------------------------------------------------------
// Unary elementwise operations: the derivative formula, written here.
// ---------------------------------------------------------------------------

/// gradcheck on a [2, 3] input in [lo, hi), then the gradient of Σ f(x)
/// elementwise against `derivative`.
fn check_unary(f: for<'g> fn(Tensor<'g, f64>) -> Tensor<'g, f64>, derivative: impl Fn(f64) -> f64, lo: f64, hi: f64) {
    let x = data(&[2, 3], 7, lo, hi);
    assert_gradcheck(|t| f(t[0]), std::slice::from_ref(&x));
    let g = grads(|t| f(t[0]), std::slice::from_ref(&x));
    assert_close(&g[0], &x.mapv(derivative));
}

#[test]
fn neg_gradient() {
    check_unary(|x| -x, |_| -1.0, -2.0, 2.0);
    check_unary(|x| x.neg(), |_| -1.0, -2.0, 2.0);
}

#[test]
fn exp_gradient() {
    check_unary(|x| x.exp(), f64::exp, -2.0, 2.0);
}

#[test]
fn ln_gradient() {
    check_unary(|x| x.ln(), |x| 1.0 / x, 0.2, 3.0);
}

#[test]
fn tanh_gradient() {
    check_unary(|x| x.tanh(), |x| 1.0 - x.tanh().powi(2), -2.0, 2.0);
}

#[test]
fn sigmoid_gradient() {
    let sigma = |x: f64| 1.0 / (1.0 + (-x).exp());
    check_unary(|x| x.sigmoid(), |x| sigma(x) * (1.0 - sigma(x)), -3.0, 3.0);
}

#[test]
fn reciprocal_gradient() {
    check_unary(|x| x.reciprocal(), |x| -1.0 / (x * x), 0.3, 3.0);
    check_unary(|x| x.reciprocal(), |x| -1.0 / (x * x), -3.0, -0.3);
}

#[test]
fn relu_gradient() {
    // Away from the kink, gradcheck; at exactly 0 the gradient is 0, as PyTorch chooses.
    check_unary(|x| x.relu(), |x| if x > 0.0 { 1.0 } else { 0.0 }, -2.0, 2.0);
    let g = grads(|x| x[0].relu(), &[d(array![-1.0, 0.0, 2.0])]);
    assert_close(&g[0], &d(array![0.0, 0.0, 1.0]));
}

#[test]
#[allow(clippy::neg_multiply)] // p·xᵖ⁻¹ written once for every p, including −1
fn pow_gradient() {
    // d/dx xᵖ = p·xᵖ⁻¹, for the exponents PyTorch special-cases and others.
    macro_rules! check_pow {
        ($p:expr, $lo:expr, $hi:expr) => {
            check_unary(|x| x.pow($p), |x: f64| $p * x.powf($p - 1.0), $lo, $hi)
        };
    }
    check_pow!(2.0, -2.0, 2.0);
    check_pow!(3.0, -2.0, 2.0);
    check_pow!(1.0, -2.0, 2.0);
    check_pow!(4.0, -2.0, 2.0);
    check_pow!(-1.0, 0.3, 3.0);
    check_pow!(-2.0, 0.3, 3.0);
    check_pow!(0.5, 0.3, 3.0);
    check_pow!(-0.5, 0.3, 3.0);
    check_pow!(1.7, 0.3, 3.0);
    check_pow!(-2.5, 0.3, 3.0);
    // x⁰ = 1: the gradient is zero, even at x = 0 (PyTorch's choice).
    let g = grads(|x| x[0].pow(0.0), &[d(array![-1.0, 0.0, 2.0])]);
    assert_close(&g[0], &d(array![0.0, 0.0, 0.0]));
}

// ---------------------------------------------------------------------------
// Reductions.
// ---------------------------------------------------------------------------

#[test]
fn sum_gradient() {
    assert_gradcheck(|x| x[0].sum_all(), &[data(&[2, 3, 4], 1, -1.0, 1.0)]);
    assert_gradcheck(|x| x[0].sum_all(), &[data(&[], 1, -1.0, 1.0)]);
    // d(5·Σx)/dx = 5 everywhere.
    let g = grads(|x| x[0].sum_all() * 5.0, &[d(array![[1.0, 2.0], [3.0, 4.0]])]);
    assert_close(&g[0], &d(array![[5.0, 5.0], [5.0, 5.0]]));
}

#[test]
fn sum_axis_gradient() {
    let x = data(&[2, 3, 4], 2, -1.0, 1.0);
    for axis in 0..3 {
        for keepdim in [false, true] {
            assert_gradcheck(
                |t| t[0].try_sum(axis, keepdim).unwrap().tanh(),
                std::slice::from_ref(&x),
            );
        }
    }
    // Σ_i r_i·(Σ_j x_ij) with r = [1, 2]: row i of the gradient is r_i.
    let x = d(array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
    let g = Graph::<f64>::new();
    let t = g.tensor(x.clone()).requires_grad();
    let rows = t.sum(1, false);
    assert_eq!(rows.shape(), vec![2]);
    assert_eq!(t.sum(1, true).shape(), vec![2, 1]);
    assert_close(&rows.to_array(), &d(array![6.0, 15.0]));
    (rows * g.tensor([1.0, 2.0])).sum_all().backward().unwrap();
    assert_close(&t.grad_array().unwrap(), &d(array![[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]]));
    // keepdim: the same with r as a column.
    let gk = grads(|x| x[0].sum(1, true) * x[0].graph().tensor(array![[1.0], [2.0]]), &[x]);
    assert_close(&gk[0], &d(array![[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]]));
}

#[test]
fn mean_gradient() {
    assert_gradcheck(|x| x[0].mean_all(), &[data(&[2, 3, 4], 3, -1.0, 1.0)]);
    // d mean / dx = 1/n.
    let g = grads(|x| x[0].mean_all(), &[d(array![[1.0, 2.0], [3.0, 4.0]])]);
    assert_close(&g[0], &d(array![[0.25, 0.25], [0.25, 0.25]]));
}

#[test]
fn mean_axis_gradient() {
    let x = data(&[2, 3, 4], 4, -1.0, 1.0);
    for axis in 0..3 {
        for keepdim in [false, true] {
            assert_gradcheck(
                |t| t[0].try_mean(axis, keepdim).unwrap().exp(),
                std::slice::from_ref(&x),
            );
        }
    }
    // Σ_j c_j·mean_i(x_ij) with c = [1, 2, 3] over 2 rows: column j gets c_j/2.
    let g = grads(
        |x| x[0].mean(0, false) * x[0].graph().tensor([1.0, 2.0, 3.0]),
        &[d(array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])],
    );
    assert_close(&g[0], &d(array![[0.5, 1.0, 1.5], [0.5, 1.0, 1.5]]));
}

// ---------------------------------------------------------------------------
// Matrix products.
// ---------------------------------------------------------------------------

#[test]
fn matmul_matrix_matrix_gradient() {
    assert_gradcheck(
        |x| x[0].matmul(x[1]),
        &[data(&[3, 2], 1, -1.0, 1.0), data(&[2, 4], 2, -1.0, 1.0)],
    );
    // PyTorch: A (3×2), B (2×3), loss = ((A @ B) * W).sum(); dA = W·Bᵀ, dB = Aᵀ·W.
    let g = grads(
        |x| x[0].matmul(x[1]) * x[2].detach(),
        &[
            d(array![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]),
            d(array![[1.0, -1.0, 2.0], [0.0, 3.0, 1.0]]),
            d(array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]),
        ],
    );
    assert_close(&g[0], &d(array![[5.0, 9.0], [11.0, 21.0], [17.0, 33.0]]));
    assert_close(&g[1], &d(array![[48.0, 57.0, 66.0], [60.0, 72.0, 84.0]]));
}

#[test]
fn matmul_matrix_vector_gradient() {
    assert_gradcheck(
        |x| x[0].matmul(x[1]),
        &[data(&[3, 4], 3, -1.0, 1.0), data(&[4], 4, -1.0, 1.0)],
    );
    // PyTorch: ((M @ v) * [3, -1]).sum(): dM = u vᵀ, dv = Mᵀ u with u = [3, -1].
    let g = Graph::<f64>::new();
    let m = g.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]).requires_grad();
    let v = g.tensor([1.0, -2.0, 0.5]).requires_grad();
    let y = m.matmul(v);
    assert_eq!(y.shape(), vec![2]);
    (y * g.tensor([3.0, -1.0])).sum_all().backward().unwrap();
    assert_close(
        &m.grad_array().unwrap(),
        &d(array![[3.0, -6.0, 1.5], [-1.0, 2.0, -0.5]]),
    );
    assert_close(&v.grad_array().unwrap(), &d(array![-1.0, 1.0, 3.0]));
}

#[test]
fn matmul_vector_matrix_gradient() {
    assert_gradcheck(
        |x| x[0].matmul(x[1]),
        &[data(&[3], 5, -1.0, 1.0), data(&[3, 2], 6, -1.0, 1.0)],
    );
    // PyTorch: ((u @ M) * [1, 10, 100]).sum(): du = M c, dM = u cᵀ.
    let g = Graph::<f64>::new();
    let u = g.tensor([2.0, -1.0]).requires_grad();
    let m = g.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]).requires_grad();
    let y = u.matmul(m);
    assert_eq!(y.shape(), vec![3]);
    (y * g.tensor([1.0, 10.0, 100.0])).sum_all().backward().unwrap();
    assert_close(&u.grad_array().unwrap(), &d(array![321.0, 654.0]));
    assert_close(
        &m.grad_array().unwrap(),
        &d(array![[2.0, 20.0, 200.0], [-1.0, -10.0, -100.0]]),
    );
}

#[test]
fn matmul_vector_vector_gradient() {
    assert_gradcheck(
        |x| x[0].matmul(x[1]),
        &[data(&[4], 7, -1.0, 1.0), data(&[4], 8, -1.0, 1.0)],
    );
    // PyTorch: (a @ b * 2).backward(): da = 2b, db = 2a.
    let g = Graph::<f64>::new();
    let a = g.tensor([1.0, 2.0, 3.0]).requires_grad();
    let b = g.tensor([4.0, -5.0, 6.0]).requires_grad();
    let y = a.matmul(b);
    assert_eq!(y.shape(), Vec::<usize>::new());
    (y * 2.0).backward().unwrap();
    assert_close(&a.grad_array().unwrap(), &d(array![8.0, -10.0, 12.0]));
    assert_close(&b.grad_array().unwrap(), &d(array![2.0, 4.0, 6.0]));
}

#[test]
fn tensordot_gradient() {
    // dims = 1 is a matrix product over the last axis of a and first of b.
    assert_gradcheck(
        |x| x[0].tensordot(x[1], 1),
        &[data(&[2, 3], 1, -1.0, 1.0), data(&[3, 4], 2, -1.0, 1.0)],
    );
    assert_gradcheck(
        |x| x[0].tensordot(x[1], 1),
        &[data(&[2, 2, 3], 3, -1.0, 1.0), data(&[3, 2], 4, -1.0, 1.0)],
    );
    assert_gradcheck(
        |x| x[0].tensordot(x[1], 2),
        &[data(&[2, 3, 2], 5, -1.0, 1.0), data(&[3, 2, 2], 6, -1.0, 1.0)],
    );
    assert_gradcheck(
        |x| x[0].tensordot(x[1], 0),
        &[data(&[2], 7, -1.0, 1.0), data(&[3], 8, -1.0, 1.0)],
    );
    // dims = 1 on matrices agrees with matmul, forward and backward.
    let inputs = [data(&[3, 2], 9, -1.0, 1.0), data(&[2, 4], 10, -1.0, 1.0)];
    let by_dot = grads(|x| x[0].tensordot(x[1], 1).tanh(), &inputs);
    let by_matmul = grads(|x| x[0].matmul(x[1]).tanh(), &inputs);
    assert_close(&by_dot[0], &by_matmul[0]);
    assert_close(&by_dot[1], &by_matmul[1]);
    // PyTorch: a = arange(24).reshape(2,3,4)/10, b = arange(12).reshape(3,4)−5,
    // (tensordot(a, b, dims=2)**2).sum().backward().
    let a = ArrayD::from_shape_fn(IxDyn(&[2, 3, 4]), |i| (i[0] * 12 + i[1] * 4 + i[2]) as f64 / 10.0);
    let b = ArrayD::from_shape_fn(IxDyn(&[3, 4]), |i| (i[0] * 4 + i[1]) as f64 - 5.0);
    let g = grads(|x| x[0].tensordot(x[1], 2).pow(2.0), &[a, b]);
    let da0 = [
        -176.0, -140.8, -105.6, -70.4, -35.2, 0.0, 35.2, 70.4, 105.6, 140.8, 176.0, 211.2,
    ];
    let da1 = [
        -248.0, -198.4, -148.8, -99.2, -49.6, 0.0, 49.6, 99.2, 148.8, 198.4, 248.0, 297.6,
    ];
    let db = [
        59.52, 68.0, 76.48, 84.96, 93.44, 101.92, 110.4, 118.88, 127.36, 135.84, 144.32, 152.8,
    ];
    let expected_a = ArrayD::from_shape_vec(IxDyn(&[2, 3, 4]), [da0, da1].concat()).unwrap();
    let expected_b = ArrayD::from_shape_vec(IxDyn(&[3, 4]), db.to_vec()).unwrap();
    assert_close(&g[0], &expected_a);
    assert_close(&g[1], &expected_b);
}

// ---------------------------------------------------------------------------
// Shape operations.
// ---------------------------------------------------------------------------

#[test]
fn transpose_gradient() {
    let x = data(&[2, 3, 4], 1, -1.0, 1.0);
    assert_gradcheck(|t| t[0].transpose(0, 2), std::slice::from_ref(&x));
    assert_gradcheck(|t| t[0].transpose(1, 2).exp(), std::slice::from_ref(&x));
    assert_gradcheck(|t| t[0].transpose(1, 1), std::slice::from_ref(&x));
    // Σ w·xᵀ: the gradient is wᵀ.
    let w = d(array![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]);
    let g = grads(
        |t| t[0].transpose(0, 1) * t[1].detach(),
        &[d(ndarray::Array2::zeros((2, 3))), w.clone()],
    );
    assert_close(&g[0], &w.t().to_owned());
}

#[test]
fn t_gradient() {
    assert_gradcheck(
        |t| t[0].t().matmul(t[1]),
        &[data(&[3, 2], 1, -1.0, 1.0), data(&[3], 2, -1.0, 1.0)],
    );
    let w = d(array![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]);
    let g = grads(
        |t| t[0].t() * t[1].detach(),
        &[d(ndarray::Array2::zeros((2, 3))), w.clone()],
    );
    assert_close(&g[0], &w.t().to_owned());
    // On a vector t() is the identity, gradient included.
    let g = grads(|t| t[0].t() * 2.0, &[d(array![1.0, 2.0])]);
    assert_close(&g[0], &d(array![2.0, 2.0]));
}

#[test]
fn reshape_gradient() {
    let x = data(&[2, 3, 2], 1, -1.0, 1.0);
    assert_gradcheck(|t| t[0].reshape([3, 4]), std::slice::from_ref(&x));
    assert_gradcheck(|t| t[0].reshape([12]).tanh(), std::slice::from_ref(&x));
    assert_gradcheck(|t| t[0].reshape([1]).exp(), &[d(ndarray::arr0(0.3))]);
    // Σ w·reshape(x, [3, 2]): the gradient is w read back in row-major order.
    let w = d(array![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]);
    let g = grads(
        |t| t[0].reshape([3, 2]) * t[1].detach(),
        &[d(ndarray::Array2::zeros((2, 3))), w],
    );
    assert_close(&g[0], &d(array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]));
}

#[test]
fn slice_gradient() {
    let x = data(&[3, 4], 1, -1.0, 1.0);
    assert_gradcheck(|t| t[0].slice(s![1..3, ..;2]), std::slice::from_ref(&x));
    assert_gradcheck(|t| t[0].slice(s![.., ..;-1]).exp(), std::slice::from_ref(&x));
    assert_gradcheck(|t| t[0].slice(s![-1, 1..]), std::slice::from_ref(&x));
    // Σ of x[1:3, ::2]: ones where read, zeros elsewhere.
    let g = grads(|t| t[0].slice(s![1..3, ..;2]), std::slice::from_ref(&x));
    let expected = d(array![[0.0, 0.0, 0.0, 0.0], [1.0, 0.0, 1.0, 0.0], [1.0, 0.0, 1.0, 0.0]]);
    assert_close(&g[0], &expected);
    // A reversed row weighted by [1, 2, 3, 4] sends 4, 3, 2, 1 back.
    let g = grads(
        |t| t[0].slice(s![0, ..;-1]) * t[0].graph().tensor([1.0, 2.0, 3.0, 4.0]),
        std::slice::from_ref(&x),
    );
    assert_close(
        &g[0],
        &d(array![[4.0, 3.0, 2.0, 1.0], [0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]]),
    );
}

#[test]
fn at_gradient() {
    let x = data(&[2, 3], 1, -1.0, 1.0);
    assert_gradcheck(|t| t[0].at(&[1, 2]), std::slice::from_ref(&x));
    // x[1, 2]² + x[0, 0]·x[1, 2]: one-hot pieces that add up.
    let x = d(array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
    let g = grads(
        |t| t[0].at(&[1, 2]) * t[0].at(&[1, 2]) + t[0].at(&[0, 0]) * t[0].at(&[1, 2]),
        &[x],
    );
    assert_close(&g[0], &d(array![[6.0, 0.0, 0.0], [0.0, 0.0, 2.0 * 6.0 + 1.0]]));
}

#[test]
fn at_and_slice_with_fewer_indices_than_dimensions() {
    // PyTorch's a[0] on a [2, 3] tensor is row 0; the docs of `at` promise
    // "the element or sub-tensor at index: one index per leading dimension".
    let x = data(&[2, 3], 1, -1.0, 1.0);
    assert_gradcheck(|t| t[0].at(&[0]).tanh(), std::slice::from_ref(&x));
    assert_gradcheck(|t| t[0].slice(s![1..2]).exp(), std::slice::from_ref(&x));
    let g = grads(
        |t| t[0].at(&[1]) * t[0].graph().tensor([1.0, 2.0, 3.0]),
        std::slice::from_ref(&x),
    );
    assert_close(&g[0], &d(array![[0.0, 0.0, 0.0], [1.0, 2.0, 3.0]]));
}

#[test]
fn index_select_gradient() {
    let x = data(&[3, 4], 1, -1.0, 1.0);
    assert_gradcheck(|t| t[0].index_select(0, &[2, 0, 2, 1]), std::slice::from_ref(&x));
    assert_gradcheck(|t| t[0].index_select(1, &[3, 3]).exp(), std::slice::from_ref(&x));
    // PyTorch: x.index_select(1, [2, 0, 2]) weighted by [[1,2,3],[4,5,6]]:
    // column 2 is read twice, so its gradients add.
    let g = grads(
        |t| t[0].index_select(1, &[2, 0, 2]) * t[0].graph().tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]),
        &[d(array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])],
    );
    assert_close(&g[0], &d(array![[2.0, 0.0, 4.0], [5.0, 0.0, 10.0]]));
}

#[test]
fn gather_gradient() {
    let idx = Indices::from(array![[2usize, 0, 2], [1, 1, 0]]);
    let x = data(&[2, 3], 1, -1.0, 1.0);
    assert_gradcheck(|t| t[0].gather(1, &idx), std::slice::from_ref(&x));
    let idx0 = Indices::from(array![[1usize, 0, 1]]);
    assert_gradcheck(|t| t[0].gather(0, &idx0).tanh(), std::slice::from_ref(&x));
    // PyTorch: x.gather(1, [[2,0,2],[1,1,0]]) weighted by [[1,2,3],[4,5,6]].
    let g = grads(
        |t| t[0].gather(1, &idx) * t[0].graph().tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]),
        &[d(array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])],
    );
    assert_close(&g[0], &d(array![[2.0, 0.0, 4.0], [6.0, 9.0, 0.0]]));
}

// ---------------------------------------------------------------------------
// Steps, masks, selection.
// ---------------------------------------------------------------------------

#[test]
fn floor_ceil_round_have_zero_gradient() {
    // Away from the jumps the functions are flat, so finite differences agree.
    let x = d(array![0.3, 1.2, -0.7, 2.6]);
    assert_gradcheck(|t| t[0].floor() + t[0], std::slice::from_ref(&x));
    assert_gradcheck(|t| t[0].ceil() * t[0], std::slice::from_ref(&x));
    assert_gradcheck(|t| t[0].round().exp() * t[0], std::slice::from_ref(&x));
    // Exactly zero, including at integers and halves.
    let at_jumps = d(array![1.0, 0.5, -1.5, 2.0]);
    let ops: [for<'g> fn(Tensor<'g, f64>) -> Tensor<'g, f64>; 3] = [|x| x.floor(), |x| x.ceil(), |x| x.round()];
    for op in ops {
        let g = Graph::<f64>::new();
        let t = g.tensor(at_jumps.clone()).requires_grad();
        let y = op(t);
        assert!(y.tracks_grad(), "the result is still part of the graph, as in PyTorch");
        y.sum_all().backward().unwrap();
        assert_close(&t.grad_array().unwrap(), &d(array![0.0, 0.0, 0.0, 0.0]));
    }
}

#[test]
fn round_is_half_to_even() {
    // PyTorch: torch.round([0.5, 1.5, 2.5, -0.5, -1.5, 2.4999]).
    let g = Graph::<f64>::new();
    let r = g.tensor([0.5, 1.5, 2.5, -0.5, -1.5, 2.4999]).round().to_array();
    assert_eq!(r, d(array![0.0, 2.0, 2.0, -0.0, -2.0, 2.0]));
    assert!(r[[3]].is_sign_negative(), "−0.5 rounds to −0.");
}

#[test]
fn where_routes_the_gradient_by_the_mask() {
    let (a, b) = (data(&[2, 3], 1, -1.0, 1.0), data(&[2, 3], 2, -1.0, 1.0));
    assert_gradcheck(|t| where_(t[0].gt(0.0), t[0], t[1]), &[a.clone(), b.clone()]);
    assert_gradcheck(|t| where_(t[0].gt(t[1]), t[0].exp(), t[1] * t[1]), &[a, b]);
    // Σ w·where(c, a, b): a gets w where c holds, b gets w elsewhere.
    let g = Graph::<f64>::new();
    let a = g.tensor([1.0, 2.0, 3.0]).requires_grad();
    let b = g.tensor([10.0, 20.0, 30.0]).requires_grad();
    let c = g.tensor([1.0, 0.0, 1.0]);
    let y = where_(c, a, b);
    assert_close(&y.to_array(), &d(array![1.0, 20.0, 3.0]));
    (y * g.tensor([5.0, 6.0, 7.0])).sum_all().backward().unwrap();
    assert_close(&a.grad_array().unwrap(), &d(array![5.0, 0.0, 7.0]));
    assert_close(&b.grad_array().unwrap(), &d(array![0.0, 6.0, 0.0]));
    assert!(c.grad_array().is_none(), "the condition gets no gradient");
}

#[test]
fn where_with_broadcasting_reduces_to_each_operand_shape() {
    let (a, b) = (data(&[3], 1, -1.0, 1.0), data(&[2, 1], 2, -1.0, 1.0));
    assert_gradcheck(
        |t| {
            where_(
                t[0].graph().tensor(array![[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]]),
                t[0],
                t[1],
            )
        },
        &[a.clone(), b.clone()],
    );
    // cond [2, 3], a [3], b [2, 1]: a_j gets the count of rows where c holds
    // in column j; b_i the count of columns where it does not in row i.
    let g = grads(
        |t| {
            where_(
                t[0].graph().tensor(array![[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]]),
                t[0],
                t[1],
            )
        },
        &[a, b],
    );
    assert_close(&g[0], &d(array![1.0, 0.0, 2.0]));
    assert_close(&g[1], &d(array![[1.0], [2.0]]));
    // A plain number on one side: where(x > 0, x, 0) is relu.
    let g = grads(|t| where_(t[0].gt(0.0), t[0], 0.0), &[d(array![-1.0, 2.0, 0.5])]);
    assert_close(&g[0], &d(array![0.0, 1.0, 1.0]));
}

#[test]
fn topk_scatters_the_gradient_to_the_selected_positions() {
    let x = data(&[2, 5], 1, -1.0, 1.0);
    assert_gradcheck(|t| t[0].topk(3).0, std::slice::from_ref(&x));
    assert_gradcheck(|t| t[0].topk(5).0.exp(), std::slice::from_ref(&x));
    assert_gradcheck(|t| t[0].topk(1).0, &[data(&[4], 3, -1.0, 1.0)]);
    // PyTorch: x.topk(2) of [[0.3, -1.2, 2.0, 0.7], ...], values weighted by
    // [[1, 10], [100, 1000]]. The second row (no ties) is derived by hand:
    // its top two are 1.6 at 3 (weight 100) and 1.5 at 0 (weight 1000).
    let g = Graph::<f64>::new();
    let t = g.tensor([[0.3, -1.2, 2.0, 0.7], [1.5, 0.2, -0.1, 1.6]]).requires_grad();
    let (values, indices) = t.topk(2);
    assert_eq!(indices.as_array(), &array![[2usize, 3], [3, 0]].into_dyn());
    assert_close(&values.to_array(), &d(array![[2.0, 0.7], [1.6, 1.5]]));
    (values * g.tensor([[1.0, 10.0], [100.0, 1000.0]]))
        .sum_all()
        .backward()
        .unwrap();
    assert_close(
        &t.grad_array().unwrap(),
        &d(array![[0.0, 0.0, 1.0, 10.0], [1000.0, 0.0, 0.0, 100.0]]),
    );
}

#[test]
fn topk_ties_take_the_lower_index_first() {
    // The engine's documented rule (PyTorch's CPU kernel returns [2, 4] here).
    let g = Graph::<f64>::new();
    let x = g.tensor([1.0, 3.0, 3.0, 2.0, 3.0]).requires_grad();
    let (values, indices) = x.topk(2);
    assert_eq!(indices.to_vec(), vec![1, 2]);
    values.backward_with(g.tensor([10.0, 20.0])).unwrap();
    assert_close(&x.grad_array().unwrap(), &d(array![0.0, 10.0, 20.0, 0.0, 0.0]));
    // All three tied values, in index order; then the 2.
    x.zero_grad();
    let (values, indices) = x.topk(4);
    assert_eq!(indices.to_vec(), vec![1, 2, 4, 3]);
    values.backward_with(g.tensor([1.0, 2.0, 3.0, 4.0])).unwrap();
    assert_close(&x.grad_array().unwrap(), &d(array![0.0, 1.0, 2.0, 4.0, 3.0]));
}

#[test]
fn comparisons_have_no_gradient() {
    let g = Graph::<f64>::new();
    let x = g.tensor([-1.0, 0.5, 2.0]).requires_grad();
    let y = g.tensor([0.0, 0.5, 3.0]).requires_grad();
    type Compare = for<'g> fn(Tensor<'g, f64>, Tensor<'g, f64>) -> Tensor<'g, f64>;
    let cases: [(Compare, [f64; 3]); 6] = [
        (|a, b| a.gt(b), [0.0, 0.0, 0.0]),
        (|a, b| a.ge(b), [0.0, 1.0, 0.0]),
        (|a, b| a.lt(b), [1.0, 0.0, 1.0]),
        (|a, b| a.le(b), [1.0, 1.0, 1.0]),
        (|a, b| a.eq(b), [0.0, 1.0, 0.0]),
        (|a, b| a.ne(b), [1.0, 0.0, 1.0]),
    ];
    for (compare, expected) in cases {
        let mask = compare(x, y);
        assert!(!mask.tracks_grad(), "a mask does not require grad");
        assert!(mask.is_leaf());
        assert_eq!(mask.grad_fn(), None);
        assert_close(&mask.to_array(), &d(ndarray::arr1(&expected)));
    }
    // Multiplying by a mask: the gradient is the mask, nothing flows through it.
    let loss = (x * x.gt(0.0)).sum_all();
    loss.backward().unwrap();
    assert_close(&x.grad_array().unwrap(), &d(array![0.0, 1.0, 1.0]));
    assert_gradcheck(
        |t| t[0] * t[0].gt(0.1) + t[0].le(t[1]),
        &[data(&[4], 1, -1.0, 1.0), data(&[4], 2, -1.0, 1.0)],
    );
}

// ---------------------------------------------------------------------------
// The scalar engine, against central differences computed here.
// ---------------------------------------------------------------------------

type Unary = for<'t> fn(Value<'t>) -> Value<'t>;
type Binary = for<'t> fn(Value<'t>, Value<'t>) -> Value<'t>;

fn eval1(f: Unary, x: f64) -> f64 {
    let tape = Tape::new();
    f(tape.var(x)).data()
}

fn eval2(f: Binary, x: f64, y: f64) -> f64 {
    let tape = Tape::new();
    f(tape.var(x), tape.var(y)).data()
}

#[track_caller]
fn assert_near(analytic: f64, numeric: f64, what: &str) {
    // PyTorch's gradcheck tolerances.
    assert!(
        (analytic - numeric).abs() <= 1e-5 + 1e-3 * numeric.abs(),
        "{what}: autograd {analytic}, numeric {numeric}"
    );
}

const H: f64 = 1e-6;

fn check_scalar_unary(name: &str, f: Unary, points: &[f64]) {
    for &x in points {
        let tape = Tape::new();
        let v = tape.var(x);
        f(v).backward();
        let numeric = (eval1(f, x + H) - eval1(f, x - H)) / (2.0 * H);
        assert_near(v.grad(), numeric, &format!("{name} at {x}"));
    }
}

fn check_scalar_binary(name: &str, f: Binary, points: &[(f64, f64)]) {
    for &(x, y) in points {
        let tape = Tape::new();
        let (a, b) = (tape.var(x), tape.var(y));
        f(a, b).backward();
        let dx = (eval2(f, x + H, y) - eval2(f, x - H, y)) / (2.0 * H);
        let dy = (eval2(f, x, y + H) - eval2(f, x, y - H)) / (2.0 * H);
        assert_near(a.grad(), dx, &format!("d{name}/dx at ({x}, {y})"));
        assert_near(b.grad(), dy, &format!("d{name}/dy at ({x}, {y})"));
    }
}

const POINTS: &[f64] = &[-2.3, -0.7, 0.4, 1.1, 2.9];
const POSITIVE: &[f64] = &[0.2, 0.9, 1.7, 3.4];
const PAIRS: &[(f64, f64)] = &[(1.5, -0.4), (-2.0, 3.0), (0.3, 0.7), (-1.1, -2.2)];

#[test]
#[allow(clippy::op_ref)] // operators on references are part of what is tested
fn scalar_add_sub_mul_div_gradients() {
    check_scalar_binary("add", |a, b| a + b, PAIRS);
    check_scalar_binary("sub", |a, b| a - b, PAIRS);
    check_scalar_binary("mul", |a, b| a * b, PAIRS);
    check_scalar_binary("div", |a, b| a / b, PAIRS);
    check_scalar_binary("mixed", |a, b| (&a * &b - 3.0 * a) / (b * b + 1.0) + 2.0 / a, PAIRS);
    // Exact: d(a/b)/db = −a/b² at (3, 2).
    let tape = Tape::new();
    let (a, b) = (tape.var(3.0), tape.var(2.0));
    (a / b).backward();
    assert_eq!((a.grad(), b.grad()), (0.5, -0.75));
}

#[test]
fn scalar_neg_gradient() {
    check_scalar_unary("neg", |x| -x, POINTS);
    check_scalar_unary("neg ref", |x| -&x * 2.0, POINTS);
}

#[test]
fn scalar_powi_gradient() {
    macro_rules! check_powi {
        ($($n:expr),*) => {$(
            check_scalar_unary(concat!("powi(", stringify!($n), ")"), |x| x.powi($n), POINTS);
        )*};
    }
    check_powi!(-3, -1, 0, 1, 2, 3, 5);
    // Exact: d(x³)/dx = 3x² = 12 at 2.
    let tape = Tape::new();
    let x = tape.var(2.0);
    x.powi(3).backward();
    assert_eq!(x.grad(), 12.0);
}

#[test]
fn scalar_powf_gradient() {
    check_scalar_unary("powf(0.5)", |x| x.powf(0.5), POSITIVE);
    check_scalar_unary("powf(1.7)", |x| x.powf(1.7), POSITIVE);
    check_scalar_unary("powf(-2.5)", |x| x.powf(-2.5), POSITIVE);
    check_scalar_unary("powf(2.0)", |x| x.powf(2.0), POINTS);
    check_scalar_unary("powf(0.0)", |x| x.powf(0.0), POINTS);
}

#[test]
fn scalar_exp_ln_gradients() {
    check_scalar_unary("exp", |x| x.exp(), POINTS);
    check_scalar_unary("ln", |x| x.ln(), POSITIVE);
    check_scalar_unary("ln∘exp", |x| x.exp().ln(), POINTS);
}

#[test]
fn scalar_tanh_sigmoid_relu_gradients() {
    check_scalar_unary("tanh", |x| x.tanh(), POINTS);
    check_scalar_unary("sigmoid", |x| x.sigmoid(), POINTS);
    check_scalar_unary("relu", |x| x.relu(), POINTS);
    // At exactly 0 relu's gradient is 0.
    let tape = Tape::new();
    let x = tape.var(0.0);
    x.relu().backward();
    assert_eq!(x.grad(), 0.0);
}

#[test]
fn scalar_composite_gradient() {
    check_scalar_binary(
        "neuron",
        |w, x| (w * x + 0.5).tanh() * (x - w).sigmoid() + (w * w + 1.0).ln() - (x * 0.3).exp().relu(),
        PAIRS,
    );
}

// ---------------------------------------------------------------------------
// Backward semantics.
// ---------------------------------------------------------------------------

#[test]
fn gradients_accumulate_across_backward_calls() {
    let g = Graph::<f64>::new();
    let x = g.tensor([1.0, -2.0, 3.0]).requires_grad();
    (x * x).sum_all().backward().unwrap(); // 2x
    assert_close(&x.grad_array().unwrap(), &d(array![2.0, -4.0, 6.0]));
    (x * 3.0).sum_all().backward().unwrap(); // + 3
    assert_close(&x.grad_array().unwrap(), &d(array![5.0, -1.0, 9.0]));
}

#[test]
fn zero_grad_on_the_graph_and_on_one_tensor() {
    let g = Graph::<f64>::new();
    let x = g.tensor([1.0, 2.0]).requires_grad();
    let w = g.scalar(3.0).requires_grad();
    let loss = (x * w).sum_all();
    loss.backward().unwrap();
    assert_close(&x.grad_array().unwrap(), &d(array![3.0, 3.0]));
    assert_close(&w.grad_array().unwrap(), &d(ndarray::arr0(3.0)));
    // One tensor: only its gradient is cleared.
    x.zero_grad();
    assert!(x.grad().is_none());
    assert!(w.grad().is_some());
    loss.backward().unwrap();
    assert_close(&x.grad_array().unwrap(), &d(array![3.0, 3.0]));
    assert_close(&w.grad_array().unwrap(), &d(ndarray::arr0(6.0)));
    // The whole graph.
    g.zero_grad();
    assert!(x.grad().is_none() && w.grad().is_none());
    loss.backward().unwrap();
    assert_close(&w.grad_array().unwrap(), &d(ndarray::arr0(3.0)));
}

#[test]
fn retain_grad_keeps_a_non_leaf_gradient() {
    let g = Graph::<f64>::new();
    let x = g.tensor([1.0, 2.0]).requires_grad();
    let h = (x * 2.0).retain_grad();
    let plain = x * 5.0;
    let loss = (h * h).sum_all() + plain.sum_all();
    loss.backward().unwrap();
    // d(Σh²)/dh = 2h = 4x.
    assert_close(&h.grad_array().unwrap(), &d(array![4.0, 8.0]));
    assert!(
        plain.grad().is_none(),
        "a non-leaf without retain_grad keeps no gradient"
    );
    assert!(loss.grad().is_none(), "not even the root");
    // x: 2·2h + 5 = 8x + 5.
    assert_close(&x.grad_array().unwrap(), &d(array![13.0, 21.0]));
    assert!(!h.is_leaf() && x.is_leaf());
}

#[test]
fn detach_stops_the_gradient() {
    let g = Graph::<f64>::new();
    let x = g.tensor([1.0, 2.0, 3.0]).requires_grad();
    let frozen = (x * x).detach();
    assert!(!frozen.tracks_grad() && frozen.is_leaf() && frozen.grad_fn().is_none());
    assert_close(&frozen.to_array(), &d(array![1.0, 4.0, 9.0]));
    // Σ x·stop(x²): the gradient is x², not 3x².
    (x * frozen).sum_all().backward().unwrap();
    assert_close(&x.grad_array().unwrap(), &d(array![1.0, 4.0, 9.0]));
    assert!(frozen.grad().is_none());
}

#[test]
fn no_grad_scope_records_nothing() {
    let g = Graph::<f64>::new();
    let x = g.tensor([1.0, 2.0]).requires_grad();
    assert!(g.is_grad_enabled());
    let y = g.no_grad(|| {
        assert!(!g.is_grad_enabled());
        (x * 2.0).exp()
    });
    assert!(g.is_grad_enabled(), "recording resumes after the scope");
    assert!(!y.tracks_grad() && y.is_leaf() && y.grad_fn().is_none());
    let err = y.sum_all().backward().unwrap_err();
    assert_eq!(err.kind(), autograd::ErrorKind::NoGrad);
    // Used afterwards, y is a constant: d Σ x·y / dx = y.
    (x * y).sum_all().backward().unwrap();
    assert_close(&x.grad_array().unwrap(), &d(array![2f64.exp(), 4f64.exp()]));
    // Nested scopes restore the outer state.
    g.no_grad(|| {
        g.no_grad(|| ());
        assert!(!g.is_grad_enabled());
    });
    assert!(g.is_grad_enabled());
}

#[test]
fn backward_twice_on_one_graph_accumulates() {
    // A documented difference from PyTorch, which refuses a second backward
    // through the same graph unless retain_graph=True: here it is allowed,
    // and the gradients add up like two calls with retain_graph=True.
    let g = Graph::<f64>::new();
    let x = g.tensor([1.0, 2.0]).requires_grad();
    let h = (x * x).retain_grad();
    let loss = (h * 3.0).sum_all();
    loss.backward().unwrap();
    loss.backward().unwrap();
    assert_close(&x.grad_array().unwrap(), &d(array![12.0, 24.0])); // 2 × 6x
    assert_close(&h.grad_array().unwrap(), &d(array![6.0, 6.0])); // 2 × 3
}

#[test]
fn changing_an_array_a_leaf_shares_leaves_the_graph_alone() {
    // PyTorch's version-counter error has no counterpart: tensors have no
    // in-place operations, and the array a leaf shares is copy-on-write, so
    // the gradient is computed from the values the forward pass saw.
    let mut w = array![0.5, -1.0, 2.0].into_dyn().into_shared();
    let g = Graph::<f64>::new();
    let x = g.tensor(&w).requires_grad();
    assert_eq!(x.value().as_ptr(), w.as_ptr(), "the leaf shares the array");
    let y = (x * x).sum_all();
    w *= 10.0;
    y.backward().unwrap();
    assert_close(&w.to_owned(), &d(array![5.0, -10.0, 20.0]));
    assert_close(&x.to_array(), &d(array![0.5, -1.0, 2.0]));
    assert_close(&x.grad_array().unwrap(), &d(array![1.0, -2.0, 4.0]));
}

#[test]
fn a_tensor_used_on_several_paths_gets_the_sum() {
    let g = Graph::<f64>::new();
    let a = g.scalar(3.0).requires_grad();
    let b = a + a;
    let c = b * b; // 4a², dc/da = 8a
    c.backward().unwrap();
    assert_close(&a.grad_array().unwrap(), &d(ndarray::arr0(24.0)));
}

#[test]
fn inputs_that_do_not_require_grad_get_none() {
    let g = Graph::<f64>::new();
    let x = g.tensor([1.0, 2.0]).requires_grad();
    let c = g.tensor([3.0, 4.0]);
    (x * c).sum_all().backward().unwrap();
    assert!(c.grad().is_none());
    assert!(!c.tracks_grad());
    assert_close(&x.grad_array().unwrap(), &d(array![3.0, 4.0]));
}

#[test]
fn f32_graphs_work_too() {
    let g = Graph::<f32>::new();
    let x = g.tensor([0.5f32, -1.0, 2.0]).requires_grad();
    let w = g.tensor([[1.0f32, 2.0, 3.0], [-1.0, 0.5, 0.25]]).requires_grad();
    let y = w.matmul(x.tanh()).sigmoid().sum_all();
    y.backward().unwrap();
    // Hand derivation, in f64: y = Σ_i σ(z_i), z = W·tanh(x);
    // dW_ij = σ'(z_i)·tanh(x_j), dx_j = Σ_i σ'(z_i)·W_ij·(1 − tanh² x_j).
    let xs = [0.5f64, -1.0, 2.0];
    let ws = [[1.0f64, 2.0, 3.0], [-1.0, 0.5, 0.25]];
    let t: Vec<f64> = xs.iter().map(|x| x.tanh()).collect();
    let z: Vec<f64> = ws
        .iter()
        .map(|row| row.iter().zip(&t).map(|(w, t)| w * t).sum())
        .collect();
    let ds: Vec<f64> = z
        .iter()
        .map(|z| {
            let s = 1.0 / (1.0 + (-z).exp());
            s * (1.0 - s)
        })
        .collect();
    let dw = w.grad_array().unwrap();
    let dx = x.grad_array().unwrap();
    for i in 0..2 {
        for j in 0..3 {
            let expected = ds[i] * t[j];
            assert!(
                (f64::from(dw[[i, j]]) - expected).abs() < 1e-6,
                "dW[{i},{j}] = {} vs {expected}",
                dw[[i, j]]
            );
        }
    }
    for j in 0..3 {
        let expected: f64 = (0..2).map(|i| ds[i] * ws[i][j] * (1.0 - t[j] * t[j])).sum();
        assert!(
            (f64::from(dx[[j]]) - expected).abs() < 1e-6,
            "dx[{j}] = {} vs {expected}",
            dx[[j]]
        );
    }
    assert!(!y.to_string().contains("dtype"), "f32 is the default dtype");
}

// ---------------------------------------------------------------------------
// Copies the engine avoids: shared leaves, pass-through gradients, take_grad.
// ---------------------------------------------------------------------------

#[test]
fn a_shared_array_becomes_a_leaf_without_a_copy() {
    let weights = ndarray::ArcArray::from(vec![1.0f64, 2.0, 3.0]).into_dyn();
    {
        let g = Graph::<f64>::new();
        let w = g.tensor(&weights).requires_grad();
        assert_eq!(
            w.value().as_ptr(),
            weights.as_ptr(),
            "the leaf shares the array's storage"
        );
        (w * w).sum_all().backward().unwrap();
        assert_close(&w.grad_array().unwrap(), &d(array![2.0, 4.0, 6.0]));
    }
    // The graph is gone, so the array is unique again: an update in place
    // does not copy it either.
    let mut weights = weights;
    assert!(weights.is_unique());
    let before = weights.as_ptr();
    weights.mapv_inplace(|w| w * 2.0);
    assert_eq!(weights.as_ptr(), before);
    // An owned array (or a reference to one) is still copied in.
    let owned = array![1.0f64, 2.0];
    let g = Graph::<f64>::new();
    assert_ne!(g.tensor(&owned).value().as_ptr(), owned.as_ptr());
}

#[test]
fn take_grad_moves_the_gradient_out_and_leaves_none() {
    let g = Graph::<f64>::new();
    let x = g.tensor([1.0, 5.0, 6.0]).requires_grad();
    (x * x).sum_all().backward().unwrap();
    assert_close(&x.take_grad().unwrap(), &d(array![2.0, 10.0, 12.0]));
    assert!(x.grad().is_none(), "taking the gradient zeroes it");
    assert!(x.take_grad().is_none());
    // The next backward starts from zero rather than accumulating.
    (x * x).sum_all().backward().unwrap();
    assert_close(&x.grad_array().unwrap(), &d(array![2.0, 10.0, 12.0]));
}

#[test]
fn a_passed_through_gradient_reaches_every_input_whatever_its_shape() {
    // Addition hands one input the upstream array itself and the others a
    // view; each combination of full, broadcast and repeated inputs must
    // still get the sum of its paths. loss = Σ w·(a + b + a + c).
    let g = Graph::<f64>::new();
    let a = g.tensor(data(&[2, 3], 1, -1.0, 1.0)).requires_grad();
    let b = g.tensor(data(&[3], 2, -1.0, 1.0)).requires_grad();
    let c = g.tensor(data(&[2, 1], 3, -1.0, 1.0)).requires_grad();
    let w = g.tensor(data(&[2, 3], 4, 1.0, 2.0));
    let sum = (b + a) + (a - c) + c + c;
    (sum * w).sum_all().backward().unwrap();
    let wv = w.to_array();
    assert_close(&a.grad_array().unwrap(), &(&wv * 2.0));
    assert_close(&b.grad_array().unwrap(), &wv.sum_axis(ndarray::Axis(0)));
    // c: −1 + 1 + 1 = +1 per use, summed over its broadcast axis.
    let dc = wv.sum_axis(ndarray::Axis(1)).insert_axis(ndarray::Axis(1));
    assert_close(&c.grad_array().unwrap(), &dc);
}

// ---------------------------------------------------------------------------
// The toolbox: negative and several dims, sqrt/abs/clamp, max/min,
// softmax and its kin, joining and stretching, batched matmul.
// ---------------------------------------------------------------------------

type ToolboxOp = for<'g> fn(&[Tensor<'g, f64>]) -> Tensor<'g, f64>;

#[test]
fn the_toolbox_operations_pass_gradcheck() {
    let m = || data(&[2, 3], 1, -2.0, 2.0);
    let positive = || data(&[2, 3], 2, 0.5, 3.0);
    let batch = || data(&[2, 2, 3], 3, -1.0, 1.0);
    let cases: Vec<(&str, ToolboxOp, Vec<ArrayD<f64>>)> = vec![
        ("sum_dim -1", |t| t[0].sum(-1, false), vec![m()]),
        ("sum_dim [0, 1]", |t| t[0].sum([0, 1], false), vec![m()]),
        ("mean_dim_keepdim -2", |t| t[0].mean(-2, true) * t[0], vec![m()]),
        ("pow 3", |t| t[0].pow(3), vec![m()]),
        ("sqrt", |t| t[0].sqrt(), vec![positive()]),
        ("abs", |t| t[0].abs(), vec![m()]),
        ("clamp", |t| t[0].clamp(-0.5, 0.5), vec![m()]),
        ("clamp_min", |t| t[0].clamp_min(0.1), vec![m()]),
        ("clamp_max", |t| t[0].clamp_max(0.1), vec![m()]),
        ("max", |t| t[0].max_all(), vec![m()]),
        ("min", |t| t[0].min_all(), vec![m()]),
        ("max_dim", |t| t[0].max(1, false).0, vec![m()]),
        ("min_dim_keepdim", |t| t[0].min(0, true).0, vec![m()]),
        ("softmax", |t| t[0].softmax(-1), vec![m()]),
        ("log_softmax", |t| t[0].log_softmax(0), vec![m()]),
        ("logsumexp", |t| t[0].logsumexp([0, 1], false), vec![m()]),
        ("logsumexp_keepdim", |t| t[0].logsumexp(1, true) * t[0], vec![m()]),
        ("cat", |t| autograd::cat(&[t[0], t[1]], 0), vec![m(), positive()]),
        ("stack", |t| autograd::stack(&[t[0], t[1]], -1), vec![m(), positive()]),
        ("narrow", |t| t[0].narrow(-1, 1, 2), vec![m()]),
        ("unsqueeze", |t| t[0].unsqueeze(1), vec![m()]),
        ("squeeze_dim", |t| t[0].reshape([2, 1, 3]).squeeze_dim(1), vec![m()]),
        ("expand", |t| t[0].reshape([2, 1, 3]).expand([2, 4, -1]), vec![m()]),
        (
            "batch @ matrix",
            |t| t[0].matmul(t[1]),
            vec![batch(), m().reversed_axes()],
        ),
        (
            "batch @ batch",
            |t| t[0].matmul(t[1]),
            vec![batch(), batch().permuted_axes(vec![0, 2, 1])],
        ),
        ("matrix @ batch", |t| t[0].t().matmul(t[1]), vec![m(), batch()]),
        (
            "vector @ batch",
            |t| t[0].matmul(t[1]),
            vec![data(&[2], 4, -1.0, 1.0), batch()],
        ),
        (
            "batch @ vector",
            |t| t[0].matmul(t[1]),
            vec![batch(), data(&[3], 5, -1.0, 1.0)],
        ),
    ];
    for (name, f, inputs) in cases {
        let report = gradcheck(f, &inputs).expect("backward runs");
        assert!(report.checked > 0 && report.passed(), "{name}: {report}");
    }
}

#[test]
fn ties_kinks_and_stretches_get_pytorchs_gradients() {
    // PyTorch 2.15: max() shares among ties, max(dim) picks the first,
    // abs'(0) = 0, clamp's edges get 0, expand sums back.
    let tied = array![1.0, 3.0, 3.0, 2.0].into_dyn();
    assert_eq!(
        grads(|t| t[0].max_all(), std::slice::from_ref(&tied))[0],
        array![0.0, 0.5, 0.5, 0.0].into_dyn()
    );
    assert_eq!(
        grads(|t| t[0].max(0, false).0, std::slice::from_ref(&tied))[0],
        array![0.0, 1.0, 0.0, 0.0].into_dyn()
    );
    assert_eq!(
        grads(|t| t[0].min(0, false).0, &[array![2.0, 1.0, 1.0].into_dyn()])[0],
        array![0.0, 1.0, 0.0].into_dyn()
    );
    let edges = array![-1.0, 0.0, 0.5, 1.0, 2.0].into_dyn();
    assert_eq!(
        grads(|t| t[0].abs(), std::slice::from_ref(&edges))[0],
        array![-1.0, 0.0, 1.0, 1.0, 1.0].into_dyn()
    );
    assert_eq!(
        grads(|t| t[0].clamp(0.0, 1.0), std::slice::from_ref(&edges))[0],
        array![0.0, 0.0, 1.0, 0.0, 0.0].into_dyn()
    );
    assert_eq!(
        grads(|t| t[0].clamp_min(0.0), std::slice::from_ref(&edges))[0],
        array![0.0, 0.0, 1.0, 1.0, 1.0].into_dyn()
    );
    assert_eq!(
        grads(|t| t[0].unsqueeze(1).expand([-1, 3]), &[array![1.0, 2.0].into_dyn()])[0],
        array![3.0, 3.0].into_dyn()
    );
    let g = Graph::<f64>::new();
    let nan = g.tensor([1.0, f64::NAN, 3.0, f64::NAN]);
    let (value, index) = nan.max(0, false);
    assert!(value.item().is_nan());
    assert_eq!(index.to_vec(), vec![1]);
    assert_eq!(nan.argmin_all().to_vec(), vec![1]);
    assert_eq!(g.tensor([[1.0, 3.0], [3.0, 1.0]]).argmax(1, false).to_vec(), vec![1, 0]);
}

#[test]
fn softmax_of_large_inputs_is_finite_and_sums_to_one() {
    let g = Graph::<f32>::new();
    let x = g.tensor([1000.0f32, 1001.0, 1002.0, -1e30]);
    let p = x.softmax(0).to_vec();
    assert!(p.iter().all(|v| v.is_finite()));
    assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-6);
    assert!(x.log_softmax(0).to_vec()[..3].iter().all(|v| v.is_finite()));
    assert!((x.logsumexp(0, false).item() - 1002.4076).abs() < 1e-3);
    // An infinite maximum is taken out as 0, so ∞ − ∞ never happens.
    let inf = g.tensor([f32::INFINITY, 1.0]);
    assert_eq!(inf.logsumexp(0, false).item(), f32::INFINITY);
}

#[test]
fn reading_a_gradient_twice_adds_no_node() {
    let g = Graph::<f64>::new();
    let x = g.tensor([1.0, 2.0]).requires_grad();
    (x * x).sum_all().backward().unwrap();
    let first = x.grad().unwrap();
    let after_one_read = g.len();
    for _ in 0..3 {
        assert_eq!(x.grad().unwrap().to_vec(), first.to_vec());
    }
    assert_eq!(g.len(), after_one_read);
    // A new gradient is a new tensor; the one handed out before keeps its value.
    (x * x).sum_all().backward().unwrap();
    assert_eq!(x.grad().unwrap().to_vec(), vec![4.0, 8.0]);
    assert_eq!(first.to_vec(), vec![2.0, 4.0]);
    x.zero_grad();
    assert!(x.grad().is_none());
}

// ---------------------------------------------------------------------------
// Every operation of the one list, on each of its samples.
// ---------------------------------------------------------------------------

#[test]
fn every_listed_operation_passes_gradcheck_on_its_samples() {
    let mut checked = 0;
    for operation in listed() {
        for (k, sample) in operation.samples.iter().enumerate() {
            let step = sample.step(&operation.op);
            let data = sample.data(k as u32);
            // A mask is a constant of the program, not a variable to perturb.
            let (variables, constants): (Vec<_>, Vec<_>) = data.into_iter().partition(|(_, _, d)| *d != Domain::Mask);
            let arrays: Vec<ArrayD<f64>> = variables.iter().map(|(_, a, _)| a.clone()).collect();
            let what = format!("{} sample {k}", operation.op);
            if operation.differentiable {
                let report = gradcheck(
                    |leaves| run_sample(leaves, &variables, &constants, &step, &what),
                    &arrays,
                )
                .expect("backward runs");
                assert!(report.checked > 0 && report.passed(), "{what}: {report}");
                checked += 1;
            } else {
                let g = Graph::<f64>::new();
                let leaves: Vec<_> = arrays.iter().map(|a| g.tensor(a.clone()).requires_grad()).collect();
                let out = run_sample(&leaves, &variables, &constants, &step, &what);
                assert!(!out.tracks_grad(), "{what}: has no gradient, yet its output tracks one");
            }
        }
    }
    assert!(checked >= 60, "only {checked} samples gradchecked");
}

type Named = (String, ArrayD<f64>, Domain);

/// A sample's step on `leaves` (its variables, in order) and its constants.
fn run_sample<'g>(
    leaves: &[Tensor<'g, f64>],
    variables: &[Named],
    constants: &[Named],
    step: &common::program::Step,
    what: &str,
) -> Tensor<'g, f64> {
    let graph = leaves[0].graph();
    let mut env: HashMap<String, Tensor<'g, f64>> = variables
        .iter()
        .zip(leaves)
        .map(|((name, _, _), &t)| (name.clone(), t))
        .collect();
    env.extend(
        constants
            .iter()
            .map(|(name, a, _)| (name.clone(), graph.tensor(a.clone()))),
    );
    apply(&env, step).unwrap_or_else(|e| panic!("{what}: {e}")).0
}

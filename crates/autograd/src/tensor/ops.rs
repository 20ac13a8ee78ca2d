//! Every tensor operation, each with its forward computation and its
//! backward rule side by side.
//!
//! A backward rule receives its context `ctx`, with `ctx.grad_output` =
//! d(loss)/d(output), and returns one entry per input: `ctx.gradient(k, ||
//! …)` computes input k's gradient only when that input needs one, and
//! `ctx.pass_through(k)` hands it the output's gradient unchanged. The formulas are written as PyTorch writes them
//! (same operations in the same order), so results agree with PyTorch to the
//! last bit wherever the arithmetic allows.

// ANCHOR: ops-imports
use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::fmt;
use std::ops::{Add, Div, Mul, Neg, Sub};

use ndarray::{ArrayBase, ArrayD, ArrayViewD, Axis, Data, Ix1, Ix2, IxDyn, SliceArg, SliceInfoElem, Zip};

use super::shape::broadcast_shape;
use super::{BackwardContext, DType, GradContext, Graph, InputGrad, Tensor};
use crate::element::Element;
use crate::error::{Error, ErrorKind, Result};
// ANCHOR_END: ops-imports

// ANCHOR: into-operand
/// The right-hand side of a binary operation: a tensor, or a plain number
/// (which becomes a 0-dimensional constant that broadcasts).
pub trait IntoOperand<'g, T: Element> {
    /// The operand as a tensor of `graph`.
    fn into_operand(self, graph: &'g Graph<T>) -> Tensor<'g, T>;
}

impl<'g, T: Element> IntoOperand<'g, T> for Tensor<'g, T> {
    fn into_operand(self, _: &'g Graph<T>) -> Tensor<'g, T> {
        self
    }
}

impl<'g, T: Element> IntoOperand<'g, T> for &Tensor<'g, T> {
    fn into_operand(self, _: &'g Graph<T>) -> Tensor<'g, T> {
        *self
    }
}

macro_rules! number_operand {
    ($($t:ty),*) => {$(
        impl<'g> IntoOperand<'g, $t> for $t {
            fn into_operand(self, graph: &'g Graph<$t>) -> Tensor<'g, $t> {
                graph.scalar(self)
            }
        }
    )*};
}
number_operand!(f32, f64);

/// An integer, as in PyTorch's `x * 3`: the number in the graph's float type.
impl<'g, T: Element> IntoOperand<'g, T> for i32 {
    fn into_operand(self, graph: &'g Graph<T>) -> Tensor<'g, T> {
        graph.scalar(T::of_f64(f64::from(self)))
    }
}
// ANCHOR_END: into-operand

// ANCHOR: op-errors
fn shape_error(message: String) -> Error {
    Error::new(ErrorKind::Shape, message)
}

fn range_error(message: String) -> Error {
    Error::new(ErrorKind::OutOfRange, message)
}
// ANCHOR_END: op-errors

// ANCHOR: each
/// An elementwise function as the forward of [`Tensor::unary`].
fn each<T: Element>(f: impl Fn(T) -> T) -> impl FnOnce(ArrayViewD<'_, T>) -> ArrayD<T> {
    move |values| values.mapv(f)
}
// ANCHOR_END: each

// ANCHOR: or-panic
/// Panics with the error's message, at the caller's line (every infallible
/// operation is `#[track_caller]`): the infallible operators' behaviour.
#[track_caller]
fn or_panic<V>(result: Result<V>) -> V {
    // A `match`, not `unwrap_or_else`: a closure would not pass on the
    // caller's location, and the panic would point into this file.
    match result {
        Ok(value) => value,
        Err(e) => panic!("{e}"),
    }
}
// ANCHOR_END: or-panic

// ANCHOR: zip-broadcast
/// Applies `f` elementwise over two arrays broadcast to `shape`.
fn zip_broadcast<T: Element>(
    a: ArrayViewD<'_, T>,
    b: ArrayViewD<'_, T>,
    shape: &[usize],
    f: impl Fn(T, T) -> T,
) -> ArrayD<T> {
    if a.shape() == b.shape() {
        return Zip::from(a).and(b).map_collect(|&x, &y| f(x, y));
    }
    let (a, b) = (
        a.broadcast(shape).expect("checked shape"),
        b.broadcast(shape).expect("checked shape"),
    );
    Zip::from(&a).and(&b).map_collect(|&x, &y| f(x, y))
}
// ANCHOR_END: zip-broadcast

// ANCHOR: pow-like-torch
/// `x` to the power `p`, with the exact special cases PyTorch's kernel uses
/// (so `x**2` is `x*x`, bit for bit).
fn pow_like_torch<T: Element>(x: T, p: T) -> T {
    let f = T::of_f64;
    if p == f(2.0) {
        x * x
    } else if p == f(3.0) {
        x * x * x
    } else if p == f(1.0) {
        x
    } else if p == f(0.5) {
        x.sqrt()
    } else if p == f(-0.5) {
        T::one() / x.sqrt()
    } else if p == f(-1.0) {
        T::one() / x
    } else if p == f(-2.0) {
        T::one() / (x * x)
    } else {
        x.powf(p)
    }
}
// ANCHOR_END: pow-like-torch

// ---------------------------------------------------------------------------
// Elementwise arithmetic, with broadcasting.
// ---------------------------------------------------------------------------

// ANCHOR: arithmetic
impl<'g, T: Element> Tensor<'g, T> {
    /// Combines two tensors elementwise after broadcasting them together.
    fn zip_with(self, op: &str, rhs: Self, f: impl Fn(T, T) -> T) -> Result<ArrayD<T>> {
        self.same_graph(op, rhs)?;
        let (a, b) = (self.value(), rhs.value());
        let shape = broadcast_shape(op, a.shape(), b.shape())?;
        Ok(zip_broadcast(a.view(), b.view(), &shape, f))
    }

    /// `self + rhs`.
    pub fn try_add(self, rhs: impl IntoOperand<'g, T>) -> Result<Self> {
        let rhs = rhs.into_operand(self.graph);
        let value = self.zip_with("add", rhs, |a, b| a + b)?;
        Ok(self
            .graph
            .record("AddBackward0", &[self, rhs], value, |ctx| {
                // d/da = d/db = 1: the output's gradient flows on unchanged.
                vec![ctx.pass_through(0), ctx.pass_through(1)]
            })
            .with_recorded_backward(|c| vec![c.gradient(0, || c.grad_output), c.gradient(1, || c.grad_output)]))
    }

    /// `self - rhs`.
    pub fn try_sub(self, rhs: impl IntoOperand<'g, T>) -> Result<Self> {
        let rhs = rhs.into_operand(self.graph);
        let value = self.zip_with("sub", rhs, |a, b| a - b)?;
        Ok(self
            .graph
            .record("SubBackward0", &[self, rhs], value, |ctx| {
                vec![ctx.pass_through(0), ctx.gradient(1, || ctx.grad_output.mapv(|g| -g))]
            })
            .with_recorded_backward(|c| vec![c.gradient(0, || c.grad_output), c.gradient(1, || -c.grad_output)]))
    }

    /// `self * rhs`: d/da = b, d/db = a.
    pub fn try_mul(self, rhs: impl IntoOperand<'g, T>) -> Result<Self> {
        let rhs = rhs.into_operand(self.graph);
        let value = self.zip_with("mul", rhs, |a, b| a * b)?;
        Ok(self
            .graph
            .record("MulBackward0", &[self, rhs], value, |ctx| {
                vec![
                    ctx.gradient(0, || ctx.grad_output * ctx.input(1)),
                    ctx.gradient(1, || ctx.grad_output * ctx.input(0)),
                ]
            })
            .with_recorded_backward(|c| {
                vec![
                    c.gradient(0, || c.grad_output * c.input(1)),
                    c.gradient(1, || c.grad_output * c.input(0)),
                ]
            }))
    }

    /// `self / rhs`: d/da = 1/b, d/db = −(a/b)/b.
    pub fn try_div(self, rhs: impl IntoOperand<'g, T>) -> Result<Self> {
        let rhs = rhs.into_operand(self.graph);
        let value = self.zip_with("div", rhs, |a, b| a / b)?;
        Ok(self
            .graph
            .record("DivBackward0", &[self, rhs], value, |ctx| {
                let (x, y) = (ctx.input(0), ctx.input(1));
                vec![
                    ctx.gradient(0, || ctx.grad_output / y),
                    ctx.gradient(1, || ctx.grad_output.mapv(|g| -g) * &(&(x / y) / y)),
                ]
            })
            .with_recorded_backward(|c| {
                let (x, y) = (c.input(0), c.input(1));
                vec![
                    c.gradient(0, || c.grad_output / y),
                    c.gradient(1, || -c.grad_output * (x / y / y)),
                ]
            }))
    }
    // ANCHOR_END: arithmetic

    // ANCHOR: unary
    /// Records a function of one tensor: `forward` computes its value from
    /// the input's ([`each`] lifts an elementwise function), `backward` the
    /// input's gradient.
    fn unary(
        self,
        name: &'static str,
        forward: impl FnOnce(ArrayViewD<'_, T>) -> ArrayD<T>,
        backward: impl Fn(&BackwardContext<'_, T>) -> ArrayD<T> + 'static,
    ) -> Self {
        let value = forward(self.value().view());
        self.graph
            .record(name, &[self], value, move |ctx| vec![ctx.gradient(0, || backward(ctx))])
    }

    /// Gives a function of one tensor its backward in tensor operations:
    /// `rule` maps the context to the input's gradient.
    fn recorded(self, rule: impl for<'a> Fn(&GradContext<'a, T>) -> Tensor<'a, T> + 'static) -> Self {
        self.with_recorded_backward(move |c| vec![c.gradient(0, || rule(c))])
    }
    // ANCHOR_END: unary

    // ANCHOR: pow
    /// `self` to the power `p`, elementwise: d/dx xᵖ = p·xᵖ⁻¹.
    pub fn pow(self, p: T) -> Self {
        self.unary("PowBackward0", each(move |x| pow_like_torch(x, p)), move |ctx| {
            if p == T::zero() {
                ArrayD::zeros(ctx.grad_output.raw_dim())
            } else {
                ctx.grad_output * &ctx.input(0).mapv(|x| p * pow_like_torch(x, p - T::one()))
            }
        })
        .recorded(move |c| {
            if p == T::zero() {
                c.grad_output * c.constant(T::zero())
            } else {
                c.grad_output * (c.input(0).pow(p - T::one()) * c.constant(p))
            }
        })
    }
    // ANCHOR_END: pow

    // ANCHOR: exp
    /// eˣ, elementwise; its derivative is its value.
    pub fn exp(self) -> Self {
        self.unary("ExpBackward0", each(T::exp), |ctx| ctx.grad_output * ctx.output)
            .recorded(|c| c.grad_output * c.output)
    }
    // ANCHOR_END: exp

    // ANCHOR: ln
    /// The natural logarithm, elementwise: d/dx ln x = 1/x.
    pub fn ln(self) -> Self {
        self.unary("LogBackward0", each(T::ln), |ctx| ctx.grad_output / ctx.input(0))
            .recorded(|c| c.grad_output / c.input(0))
    }
    // ANCHOR_END: ln

    // ANCHOR: tanh
    /// tanh, elementwise: d/dx tanh x = 1 − tanh² x. The value is the
    /// element type's own ([`Element::map_tanh`]: for `f32`, correctly
    /// rounded and vectorized).
    pub fn tanh(self) -> Self {
        self.unary("TanhBackward0", T::map_tanh, |ctx| {
            Zip::from(ctx.grad_output)
                .and(ctx.output)
                .map_collect(|&g, &y| g * (T::one() - y * y))
        })
        .recorded(|c| c.grad_output * (c.constant(T::one()) - c.output * c.output))
    }
    // ANCHOR_END: tanh

    // ANCHOR: sigmoid-relu
    /// The logistic function 1/(1 + e⁻ˣ), elementwise: σ' = σ(1 − σ).
    pub fn sigmoid(self) -> Self {
        self.unary(
            "SigmoidBackward0",
            each(|x: T| T::one() / (T::one() + (-x).exp())),
            |ctx| {
                Zip::from(ctx.grad_output)
                    .and(ctx.output)
                    .map_collect(|&g, &y| g * (T::one() - y) * y)
            },
        )
        .recorded(|c| c.grad_output * (c.constant(T::one()) - c.output) * c.output)
    }

    /// max(x, 0), elementwise; the gradient is 0 where the output is 0 (so 0 at x = 0).
    pub fn relu(self) -> Self {
        self.unary(
            "ReluBackward0",
            // Written so that NaN passes through, as in PyTorch.
            each(|x| if x <= T::zero() { T::zero() } else { x }),
            |ctx| {
                Zip::from(ctx.grad_output)
                    .and(ctx.output)
                    .map_collect(|&g, &y| if y <= T::zero() { T::zero() } else { g })
            },
        )
        .recorded(|c| c.grad_output * c.output.gt(c.constant(T::zero())))
    }
    // ANCHOR_END: sigmoid-relu

    // ANCHOR: reciprocal
    /// 1/x, elementwise. Its backward is −g·(1/x)², computed from the
    /// output: this is why autograd's gradient of `1/x` can differ from the
    /// hand formula `−1/x²` in the last bit.
    pub fn reciprocal(self) -> Self {
        self.unary("ReciprocalBackward0", each(|x| T::one() / x), |ctx| {
            ctx.grad_output.mapv(|g| -g) * &ctx.output.mapv(|y| y * y)
        })
        .recorded(|c| -c.grad_output * (c.output * c.output))
    }
}
// ANCHOR_END: reciprocal

// ---------------------------------------------------------------------------
// Reductions.
// ---------------------------------------------------------------------------

// ANCHOR: sum-mean
impl<'g, T: Element> Tensor<'g, T> {
    /// The sum of all elements, as a 0-dimensional tensor. Each element
    /// receives the output's gradient unchanged.
    pub fn sum(self) -> Self {
        let value = ndarray::arr0(self.value().sum()).into_dyn();
        self.graph
            .record("SumBackward0", &[self], value, |ctx| {
                vec![ctx.gradient(0, || ArrayD::from_elem(ctx.input(0).raw_dim(), ctx.grad_output.sum()))]
            })
            .recorded(|c| c.zeros_like_input(0) + c.grad_output)
    }

    /// The mean of all elements (NaN for an empty tensor, as in PyTorch).
    pub fn mean(self) -> Self {
        let value = {
            let a = self.value();
            ndarray::arr0(a.sum() / T::from_usize(a.len()).expect("length fits")).into_dyn()
        };
        self.graph
            .record("MeanBackward0", &[self], value, |ctx| {
                let n = T::from_usize(ctx.input(0).len()).expect("length fits");
                vec![ctx.gradient(0, || {
                    ArrayD::from_elem(ctx.input(0).raw_dim(), ctx.grad_output.sum() / n)
                })]
            })
            .recorded(|c| {
                let n = T::from_usize(c.input(0).numel()).expect("length fits");
                (c.zeros_like_input(0) + c.grad_output) / c.constant(n)
            })
    }
    // ANCHOR_END: sum-mean

    // ANCHOR: axis-reductions
    fn check_axis(self, op: &str, axis: usize) -> Result<()> {
        let ndim = self.ndim();
        if axis < ndim {
            Ok(())
        } else {
            Err(range_error(format!(
                "{op}: dimension out of range (the tensor has {ndim} dimensions, got axis {axis})"
            )))
        }
    }

    /// Sums along one axis; `keepdim` keeps it with size 1.
    pub fn try_sum_axis(self, axis: usize, keepdim: bool) -> Result<Self> {
        self.check_axis("sum", axis)?;
        let mut value = self.value().sum_axis(Axis(axis));
        if keepdim {
            value.insert_axis_inplace(Axis(axis));
        }
        Ok(self
            .graph
            .record("SumBackward1", &[self], value, move |ctx| {
                vec![ctx.gradient(0, || expand_along(ctx.grad_output, ctx.input(0).shape(), axis, keepdim))]
            })
            .recorded(move |c| c.zeros_like_input(0) + kept(c, axis)))
    }

    /// Sums along one axis (panics on a bad axis; see [`try_sum_axis`](Tensor::try_sum_axis)).
    #[track_caller]
    pub fn sum_axis(self, axis: usize, keepdim: bool) -> Self {
        or_panic(self.try_sum_axis(axis, keepdim))
    }

    /// Averages along one axis; `keepdim` keeps it with size 1.
    pub fn try_mean_axis(self, axis: usize, keepdim: bool) -> Result<Self> {
        self.check_axis("mean", axis)?;
        let n = T::from_usize(self.shape()[axis]).expect("length fits");
        let mut value = self.value().sum_axis(Axis(axis)).mapv(|s| s / n);
        if keepdim {
            value.insert_axis_inplace(Axis(axis));
        }
        Ok(self
            .graph
            .record("MeanBackward1", &[self], value, move |ctx| {
                vec![ctx.gradient(0, || {
                    expand_along(ctx.grad_output, ctx.input(0).shape(), axis, keepdim).mapv(|g| g / n)
                })]
            })
            .recorded(move |c| (c.zeros_like_input(0) + kept(c, axis)) / c.constant(n)))
    }

    /// Averages along one axis (panics on a bad axis).
    #[track_caller]
    pub fn mean_axis(self, axis: usize, keepdim: bool) -> Self {
        or_panic(self.try_mean_axis(axis, keepdim))
    }
}

/// The gradient of a reduction along `axis` with that axis kept (size 1),
/// ready to broadcast back over it.
fn kept<'g, T: Element>(c: &GradContext<'g, T>, axis: usize) -> Tensor<'g, T> {
    let mut shape = c.input(0).shape();
    shape[axis] = 1;
    c.grad_output.reshape(&shape)
}

/// Broadcasts a reduced gradient back over the axis it was reduced along.
fn expand_along<T: Element>(grad: &ArrayD<T>, shape: &[usize], axis: usize, keepdim: bool) -> ArrayD<T> {
    let grad = if keepdim {
        grad.view()
    } else {
        grad.view().insert_axis(Axis(axis))
    };
    grad.broadcast(shape).expect("reduced shape broadcasts back").to_owned()
}
// ANCHOR_END: axis-reductions

// ---------------------------------------------------------------------------
// Matrix products.
// ---------------------------------------------------------------------------

// ANCHOR: matmul
fn dims(shape: &[usize]) -> String {
    shape.iter().map(ToString::to_string).collect::<Vec<_>>().join("x")
}

impl<'g, T: Element> Tensor<'g, T> {
    /// The matrix product, for 1-D and 2-D operands as `torch.matmul`:
    /// matrix @ matrix, matrix @ vector, vector @ matrix, vector @ vector.
    /// d(A·B)/dA pulls back g as g·Bᵀ, and d/dB as Aᵀ·g.
    pub fn try_matmul(self, rhs: Self) -> Result<Self> {
        self.same_graph("matmul", rhs)?;
        let (a_shape, b_shape) = (self.shape(), rhs.shape());
        let mismatch = || {
            shape_error(format!(
                "matmul: mat1 and mat2 shapes cannot be multiplied ({} and {})",
                dims(&a_shape),
                dims(&b_shape)
            ))
        };
        match (a_shape.len(), b_shape.len()) {
            (2, 2) => {
                if a_shape[1] != b_shape[0] {
                    return Err(mismatch());
                }
                let value = as2(&*self.value()).dot(&as2(&*rhs.value())).into_dyn();
                Ok(self
                    .graph
                    .record("MmBackward0", &[self, rhs], value, |ctx| {
                        let (g, x, w) = (as2(ctx.grad_output), as2(ctx.input(0)), as2(ctx.input(1)));
                        vec![
                            ctx.gradient(0, || g.dot(&w.t()).into_dyn()),
                            ctx.gradient(1, || x.t().dot(&g).into_dyn()),
                        ]
                    })
                    .with_recorded_backward(|c| {
                        let (g, x, w) = (c.grad_output, c.input(0), c.input(1));
                        vec![c.gradient(0, || g.matmul(w.t())), c.gradient(1, || x.t().matmul(g))]
                    }))
            }
            (2, 1) => {
                if a_shape[1] != b_shape[0] {
                    return Err(mismatch());
                }
                let value = as2(&*self.value()).dot(&as1(&*rhs.value())).into_dyn();
                Ok(self
                    .graph
                    .record("MvBackward0", &[self, rhs], value, |ctx| {
                        let (g, m, v) = (as1(ctx.grad_output), as2(ctx.input(0)), as1(ctx.input(1)));
                        vec![
                            ctx.gradient(0, || outer(&g, &v)),
                            ctx.gradient(1, || m.t().dot(&g).into_dyn()),
                        ]
                    })
                    .with_recorded_backward(|c| {
                        let (g, m, v) = (c.grad_output, c.input(0), c.input(1));
                        vec![
                            c.gradient(0, || column(g).matmul(column(v).t())),
                            c.gradient(1, || m.t().matmul(g)),
                        ]
                    }))
            }
            (1, 2) => {
                if a_shape[0] != b_shape[0] {
                    return Err(mismatch());
                }
                let value = as1(&*self.value()).dot(&as2(&*rhs.value())).into_dyn();
                Ok(self
                    .graph
                    .record("MmBackward0", &[self, rhs], value, |ctx| {
                        let (g, v, m) = (as1(ctx.grad_output), as1(ctx.input(0)), as2(ctx.input(1)));
                        vec![
                            ctx.gradient(0, || m.dot(&g).into_dyn()),
                            ctx.gradient(1, || outer(&v, &g)),
                        ]
                    })
                    .with_recorded_backward(|c| {
                        let (g, v, m) = (c.grad_output, c.input(0), c.input(1));
                        vec![
                            c.gradient(0, || m.matmul(g)),
                            c.gradient(1, || column(v).matmul(column(g).t())),
                        ]
                    }))
            }
            (1, 1) => {
                if a_shape[0] != b_shape[0] {
                    return Err(shape_error(format!(
                        "dot: 1D tensors expected to have the same size, but got {} and {}",
                        a_shape[0], b_shape[0]
                    )));
                }
                let value = ndarray::arr0(as1(&*self.value()).dot(&as1(&*rhs.value()))).into_dyn();
                Ok(self
                    .graph
                    .record("DotBackward0", &[self, rhs], value, |ctx| {
                        let g = ctx.grad_output.sum();
                        vec![
                            ctx.gradient(0, || ctx.input(1).mapv(|y| g * y)),
                            ctx.gradient(1, || ctx.input(0).mapv(|x| g * x)),
                        ]
                    })
                    .with_recorded_backward(|c| {
                        vec![
                            c.gradient(0, || c.grad_output * c.input(1)),
                            c.gradient(1, || c.grad_output * c.input(0)),
                        ]
                    }))
            }
            _ => Err(shape_error(format!(
                "matmul: both arguments need 1 or 2 dimensions, got shapes {a_shape:?} and {b_shape:?}"
            ))),
        }
    }

    /// The matrix product (panics on shapes that do not fit).
    #[track_caller]
    pub fn matmul(self, rhs: Self) -> Self {
        or_panic(self.try_matmul(rhs))
    }
    // ANCHOR_END: matmul

    // ANCHOR: tensordot
    /// `torch.tensordot(self, rhs, dims)`: contracts the last `dims` axes of
    /// `self` with the first `dims` axes of `rhs`. Built from `reshape` and
    /// `matmul`, so its gradient comes from theirs.
    pub fn try_tensordot(self, rhs: Self, dims: usize) -> Result<Self> {
        let (a, b) = (self.shape(), rhs.shape());
        if dims > a.len() || dims > b.len() || a[a.len() - dims..] != b[..dims] {
            return Err(shape_error(format!(
                "tensordot: contracted dimensions need the same sizes, got shapes {a:?} and {b:?} with dims={dims}"
            )));
        }
        let (a_outer, contracted) = a.split_at(a.len() - dims);
        let b_outer = &b[dims..];
        let k: usize = contracted.iter().product();
        let m: usize = a_outer.iter().product();
        let n: usize = b_outer.iter().product();
        let product = self.try_reshape(&[m, k])?.try_matmul(rhs.try_reshape(&[k, n])?)?;
        product.try_reshape(&[a_outer, b_outer].concat())
    }

    /// `torch.tensordot` (panics on shapes that do not fit).
    #[track_caller]
    pub fn tensordot(self, rhs: Self, dims: usize) -> Self {
        or_panic(self.try_tensordot(rhs, dims))
    }
}

fn as2<T: Element, S: Data<Elem = T>>(a: &ArrayBase<S, IxDyn>) -> ndarray::ArrayView2<'_, T> {
    a.view().into_dimensionality::<Ix2>().expect("checked: 2-D")
}

fn as1<T: Element, S: Data<Elem = T>>(a: &ArrayBase<S, IxDyn>) -> ndarray::ArrayView1<'_, T> {
    a.view().into_dimensionality::<Ix1>().expect("checked: 1-D")
}

/// A vector as a one-column matrix.
fn column<T: Element>(t: Tensor<'_, T>) -> Tensor<'_, T> {
    t.reshape(&[t.numel(), 1])
}

/// The outer product u·vᵀ.
fn outer<T: Element>(u: &ndarray::ArrayView1<'_, T>, v: &ndarray::ArrayView1<'_, T>) -> ArrayD<T> {
    let (col, row) = (u.view().insert_axis(Axis(1)), v.view().insert_axis(Axis(0)));
    (&col * &row).into_dyn()
}
// ANCHOR_END: tensordot

// ---------------------------------------------------------------------------
// Shape: transpose and reshape.
// ---------------------------------------------------------------------------

// ANCHOR: transpose-reshape
impl<'g, T: Element> Tensor<'g, T> {
    /// Swaps two axes; the gradient is swapped back.
    pub fn try_transpose(self, axis0: usize, axis1: usize) -> Result<Self> {
        self.check_axis("transpose", axis0)?;
        self.check_axis("transpose", axis1)?;
        let mut value = self.to_array();
        value.swap_axes(axis0, axis1);
        let value = value.as_standard_layout().into_owned();
        Ok(self
            .graph
            .record("TransposeBackward0", &[self], value, move |ctx| {
                vec![ctx.gradient(0, || {
                    let mut g = ctx.grad_output.clone();
                    g.swap_axes(axis0, axis1);
                    g.as_standard_layout().into_owned()
                })]
            })
            .recorded(move |c| c.grad_output.transpose(axis0, axis1)))
    }

    /// Swaps two axes (panics on a bad axis).
    #[track_caller]
    pub fn transpose(self, axis0: usize, axis1: usize) -> Self {
        or_panic(self.try_transpose(axis0, axis1))
    }

    /// The transpose of a matrix (a 0-D or 1-D tensor is returned as is).
    #[track_caller]
    pub fn t(self) -> Self {
        if self.ndim() < 2 {
            return self;
        }
        assert!(
            self.ndim() == 2,
            "t() expects a tensor with <= 2 dimensions, but self is {}D",
            self.ndim()
        );
        self.transpose(0, 1)
    }

    /// The same elements in row-major order, in a new shape.
    pub fn try_reshape(self, shape: &[usize]) -> Result<Self> {
        let numel = self.numel();
        if shape.iter().product::<usize>() != numel {
            return Err(shape_error(format!(
                "shape {shape:?} is invalid for input of size {numel}"
            )));
        }
        let value = self.value().to_shape(IxDyn(shape)).expect("sizes checked").into_owned();
        Ok(self
            .graph
            .record("ViewBackward0", &[self], value, |ctx| {
                let shape = ctx.input(0).raw_dim();
                vec![ctx.gradient(0, || ctx.grad_output.to_shape(shape).expect("same size").into_owned())]
            })
            .recorded(|c| c.grad_output.reshape(&c.input(0).shape())))
    }

    /// A new shape for the same elements (panics if the sizes differ).
    #[track_caller]
    pub fn reshape(self, shape: &[usize]) -> Self {
        or_panic(self.try_reshape(shape))
    }
}
// ANCHOR_END: transpose-reshape

// ---------------------------------------------------------------------------
// Indexing and slicing: the gradient flows back to the positions read.
// ---------------------------------------------------------------------------

// ANCHOR: slicing
/// Checks ndarray slice arguments against `shape`, so a bad index is our
/// error rather than a panic inside ndarray.
fn check_slice(shape: &[usize], info: &[SliceInfoElem]) -> Result<()> {
    let consumed = info.iter().filter(|e| !matches!(e, SliceInfoElem::NewAxis)).count();
    if consumed > shape.len() {
        return Err(range_error(format!(
            "too many indices for tensor of dimension {}: got {consumed}",
            shape.len()
        )));
    }
    let mut axis = 0;
    for elem in info {
        let size = match elem {
            SliceInfoElem::NewAxis => continue,
            _ => shape[axis] as isize,
        };
        match *elem {
            SliceInfoElem::Index(i) => {
                if i >= size || i < -size {
                    return Err(range_error(format!(
                        "index {i} is out of bounds for dimension {axis} with size {size}"
                    )));
                }
            }
            SliceInfoElem::Slice { start, end, step } => {
                let resolve = |i: isize| if i < 0 { i + size } else { i };
                let (s, e) = (resolve(start), end.map_or(size, resolve));
                if step == 0 || s < 0 || s > size || e < 0 || e > size {
                    return Err(range_error(format!(
                        "slice {start}..{} step {step} is out of bounds for dimension {axis} with size {size}",
                        end.map_or(String::new(), |e| e.to_string())
                    )));
                }
            }
            SliceInfoElem::NewAxis => unreachable!(),
        }
        axis += 1;
    }
    Ok(())
}

impl<'g, T: Element> Tensor<'g, T> {
    /// A slice of the tensor, with ndarray's `s![]` syntax:
    /// `a.slice(s![0, 1..3])` is PyTorch's `a[0, 1:3]`.
    pub fn try_slice(self, info: impl SliceArg<IxDyn>) -> Result<Self> {
        let mut info: Vec<SliceInfoElem> = info.as_ref().to_vec();
        check_slice(&self.shape(), &info)?;
        let name = if info.iter().all(|e| matches!(e, SliceInfoElem::Index(_))) {
            "SelectBackward0"
        } else {
            "SliceBackward0"
        };
        // Dimensions left out are taken whole, as `a[0]` takes a row in PyTorch.
        let named = info.iter().filter(|e| !matches!(e, SliceInfoElem::NewAxis)).count();
        let whole = SliceInfoElem::Slice {
            start: 0,
            end: None,
            step: 1,
        };
        info.extend(std::iter::repeat_n(whole, self.ndim() - named));
        let value = self.value().slice(info.as_slice()).to_owned();
        Ok(self.graph.record(name, &[self], value, move |ctx| {
            vec![ctx.gradient(0, || {
                let mut g = ArrayD::zeros(ctx.input(0).raw_dim());
                g.slice_mut(info.as_slice()).assign(ctx.grad_output);
                g
            })]
        }))
    }

    /// A slice (panics on an out-of-range index).
    #[track_caller]
    pub fn slice(self, info: impl SliceArg<IxDyn>) -> Self {
        or_panic(self.try_slice(info))
    }

    /// The element or sub-tensor at `index` (PyTorch's `a[i, j]`): one
    /// index per leading dimension.
    pub fn try_at(self, index: &[usize]) -> Result<Self> {
        let info: Vec<SliceInfoElem> = index.iter().map(|&i| SliceInfoElem::Index(i as isize)).collect();
        self.try_slice(info.as_slice())
    }

    /// The element or sub-tensor at `index` (panics when out of range).
    #[track_caller]
    pub fn at(self, index: &[usize]) -> Self {
        or_panic(self.try_at(index))
    }

    /// The entries at `indices` along `axis` (`torch.index_select`); an
    /// index may repeat, and its gradients then add up.
    pub fn try_index_select(self, axis: usize, indices: &[usize]) -> Result<Self> {
        self.check_axis("index_select", axis)?;
        let size = self.shape()[axis];
        if let Some(&bad) = indices.iter().find(|&&i| i >= size) {
            return Err(range_error(format!(
                "index_select: index {bad} is out of range for dimension {axis} with size {size}"
            )));
        }
        let value = self.value().select(Axis(axis), indices);
        let indices = indices.to_vec();
        Ok(self.graph.record("IndexSelectBackward0", &[self], value, move |ctx| {
            vec![ctx.gradient(0, || {
                let mut g = ArrayD::zeros(ctx.input(0).raw_dim());
                for (k, &i) in indices.iter().enumerate() {
                    let mut row = g.index_axis_mut(Axis(axis), i);
                    row += &ctx.grad_output.index_axis(Axis(axis), k);
                }
                g
            })]
        }))
    }

    /// `torch.index_select` (panics when an index is out of range).
    #[track_caller]
    pub fn index_select(self, axis: usize, indices: &[usize]) -> Self {
        or_panic(self.try_index_select(axis, indices))
    }
    // ANCHOR_END: slicing

    // ANCHOR: gather
    /// `torch.gather`: `out[p] = self[p with its axis coordinate replaced by
    /// index[p]]`. The gradient is scattered back, adding up at repeats.
    pub fn try_gather(self, axis: usize, index: &Indices) -> Result<Self> {
        self.check_axis("gather", axis)?;
        let shape = self.shape();
        let index = index.as_array().clone();
        let fits = index.ndim() == shape.len()
            && index
                .shape()
                .iter()
                .zip(&shape)
                .enumerate()
                .all(|(d, (&i, &s))| d == axis || i <= s);
        if !fits {
            return Err(shape_error(format!(
                "gather: index of shape {:?} does not fit input of shape {shape:?} along axis {axis}",
                index.shape()
            )));
        }
        if let Some(&bad) = index.iter().find(|&&i| i >= shape[axis]) {
            return Err(range_error(format!(
                "gather: index {bad} is out of bounds for dimension {axis} with size {}",
                shape[axis]
            )));
        }
        let source_of = move |p: &IxDyn, i: usize| {
            let mut q = p.clone();
            q[axis] = i;
            q
        };
        let value = {
            let a = self.value();
            ArrayD::from_shape_fn(index.raw_dim(), |p| a[source_of(&p, index[&p])])
        };
        Ok(self.graph.record("GatherBackward0", &[self], value, move |ctx| {
            vec![ctx.gradient(0, || {
                let mut g = ArrayD::zeros(ctx.input(0).raw_dim());
                for (p, &i) in index.indexed_iter() {
                    g[source_of(&p, i)] += ctx.grad_output[&p];
                }
                g
            })]
        }))
    }

    /// `torch.gather` (panics on a bad index).
    #[track_caller]
    pub fn gather(self, axis: usize, index: &Indices) -> Self {
        or_panic(self.try_gather(axis, index))
    }
}
// ANCHOR_END: gather

// ---------------------------------------------------------------------------
// Steps, thresholds and selection: flat almost everywhere.
// ---------------------------------------------------------------------------

// ANCHOR: steps
impl<'g, T: Element> Tensor<'g, T> {
    /// A step function: its derivative is 0 wherever it exists, and PyTorch
    /// (and this engine) use 0 at the jumps too.
    fn step(self, name: &'static str, f: impl Fn(T) -> T) -> Self {
        self.unary(name, each(f), |ctx| ArrayD::zeros(ctx.grad_output.raw_dim()))
            .with_recorded_backward(|_| vec![None])
    }

    /// Rounds down, elementwise. Gradient: zero.
    pub fn floor(self) -> Self {
        self.step("FloorBackward0", T::floor)
    }

    /// Rounds up, elementwise. Gradient: zero.
    pub fn ceil(self) -> Self {
        self.step("CeilBackward0", T::ceil)
    }

    /// Rounds to nearest, ties to even (`0.5 → 0`, `1.5 → 2`), as `torch.round`. Gradient: zero.
    pub fn round(self) -> Self {
        self.step("RoundBackward0", T::round_half_even)
    }
    // ANCHOR_END: steps

    // ANCHOR: compare
    /// Compares elementwise, giving a mask that does not require gradients.
    fn compare(self, op: &str, rhs: impl IntoOperand<'g, T>, test: impl Fn(T, T) -> bool) -> Result<Self> {
        let rhs = rhs.into_operand(self.graph);
        let value = self.zip_with(op, rhs, |a, b| if test(a, b) { T::one() } else { T::zero() })?;
        Ok(self.graph.leaf(value.into_shared(), DType::Bool))
    }

    /// The mask `self > rhs`.
    #[track_caller]
    pub fn gt(self, rhs: impl IntoOperand<'g, T>) -> Self {
        or_panic(self.compare("gt", rhs, |a, b| a > b))
    }

    /// The mask `self >= rhs`.
    #[track_caller]
    pub fn ge(self, rhs: impl IntoOperand<'g, T>) -> Self {
        or_panic(self.compare("ge", rhs, |a, b| a >= b))
    }

    /// The mask `self < rhs`.
    #[track_caller]
    pub fn lt(self, rhs: impl IntoOperand<'g, T>) -> Self {
        or_panic(self.compare("lt", rhs, |a, b| a < b))
    }

    /// The mask `self <= rhs`.
    #[track_caller]
    pub fn le(self, rhs: impl IntoOperand<'g, T>) -> Self {
        or_panic(self.compare("le", rhs, |a, b| a <= b))
    }

    /// The mask `self == rhs`.
    #[track_caller]
    pub fn eq(self, rhs: impl IntoOperand<'g, T>) -> Self {
        or_panic(self.compare("eq", rhs, |a, b| a == b))
    }

    /// The mask `self != rhs`.
    #[track_caller]
    pub fn ne(self, rhs: impl IntoOperand<'g, T>) -> Self {
        or_panic(self.compare("ne", rhs, |a, b| a != b))
    }
}
// ANCHOR_END: compare

// ANCHOR: where
/// `torch.where(cond, a, b)`: `a` where `cond` is nonzero, else `b`, with
/// broadcasting. The gradient is routed by the same mask: `a` receives it
/// where `cond` holds, `b` elsewhere, and `cond` none.
///
/// # Panics
/// When the shapes do not broadcast together; see [`try_where`].
#[track_caller]
pub fn where_<'g, T: Element>(
    cond: Tensor<'g, T>,
    a: impl IntoOperand<'g, T>,
    b: impl IntoOperand<'g, T>,
) -> Tensor<'g, T> {
    or_panic(try_where(cond, a, b))
}

/// The fallible form of [`where_`].
pub fn try_where<'g, T: Element>(
    cond: Tensor<'g, T>,
    a: impl IntoOperand<'g, T>,
    b: impl IntoOperand<'g, T>,
) -> Result<Tensor<'g, T>> {
    let graph = cond.graph;
    let (a, b) = (a.into_operand(graph), b.into_operand(graph));
    cond.same_graph("where", a)?;
    cond.same_graph("where", b)?;
    let value = {
        let (c, x, y) = (cond.value(), a.value(), b.value());
        let shape = broadcast_shape("where", &broadcast_shape("where", c.shape(), x.shape())?, y.shape())?;
        let shape = shape.as_slice();
        let (c, x, y) = (c.broadcast(shape), x.broadcast(shape), y.broadcast(shape));
        Zip::from(c.expect("checked shape"))
            .and(x.expect("checked shape"))
            .and(y.expect("checked shape"))
            .map_collect(|&c, &x, &y| if c != T::zero() { x } else { y })
    };
    Ok(graph.record("WhereBackward0", &[cond, a, b], value, |ctx| {
        let mask = ctx.input(0);
        let route = |keep_where_true: bool| {
            let mask = mask.broadcast(ctx.grad_output.raw_dim()).expect("output shape");
            Zip::from(ctx.grad_output).and(&mask).map_collect(|&g, &c| {
                if (c != T::zero()) == keep_where_true {
                    g
                } else {
                    T::zero()
                }
            })
        };
        vec![
            InputGrad::None,
            ctx.gradient(1, || route(true)),
            ctx.gradient(2, || route(false)),
        ]
    }))
}
// ANCHOR_END: where

// ---------------------------------------------------------------------------
// Top-k: a selection, so a linear map whose gradient scatters back.
// ---------------------------------------------------------------------------

// ANCHOR: indices
/// Indices into a tensor, as returned by [`Tensor::topk`] and taken by
/// [`Tensor::gather`]; prints like a PyTorch `int64` tensor: `tensor([2, 0, 4])`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Indices(ArrayD<usize>);

impl Indices {
    /// The indices as an array.
    pub fn as_array(&self) -> &ArrayD<usize> {
        &self.0
    }

    /// The indices in row-major order.
    pub fn to_vec(&self) -> Vec<usize> {
        self.0.iter().copied().collect()
    }
}

impl<D: ndarray::Dimension> From<ndarray::Array<usize, D>> for Indices {
    fn from(a: ndarray::Array<usize, D>) -> Self {
        Indices(a.into_dyn())
    }
}

impl From<Vec<usize>> for Indices {
    fn from(v: Vec<usize>) -> Self {
        Indices(ndarray::Array1::from(v).into_dyn())
    }
}

impl fmt::Display for Indices {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::print::format_index_tensor(self.0.view()))
    }
}
// ANCHOR_END: indices

// ANCHOR: candidate
/// A candidate in the top-k scan. "Greater" means *worse*, so that the
/// max-heap keeps the worst of the current best k on top, ready to evict.
/// Best first: larger value, NaN above everything (as in PyTorch), and the
/// lower index among equals.
struct Candidate<T>(T, usize);

impl<T: Element> Candidate<T> {
    fn better_than(&self, other: &Self) -> bool {
        match (self.0.is_nan(), other.0.is_nan()) {
            (true, true) => self.1 < other.1,
            (true, false) => true,
            (false, true) => false,
            (false, false) => self.0 > other.0 || (self.0 == other.0 && self.1 < other.1),
        }
    }
}

impl<T: Element> Ord for Candidate<T> {
    fn cmp(&self, other: &Self) -> Ordering {
        if self.better_than(other) {
            Ordering::Less
        } else if other.better_than(self) {
            Ordering::Greater
        } else {
            Ordering::Equal
        }
    }
}

impl<T: Element> PartialOrd for Candidate<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<T: Element> PartialEq for Candidate<T> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl<T: Element> Eq for Candidate<T> {}

/// The positions of the `k` largest entries of `lane`, best first: one pass
/// with a heap of size k, so O(n log k).
fn top_k_positions<T: Element>(lane: ndarray::ArrayView1<'_, T>, k: usize) -> Vec<usize> {
    let mut heap = BinaryHeap::with_capacity(k + 1);
    for (i, &x) in lane.iter().enumerate() {
        if heap.len() < k {
            heap.push(Candidate(x, i));
            continue;
        }
        // Most entries lose to the worst kept one; a later index loses ties,
        // so a plain comparison rules them out before any heap work.
        let Some(worst) = heap.peek() else { break };
        if !x.is_nan() && (worst.0.is_nan() || x <= worst.0) {
            continue;
        }
        let candidate = Candidate(x, i);
        if candidate.better_than(worst) {
            heap.pop();
            heap.push(candidate);
        }
    }
    heap.into_sorted_vec().into_iter().map(|c| c.1).collect()
}
// ANCHOR_END: candidate

// ANCHOR: topk
impl<'g, T: Element> Tensor<'g, T> {
    /// The `k` largest entries along the last axis, largest first, and their
    /// indices. Equal values are taken lower index first (see the module
    /// docs for how this compares with PyTorch). The gradient of each value
    /// goes to the position it was taken from; other positions get zero.
    ///
    /// # Errors
    /// [`ErrorKind::OutOfRange`] when `k` exceeds the last axis' size or the
    /// tensor is 0-dimensional.
    pub fn try_topk(self, k: usize) -> Result<(Self, Indices)> {
        let shape = self.shape();
        let Some(&n) = shape.last() else {
            return Err(range_error(
                "topk: the tensor has no dimension to select along".to_string(),
            ));
        };
        if k > n {
            return Err(range_error(format!(
                "topk: selected index k out of range (k = {k}, but the last dimension has size {n})"
            )));
        }
        let last = Axis(shape.len() - 1);
        let mut out_shape = shape.clone();
        *out_shape.last_mut().expect("ndim >= 1") = k;
        let mut indices = ArrayD::<usize>::zeros(IxDyn(&out_shape));
        let mut values = ArrayD::<T>::zeros(IxDyn(&out_shape));
        {
            let a = self.value();
            for ((lane, mut index_lane), mut value_lane) in a
                .lanes(last)
                .into_iter()
                .zip(indices.lanes_mut(last))
                .zip(values.lanes_mut(last))
            {
                for (j, i) in top_k_positions(lane, k).into_iter().enumerate() {
                    index_lane[j] = i;
                    value_lane[j] = lane[i];
                }
            }
        }
        let kept = indices.clone();
        let values = self.graph.record("TopkBackward0", &[self], values, move |ctx| {
            vec![ctx.gradient(0, || {
                let mut g = ArrayD::zeros(ctx.input(0).raw_dim());
                for ((mut g_lane, index_lane), grad_lane) in g
                    .lanes_mut(last)
                    .into_iter()
                    .zip(kept.lanes(last))
                    .zip(ctx.grad_output.lanes(last))
                {
                    for (&i, &gi) in index_lane.iter().zip(grad_lane.iter()) {
                        g_lane[i] += gi;
                    }
                }
                g
            })]
        });
        Ok((values, Indices(indices)))
    }

    /// The `k` largest entries and their indices (panics when `k` is too large).
    #[track_caller]
    pub fn topk(self, k: usize) -> (Self, Indices) {
        or_panic(self.try_topk(k))
    }
}
// ANCHOR_END: topk

// ---------------------------------------------------------------------------
// Operator overloading: tensors, references and plain numbers.
// ---------------------------------------------------------------------------

// ANCHOR: tensor-operators
macro_rules! tensor_operator {
    ($Trait:ident, $method:ident, $try:ident) => {
        impl<'g, T: Element, R: IntoOperand<'g, T>> $Trait<R> for Tensor<'g, T> {
            type Output = Tensor<'g, T>;
            #[track_caller]
            fn $method(self, rhs: R) -> Tensor<'g, T> {
                or_panic(self.$try(rhs))
            }
        }
        impl<'g, T: Element, R: IntoOperand<'g, T>> $Trait<R> for &Tensor<'g, T> {
            type Output = Tensor<'g, T>;
            #[track_caller]
            fn $method(self, rhs: R) -> Tensor<'g, T> {
                or_panic((*self).$try(rhs))
            }
        }
    };
}

tensor_operator!(Add, add, try_add);
tensor_operator!(Sub, sub, try_sub);
tensor_operator!(Mul, mul, try_mul);
tensor_operator!(Div, div, try_div);

/// `number ∘ tensor` for each operator and element type. `c / x` is
/// computed as PyTorch computes it, `x.reciprocal() * c`.
macro_rules! number_on_the_left {
    ($($t:ty),*) => {$(
        impl<'g> Add<Tensor<'g, $t>> for $t {
            type Output = Tensor<'g, $t>;
            #[track_caller]
            fn add(self, rhs: Tensor<'g, $t>) -> Tensor<'g, $t> {
                or_panic(rhs.graph.scalar(self).try_add(rhs))
            }
        }
        impl<'g> Sub<Tensor<'g, $t>> for $t {
            type Output = Tensor<'g, $t>;
            #[track_caller]
            fn sub(self, rhs: Tensor<'g, $t>) -> Tensor<'g, $t> {
                or_panic(rhs.graph.scalar(self).try_sub(rhs))
            }
        }
        impl<'g> Mul<Tensor<'g, $t>> for $t {
            type Output = Tensor<'g, $t>;
            #[track_caller]
            fn mul(self, rhs: Tensor<'g, $t>) -> Tensor<'g, $t> {
                or_panic(rhs.graph.scalar(self).try_mul(rhs))
            }
        }
        impl<'g> Div<Tensor<'g, $t>> for $t {
            type Output = Tensor<'g, $t>;
            // PyTorch's `__rtruediv__` multiplies by the reciprocal; doing
            // the same gives the same gradient, bit for bit.
            #[allow(clippy::suspicious_arithmetic_impl)]
            #[track_caller]
            fn div(self, rhs: Tensor<'g, $t>) -> Tensor<'g, $t> {
                rhs.reciprocal() * self
            }
        }
        impl<'g> Add<&Tensor<'g, $t>> for $t {
            type Output = Tensor<'g, $t>;
            #[track_caller]
            fn add(self, rhs: &Tensor<'g, $t>) -> Tensor<'g, $t> {
                self + *rhs
            }
        }
        impl<'g> Sub<&Tensor<'g, $t>> for $t {
            type Output = Tensor<'g, $t>;
            #[track_caller]
            fn sub(self, rhs: &Tensor<'g, $t>) -> Tensor<'g, $t> {
                self - *rhs
            }
        }
        impl<'g> Mul<&Tensor<'g, $t>> for $t {
            type Output = Tensor<'g, $t>;
            #[track_caller]
            fn mul(self, rhs: &Tensor<'g, $t>) -> Tensor<'g, $t> {
                self * *rhs
            }
        }
        impl<'g> Div<&Tensor<'g, $t>> for $t {
            type Output = Tensor<'g, $t>;
            #[track_caller]
            fn div(self, rhs: &Tensor<'g, $t>) -> Tensor<'g, $t> {
                self / *rhs
            }
        }
    )*};
}
number_on_the_left!(f32, f64);

/// `integer ∘ tensor`, as `3 - x` in PyTorch: the integer as a number of
/// the graph's float type, then the same as above.
macro_rules! integer_on_the_left {
    ($($Trait:ident $method:ident),*) => {$(
        impl<'g, T: Element> $Trait<Tensor<'g, T>> for i32 {
            type Output = Tensor<'g, T>;
            #[track_caller]
            fn $method(self, rhs: Tensor<'g, T>) -> Tensor<'g, T> {
                let number = rhs.graph.scalar(T::of_f64(f64::from(self)));
                $Trait::$method(number, rhs)
            }
        }
    )*};
}
integer_on_the_left!(Add add, Sub sub, Mul mul);

/// `integer / tensor`, as PyTorch computes it: the reciprocal, times the number.
impl<'g, T: Element> Div<Tensor<'g, T>> for i32 {
    type Output = Tensor<'g, T>;
    #[allow(clippy::suspicious_arithmetic_impl)]
    #[track_caller]
    fn div(self, rhs: Tensor<'g, T>) -> Tensor<'g, T> {
        rhs.reciprocal() * self
    }
}

/// `-x`: the gradient is negated.
impl<'g, T: Element> Neg for Tensor<'g, T> {
    type Output = Tensor<'g, T>;
    fn neg(self) -> Tensor<'g, T> {
        self.unary("NegBackward0", each(|x: T| -x), |ctx| ctx.grad_output.mapv(|g| -g))
            .recorded(|c| -c.grad_output)
    }
}

impl<'g, T: Element> Neg for &Tensor<'g, T> {
    type Output = Tensor<'g, T>;
    fn neg(self) -> Tensor<'g, T> {
        -*self
    }
}
// ANCHOR_END: tensor-operators

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
use std::rc::Rc;

use ndarray::{ArrayBase, ArrayD, ArrayView1, ArrayViewD, Axis, Data, Ix1, Ix2, IxDyn, SliceArg, SliceInfoElem, Zip};

use super::dims::{self, Dim, Dims, NewShape};
use super::shape::broadcast_shape;
use super::{BackwardContext, DType, GradContext, Graph, InputGrad, Tensor};
use crate::element::Element;
use crate::error::{Error, ErrorKind, Result};
// ANCHOR_END: ops-imports

// ANCHOR: into-operand
/// The right-hand side of a binary operation: a tensor, or a plain number
/// (which becomes a 0-dimensional constant that broadcasts). A number of
/// another float type does not compile, with a message that says to write
/// it in the graph's type:
///
/// ```compile_fail
/// let g = autograd::Graph::<f64>::new();
/// let _ = g.tensor([1.0]) * 2.0f32;
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an operand of a `Graph<{T}>`: a tensor of that graph, a `{T}` or an `i32`",
    label = "expected a `Tensor<{T}>`, a `{T}` or an `i32`",
    note = "write the number as a `{T}` (a literal without a suffix, or `x as {T}`), or make the graph a `Graph::<{Self}>`"
)]
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

/// The exponent of [`Tensor::pow`]: a number of the graph's type, or an
/// integer, as in PyTorch's `x.pow(2)`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an exponent for a `Graph<{T}>`: a `{T}` or an `i32`",
    note = "write the exponent as a `{T}` (`2.0`, or `p as {T}`) or as an `i32` (`2`)"
)]
pub trait Exponent<T: Element> {
    /// The exponent in the graph's type.
    fn exponent(self) -> T;
}

impl<T: Element> Exponent<T> for T {
    fn exponent(self) -> T {
        self
    }
}

impl<T: Element> Exponent<T> for i32 {
    fn exponent(self) -> T {
        T::of_f64(f64::from(self))
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
    /// `self` to the power `p` (`2` or `2.0`), elementwise: d/dx xᵖ = p·xᵖ⁻¹.
    pub fn pow(self, p: impl Exponent<T>) -> Self {
        let p = p.exponent();
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

// ANCHOR: sqrt-abs-clamp
impl<'g, T: Element> Tensor<'g, T> {
    /// √x, elementwise: d/dx √x = 1/(2√x), computed from the output.
    pub fn sqrt(self) -> Self {
        self.unary("SqrtBackward0", each(T::sqrt), |ctx| {
            Zip::from(ctx.grad_output)
                .and(ctx.output)
                .map_collect(|&g, &y| g / (y + y))
        })
        .recorded(|c| c.grad_output / (c.output + c.output))
    }

    /// −1, 0 or 1 by the sign of each element (0 for NaN). A step:
    /// its gradient is zero everywhere.
    pub fn sign(self) -> Self {
        self.unary("SignBackward0", each(sign), |ctx| {
            ArrayD::zeros(ctx.grad_output.raw_dim())
        })
        .recorded(|c| c.grad_output * c.constant(T::zero()))
    }

    /// |x|, elementwise: its derivative is the sign of x, so 0 at x = 0.
    pub fn abs(self) -> Self {
        self.unary("AbsBackward0", each(T::abs), |ctx| {
            ctx.grad_output * &ctx.input(0).mapv(sign)
        })
        .recorded(|c| c.grad_output * c.input(0).sign())
    }

    /// Each element limited to `[min, max]` (PyTorch's `clamp`). The
    /// gradient passes strictly inside, where `min < x < max`, and is 0
    /// elsewhere: outside, where the output does not move with x, and on
    /// the edges themselves, as PyTorch 2.15 computes it.
    pub fn clamp(self, min: T, max: T) -> Self {
        self.clamped("ClampBackward1", Some(min), Some(max))
    }

    /// `clamp(min=…)`: each element at least `min` (`clamp_min(0.0)` is a ReLU).
    pub fn clamp_min(self, min: T) -> Self {
        self.clamped("ClampMinBackward0", Some(min), None)
    }

    /// `clamp(max=…)`: each element at most `max`.
    pub fn clamp_max(self, max: T) -> Self {
        self.clamped("ClampMaxBackward0", None, Some(max))
    }

    fn clamped(self, name: &'static str, min: Option<T>, max: Option<T>) -> Self {
        let inside = move |x: T| min.is_none_or(|lo| x > lo) && max.is_none_or(|hi| x < hi);
        let limit = move |x: T| {
            let x = min.map_or(x, |lo| if x < lo { lo } else { x });
            max.map_or(x, |hi| if x > hi { hi } else { x })
        };
        self.unary(name, each(limit), move |ctx| {
            Zip::from(ctx.grad_output)
                .and(ctx.input(0))
                .map_collect(|&g, &x| if inside(x) { g } else { T::zero() })
        })
        .recorded(move |c| {
            let x = c.input(0);
            let mask = x.value().mapv(|v| if inside(v) { T::one() } else { T::zero() });
            c.grad_output * x.graph().tensor(mask)
        })
    }
}

/// The sign of x as PyTorch's `sign`: −1, 0 or 1, and 0 for NaN.
fn sign<T: Element>(x: T) -> T {
    if x > T::zero() {
        T::one()
    } else if x < T::zero() {
        -T::one()
    } else {
        T::zero()
    }
}
// ANCHOR_END: sqrt-abs-clamp

// ---------------------------------------------------------------------------
// Reductions.
// ---------------------------------------------------------------------------

// ANCHOR: sum-mean
impl<'g, T: Element> Tensor<'g, T> {
    /// The sum of all elements, as a 0-dimensional tensor (PyTorch's
    /// `x.sum()`). Each element receives the output's gradient unchanged.
    pub fn sum_all(self) -> Self {
        let value = ndarray::arr0(self.value().sum()).into_dyn();
        self.graph
            .record("SumBackward0", &[self], value, |ctx| {
                vec![ctx.gradient(0, || ArrayD::from_elem(ctx.input(0).raw_dim(), ctx.grad_output.sum()))]
            })
            .recorded(|c| c.zeros_like_input(0) + c.grad_output)
    }

    /// The mean of all elements (PyTorch's `x.mean()`; NaN for an empty tensor, as in
    /// PyTorch).
    pub fn mean_all(self) -> Self {
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
    /// Dimension `dim` of this tensor, counted from the front.
    fn dim(self, op: &str, dim: impl Dim) -> Result<usize> {
        dims::resolve(op, dim, self.ndim())
    }

    /// Sums over the dimensions `dims` (one, as `-1`, or several, as
    /// `[0, 1]`); `keepdim` keeps each with size 1: PyTorch's
    /// `x.sum(dims, keepdim)`. The whole tensor's sum is [`sum_all`](Tensor::sum_all).
    pub fn try_sum(self, dims: impl Dims, keepdim: bool) -> Result<Self> {
        let axes = dims::resolve_all("sum", dims, self.ndim())?;
        let value = reduce(self.value().view(), &axes, keepdim, |lanes, axis| lanes.sum_axis(axis));
        let kept_axes = axes.clone();
        Ok(self
            .graph
            .record("SumBackward1", &[self], value, move |ctx| {
                vec![ctx.gradient(0, || spread(ctx.grad_output, ctx.input(0).shape(), &axes))]
            })
            .recorded(move |c| c.zeros_like_input(0) + kept(c, &kept_axes)))
    }

    /// `x.sum(dims, keepdim)` (panics on a bad dimension).
    #[track_caller]
    pub fn sum(self, dims: impl Dims, keepdim: bool) -> Self {
        or_panic(self.try_sum(dims, keepdim))
    }

    /// Averages over the dimensions `dims`; `keepdim` keeps each with size
    /// 1 (`x.mean(dims, keepdim)`; the whole tensor's is [`mean_all`](Tensor::mean_all)).
    pub fn try_mean(self, dims: impl Dims, keepdim: bool) -> Result<Self> {
        let axes = dims::resolve_all("mean", dims, self.ndim())?;
        let shape = self.shape();
        let n = T::from_usize(axes.iter().map(|&a| shape[a]).product()).expect("length fits");
        let value = reduce(self.value().view(), &axes, keepdim, |lanes, axis| lanes.sum_axis(axis)).mapv(|s| s / n);
        let kept_axes = axes.clone();
        Ok(self
            .graph
            .record("MeanBackward1", &[self], value, move |ctx| {
                vec![ctx.gradient(0, || {
                    spread(ctx.grad_output, ctx.input(0).shape(), &axes).mapv(|g| g / n)
                })]
            })
            .recorded(move |c| (c.zeros_like_input(0) + kept(c, &kept_axes)) / c.constant(n)))
    }

    /// `x.mean(dims, keepdim)` (panics on a bad dimension).
    #[track_caller]
    pub fn mean(self, dims: impl Dims, keepdim: bool) -> Self {
        or_panic(self.try_mean(dims, keepdim))
    }
}

/// Reduces `a` over `axes` (increasing) with `one`, which reduces one axis;
/// `keepdim` puts each back with size 1.
fn reduce<T: Element>(
    a: ArrayViewD<'_, T>,
    axes: &[usize],
    keepdim: bool,
    one: impl Fn(ArrayViewD<'_, T>, Axis) -> ArrayD<T>,
) -> ArrayD<T> {
    // From the last axis down, so the ones left keep their numbers.
    let Some((&last, rest)) = axes.split_last() else {
        return a.to_owned();
    };
    let mut value = one(a, Axis(last));
    for &axis in rest.iter().rev() {
        value = one(value.view(), Axis(axis));
    }
    if keepdim {
        for &axis in axes {
            value.insert_axis_inplace(Axis(axis));
        }
    }
    value
}

/// The shape of `shape` reduced over `axes` with each kept at size 1.
fn kept_shape(shape: &[usize], axes: &[usize]) -> Vec<usize> {
    (0..shape.len())
        .map(|d| if axes.contains(&d) { 1 } else { shape[d] })
        .collect()
}

/// A reduction's gradient, of the reduced shape, spread back over the
/// input's `shape`: each element of a reduced lane receives its lane's.
fn spread<T: Element>(grad: &ArrayD<T>, shape: &[usize], axes: &[usize]) -> ArrayD<T> {
    let kept = grad.to_shape(kept_shape(shape, axes)).expect("same element count");
    kept.broadcast(shape).expect("a kept shape broadcasts back").to_owned()
}

/// A recorded reduction's gradient (a tensor) reshaped to the kept shape,
/// ready to broadcast over the input of `c`.
fn kept<'g, T: Element>(c: &GradContext<'g, T>, axes: &[usize]) -> Tensor<'g, T> {
    c.grad_output.reshape(kept_shape(&c.input(0).shape(), axes))
}
// ANCHOR_END: axis-reductions

// ANCHOR: max-min
/// Whether `x` beats `best` for a maximum (`want` = `Greater`) or a minimum
/// (`Less`). NaN beats every number, as PyTorch's max and min propagate it;
/// an equal value does not, so among ties the first wins.
fn beats<T: Element>(x: T, best: T, want: Ordering) -> bool {
    !best.is_nan() && (x.is_nan() || x.partial_cmp(&best) == Some(want))
}

/// The position of the winner of a lane (which is not empty).
fn winner<T: Element>(lane: ArrayView1<'_, T>, want: Ordering) -> usize {
    let mut best = 0;
    for (i, &x) in lane.iter().enumerate().skip(1) {
        if beats(x, lane[best], want) {
            best = i;
        }
    }
    best
}

impl<'g, T: Element> Tensor<'g, T> {
    /// The largest element, as a 0-dimensional tensor (PyTorch's `x.max()`;
    /// NaN if there is one). Its gradient is shared evenly among the
    /// elements equal to it, as in PyTorch.
    pub fn try_max_all(self) -> Result<Self> {
        self.extreme("max", "MaxBackward1", Ordering::Greater)
    }

    /// The smallest element (PyTorch's `x.min()`); its gradient is shared evenly
    /// among ties.
    pub fn try_min_all(self) -> Result<Self> {
        self.extreme("min", "MinBackward1", Ordering::Less)
    }

    /// The largest element (panics on an empty tensor).
    #[track_caller]
    pub fn max_all(self) -> Self {
        or_panic(self.try_max_all())
    }

    /// The smallest element (panics on an empty tensor).
    #[track_caller]
    pub fn min_all(self) -> Self {
        or_panic(self.try_min_all())
    }

    fn extreme(self, op: &str, name: &'static str, want: Ordering) -> Result<Self> {
        if self.numel() == 0 {
            return Err(shape_error(format!(
                "{op}_all(): expected reduction dim to be specified for an empty tensor (use {op}(dim, keepdim))"
            )));
        }
        let (value, share) = {
            let a = self.value();
            let first = *a.iter().next().expect("not empty");
            let best = a
                .iter()
                .fold(first, |best, &x| if beats(x, best, want) { x } else { best });
            let ties = a.mapv(|x| {
                if x == best || (x.is_nan() && best.is_nan()) {
                    T::one()
                } else {
                    T::zero()
                }
            });
            let count = ties.sum();
            (ndarray::arr0(best).into_dyn(), ties.mapv(|t| t / count))
        };
        let shared = share.clone();
        Ok(self
            .graph
            .record(name, &[self], value, move |ctx| {
                vec![ctx.gradient(0, || share.mapv(|s| s * ctx.grad_output.sum()))]
            })
            .recorded(move |c| c.grad_output * c.output.graph().tensor(shared.clone())))
    }

    /// The largest element along `dim` and its position, PyTorch's
    /// `x.max(dim, keepdim)`: among ties the first position, and NaN wins.
    /// The gradient goes to that one position.
    pub fn try_max(self, dim: impl Dim, keepdim: bool) -> Result<(Self, Indices)> {
        self.extreme_dim("max", "MaxBackward0", dim, keepdim, Ordering::Greater)
    }

    /// The smallest element along `dim` and its position (`x.min(dim, keepdim)`).
    pub fn try_min(self, dim: impl Dim, keepdim: bool) -> Result<(Self, Indices)> {
        self.extreme_dim("min", "MinBackward0", dim, keepdim, Ordering::Less)
    }

    /// `x.max(dim, keepdim)`: the largest elements along `dim` and their positions.
    #[track_caller]
    pub fn max(self, dim: impl Dim, keepdim: bool) -> (Self, Indices) {
        or_panic(self.try_max(dim, keepdim))
    }

    /// `x.min(dim, keepdim)`: the smallest elements along `dim` and their positions.
    #[track_caller]
    pub fn min(self, dim: impl Dim, keepdim: bool) -> (Self, Indices) {
        or_panic(self.try_min(dim, keepdim))
    }

    /// The position of the largest element of the flattened tensor
    /// (`x.argmax()`), the first among ties. Not differentiable: positions
    /// have no gradient.
    pub fn try_argmax_all(self) -> Result<Indices> {
        Ok(self.try_reshape([-1])?.winners("argmax", 0, Ordering::Greater)?.0)
    }

    /// The position of the smallest element of the flattened tensor.
    pub fn try_argmin_all(self) -> Result<Indices> {
        Ok(self.try_reshape([-1])?.winners("argmin", 0, Ordering::Less)?.0)
    }

    /// The positions of the largest elements along `dim` (`x.argmax(dim, keepdim)`).
    pub fn try_argmax(self, dim: impl Dim, keepdim: bool) -> Result<Indices> {
        self.positions("argmax", dim, keepdim, Ordering::Greater)
    }

    /// The positions of the smallest elements along `dim` (`x.argmin(dim, keepdim)`).
    pub fn try_argmin(self, dim: impl Dim, keepdim: bool) -> Result<Indices> {
        self.positions("argmin", dim, keepdim, Ordering::Less)
    }

    /// PyTorch's `x.argmax()` (panics on an empty tensor).
    #[track_caller]
    pub fn argmax_all(self) -> Indices {
        or_panic(self.try_argmax_all())
    }

    /// PyTorch's `x.argmin()` (panics on an empty tensor).
    #[track_caller]
    pub fn argmin_all(self) -> Indices {
        or_panic(self.try_argmin_all())
    }

    /// `x.argmax(dim, keepdim)` (panics on a bad or empty dimension).
    #[track_caller]
    pub fn argmax(self, dim: impl Dim, keepdim: bool) -> Indices {
        or_panic(self.try_argmax(dim, keepdim))
    }

    /// `x.argmin(dim, keepdim)` (panics on a bad or empty dimension).
    #[track_caller]
    pub fn argmin(self, dim: impl Dim, keepdim: bool) -> Indices {
        or_panic(self.try_argmin(dim, keepdim))
    }

    fn positions(self, op: &str, dim: impl Dim, keepdim: bool, want: Ordering) -> Result<Indices> {
        let axis = self.dim(op, dim)?;
        let index = self.winners(op, axis, want)?.0;
        Ok(if keepdim && self.ndim() > 0 {
            Indices(index.0.insert_axis(Axis(axis)))
        } else {
            index
        })
    }

    /// The winner of each lane along `axis`: its positions, and a mask of
    /// the input's shape with 1 at each.
    fn winners(self, op: &str, axis: usize, want: Ordering) -> Result<(Indices, ArrayD<T>)> {
        let a = self.value();
        if a.ndim() == 0 {
            return Ok((Indices(ndarray::arr0(0).into_dyn()), ArrayD::ones(a.raw_dim())));
        }
        if a.shape()[axis] == 0 {
            return Err(shape_error(format!(
                "{op}(): expected reduction dim {axis} to have non-zero size (the tensor has shape {:?})",
                a.shape()
            )));
        }
        let index = a.map_axis(Axis(axis), |lane| winner(lane, want));
        let mut mask = ArrayD::zeros(a.raw_dim());
        Zip::from(mask.lanes_mut(Axis(axis)))
            .and(&index)
            .for_each(|mut lane, &i| lane[i] = T::one());
        Ok((Indices(index), mask))
    }

    fn extreme_dim(
        self,
        op: &str,
        name: &'static str,
        dim: impl Dim,
        keepdim: bool,
        want: Ordering,
    ) -> Result<(Self, Indices)> {
        let axis = self.dim(op, dim)?;
        let (index, mask) = self.winners(op, axis, want)?;
        let axes = if self.ndim() == 0 { vec![] } else { vec![axis] };
        let value = reduce(self.value().view(), &axes, keepdim, |a, axis| {
            Zip::from(a.lanes(axis)).and(&index.0).map_collect(|lane, &i| lane[i])
        });
        let index = if keepdim && self.ndim() > 0 {
            Indices(index.0.insert_axis(Axis(axis)))
        } else {
            index
        };
        let (kept_axes, kept_mask) = (axes.clone(), mask.clone());
        let values = self
            .graph
            .record(name, &[self], value, move |ctx| {
                vec![ctx.gradient(0, || &mask * &spread(ctx.grad_output, ctx.input(0).shape(), &axes))]
            })
            .recorded(move |c| kept(c, &kept_axes) * c.output.graph().tensor(kept_mask.clone()));
        Ok((values, index))
    }
}
// ANCHOR_END: max-min

// ANCHOR: softmax
/// The largest element of each lane along `axis`, kept with size 1 (−∞ for
/// an empty lane; NaN is skipped, and makes its own way through `exp`).
fn lane_max<T: Element>(a: ArrayViewD<'_, T>, axes: &[usize]) -> ArrayD<T> {
    reduce(a, axes, true, |a, axis| {
        a.map_axis(axis, |lane| lane.fold(T::neg_infinity(), |m, &x| m.max(x)))
    })
}

impl<'g, T: Element> Tensor<'g, T> {
    /// `softmax(x)ᵢ = eˣⁱ / Σⱼ eˣʲ` along `dim`, computed as PyTorch does,
    /// with the lane's maximum subtracted first, so large inputs do not
    /// overflow. With y the output, the gradient is y ⊙ (g − Σ g ⊙ y).
    pub fn try_softmax(self, dim: impl Dim) -> Result<Self> {
        let axis = self.dim("softmax", dim)?;
        if self.ndim() == 0 {
            return self.try_reshape([1])?.try_softmax(0)?.try_reshape(Vec::<usize>::new());
        }
        let value = {
            let a = self.value();
            let e = (&*a - &lane_max(a.view(), &[axis])).mapv(T::exp);
            let total = e.sum_axis(Axis(axis)).insert_axis(Axis(axis));
            e / &total
        };
        Ok(self
            .graph
            .record("SoftmaxBackward0", &[self], value, move |ctx| {
                let (g, y) = (ctx.grad_output, ctx.output);
                let along = (g * y).sum_axis(Axis(axis)).insert_axis(Axis(axis));
                vec![ctx.gradient(0, || y * &(g - &along))]
            })
            .recorded(move |c| {
                let (g, y) = (c.grad_output, c.output);
                y * (g - (g * y).sum(axis, true))
            }))
    }

    /// `softmax` along `dim` (panics on a bad dimension).
    #[track_caller]
    pub fn softmax(self, dim: impl Dim) -> Self {
        or_panic(self.try_softmax(dim))
    }

    /// `log(softmax(x))` along `dim`, as one stable formula:
    /// `x − max − log Σ e^(x − max)`. The gradient is g − eʸ Σ g.
    pub fn try_log_softmax(self, dim: impl Dim) -> Result<Self> {
        let axis = self.dim("log_softmax", dim)?;
        if self.ndim() == 0 {
            return self
                .try_reshape([1])?
                .try_log_softmax(0)?
                .try_reshape(Vec::<usize>::new());
        }
        let value = {
            let a = self.value();
            let shifted = &*a - &lane_max(a.view(), &[axis]);
            let log_total = shifted
                .mapv(T::exp)
                .sum_axis(Axis(axis))
                .mapv(T::ln)
                .insert_axis(Axis(axis));
            shifted - &log_total
        };
        Ok(self
            .graph
            .record("LogSoftmaxBackward0", &[self], value, move |ctx| {
                let (g, y) = (ctx.grad_output, ctx.output);
                let total = g.sum_axis(Axis(axis)).insert_axis(Axis(axis));
                vec![ctx.gradient(0, || g - &(y.mapv(T::exp) * &total))]
            })
            .recorded(move |c| {
                let (g, y) = (c.grad_output, c.output);
                g - y.exp() * g.sum(axis, true)
            }))
    }

    /// `log_softmax` along `dim` (panics on a bad dimension).
    #[track_caller]
    pub fn log_softmax(self, dim: impl Dim) -> Self {
        or_panic(self.try_log_softmax(dim))
    }

    /// `log Σ eˣ` over `dims`, stable: the maximum m is taken out,
    /// `m + log Σ e^(x − m)` (an infinite m is left at 0, as PyTorch does,
    /// so that ∞ − ∞ never happens). The gradient is g·e^(x − result).
    pub fn try_logsumexp(self, dims: impl Dims, keepdim: bool) -> Result<Self> {
        let axes = dims::resolve_all("logsumexp", dims, self.ndim())?;
        let value = {
            let a = self.value();
            let m = lane_max(a.view(), &axes).mapv(|m| if m.is_infinite() { T::zero() } else { m });
            let total = reduce((&*a - &m).mapv(T::exp).view(), &axes, true, |e, axis| e.sum_axis(axis));
            let result = total.mapv(T::ln) + &m;
            let kept = if keepdim {
                result.view()
            } else {
                result
                    .view()
                    .into_shape_with_order(reduced_shape(a.shape(), &axes))
                    .expect("same size")
            };
            kept.to_owned()
        };
        let kept_axes = axes.clone();
        Ok(self
            .graph
            .record("LogsumexpBackward0", &[self], value, move |ctx| {
                let (x, shape) = (ctx.input(0), ctx.input(0).shape());
                let result = ctx.output.to_shape(kept_shape(shape, &axes)).expect("same size");
                vec![ctx.gradient(0, || {
                    spread(ctx.grad_output, shape, &axes) * &(x - &result).mapv(T::exp)
                })]
            })
            .recorded(move |c| {
                let result = c.output.reshape(kept_shape(&c.input(0).shape(), &kept_axes));
                kept(c, &kept_axes) * (c.input(0) - result).exp()
            }))
    }

    /// `torch.logsumexp(x, dims, keepdim)` (panics on a bad dimension).
    #[track_caller]
    pub fn logsumexp(self, dims: impl Dims, keepdim: bool) -> Self {
        or_panic(self.try_logsumexp(dims, keepdim))
    }
}

/// `shape` without the dimensions `axes`.
fn reduced_shape(shape: &[usize], axes: &[usize]) -> Vec<usize> {
    (0..shape.len())
        .filter(|d| !axes.contains(d))
        .map(|d| shape[d])
        .collect()
}
// ANCHOR_END: softmax

// ---------------------------------------------------------------------------
// Matrix products.
// ---------------------------------------------------------------------------

// ANCHOR: matmul
fn dims(shape: &[usize]) -> String {
    shape.iter().map(ToString::to_string).collect::<Vec<_>>().join("x")
}

impl<'g, T: Element> Tensor<'g, T> {
    /// The matrix product, as `torch.matmul`: matrix @ matrix, matrix @
    /// vector, vector @ matrix, vector @ vector, and batches of matrices.
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
            (0, _) | (_, 0) => Err(shape_error(format!(
                "matmul: both arguments need at least 1 dimension, got shapes {a_shape:?} and {b_shape:?}"
            ))),
            _ => self.batched_matmul(rhs),
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
        let product = self.try_reshape([m, k])?.try_matmul(rhs.try_reshape([k, n])?)?;
        product.try_reshape([a_outer, b_outer].concat())
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
    t.reshape([t.numel(), 1])
}

/// The outer product u·vᵀ.
fn outer<T: Element>(u: &ndarray::ArrayView1<'_, T>, v: &ndarray::ArrayView1<'_, T>) -> ArrayD<T> {
    let (col, row) = (u.view().insert_axis(Axis(1)), v.view().insert_axis(Axis(0)));
    (&col * &row).into_dyn()
}
// ANCHOR_END: tensordot

// ANCHOR: batched-matmul
impl<'g, T: Element> Tensor<'g, T> {
    /// `torch.matmul` with 3 or more dimensions: a stack of matrix products
    /// over the leading (batch) dimensions, which broadcast. A vector
    /// operand is a one-row (left) or one-column (right) matrix, that
    /// dimension dropped from the result. The rule is the 2-D one, batched;
    /// the engine sums each gradient back over the batch dimensions its
    /// input was broadcast along.
    fn batched_matmul(self, rhs: Self) -> Result<Self> {
        let (a_shape, b_shape) = (self.shape(), rhs.shape());
        let a = if a_shape.len() == 1 {
            self.try_unsqueeze(0)?
        } else {
            self
        };
        let b = if b_shape.len() == 1 { rhs.try_unsqueeze(1)? } else { rhs };
        let (a_dims, b_dims) = (a.shape(), b.shape());
        let (a_batch, [m, k]) = a_dims.split_at(a_dims.len() - 2) else {
            unreachable!()
        };
        let (b_batch, [k2, n]) = b_dims.split_at(b_dims.len() - 2) else {
            unreachable!()
        };
        if k != k2 {
            return Err(shape_error(format!(
                "matmul: mat1 and mat2 shapes cannot be multiplied ({m}x{k} and {k2}x{n}, in shapes {a_shape:?} and {b_shape:?})"
            )));
        }
        let batch = broadcast_shape("matmul", a_batch, b_batch)?;
        let value = batched_product(a.value().view(), b.value().view(), &batch);
        let product = self
            .graph
            .record("BmmBackward0", &[a, b], value, move |ctx| {
                let (g, x, w) = (ctx.grad_output, ctx.input(0), ctx.input(1));
                let batch = &g.shape()[..g.ndim() - 2];
                vec![
                    ctx.gradient(0, || batched_product(g.view(), w.view().reversed_axes_last(), batch)),
                    ctx.gradient(1, || batched_product(x.view().reversed_axes_last(), g.view(), batch)),
                ]
            })
            .with_recorded_backward(|c| {
                let (g, x, w) = (c.grad_output, c.input(0), c.input(1));
                vec![
                    c.gradient(0, || g.matmul(w.transpose(-2, -1))),
                    c.gradient(1, || x.transpose(-2, -1).matmul(g)),
                ]
            });
        if a_shape.len() > 1 && b_shape.len() > 1 {
            return Ok(product);
        }
        let mut shape = product.shape();
        if b_shape.len() == 1 {
            shape.pop();
        }
        if a_shape.len() == 1 {
            shape.remove(shape.len() - if b_shape.len() == 1 { 1 } else { 2 });
        }
        product.try_reshape(shape)
    }
}

/// The last two axes of an array swapped (a batch of matrices transposed).
trait ReversedAxesLast {
    fn reversed_axes_last(self) -> Self;
}

impl<T> ReversedAxesLast for ArrayViewD<'_, T> {
    fn reversed_axes_last(mut self) -> Self {
        let n = self.ndim();
        self.swap_axes(n - 2, n - 1);
        self
    }
}

/// The matrix products of two batches of matrices, `a` (…, m, k) and `b`
/// (…, k, n), their batch dimensions broadcast to `batch`.
fn batched_product<T: Element>(a: ArrayViewD<'_, T>, b: ArrayViewD<'_, T>, batch: &[usize]) -> ArrayD<T> {
    let (m, k, n) = (
        a.shape()[a.ndim() - 2],
        a.shape()[a.ndim() - 1],
        b.shape()[b.ndim() - 1],
    );
    let count = batch.iter().product();
    let stacked = |x: ArrayViewD<'_, T>, rows: usize, cols: usize| {
        let full = x
            .broadcast(IxDyn(&[batch, &[rows, cols]].concat()))
            .expect("batch checked");
        full.to_shape((count, rows, cols)).expect("same size").into_owned()
    };
    let (a, b) = (stacked(a, m, k), stacked(b, k, n));
    let mut out = ndarray::Array3::zeros((count, m, n));
    for (i, mut c) in out.outer_iter_mut().enumerate() {
        ndarray::linalg::general_mat_mul(
            T::one(),
            &a.index_axis(Axis(0), i),
            &b.index_axis(Axis(0), i),
            T::zero(),
            &mut c,
        );
    }
    out.into_shape_with_order(IxDyn(&[batch, &[m, n]].concat()))
        .expect("same size")
}
// ANCHOR_END: batched-matmul

// ---------------------------------------------------------------------------
// Shape: transpose and reshape.
// ---------------------------------------------------------------------------

// ANCHOR: transpose-reshape
impl<'g, T: Element> Tensor<'g, T> {
    /// Swaps two dimensions (`transpose(-2, -1)` swaps the last two); the
    /// gradient is swapped back.
    pub fn try_transpose(self, dim0: impl Dim, dim1: impl Dim) -> Result<Self> {
        let (axis0, axis1) = (self.dim("transpose", dim0)?, self.dim("transpose", dim1)?);
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
    pub fn transpose(self, dim0: impl Dim, dim1: impl Dim) -> Self {
        or_panic(self.try_transpose(dim0, dim1))
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

    /// The same elements in row-major order, in a new shape; one size may
    /// be `-1`, inferred (`reshape([-1])` flattens, `reshape([2, -1])`).
    pub fn try_reshape(self, shape: impl NewShape) -> Result<Self> {
        let shape = dims::infer_shape(shape, self.numel())?;
        let value = self
            .value()
            .to_shape(IxDyn(&shape))
            .expect("sizes checked")
            .into_owned();
        Ok(self
            .graph
            .record("ViewBackward0", &[self], value, |ctx| {
                let shape = ctx.input(0).raw_dim();
                vec![ctx.gradient(0, || ctx.grad_output.to_shape(shape).expect("same size").into_owned())]
            })
            .recorded(|c| c.grad_output.reshape(c.input(0).shape())))
    }

    /// A new shape for the same elements (panics if the sizes differ).
    #[track_caller]
    pub fn reshape(self, shape: impl NewShape) -> Self {
        or_panic(self.try_reshape(shape))
    }
}
// ANCHOR_END: transpose-reshape

// ANCHOR: cat-narrow
/// `torch.cat`: the tensors joined along `dim`, which they must agree
/// everywhere but. Each input's gradient is its stretch of the output's,
/// cut out with [`narrow`](Tensor::narrow).
pub fn try_cat<'g, T: Element>(tensors: &[Tensor<'g, T>], dim: impl Dim) -> Result<Tensor<'g, T>> {
    let Some(&first) = tensors.first() else {
        return Err(Error::new(
            ErrorKind::Invalid,
            "cat: expected a non-empty list of tensors",
        ));
    };
    let axis = first.dim("cat", dim)?;
    let shape = first.shape();
    for (k, &t) in tensors.iter().enumerate() {
        first.same_graph("cat", t)?;
        let other = t.shape();
        let fits = other.len() == shape.len() && (0..shape.len()).all(|d| d == axis || other[d] == shape[d]);
        if !fits {
            return Err(shape_error(format!(
                "cat: sizes of tensors must match except in dimension {axis}: tensor 0 has shape {shape:?}, \
                 tensor number {k} in the list has shape {other:?}"
            )));
        }
    }
    let lengths: Vec<usize> = tensors.iter().map(|t| t.shape()[axis]).collect();
    let value = {
        let values: Vec<_> = tensors.iter().map(|t| t.value()).collect();
        let views: Vec<_> = values.iter().map(|v| v.view()).collect();
        ndarray::concatenate(Axis(axis), &views).expect("shapes checked")
    };
    let starts: Vec<usize> = lengths
        .iter()
        .scan(0, |at, &n| Some(std::mem::replace(at, *at + n)))
        .collect();
    let stretches: Vec<(usize, usize)> = starts.into_iter().zip(lengths).collect();
    let recorded = stretches.clone();
    Ok(first
        .graph
        .record("CatBackward0", tensors, value, move |ctx| {
            let stretch = |&(start, n): &(usize, usize)| {
                ctx.grad_output
                    .slice_axis(Axis(axis), ndarray::Slice::from(start..start + n))
                    .to_owned()
            };
            (0..stretches.len())
                .map(|k| ctx.gradient(k, || stretch(&stretches[k])))
                .collect()
        })
        .with_recorded_backward(move |c| {
            (0..recorded.len())
                .map(|k| c.gradient(k, || c.grad_output.narrow(axis, recorded[k].0, recorded[k].1)))
                .collect()
        }))
}

/// `torch.cat` (panics when the shapes do not fit).
#[track_caller]
pub fn cat<'g, T: Element>(tensors: &[Tensor<'g, T>], dim: impl Dim) -> Tensor<'g, T> {
    or_panic(try_cat(tensors, dim))
}

impl<'g, T: Element> Tensor<'g, T> {
    /// `length` entries along `dim` from `start` (`x.narrow(dim, start,
    /// length)`, PyTorch's `x[start:start+length]` on that dimension). The
    /// gradient is the output's, padded with zeros back to the input's
    /// shape: a `cat` with zeros, so each is the other's backward.
    pub fn try_narrow(self, dim: impl Dim, start: usize, length: usize) -> Result<Self> {
        let axis = self.dim("narrow", dim)?;
        let shape = self.shape();
        let size = shape.get(axis).copied().unwrap_or(1);
        if start + length > size {
            return Err(range_error(format!(
                "narrow: start ({start}) + length ({length}) exceeds dimension size ({size}) in dimension {axis}"
            )));
        }
        let stretch = ndarray::Slice::from(start..start + length);
        let value = self.value().slice_axis(Axis(axis), stretch).to_owned();
        Ok(self
            .graph
            .record("SliceBackward0", &[self], value, move |ctx| {
                vec![ctx.gradient(0, || {
                    let mut g = ArrayD::zeros(ctx.input(0).raw_dim());
                    g.slice_axis_mut(Axis(axis), stretch).assign(ctx.grad_output);
                    g
                })]
            })
            .recorded(move |c| {
                let (graph, mut before) = (c.output.graph(), c.input(0).shape());
                let mut after = before.clone();
                (before[axis], after[axis]) = (start, after[axis] - start - length);
                cat(&[graph.zeros(&before), c.grad_output, graph.zeros(&after)], axis)
            }))
    }

    /// `narrow` (panics when the stretch does not fit).
    #[track_caller]
    pub fn narrow(self, dim: impl Dim, start: usize, length: usize) -> Self {
        or_panic(self.try_narrow(dim, start, length))
    }
}
// ANCHOR_END: cat-narrow

// ANCHOR: stack-unsqueeze
/// `torch.stack`: the tensors, all of one shape, along a new dimension
/// `dim`. Made of `unsqueeze` and `cat`, so it needs no backward of its own.
pub fn try_stack<'g, T: Element>(tensors: &[Tensor<'g, T>], dim: impl Dim) -> Result<Tensor<'g, T>> {
    let Some(&first) = tensors.first() else {
        return Err(Error::new(
            ErrorKind::Invalid,
            "stack: expected a non-empty list of tensors",
        ));
    };
    let axis = dims::resolve("stack", dim, first.ndim() + 1)?;
    if let Some(k) = tensors.iter().position(|t| t.shape() != first.shape()) {
        return Err(shape_error(format!(
            "stack: expects each tensor to be equal size, but got {:?} at entry 0 and {:?} at entry {k}",
            first.shape(),
            tensors[k].shape()
        )));
    }
    let columns = tensors
        .iter()
        .map(|t| t.try_unsqueeze(axis))
        .collect::<Result<Vec<_>>>()?;
    try_cat(&columns, axis)
}

/// `torch.stack` (panics when the shapes differ).
#[track_caller]
pub fn stack<'g, T: Element>(tensors: &[Tensor<'g, T>], dim: impl Dim) -> Tensor<'g, T> {
    or_panic(try_stack(tensors, dim))
}

impl<'g, T: Element> Tensor<'g, T> {
    /// A new dimension of size 1 at `dim` (from −(n+1) to n): a reshape.
    pub fn try_unsqueeze(self, dim: impl Dim) -> Result<Self> {
        let axis = dims::resolve("unsqueeze", dim, self.ndim() + 1)?;
        let mut shape = self.shape();
        shape.insert(axis, 1);
        self.try_reshape(shape)
    }

    /// `unsqueeze` (panics on a bad dimension).
    #[track_caller]
    pub fn unsqueeze(self, dim: impl Dim) -> Self {
        or_panic(self.try_unsqueeze(dim))
    }

    /// Every dimension of size 1 removed: a reshape.
    pub fn squeeze(self) -> Self {
        let shape: Vec<usize> = self.shape().into_iter().filter(|&n| n != 1).collect();
        self.reshape(shape)
    }

    /// Dimension `dim` removed if its size is 1 (else the tensor as it is,
    /// as in PyTorch).
    pub fn try_squeeze_dim(self, dim: impl Dim) -> Result<Self> {
        let axis = self.dim("squeeze", dim)?;
        let mut shape = self.shape();
        if shape.get(axis) == Some(&1) {
            shape.remove(axis);
        }
        self.try_reshape(shape)
    }

    /// `squeeze(dim)` (panics on a bad dimension).
    #[track_caller]
    pub fn squeeze_dim(self, dim: impl Dim) -> Self {
        or_panic(self.try_squeeze_dim(dim))
    }

    /// The tensor broadcast to `shape` without copying in PyTorch (here, a
    /// copy): sizes of 1 stretch, new dimensions go in front, and `-1`
    /// keeps a size. Its gradient is the output's, summed back down to the
    /// input's shape, which the engine does for every broadcast.
    pub fn try_expand(self, shape: impl NewShape) -> Result<Self> {
        let (sizes, from) = (shape.signed(), self.shape());
        let invalid =
            |why: String| shape_error(format!("expand: {why}; target sizes {sizes:?}, tensor sizes {from:?}"));
        if sizes.len() < from.len() {
            return Err(invalid(
                "the number of sizes must be at least the number of dimensions".into(),
            ));
        }
        let lead = sizes.len() - from.len();
        let mut target = Vec::with_capacity(sizes.len());
        for (d, &s) in sizes.iter().enumerate() {
            let old = d.checked_sub(lead).map(|k| from[k]);
            target.push(match (s, old) {
                (-1, Some(old)) => old,
                (-1, None) => {
                    return Err(invalid(format!(
                        "the size -1 isn't allowed in a leading, new dimension {d}"
                    )));
                }
                (s, _) if s < 0 => return Err(invalid(format!("invalid size {s} at dimension {d}"))),
                (s, Some(old)) if old != 1 && usize::try_from(s) != Ok(old) => {
                    return Err(invalid(format!(
                        "the expanded size ({s}) must match the existing size ({old}) at non-singleton dimension {d}"
                    )));
                }
                (s, _) => usize::try_from(s).expect("non-negative"),
            });
        }
        let value = self
            .value()
            .broadcast(IxDyn(&target))
            .expect("sizes checked")
            .to_owned();
        Ok(self
            .graph
            .record("ExpandBackward0", &[self], value, |ctx| vec![ctx.pass_through(0)])
            .with_recorded_backward(|c| vec![c.gradient(0, || c.grad_output)]))
    }

    /// `expand` (panics when the shape does not fit).
    #[track_caller]
    pub fn expand(self, shape: impl NewShape) -> Self {
        or_panic(self.try_expand(shape))
    }
}
// ANCHOR_END: stack-unsqueeze

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

/// One side of a selection (a slice, a gather, top-k's values): a linear
/// map that only moves entries, as arrays.
type Moving<T> = Rc<dyn Fn(&ArrayD<T>) -> ArrayD<T>>;

impl<'g, T: Element> Tensor<'g, T> {
    /// Records the selection `forward` (already computed: `value`), whose
    /// gradient is its transpose `back`, which scatters a gradient back to
    /// where each entry came from. Each of the two is the other's
    /// derivative, so the recorded backward is `back` recorded the same
    /// way, with the roles swapped: every order of derivative goes through.
    fn selection(self, names: [&'static str; 2], value: ArrayD<T>, forward: Moving<T>, back: Moving<T>) -> Self {
        let scatter = Rc::clone(&back);
        self.graph
            .record(names[0], &[self], value, move |ctx| {
                vec![ctx.gradient(0, || scatter(ctx.grad_output))]
            })
            .recorded(move |c| {
                let value = back(&c.grad_output.to_array());
                c.grad_output
                    .selection([names[1], names[0]], value, Rc::clone(&back), Rc::clone(&forward))
            })
    }

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
        let (shape, taken) = (self.shape(), info.clone());
        let forward: Moving<T> = Rc::new(move |a| a.slice(taken.as_slice()).to_owned());
        let back: Moving<T> = Rc::new(move |g| {
            let mut whole = ArrayD::zeros(IxDyn(&shape));
            whole.slice_mut(info.as_slice()).assign(g);
            whole
        });
        Ok(self.selection([name, "SliceBackwardBackward0"], value, forward, back))
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
    pub fn try_index_select(self, dim: impl Dim, indices: &[usize]) -> Result<Self> {
        let axis = self.dim("index_select", dim)?;
        let size = self.shape()[axis];
        if let Some(&bad) = indices.iter().find(|&&i| i >= size) {
            return Err(range_error(format!(
                "index_select: index {bad} is out of range for dimension {axis} with size {size}"
            )));
        }
        let value = self.value().select(Axis(axis), indices);
        let (shape, indices, taken) = (self.shape(), indices.to_vec(), indices.to_vec());
        let forward: Moving<T> = Rc::new(move |a| a.select(Axis(axis), &taken));
        let back: Moving<T> = Rc::new(move |grad| {
            let mut g = ArrayD::zeros(IxDyn(&shape));
            for (k, &i) in indices.iter().enumerate() {
                let mut row = g.index_axis_mut(Axis(axis), i);
                row += &grad.index_axis(Axis(axis), k);
            }
            g
        });
        Ok(self.selection(["IndexSelectBackward0", "IndexAddBackward0"], value, forward, back))
    }

    /// `torch.index_select` (panics when an index is out of range).
    #[track_caller]
    pub fn index_select(self, dim: impl Dim, indices: &[usize]) -> Self {
        or_panic(self.try_index_select(dim, indices))
    }
    // ANCHOR_END: slicing

    // ANCHOR: gather
    /// `torch.gather`: `out[p] = self[p with its axis coordinate replaced by
    /// index[p]]`. The gradient is scattered back, adding up at repeats.
    pub fn try_gather(self, dim: impl Dim, index: &Indices) -> Result<Self> {
        let axis = self.dim("gather", dim)?;
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
        let index = Rc::new(index);
        let gather: Moving<T> = {
            let index = Rc::clone(&index);
            Rc::new(move |a| ArrayD::from_shape_fn(index.raw_dim(), |p| a[source_of(&p, index[&p])]))
        };
        let scatter: Moving<T> = Rc::new(move |grad| {
            let mut g = ArrayD::zeros(IxDyn(&shape));
            for (p, &i) in index.indexed_iter() {
                g[source_of(&p, i)] += grad[&p];
            }
            g
        });
        let value = gather(&self.to_array());
        Ok(self.selection(["GatherBackward0", "ScatterAddBackward0"], value, gather, scatter))
    }

    /// `torch.gather` (panics on a bad index).
    #[track_caller]
    pub fn gather(self, dim: impl Dim, index: &Indices) -> Self {
        or_panic(self.try_gather(dim, index))
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
    Ok(graph
        .record("WhereBackward0", &[cond, a, b], value, |ctx| {
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
        })
        .with_recorded_backward(|c| {
            let (mask, zero) = (c.input(0), c.constant(T::zero()));
            vec![
                None,
                c.gradient(1, || where_(mask, c.grad_output, zero)),
                c.gradient(2, || where_(mask, zero, c.grad_output)),
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
        let kept = Rc::new(indices.clone());
        let take: Moving<T> = {
            let kept = Rc::clone(&kept);
            Rc::new(move |a| {
                let mut taken = ArrayD::zeros(kept.raw_dim());
                for ((mut out, index_lane), lane) in taken
                    .lanes_mut(last)
                    .into_iter()
                    .zip(kept.lanes(last))
                    .zip(a.lanes(last))
                {
                    for (o, &i) in out.iter_mut().zip(index_lane.iter()) {
                        *o = lane[i];
                    }
                }
                taken
            })
        };
        let back: Moving<T> = Rc::new(move |grad| {
            let mut g = ArrayD::zeros(IxDyn(&shape));
            for ((mut g_lane, index_lane), grad_lane) in g
                .lanes_mut(last)
                .into_iter()
                .zip(kept.lanes(last))
                .zip(grad.lanes(last))
            {
                for (&i, &gi) in index_lane.iter().zip(grad_lane.iter()) {
                    g_lane[i] += gi;
                }
            }
            g
        });
        let values = self.selection(["TopkBackward0", "TopkBackwardBackward0"], values, take, back);
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

/// An element type with plain numbers on both sides of every operator: the
/// one bound a function generic over the dtype needs, so that it may write
/// `2.0 * x` as well as `x * 2.0` (`T::of_f64(2.0)` for a literal of the
/// graph's type) and integers anywhere.
///
/// ```
/// use autograd::{Real, Tensor};
///
/// // A smooth |x|: 10·√(x² + 0.01) − 1, which is 0 at 0.
/// fn smooth_abs<T: Real>(x: Tensor<'_, T>) -> Tensor<'_, T> {
///     T::of_f64(10.0) * (x * x + T::of_f64(0.01)).sqrt() - 1
/// }
/// let g32 = autograd::Graph::<f32>::new();
/// let g64 = autograd::Graph::<f64>::new();
/// assert!(smooth_abs(g32.tensor([0.0f32])).item().abs() < 1e-6);
/// assert!(smooth_abs(g64.tensor([0.0])).item().abs() < 1e-12);
/// ```
pub trait Real:
    Element
    + for<'g> IntoOperand<'g, Self>
    + for<'g> Add<Tensor<'g, Self>, Output = Tensor<'g, Self>>
    + for<'g> Sub<Tensor<'g, Self>, Output = Tensor<'g, Self>>
    + for<'g> Mul<Tensor<'g, Self>, Output = Tensor<'g, Self>>
    + for<'g> Div<Tensor<'g, Self>, Output = Tensor<'g, Self>>
{
}

impl Real for f32 {}
impl Real for f64 {}

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

//! Elementwise functions, the binary ones with broadcasting: arithmetic,
//! powers, `exp`, `ln`, `tanh`, `sigmoid`, `relu`, `reciprocal`, `sqrt`,
//! `sign`, `abs` and `clamp`. Each backward is the derivative at each
//! element times the output's gradient there.

// ANCHOR: elementwise-imports
use ndarray::{ArrayD, ArrayViewD, Zip};

use super::IntoOperand;
// ANCHOR: elementwise-import-each
use super::{Exponent, each};
// ANCHOR_END: elementwise-import-each
// ANCHOR: elementwise-import-shared
use super::{SHARED_FROM, shared};
// ANCHOR_END: elementwise-import-shared
use crate::element::Element;
use crate::error::Result;
use crate::tensor::shape::broadcast_shape;
use crate::tensor::{BackwardContext, Tensor};
// ANCHOR: elementwise-import-grad-context
use crate::tensor::GradContext;
// ANCHOR_END: elementwise-import-grad-context
// ANCHOR_END: elementwise-imports

// ANCHOR: zip-broadcast
/// Applies `f` elementwise over two arrays broadcast to `shape`. Large
/// operands of the same shape, each stored in one slice, are shared by the
/// cores.
fn zip_broadcast<T: Element>(
    a: ArrayViewD<'_, T>,
    b: ArrayViewD<'_, T>,
    shape: &[usize],
    f: impl Fn(T, T) -> T + Sync,
) -> ArrayD<T> {
    if a.shape() == b.shape() {
        if let (Some(x), Some(y)) = (a.as_slice(), b.as_slice())
            && x.len() >= SHARED_FROM
        {
            let out = shared(x.len(), |start, out| {
                for ((z, &x), &y) in out.iter_mut().zip(&x[start..]).zip(&y[start..]) {
                    *z = f(x, y);
                }
            });
            return ArrayD::from_shape_vec(a.raw_dim(), out).expect("one output per pair");
        }
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

// ANCHOR: arithmetic
impl<'g, T: Element> Tensor<'g, T> {
    /// Combines two tensors elementwise after broadcasting them together.
    pub(super) fn zip_with(self, op: &str, rhs: Self, f: impl Fn(T, T) -> T + Sync) -> Result<ArrayD<T>> {
        self.same_graph(op, rhs)?;
        let (a, b) = (self.value(), rhs.value());
        let shape = broadcast_shape(op, a.shape(), b.shape())?;
        Ok(zip_broadcast(a.view(), b.view(), &shape, f))
    }
    // ANCHOR_END: arithmetic

    // ANCHOR: add-sub
    /// `self + rhs`.
    pub fn try_add(self, rhs: impl IntoOperand<'g, T>) -> Result<Self> {
        let rhs = rhs.into_operand(self.graph);
        let value = self.zip_with("add", rhs, |a, b| a + b)?;
        let sum = self.graph.record("AddBackward0", &[self, rhs], value, |ctx| {
            // d/da = d/db = 1: the output's gradient flows on unchanged.
            vec![ctx.pass_through(0), ctx.pass_through(1)]
        });
        // ANCHOR: add-recorded
        let sum =
            sum.with_recorded_backward(|c| vec![c.gradient(0, || c.grad_output), c.gradient(1, || c.grad_output)]);
        // ANCHOR_END: add-recorded
        Ok(sum)
    }

    /// `self - rhs`.
    pub fn try_sub(self, rhs: impl IntoOperand<'g, T>) -> Result<Self> {
        let rhs = rhs.into_operand(self.graph);
        let value = self.zip_with("sub", rhs, |a, b| a - b)?;
        let difference = self.graph.record("SubBackward0", &[self, rhs], value, |ctx| {
            vec![ctx.pass_through(0), ctx.gradient(1, || ctx.grad_output.mapv(|g| -g))]
        });
        // ANCHOR: sub-recorded
        let difference = difference
            .with_recorded_backward(|c| vec![c.gradient(0, || c.grad_output), c.gradient(1, || -c.grad_output)]);
        // ANCHOR_END: sub-recorded
        Ok(difference)
    }
    // ANCHOR_END: add-sub

    // ANCHOR: mul-div
    /// `self * rhs`: d/da = b, d/db = a.
    pub fn try_mul(self, rhs: impl IntoOperand<'g, T>) -> Result<Self> {
        let rhs = rhs.into_operand(self.graph);
        let value = self.zip_with("mul", rhs, |a, b| a * b)?;
        let product = self.graph.record("MulBackward0", &[self, rhs], value, |ctx| {
            vec![
                ctx.gradient(0, || ctx.grad_output * ctx.input(1)),
                ctx.gradient(1, || ctx.grad_output * ctx.input(0)),
            ]
        });
        // ANCHOR: mul-recorded
        let product = product.with_recorded_backward(|c| {
            vec![
                c.gradient(0, || c.grad_output * c.input(1)),
                c.gradient(1, || c.grad_output * c.input(0)),
            ]
        });
        // ANCHOR_END: mul-recorded
        Ok(product)
    }

    /// `self / rhs`: d/da = 1/b, d/db = −(a/b)/b.
    pub fn try_div(self, rhs: impl IntoOperand<'g, T>) -> Result<Self> {
        let rhs = rhs.into_operand(self.graph);
        let value = self.zip_with("div", rhs, |a, b| a / b)?;
        let quotient = self.graph.record("DivBackward0", &[self, rhs], value, |ctx| {
            let (x, y) = (ctx.input(0), ctx.input(1));
            vec![
                ctx.gradient(0, || ctx.grad_output / y),
                ctx.gradient(1, || ctx.grad_output.mapv(|g| -g) * &(&(x / y) / y)),
            ]
        });
        // ANCHOR: div-recorded
        let quotient = quotient.with_recorded_backward(|c| {
            let (x, y) = (c.input(0), c.input(1));
            vec![
                c.gradient(0, || c.grad_output / y),
                c.gradient(1, || -c.grad_output * (x / y / y)),
            ]
        });
        // ANCHOR_END: div-recorded
        Ok(quotient)
    }
}
// ANCHOR_END: mul-div

// ANCHOR: unary
impl<'g, T: Element> Tensor<'g, T> {
    /// Records a function of one tensor: `forward` computes its value from
    /// the input's ([`each`] lifts an elementwise function), `backward` the
    /// input's gradient.
    pub(super) fn unary(
        self,
        name: &'static str,
        forward: impl FnOnce(ArrayViewD<'_, T>) -> ArrayD<T>,
        backward: impl Fn(&BackwardContext<'_, T>) -> ArrayD<T> + 'static,
    ) -> Self {
        let value = forward(self.value().view());
        self.graph
            .record(name, &[self], value, move |ctx| vec![ctx.gradient(0, || backward(ctx))])
    }
    // ANCHOR: unary-recorded

    /// Gives a function of one tensor its backward in tensor operations:
    /// `rule` maps the context to the input's gradient.
    pub(super) fn recorded(self, rule: impl for<'a> Fn(&GradContext<'a, T>) -> Tensor<'a, T> + 'static) -> Self {
        self.with_recorded_backward(move |c| vec![c.gradient(0, || rule(c))])
    }
    // ANCHOR_END: unary-recorded
}
// ANCHOR_END: unary

// ANCHOR: pow
impl<'g, T: Element> Tensor<'g, T> {
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
        // ANCHOR: pow-recorded
        .recorded(move |c| {
            if p == T::zero() {
                c.grad_output * c.constant(T::zero())
            } else {
                c.grad_output * (c.input(0).pow(p - T::one()) * c.constant(p))
            }
        })
        // ANCHOR_END: pow-recorded
    }
}
// ANCHOR_END: pow

// ANCHOR: exp
impl<'g, T: Element> Tensor<'g, T> {
    /// eˣ, elementwise; its derivative is its value.
    pub fn exp(self) -> Self {
        self.unary("ExpBackward0", each(T::exp), |ctx| ctx.grad_output * ctx.output)
            // ANCHOR: exp-recorded
            .recorded(|c| c.grad_output * c.output)
        // ANCHOR_END: exp-recorded
    }
}
// ANCHOR_END: exp

// ANCHOR: ln
impl<'g, T: Element> Tensor<'g, T> {
    /// The natural logarithm, elementwise: d/dx ln x = 1/x.
    pub fn ln(self) -> Self {
        self.unary("LogBackward0", each(T::ln), |ctx| ctx.grad_output / ctx.input(0))
            // ANCHOR: ln-recorded
            .recorded(|c| c.grad_output / c.input(0))
        // ANCHOR_END: ln-recorded
    }
}
// ANCHOR_END: ln

// ANCHOR: tanh
impl<'g, T: Element> Tensor<'g, T> {
    /// tanh, elementwise: d/dx tanh x = 1 − tanh² x. The value is the
    /// element type's own ([`Element::map_tanh`]: for `f32`, correctly
    /// rounded and vectorized).
    pub fn tanh(self) -> Self {
        self.unary("TanhBackward0", T::map_tanh, |ctx| {
            Zip::from(ctx.grad_output)
                .and(ctx.output)
                .map_collect(|&g, &y| g * (T::one() - y * y))
        })
        // ANCHOR: tanh-recorded
        .recorded(|c| c.grad_output * (c.constant(T::one()) - c.output * c.output))
        // ANCHOR_END: tanh-recorded
    }
}
// ANCHOR_END: tanh

// ANCHOR: sigmoid
impl<'g, T: Element> Tensor<'g, T> {
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
        // ANCHOR: sigmoid-recorded
        .recorded(|c| c.grad_output * (c.constant(T::one()) - c.output) * c.output)
        // ANCHOR_END: sigmoid-recorded
    }
}
// ANCHOR_END: sigmoid

// ANCHOR: relu
impl<'g, T: Element> Tensor<'g, T> {
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
        // ANCHOR: relu-recorded
        .recorded(|c| c.grad_output * c.output.gt(c.constant(T::zero())))
        // ANCHOR_END: relu-recorded
    }
}
// ANCHOR_END: relu

// ANCHOR: reciprocal
impl<'g, T: Element> Tensor<'g, T> {
    /// 1/x, elementwise. Its backward is −g·(1/x)², computed from the
    /// output: this is why autograd's gradient of `1/x` can differ from the
    /// hand formula `−1/x²` in the last bit.
    pub fn reciprocal(self) -> Self {
        self.unary("ReciprocalBackward0", each(|x| T::one() / x), |ctx| {
            ctx.grad_output.mapv(|g| -g) * &ctx.output.mapv(|y| y * y)
        })
        // ANCHOR: reciprocal-recorded
        .recorded(|c| -c.grad_output * (c.output * c.output))
        // ANCHOR_END: reciprocal-recorded
    }
}
// ANCHOR_END: reciprocal

// ANCHOR: sqrt-abs
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
// ANCHOR_END: sqrt-abs

// ANCHOR: clamp
impl<'g, T: Element> Tensor<'g, T> {
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
        // ANCHOR: clamp-recorded
        .recorded(move |c| {
            let x = c.input(0);
            let mask = x.value().mapv(|v| if inside(v) { T::one() } else { T::zero() });
            c.grad_output * x.graph().tensor(mask)
        })
        // ANCHOR_END: clamp-recorded
    }
}
// ANCHOR_END: clamp

// ANCHOR: sin-cos-tan
impl<'g, T: Element> Tensor<'g, T> {
    /// sin x, elementwise: d/dx sin x = cos x.
    pub fn sin(self) -> Self {
        self.unary("SinBackward0", each(T::sin), |ctx| {
            ctx.grad_output * &ctx.input(0).mapv(T::cos)
        })
        .recorded(|c| c.grad_output * c.input(0).cos())
    }

    /// cos x, elementwise: d/dx cos x = −sin x.
    pub fn cos(self) -> Self {
        self.unary("CosBackward0", each(T::cos), |ctx| {
            ctx.grad_output * &ctx.input(0).mapv(|x| -x.sin())
        })
        .recorded(|c| c.grad_output * -c.input(0).sin())
    }

    /// tan x, elementwise: d/dx tan x = 1 + tan² x, computed from the
    /// output, as PyTorch does.
    pub fn tan(self) -> Self {
        self.unary("TanBackward0", each(T::tan), |ctx| {
            Zip::from(ctx.grad_output)
                .and(ctx.output)
                .map_collect(|&g, &y| g * (T::one() + y * y))
        })
        .recorded(|c| c.grad_output * (c.constant(T::one()) + c.output * c.output))
    }
}
// ANCHOR_END: sin-cos-tan

// ANCHOR: near-zero
impl<'g, T: Element> Tensor<'g, T> {
    /// ln(1 + x), elementwise (PyTorch's `log1p`), exact where `x` is so
    /// small that `1 + x` would round it away: d/dx = 1/(1 + x).
    pub fn ln_1p(self) -> Self {
        self.unary("Log1PBackward0", each(T::ln_1p), |ctx| {
            Zip::from(ctx.grad_output)
                .and(ctx.input(0))
                .map_collect(|&g, &x| g / (x + T::one()))
        })
        .recorded(|c| c.grad_output / (c.input(0) + c.constant(T::one())))
    }

    /// eˣ − 1, elementwise (PyTorch's `expm1`), exact near 0 where `exp`
    /// would leave only rounding error: d/dx = eˣ, the output plus 1.
    pub fn exp_m1(self) -> Self {
        self.unary("Expm1Backward0", each(T::exp_m1), |ctx| {
            Zip::from(ctx.grad_output)
                .and(ctx.output)
                .map_collect(|&g, &y| g * (y + T::one()))
        })
        .recorded(|c| c.grad_output * (c.output + c.constant(T::one())))
    }
}
// ANCHOR_END: near-zero

// ANCHOR: erf-rsqrt
impl<'g, T: Element> Tensor<'g, T> {
    /// The error function, elementwise: d/dx erf x = (2/√π)·e^(−x²).
    pub fn erf(self) -> Self {
        let two_over_sqrt_pi = T::of_f64(std::f64::consts::FRAC_2_SQRT_PI);
        self.unary("ErfBackward0", each(T::erf), move |ctx| {
            Zip::from(ctx.grad_output)
                .and(ctx.input(0))
                .map_collect(|&g, &x| two_over_sqrt_pi * (-(x * x)).exp() * g)
        })
        .recorded(move |c| {
            let x = c.input(0);
            c.constant(two_over_sqrt_pi) * (-(x * x)).exp() * c.grad_output
        })
    }

    /// 1/√x, elementwise: d/dx = −½·(1/√x)³, computed from the output.
    pub fn rsqrt(self) -> Self {
        let minus_half = T::of_f64(-0.5);
        self.unary("RsqrtBackward0", each(|x: T| T::one() / x.sqrt()), move |ctx| {
            Zip::from(ctx.grad_output)
                .and(ctx.output)
                .map_collect(|&g, &y| minus_half * g * (y * y * y))
        })
        .recorded(move |c| c.constant(minus_half) * c.grad_output * (c.output * c.output * c.output))
    }

    /// x², elementwise: PyTorch's `square`, which is `pow(2)` (and so
    /// `x * x`, bit for bit).
    pub fn square(self) -> Self {
        self.pow(2)
    }
}
// ANCHOR_END: erf-rsqrt

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_operands_shared_by_the_cores_get_the_bits_of_one_core() {
        let len = SHARED_FROM * 3 + 17;
        let a = ArrayD::from_shape_fn(vec![len], |i| (i[0] % 1013) as f32 * 0.01 - 5.0);
        let b = ArrayD::from_shape_fn(vec![len], |i| (i[0] % 977) as f32 * 0.003 + 0.5);
        let f = |x: f32, y: f32| x.mul_add(y, x / y);
        let shared = zip_broadcast(a.view(), b.view(), &[len], f);
        let alone = Zip::from(&a).and(&b).map_collect(|&x, &y| f(x, y));
        assert_eq!(shared.shape(), alone.shape());
        assert!(shared.iter().zip(&alone).all(|(s, a)| s.to_bits() == a.to_bits()));
        // Operands that are not one slice each take the path of one core.
        let every_other = a.slice(ndarray::s![..;2]).into_dyn();
        let half = b.slice(ndarray::s![..every_other.len()]).into_dyn();
        let expected = Zip::from(&every_other).and(&half).map_collect(|&x, &y| f(x, y));
        assert_eq!(
            zip_broadcast(every_other.view(), half.view(), every_other.shape(), f),
            expected
        );
    }
}

//! Steps, thresholds and choices, flat almost everywhere: `floor`,
//! `ceil` and `round`, whose gradient is zero; the comparisons, masks that
//! need none; and `where_`, which routes the gradient by its mask.

// ANCHOR: steps-imports
use ndarray::{ArrayD, Zip};

use super::{IntoOperand, each, or_panic};
use crate::element::Element;
use crate::error::Result;
use crate::tensor::shape::broadcast_shape;
use crate::tensor::{DType, InputGrad, Tensor};
// ANCHOR_END: steps-imports

// ANCHOR: steps
impl<'g, T: Element> Tensor<'g, T> {
    /// A step function: its derivative is 0 wherever it exists, and PyTorch
    /// (and this engine) use 0 at the jumps too.
    fn step(self, name: &'static str, f: fn(T) -> T) -> Self {
        self.unary(name, each(f), |ctx| ArrayD::zeros(ctx.grad_output.raw_dim()))
            // ANCHOR: step-recorded
            .with_recorded_backward(|_| vec![None])
        // ANCHOR_END: step-recorded
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
}
// ANCHOR_END: steps

// ANCHOR: compare
impl<'g, T: Element> Tensor<'g, T> {
    /// Compares elementwise, giving a mask that does not require gradients.
    fn compare(self, op: &str, rhs: impl IntoOperand<'g, T>, test: fn(T, T) -> bool) -> Result<Self> {
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
}
// ANCHOR_END: compare

// ANCHOR: compare-more
impl<'g, T: Element> Tensor<'g, T> {
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
// ANCHOR_END: compare-more

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
    // ANCHOR_END: where
    // ANCHOR: where-backward
    let picked = graph.record("WhereBackward0", &[cond, a, b], value, |ctx| {
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
    });
    // ANCHOR: where-recorded
    let picked = picked.with_recorded_backward(|c| {
        let (mask, zero) = (c.input(0), c.constant(T::zero()));
        vec![
            None,
            c.gradient(1, || where_(mask, c.grad_output, zero)),
            c.gradient(2, || where_(mask, zero, c.grad_output)),
        ]
    });
    // ANCHOR_END: where-recorded
    Ok(picked)
}
// ANCHOR_END: where-backward

//! Activations and losses written with the other operations, so that
//! their gradients, to any order, come from the pieces; their `grad_fn` is
//! the last piece's (`WhereBackward0` where PyTorch says
//! `SoftplusBackward0`). `elu` alone has a rule of its own.

// ANCHOR: composites-imports
use ndarray::{ArrayD, IxDyn, Zip};

use super::{Indices, each, or_panic, range_error, shape_error, where_};
use crate::element::Element;
use crate::error::Result;
use crate::tensor::Tensor;
// ANCHOR_END: composites-imports

// ANCHOR: activations
impl<'g, T: Element> Tensor<'g, T> {
    /// x·σ(x), elementwise (`F.silu`, also called swish).
    pub fn silu(self) -> Self {
        self * self.sigmoid()
    }

    /// x·Φ(x), where Φ is the normal distribution's CDF, ½(1 + erf(x/√2)):
    /// `F.gelu` (its exact form, not the tanh approximation).
    pub fn gelu(self) -> Self {
        let number = |x: f64| self.graph.scalar(T::of_f64(x));
        let cdf = (self * number(std::f64::consts::FRAC_1_SQRT_2)).erf() + 1;
        self * number(0.5) * cdf
    }

    /// x where x > 0, else `negative_slope`·x (`F.leaky_relu`). At 0 the
    /// gradient is the slope, as in PyTorch.
    pub fn leaky_relu(self, negative_slope: T) -> Self {
        where_(self.gt(0), self, self * self.graph.scalar(negative_slope))
    }
}
// ANCHOR_END: activations

// ANCHOR: activations-branches
impl<'g, T: Element> Tensor<'g, T> {
    /// ln(1 + eˣ), elementwise (`F.softplus` with PyTorch's defaults: above
    /// x = 20 it is x itself).
    pub fn softplus(self) -> Self {
        let linear = self.gt(20);
        // eˣ only of the values the other branch does not take: of a large
        // x it would be ∞, and the unused branch's gradient, 0·∞, NaN.
        let curved = where_(linear, 0, self).exp().ln_1p();
        where_(linear, self, curved)
    }
}

/// ln(1 + eˣ) without a threshold and without overflow, smooth at 0:
/// x + ln(1 + e⁻ˣ) for x > 0, ln(1 + eˣ) otherwise, so `exp` only ever
/// sees a number ≤ 0.
fn ln_1p_exp<'g, T: Element>(x: Tensor<'g, T>) -> Tensor<'g, T> {
    let positive = x.gt(0);
    let at_most_zero = where_(positive, 0, x);
    let minus_positive = where_(positive, -x, 0);
    where_(positive, x + minus_positive.exp().ln_1p(), at_most_zero.exp().ln_1p())
}
// ANCHOR_END: activations-branches

// ANCHOR: elu
impl<'g, T: Element> Tensor<'g, T> {
    /// α(eˣ − 1) where x ≤ 0, else x (`F.elu`), with a rule of its own.
    pub fn elu(self, alpha: T) -> Self {
        self.unary(
            "EluBackward0",
            each(move |x: T| if x <= T::zero() { alpha * x.exp_m1() } else { x }),
            // α·eˣ, not exp_m1's y + 1, which has lost f32's digits where y is near −1.
            move |ctx| {
                Zip::from(ctx.grad_output)
                    .and(ctx.input(0))
                    .map_collect(|&g, &x| if x <= T::zero() { g * alpha * x.exp() } else { g })
            },
        )
        .recorded(move |c| {
            // α·eˣ below 0, and at 0 the slope α with no curvature, as
            // PyTorch's double backward has it: a constant branch there.
            let x = c.input(0);
            let below = x.lt(0);
            let step = where_(x.le(0), c.constant(alpha), c.constant(T::one()));
            let curve = where_(below, x, 0).exp() * c.constant(alpha);
            c.grad_output * where_(below, curve, step)
        })
    }
}
// ANCHOR_END: elu

// ANCHOR: losses
impl<'g, T: Element> Tensor<'g, T> {
    /// The mean of (self − target)² (`F.mse_loss`). The shapes must be
    /// equal: PyTorch broadcasts different ones with a warning, a mistake
    /// this makes an error.
    pub fn try_mse_loss(self, target: Self) -> Result<Self> {
        same_shape("mse_loss", self, target)?;
        Ok(self.try_sub(target)?.pow(2).mean_all())
    }

    /// The mean over the batch of −self[i, targetᵢ]: the negative
    /// log-likelihood of the classes `target`, for log-probabilities of
    /// shape [N, C] (`F.nll_loss`).
    pub fn try_nll_loss(self, target: &[usize]) -> Result<Self> {
        let shape = self.shape();
        let &[n, classes] = shape.as_slice() else {
            return Err(shape_error(format!(
                "nll_loss: expected log-probabilities of shape [N, C], got {shape:?}"
            )));
        };
        if target.len() != n {
            return Err(shape_error(format!(
                "nll_loss: Expected input batch_size ({n}) to match target batch_size ({})",
                target.len()
            )));
        }
        if let Some(&t) = target.iter().find(|&&t| t >= classes) {
            return Err(range_error(format!(
                "nll_loss: Target {t} is out of bounds ({classes} classes)"
            )));
        }
        let index = ArrayD::from_shape_vec(IxDyn(&[n, 1]), target.to_vec()).expect("one index per row");
        Ok(-self.try_gather(1, &Indices(index))?.mean_all())
    }
}
// ANCHOR_END: losses

// ANCHOR: losses-logits
impl<'g, T: Element> Tensor<'g, T> {
    /// Cross-entropy of logits of shape [N, C] against the classes
    /// `target` (`F.cross_entropy` with class indices): `log_softmax` over
    /// the classes, then `nll_loss`.
    pub fn try_cross_entropy(self, target: &[usize]) -> Result<Self> {
        self.try_log_softmax(1)?.try_nll_loss(target)
    }

    /// The mean of −[y·ln σ(x) + (1 − y)·ln(1 − σ(x))] for logits x = self
    /// and targets y (`F.binary_cross_entropy_with_logits`), computed as
    /// (1 − y)·x + ln(1 + e⁻ˣ), which neither overflows nor takes the log
    /// of 0. Its gradient in x is (σ(x) − y)/n.
    pub fn try_binary_cross_entropy_with_logits(self, target: Self) -> Result<Self> {
        same_shape("binary_cross_entropy_with_logits", self, target)?;
        let one_minus_target = -target + 1;
        Ok((one_minus_target * self + ln_1p_exp(-self)).mean_all())
    }
}
// ANCHOR_END: losses-logits

// ANCHOR: losses-panicking
impl<'g, T: Element> Tensor<'g, T> {
    /// `F.mse_loss` (panics when the shapes differ).
    #[track_caller]
    pub fn mse_loss(self, target: Self) -> Self {
        or_panic(self.try_mse_loss(target))
    }

    /// `F.nll_loss` (panics on a bad shape or class).
    #[track_caller]
    pub fn nll_loss(self, target: &[usize]) -> Self {
        or_panic(self.try_nll_loss(target))
    }

    /// `F.cross_entropy` (panics on a bad shape or class).
    #[track_caller]
    pub fn cross_entropy(self, target: &[usize]) -> Self {
        or_panic(self.try_cross_entropy(target))
    }

    /// `F.binary_cross_entropy_with_logits` (panics when the shapes differ).
    #[track_caller]
    pub fn binary_cross_entropy_with_logits(self, target: Self) -> Self {
        or_panic(self.try_binary_cross_entropy_with_logits(target))
    }
}

/// A loss's input and target must have one shape.
fn same_shape<T: Element>(op: &str, input: Tensor<'_, T>, target: Tensor<'_, T>) -> Result<()> {
    let (a, b) = (input.shape(), target.shape());
    if a != b {
        return Err(shape_error(format!(
            "{op}: the target's shape {b:?} is not the input's {a:?}"
        )));
    }
    Ok(())
}
// ANCHOR_END: losses-panicking

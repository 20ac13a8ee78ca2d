//! The number types a [`Tensor`](crate::Tensor) can hold: `f32` and `f64`.

use std::fmt::{Debug, Display};

use ndarray::{LinalgScalar, ScalarOperand};
use num_traits::{Float, FromPrimitive};

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

/// A floating-point element type of a tensor: implemented for `f32` and `f64` only.
///
/// `f32` is the default, as in PyTorch: tensors of it print without a dtype
/// suffix, tensors of `f64` print `dtype=f64`.
pub trait Element:
    Float
    + FromPrimitive
    + LinalgScalar
    + ScalarOperand
    + Debug
    + Display
    + Default
    + Send
    + Sync
    + std::iter::Sum
    + std::ops::AddAssign
    + std::ops::SubAssign
    + std::ops::MulAssign
    + sealed::Sealed
    + 'static
{
    /// The type's name as printed in a `dtype=` suffix: `"f32"` or `"f64"`.
    const DTYPE: &'static str;
    /// Whether this is the default dtype (printed without a suffix).
    const IS_DEFAULT: bool;

    /// Widens to `f64` exactly (PyTorch formats numbers after the same widening).
    fn as_f64(self) -> f64;
    /// Narrows from `f64`, rounding to nearest.
    fn of_f64(x: f64) -> Self;
    /// Rounds half to even, as `torch.round` does.
    fn round_half_even(self) -> Self;
    /// The hyperbolic tangent the tensor engine uses. For `f32` it is
    /// computed in `f64` (through `expm1`) and rounded once: that is the
    /// correctly rounded result on every input the tests sample, where
    /// glibc's `tanhf` is up to 2 ulps off, and it is about 15 times faster.
    /// For `f64` it is libm's `tanh`.
    fn tanh_rounded(self) -> Self;
}

impl Element for f32 {
    const DTYPE: &'static str = "f32";
    const IS_DEFAULT: bool = true;
    fn as_f64(self) -> f64 {
        f64::from(self)
    }
    fn of_f64(x: f64) -> Self {
        x as f32
    }
    fn round_half_even(self) -> Self {
        self.round_ties_even()
    }
    fn tanh_rounded(self) -> Self {
        // Beyond |x| = 9.1 tanh rounds to ±1 in f32; clamping also keeps
        // expm1(2x) finite (±inf lands here too; NaN falls through as NaN).
        if self.abs() > 10.0 {
            return 1.0f32.copysign(self);
        }
        // tanh x = expm1(2x) / (expm1(2x) + 2), with no cancellation near 0.
        let e = (2.0 * f64::from(self)).exp_m1();
        (e / (e + 2.0)) as f32
    }
}

impl Element for f64 {
    const DTYPE: &'static str = "f64";
    const IS_DEFAULT: bool = false;
    fn as_f64(self) -> f64 {
        self
    }
    fn of_f64(x: f64) -> Self {
        x
    }
    fn round_half_even(self) -> Self {
        self.round_ties_even()
    }
    fn tanh_rounded(self) -> Self {
        self.tanh()
    }
}

#[cfg(test)]
mod tests {
    use super::Element;

    /// The correctly rounded f32 tanh, up to the (negligible) chance that
    /// f64's own tanh is off by enough to round the other way.
    fn reference(x: f32) -> f32 {
        f64::from(x).tanh() as f32
    }

    #[test]
    fn f32_tanh_is_the_rounded_f64_tanh_across_the_range() {
        // Every 4099th bit pattern of the positive floats up to 20, and its negative.
        let mut checked = 0;
        for bits in (0..20.0f32.to_bits()).step_by(4099) {
            for x in [f32::from_bits(bits), -f32::from_bits(bits)] {
                assert_eq!(x.tanh_rounded().to_bits(), reference(x).to_bits(), "tanh({x:e})");
                checked += 1;
            }
        }
        assert!(checked > 500_000);
    }

    #[test]
    fn f32_tanh_keeps_signed_zeros_saturates_and_passes_nan() {
        assert_eq!(0.0f32.tanh_rounded().to_bits(), 0.0f32.to_bits());
        assert_eq!((-0.0f32).tanh_rounded().to_bits(), (-0.0f32).to_bits());
        assert_eq!(f32::INFINITY.tanh_rounded(), 1.0);
        assert_eq!(f32::NEG_INFINITY.tanh_rounded(), -1.0);
        assert_eq!(9.5f32.tanh_rounded(), 1.0);
        assert_eq!(f32::MAX.tanh_rounded(), 1.0);
        assert!(f32::NAN.tanh_rounded().is_nan());
        let tiny = f32::from_bits(1); // the smallest subnormal
        assert_eq!(tiny.tanh_rounded(), tiny);
    }
}

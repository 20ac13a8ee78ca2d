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
}

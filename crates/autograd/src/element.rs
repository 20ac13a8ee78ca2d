//! The number types a [`Tensor`](crate::Tensor) can hold: `f32` and `f64`.

// ANCHOR: element-sealed
use std::fmt::{Debug, Display};

// ANCHOR: element-tanh-imports
use ndarray::{ArrayD, ArrayViewD};
// ANCHOR_END: element-tanh-imports
use ndarray::{LinalgScalar, ScalarOperand};
use num_traits::{Float, FromPrimitive};

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}
// ANCHOR_END: element-sealed

// ANCHOR: element
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
    // ANCHOR: element-round
    /// Rounds half to even, as `torch.round` does.
    fn round_half_even(self) -> Self;
    // ANCHOR_END: element-round
    // ANCHOR: element-tanh
    /// The hyperbolic tangent the tensor engine uses. For `f32` it is
    /// computed in `f64` and rounded once (see `tanh.rs`): the correctly
    /// rounded result on every input the tests sweep, where glibc's `tanhf`
    /// is up to 2 ulps off. For `f64` it is libm's `tanh`.
    fn tanh_rounded(self) -> Self;
    /// [`tanh_rounded`](Element::tanh_rounded) of every element (vectorized
    /// for `f32` where the CPU allows).
    fn map_tanh(values: ArrayViewD<'_, Self>) -> ArrayD<Self> {
        values.mapv(Self::tanh_rounded)
    }
    // ANCHOR_END: element-tanh
    // ANCHOR: element-erf
    /// The error function, from the `libm` crate: the standard library has
    /// none on stable Rust.
    fn erf(self) -> Self;
    // ANCHOR_END: element-erf
}
// ANCHOR_END: element

// ANCHOR: element-impls
impl Element for f32 {
    const DTYPE: &'static str = "f32";
    const IS_DEFAULT: bool = true;
    fn as_f64(self) -> f64 {
        f64::from(self)
    }
    fn of_f64(x: f64) -> Self {
        x as f32
    }
    // ANCHOR: f32-round
    fn round_half_even(self) -> Self {
        self.round_ties_even()
    }
    // ANCHOR_END: f32-round
    // ANCHOR: f32-tanh
    fn tanh_rounded(self) -> Self {
        crate::tanh::tanh_f32(self)
    }
    // ANCHOR_END: f32-tanh
    // ANCHOR: f32-map-tanh
    fn map_tanh(values: ArrayViewD<'_, Self>) -> ArrayD<Self> {
        match values.as_slice() {
            Some(input) => {
                let mut out = vec![0.0; input.len()];
                crate::tanh::tanh_f32_slice(input, &mut out);
                ArrayD::from_shape_vec(values.raw_dim(), out).expect("as many elements as the input")
            }
            None => values.mapv(Self::tanh_rounded),
        }
    }
    // ANCHOR_END: f32-map-tanh
    // ANCHOR: f32-erf
    fn erf(self) -> Self {
        libm::erff(self)
    }
    // ANCHOR_END: f32-erf
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
    // ANCHOR: f64-round
    fn round_half_even(self) -> Self {
        self.round_ties_even()
    }
    // ANCHOR_END: f64-round
    // ANCHOR: f64-tanh
    fn tanh_rounded(self) -> Self {
        self.tanh()
    }
    // ANCHOR_END: f64-tanh
    // ANCHOR: f64-erf
    fn erf(self) -> Self {
        libm::erf(self)
    }
    // ANCHOR_END: f64-erf
}
// ANCHOR_END: element-impls

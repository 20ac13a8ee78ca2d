//! A function written once, run three ways: on plain `f64` to evaluate it,
//! on [`Dual`] numbers for forward mode, on the scalar tape's [`Value`]s for
//! reverse mode. [`Number`] is what such a function may use.
//!
//! ```
//! use autograd::Number;
//! use autograd::dual::Dual;
//! use autograd::scalar::Tape;
//!
//! fn f<N: Number>(x: N) -> N {
//!     x * x.tanh()
//! }
//!
//! let forward = f(Dual::variable(0.5)).tangent;
//! let tape = Tape::new();
//! let x = tape.var(0.5);
//! f(x).backward();
//! assert!((forward - x.grad()).abs() < 1e-15);
//! assert_eq!(f(0.5), 0.5 * 0.5f64.tanh());
//! ```

// ANCHOR: number
use std::ops::{Add, Div, Mul, Neg, Sub};

use crate::dual::Dual;
use crate::scalar::Value;

/// A number a differentiable function can compute with: arithmetic between
/// two of them or with a plain `f64`, and the elementary functions both
/// engines know.
pub trait Number:
    Copy
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + Add<f64, Output = Self>
    + Sub<f64, Output = Self>
    + Mul<f64, Output = Self>
    + Div<f64, Output = Self>
{
    /// `self` to an integer power.
    fn powi(self, n: i32) -> Self;
    /// eˣ.
    fn exp(self) -> Self;
    /// The natural logarithm.
    fn ln(self) -> Self;
    /// The hyperbolic tangent.
    fn tanh(self) -> Self;
    /// The logistic function 1/(1 + e⁻ˣ).
    fn sigmoid(self) -> Self;
}
// ANCHOR_END: number

// ANCHOR: number-impls
/// Each implementation calls the type's own method of the same name.
macro_rules! number {
    ($type:ty) => {
        impl Number for $type {
            fn powi(self, n: i32) -> Self {
                <$type>::powi(self, n)
            }
            fn exp(self) -> Self {
                <$type>::exp(self)
            }
            fn ln(self) -> Self {
                <$type>::ln(self)
            }
            fn tanh(self) -> Self {
                <$type>::tanh(self)
            }
            fn sigmoid(self) -> Self {
                <$type>::sigmoid(self)
            }
        }
    };
}
number!(Dual);
number!(Value<'_>);
// ANCHOR_END: number-impls

// ANCHOR: number-f64
/// Plain numbers: the function evaluated, nothing differentiated.
impl Number for f64 {
    fn powi(self, n: i32) -> f64 {
        f64::powi(self, n)
    }
    fn exp(self) -> f64 {
        f64::exp(self)
    }
    fn ln(self) -> f64 {
        f64::ln(self)
    }
    fn tanh(self) -> f64 {
        f64::tanh(self)
    }
    fn sigmoid(self) -> f64 {
        1.0 / (1.0 + (-self).exp())
    }
}
// ANCHOR_END: number-f64

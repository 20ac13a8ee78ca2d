//! Operator overloading: `+`, `-`, `*`, `/` and unary `-` on tensors,
//! references and plain numbers, on either side, each the panicking form
//! of a `try_` method; and `Real`, the one bound that gives a generic
//! function them all.

// ANCHOR: operators-imports
use std::ops::{Add, Div, Mul, Neg, Sub};

use super::{IntoOperand, or_panic};
// ANCHOR: operators-import-each
use super::each;
// ANCHOR_END: operators-import-each
use crate::element::Element;
use crate::tensor::Tensor;
// ANCHOR_END: operators-imports

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
// ANCHOR_END: tensor-operators

// ANCHOR: number-on-the-left
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
        // ANCHOR: number-div-tensor
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
        // ANCHOR_END: number-div-tensor
        // ANCHOR_END: number-on-the-left
        // ANCHOR: number-on-the-left-refs
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
        // ANCHOR: number-div-tensor-ref
        impl<'g> Div<&Tensor<'g, $t>> for $t {
            type Output = Tensor<'g, $t>;
            #[track_caller]
            fn div(self, rhs: &Tensor<'g, $t>) -> Tensor<'g, $t> {
                self / *rhs
            }
        }
        // ANCHOR_END: number-div-tensor-ref
    )*};
}
number_on_the_left!(f32, f64);
// ANCHOR_END: number-on-the-left-refs

// ANCHOR: real
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
// ANCHOR_END: real

// ANCHOR: integer-on-the-left
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
// ANCHOR_END: integer-on-the-left

// ANCHOR: integer-div-tensor
/// `integer / tensor`, as PyTorch computes it: the reciprocal, times the number.
impl<'g, T: Element> Div<Tensor<'g, T>> for i32 {
    type Output = Tensor<'g, T>;
    #[allow(clippy::suspicious_arithmetic_impl)]
    #[track_caller]
    fn div(self, rhs: Tensor<'g, T>) -> Tensor<'g, T> {
        rhs.reciprocal() * self
    }
}
// ANCHOR_END: integer-div-tensor

// ANCHOR: neg
/// `-x`: the gradient is negated.
impl<'g, T: Element> Neg for Tensor<'g, T> {
    type Output = Tensor<'g, T>;
    fn neg(self) -> Tensor<'g, T> {
        self.unary("NegBackward0", each(|x: T| -x), |ctx| ctx.grad_output.mapv(|g| -g))
            // ANCHOR: neg-recorded
            .recorded(|c| -c.grad_output)
        // ANCHOR_END: neg-recorded
    }
}

impl<'g, T: Element> Neg for &Tensor<'g, T> {
    type Output = Tensor<'g, T>;
    fn neg(self) -> Tensor<'g, T> {
        -*self
    }
}
// ANCHOR_END: neg

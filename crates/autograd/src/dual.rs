//! Forward mode: dual numbers.
//!
//! A [`Dual`] is a value and its *tangent*: the derivative of the value
//! along one direction the caller chose when seeding the inputs. Each
//! operation computes both at once, by the same local derivatives the
//! scalar tape stores, but applied forwards:
//!
//! ```text
//! a * b    value a·b      tangent ȧ·b + a·ḃ
//! tanh a   value t        tangent (1 − t²)·ȧ
//! ```
//!
//! So one evaluation gives one Jacobian-vector product, with nothing
//! recorded and nothing to walk back: the cost of a forward pass, twice
//! over. Seed one input with tangent 1 and the rest with 0, and the tangent
//! of the output is the derivative with respect to that input.
//!
//! ```
//! use autograd::dual::Dual;
//!
//! let x = Dual::variable(3.0); // tangent 1: d/dx
//! let y = x * x + 2.0 * x; // y = x² + 2x
//! assert_eq!((y.value, y.tangent), (15.0, 8.0)); // dy/dx = 2x + 2
//! ```

// ANCHOR: dual-imports
use std::ops::{Add, Div, Mul, Neg, Sub};
// ANCHOR_END: dual-imports

// ANCHOR: dual
/// A number and its derivative along the direction the inputs were seeded with.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dual {
    /// The number itself.
    pub value: f64,
    /// d(value)/d(direction).
    pub tangent: f64,
}

impl Dual {
    /// An input seeded with `tangent`: the direction's component along it.
    pub fn new(value: f64, tangent: f64) -> Self {
        Dual { value, tangent }
    }

    /// The input we differentiate with respect to: tangent 1.
    pub fn variable(value: f64) -> Self {
        Dual::new(value, 1.0)
    }

    /// A number that does not move with the direction: tangent 0.
    pub fn constant(value: f64) -> Self {
        Dual::new(value, 0.0)
    }
}
// ANCHOR_END: dual

// Each operation: its value, then its tangent by the chain rule, side by side.

// ANCHOR: dual-arithmetic
impl Add for Dual {
    type Output = Dual;
    fn add(self, b: Dual) -> Dual {
        Dual::new(self.value + b.value, self.tangent + b.tangent)
    }
}

impl Sub for Dual {
    type Output = Dual;
    fn sub(self, b: Dual) -> Dual {
        Dual::new(self.value - b.value, self.tangent - b.tangent)
    }
}

impl Mul for Dual {
    type Output = Dual;
    fn mul(self, b: Dual) -> Dual {
        Dual::new(self.value * b.value, self.tangent * b.value + self.value * b.tangent)
    }
}

impl Div for Dual {
    type Output = Dual;
    fn div(self, b: Dual) -> Dual {
        let q = self.value / b.value;
        Dual::new(q, (self.tangent - q * b.tangent) / b.value)
    }
}

impl Neg for Dual {
    type Output = Dual;
    fn neg(self) -> Dual {
        Dual::new(-self.value, -self.tangent)
    }
}
// ANCHOR_END: dual-arithmetic

// ANCHOR: dual-with-numbers
/// `Dual ∘ f64` and `f64 ∘ Dual`: the plain number is a constant.
macro_rules! with_numbers {
    ($Trait:ident, $method:ident) => {
        impl $Trait<f64> for Dual {
            type Output = Dual;
            fn $method(self, b: f64) -> Dual {
                self.$method(Dual::constant(b))
            }
        }
        impl $Trait<Dual> for f64 {
            type Output = Dual;
            fn $method(self, b: Dual) -> Dual {
                Dual::constant(self).$method(b)
            }
        }
    };
}
with_numbers!(Add, add);
with_numbers!(Sub, sub);
with_numbers!(Mul, mul);
with_numbers!(Div, div);
// ANCHOR_END: dual-with-numbers

// ANCHOR: dual-functions
impl Dual {
    /// Applies a function with value `value` and derivative `slope` at `self`.
    fn chain(self, value: f64, slope: f64) -> Dual {
        Dual::new(value, slope * self.tangent)
    }

    /// `self` to an integer power: (xⁿ)' = n·xⁿ⁻¹.
    pub fn powi(self, n: i32) -> Dual {
        let x = self.value;
        let slope = if n == 0 { 0.0 } else { f64::from(n) * x.powi(n - 1) };
        self.chain(x.powi(n), slope)
    }

    /// eˣ, its own derivative.
    pub fn exp(self) -> Dual {
        let e = self.value.exp();
        self.chain(e, e)
    }

    /// ln x, with derivative 1/x.
    pub fn ln(self) -> Dual {
        self.chain(self.value.ln(), 1.0 / self.value)
    }

    /// tanh x, with derivative 1 − tanh² x.
    pub fn tanh(self) -> Dual {
        let t = self.value.tanh();
        self.chain(t, 1.0 - t * t)
    }

    /// σ(x) = 1/(1 + e⁻ˣ), with σ' = σ(1 − σ).
    pub fn sigmoid(self) -> Dual {
        let s = 1.0 / (1.0 + (-self.value).exp());
        self.chain(s, s * (1.0 - s))
    }
}
// ANCHOR_END: dual-functions

#[cfg(test)]
mod tests {
    use super::*;

    type Case = (&'static str, fn(Dual) -> Dual);

    #[test]
    fn each_rule_matches_a_central_difference() {
        let cases: [Case; 9] = [
            ("x * x", |x| x * x),
            ("x - 3", |x| x - 3.0),
            ("1 / x", |x| 1.0 / x),
            ("x / (x + 1)", |x| x / (x + 1.0)),
            ("-x^3", |x| -x.powi(3)),
            ("exp", Dual::exp),
            ("ln", Dual::ln),
            ("tanh", Dual::tanh),
            ("sigmoid", Dual::sigmoid),
        ];
        for (name, f) in cases {
            for x in [0.3, 1.7, 2.5] {
                let h = 1e-6;
                let numeric = (f(Dual::constant(x + h)).value - f(Dual::constant(x - h)).value) / (2.0 * h);
                let forward = f(Dual::variable(x)).tangent;
                assert!(
                    (forward - numeric).abs() < 1e-6,
                    "{name} at {x}: {forward} vs {numeric}"
                );
            }
        }
    }

    #[test]
    fn a_constant_has_no_tangent_and_powi_0_is_flat() {
        let c = Dual::constant(2.0);
        assert_eq!((c * c).tangent, 0.0);
        assert_eq!(Dual::variable(0.0).powi(0), Dual::new(1.0, 0.0));
    }
}

//! Every tensor operation, each with its forward computation and its
//! backward rule side by side.
//!
//! A backward rule receives its context `ctx`, with `ctx.grad_output` =
//! d(loss)/d(output), and returns one entry per input: `ctx.gradient(k, ||
//! …)` computes input k's gradient only when that input needs one, and
//! `ctx.pass_through(k)` hands it the output's gradient unchanged. The formulas are written as PyTorch writes them
//! (same operations in the same order), so results agree with PyTorch to the
//! last bit wherever the arithmetic allows.
//!
//! The operations live in a file per family: `elementwise.rs` (arithmetic
//! and the functions of one element), `steps.rs` (steps, comparisons and
//! `where_`), `reductions.rs`, `products.rs` (matrix products), `layout.rs`
//! (shapes and joins), `selection.rs` (slices, gathers and top-k),
//! `composites.rs` (activations and losses made of the others) and
//! `operators.rs`. This file holds what they share: the operands, the
//! indices, the errors and the helpers.

// ANCHOR: ops-modules
// ANCHOR: ops-module-composites
mod composites;
// ANCHOR_END: ops-module-composites
mod elementwise;
// ANCHOR: ops-module-layout
mod layout;
// ANCHOR_END: ops-module-layout
mod operators;
// ANCHOR: ops-module-products
mod products;
// ANCHOR_END: ops-module-products
// ANCHOR: ops-module-reductions
mod reductions;
// ANCHOR_END: ops-module-reductions
// ANCHOR: ops-module-selection
mod selection;
// ANCHOR_END: ops-module-selection
// ANCHOR: ops-module-steps
mod steps;
// ANCHOR_END: ops-module-steps

// ANCHOR: ops-reexport-layout
pub use layout::{cat, stack, try_cat, try_stack};
// ANCHOR_END: ops-reexport-layout
// ANCHOR: ops-reexport-real
pub use operators::Real;
// ANCHOR_END: ops-reexport-real
// ANCHOR: ops-reexport-steps
pub use steps::{try_where, where_};
// ANCHOR_END: ops-reexport-steps
// ANCHOR_END: ops-modules

// ANCHOR: ops-imports
// ANCHOR: ops-import-fmt
use std::fmt;
// ANCHOR_END: ops-import-fmt

use ndarray::{ArrayD, ArrayViewD};
// ANCHOR: ops-import-team
use std::sync::Mutex;

use crate::gemm::team;
// ANCHOR_END: ops-import-team

use super::{Graph, Tensor};
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
// ANCHOR_END: into-operand

// ANCHOR: operand-impls
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
// ANCHOR_END: operand-impls

// ANCHOR: exponent
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
// ANCHOR_END: exponent

// ANCHOR: op-errors
fn shape_error(message: String) -> Error {
    Error::new(ErrorKind::Shape, message)
}
// ANCHOR_END: op-errors

// ANCHOR: range-error
fn range_error(message: String) -> Error {
    Error::new(ErrorKind::OutOfRange, message)
}
// ANCHOR_END: range-error

// ANCHOR: each
/// An elementwise function as the forward of [`Tensor::unary`]; a large
/// array's blocks go to all cores.
fn each<T: Element>(f: impl Fn(T) -> T + Sync) -> impl FnOnce(ArrayViewD<'_, T>) -> ArrayD<T> {
    move |values| match values.as_slice() {
        Some(x) if x.len() >= SHARED_FROM => {
            let out = shared(x.len(), |start, out| {
                for (y, &x) in out.iter_mut().zip(&x[start..]) {
                    *y = f(x);
                }
            });
            ArrayD::from_shape_vec(values.raw_dim(), out).expect("one output per input")
        }
        _ => values.mapv(f),
    }
}
// ANCHOR_END: each

// ANCHOR: shared
/// From this many elements on, an elementwise function shares its work
/// with the other cores: below, handing them a part costs more than it
/// saves.
const SHARED_FROM: usize = 1 << 18;

/// An array of `len` elements that `fill(start, part)` computes part by
/// part, each part starting at element `start`, the parts shared by the
/// cores. Each element is computed on its own, so the cores change no bit.
fn shared<T: Element>(len: usize, fill: impl Fn(usize, &mut [T]) + Sync) -> Vec<T> {
    let mut out = vec![T::zero(); len];
    let part = len.div_ceil(4 * team::threads());
    let parts: Vec<Mutex<&mut [T]>> = out.chunks_mut(part).map(Mutex::new).collect();
    team::run(parts.len(), &|index| {
        fill(
            index * part,
            &mut parts[index].lock().expect("each part is filled once"),
        );
    });
    out
}
// ANCHOR_END: shared

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_array_shared_by_the_cores_gets_the_bits_of_one_core() {
        let len = SHARED_FROM * 3 + 17;
        let x = ArrayD::from_shape_fn(vec![len], |i| (i[0] % 1013) as f64 * 0.01 - 5.0);
        let f = |x: f64| x.exp() * x.sin();
        let shared = each(f)(x.view());
        let alone = x.mapv(f);
        assert_eq!(shared.shape(), alone.shape());
        assert!(shared.iter().zip(&alone).all(|(a, b)| a.to_bits() == b.to_bits()));
        // A view that is not one slice takes the path of one core.
        let every_other = x.slice(ndarray::s![..;2]);
        assert_eq!(each(f)(every_other.into_dyn()), every_other.mapv(f).into_dyn());
    }
}

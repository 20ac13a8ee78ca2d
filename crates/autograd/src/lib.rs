//! Reverse-mode automatic differentiation, as built in the book
//! *Autograd from scratch in Rust*.
//!
//! Two engines share one idea: every operation is appended to a **tape** (a
//! `Vec` of nodes in the order they were computed), together with what its
//! backward rule needs; `backward` then walks the tape once, from the output
//! down, adding each node's gradient into its inputs. The tape is already in
//! topological order, so there is no recursion and no sorting: a chain of a
//! million operations backpropagates in a million steps on a small stack.
//!
//! - [`scalar`]: one `f64` per node, micrograd's idea done the Rust way, with
//!   each operation's local derivatives stored beside its value.
//! - [`tensor`]: `ndarray` arrays of any rank in `f32` or `f64`, with
//!   broadcasting, matrix products, indexing, `topk`, steps (`floor`,
//!   `round`, comparisons, [`where_`](tensor::where_)) and PyTorch's
//!   `backward` semantics; tensors print exactly as PyTorch prints them.
//!
//! [`dual`] is forward mode: dual numbers carry a value and its tangent, and
//! [`Number`] lets one function run on plain numbers, dual numbers and the
//! scalar tape alike.
//!
//! [`gradcheck`] compares any function's gradients with finite differences,
//! and both engines export their graphs as Graphviz DOT for pictures.
//!
//! # Example
//!
//! The gradient of `sum(x²)` is `2x`:
//!
//! ```
//! use autograd::Graph;
//!
//! let g = Graph::<f64>::new();
//! let x = g.tensor([1.0, 5.0, 6.0]).requires_grad();
//! let y = (x * x).sum_all();
//! y.backward()?;
//! println!("{}", x.grad().unwrap()); // tensor([ 2., 10., 12.], dtype=f64)
//! # assert_eq!(x.grad().unwrap().to_string(), "tensor([ 2., 10., 12.], dtype=f64)");
//! # Ok::<(), autograd::Error>(())
//! ```
//!
//! The same with the scalar engine, one number at a time:
//!
//! ```
//! use autograd::scalar::Tape;
//!
//! let tape = Tape::new();
//! let x = tape.var(5.0);
//! let y = x * x;
//! y.backward();
//! assert_eq!(x.grad(), 10.0);
//! ```
//!
//! # Reductions
//!
//! A reduction over some dimensions takes them and `keepdim`, always both, as
//! PyTorch's `x.sum(dims, keepdim)` reads: `x.sum(-1, false)`,
//! `x.mean([0, 1], true)`, `x.max(1, false)` (values and positions). The
//! reduction of the whole tensor is spelled apart: `x.sum_all()`,
//! `x.mean_all()`, `x.max_all()`, `x.argmax_all()`. So a PyTorch spelling
//! either means here what it means in PyTorch or does not compile, with
//! rustc asking for the missing `keepdim`; none compiles into a different
//! reduction:
//!
//! ```compile_fail,E0061
//! # let g = autograd::Graph::<f32>::new();
//! # let x = g.tensor([[1.0f32, 2.0], [3.0, 4.0]]);
//! let rows = x.sum(-1); // help: provide the argument: `x.sum(-1, /* bool */)`
//! ```
//!
//! ```compile_fail,E0061
//! # let g = autograd::Graph::<f32>::new();
//! # let x = g.tensor([[1.0f32, 2.0], [3.0, 4.0]]);
//! let (values, indices) = x.max(1); // help: `x.max(1, /* bool */)`
//! ```
//!
//! ```compile_fail,E0061
//! # let g = autograd::Graph::<f32>::new();
//! # let x = g.tensor([[1.0f32, 2.0], [3.0, 4.0]]);
//! let total = x.sum(); // the whole tensor's sum is `x.sum_all()`
//! ```
//!
//! ```
//! # let g = autograd::Graph::<f32>::new();
//! # let x = g.tensor([[1.0f32, 2.0], [3.0, 4.0]]);
//! assert_eq!(x.sum(1, true).shape(), [2, 1]); // as PyTorch's x.sum(1, keepdim=True)
//! assert_eq!(x.sum(1, false).shape(), [2]);
//! assert_eq!(x.sum_all().shape(), [0usize; 0]);
//! ```
//!
//! # Errors
//!
//! Operators (`+`, `matmul`, …) panic on shapes that do not fit, with a
//! message that names the operation and both shapes, as PyTorch raises; each
//! has a `try_` form that returns an [`Error`] instead. `backward` returns
//! errors for a non-scalar output, a wrong upstream shape and a tensor that
//! does not require gradients.
//!
//! # The process
//!
//! On Linux with glibc, the first [`Graph`] a program makes tells `malloc`
//! to keep up to 64 MiB of freed memory for reuse, and to serve blocks up to
//! 32 MiB from its heap, where glibc's own rule ends up after large frees:
//! a training loop's graphs then reuse each other's memory instead of taking
//! it from the system, page fault by page fault, every step. A program that
//! sets `MALLOC_TRIM_THRESHOLD_`, `MALLOC_MMAP_THRESHOLD_`, `MALLOC_TOP_PAD_`,
//! `MALLOC_MMAP_MAX_` or the same lines in `GLIBC_TUNABLES` keeps its own.
//! Large products and elementwise functions of large arrays also use the
//! other cores, through up to seven helper threads started the first time
//! they are needed; the number of threads changes no bit of a result.

// ANCHOR: lib-lints
#![warn(missing_docs)]
// ANCHOR_END: lib-lints

// ANCHOR: lib-scalar
pub mod scalar;
// ANCHOR_END: lib-scalar

// ANCHOR: lib-dot
mod dot;
// ANCHOR_END: lib-dot
// ANCHOR: lib-print
mod print;
// ANCHOR_END: lib-print

// ANCHOR: lib-tensor
pub mod element;
pub mod error;
pub mod tensor;

pub use element::Element;
pub use error::{Error, ErrorKind, Result};
/// The `ndarray` this crate is built on, for arrays in and out without a
/// dependency of your own to keep at the same version.
pub use ndarray;
pub use tensor::{BackwardContext, Graph, InputGrad, Tensor};
// ANCHOR_END: lib-tensor
// ANCHOR: lib-real
pub use tensor::Real;
// ANCHOR_END: lib-real
// ANCHOR: lib-cat-stack
pub use tensor::{cat, stack};
// ANCHOR_END: lib-cat-stack

// ANCHOR: lib-gradcheck
pub mod gradcheck;
// ANCHOR_END: lib-gradcheck
// ANCHOR: lib-tanh
mod tanh;
// ANCHOR_END: lib-tanh
// ANCHOR: lib-dual
pub mod dual;
// ANCHOR_END: lib-dual
// ANCHOR: lib-number
mod number;

pub use number::Number;
// ANCHOR_END: lib-number
// ANCHOR: lib-func
pub mod func;
// ANCHOR_END: lib-func
// ANCHOR: lib-gemm
pub mod gemm;
// ANCHOR_END: lib-gemm
// ANCHOR: lib-heap
mod heap;
// ANCHOR_END: lib-heap

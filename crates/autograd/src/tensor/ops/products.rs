//! Matrix products: `matmul`, for every pair of ranks `torch.matmul`
//! takes, batches broadcast, and `tensordot`, made of `reshape` and
//! `matmul`.

// ANCHOR: products-imports
use ndarray::{Array2, ArrayBase, ArrayView2, Data, Ix2, IxDyn};
// ANCHOR: products-import-vectors
use ndarray::{ArrayD, Axis, Ix1};
// ANCHOR_END: products-import-vectors
// ANCHOR: products-import-batches
use ndarray::ArrayViewD;
// ANCHOR_END: products-import-batches

use super::{or_panic, shape_error};
use crate::element::Element;
use crate::error::Result;
use crate::tensor::Tensor;
// ANCHOR: products-import-broadcast
use crate::tensor::shape::broadcast_shape;
// ANCHOR_END: products-import-broadcast
// ANCHOR_END: products-imports

// ANCHOR: matmul
fn dims(shape: &[usize]) -> String {
    shape.iter().map(ToString::to_string).collect::<Vec<_>>().join("x")
}

impl<'g, T: Element> Tensor<'g, T> {
    /// The matrix product, as `torch.matmul`: d(A·B)/dA pulls back g as
    /// g·Bᵀ, and d/dB as Aᵀ·g.
    pub fn try_matmul(self, rhs: Self) -> Result<Self> {
        self.same_graph("matmul", rhs)?;
        let (a_shape, b_shape) = (self.shape(), rhs.shape());
        let mismatch = || {
            shape_error(format!(
                "matmul: mat1 and mat2 shapes cannot be multiplied ({} and {})",
                dims(&a_shape),
                dims(&b_shape)
            ))
        };
        match (a_shape.len(), b_shape.len()) {
            (2, 2) => {
                if a_shape[1] != b_shape[0] {
                    return Err(mismatch());
                }
                let value = mm(as2(&*self.value()), as2(&*rhs.value())).into_dyn();
                let product = self.graph.record("MmBackward0", &[self, rhs], value, |ctx| {
                    let (g, x, w) = (as2(ctx.grad_output), as2(ctx.input(0)), as2(ctx.input(1)));
                    vec![
                        ctx.gradient(0, || mm(g, w.t()).into_dyn()),
                        ctx.gradient(1, || mm(x.t(), g).into_dyn()),
                    ]
                });
                // ANCHOR: mm-recorded
                let product = product.with_recorded_backward(|c| {
                    let (g, x, w) = (c.grad_output, c.input(0), c.input(1));
                    vec![c.gradient(0, || g.matmul(w.t())), c.gradient(1, || x.t().matmul(g))]
                });
                // ANCHOR_END: mm-recorded
                Ok(product)
            }
            // ANCHOR_END: matmul
            // ANCHOR: matmul-vector
            (2, 1) => {
                if a_shape[1] != b_shape[0] {
                    return Err(mismatch());
                }
                let value = mm(as2(&*self.value()), as1(&*rhs.value()).insert_axis(Axis(1)))
                    .remove_axis(Axis(1))
                    .into_dyn();
                let product = self.graph.record("MvBackward0", &[self, rhs], value, |ctx| {
                    let (g, m, v) = (as1(ctx.grad_output), as2(ctx.input(0)), as1(ctx.input(1)));
                    vec![
                        ctx.gradient(0, || outer(&g, &v)),
                        ctx.gradient(1, || mm(m.t(), g.insert_axis(Axis(1))).remove_axis(Axis(1)).into_dyn()),
                    ]
                });
                // ANCHOR: mv-recorded
                let product = product.with_recorded_backward(|c| {
                    let (g, m, v) = (c.grad_output, c.input(0), c.input(1));
                    vec![
                        c.gradient(0, || column(g).matmul(column(v).t())),
                        c.gradient(1, || m.t().matmul(g)),
                    ]
                });
                // ANCHOR_END: mv-recorded
                Ok(product)
            }
            // ANCHOR_END: matmul-vector
            // ANCHOR: matmul-others
            (1, 2) => {
                if a_shape[0] != b_shape[0] {
                    return Err(mismatch());
                }
                let value = mm(as1(&*self.value()).insert_axis(Axis(0)), as2(&*rhs.value()))
                    .remove_axis(Axis(0))
                    .into_dyn();
                Ok(self
                    .graph
                    .record("MmBackward0", &[self, rhs], value, |ctx| {
                        let (g, v, m) = (as1(ctx.grad_output), as1(ctx.input(0)), as2(ctx.input(1)));
                        vec![
                            ctx.gradient(0, || mm(m, g.insert_axis(Axis(1))).remove_axis(Axis(1)).into_dyn()),
                            ctx.gradient(1, || outer(&v, &g)),
                        ]
                    })
                    .with_recorded_backward(|c| {
                        let (g, v, m) = (c.grad_output, c.input(0), c.input(1));
                        vec![
                            c.gradient(0, || m.matmul(g)),
                            c.gradient(1, || column(v).matmul(column(g).t())),
                        ]
                    }))
            }
            // ANCHOR_END: matmul-others

            // ANCHOR: matmul-dot
            (1, 1) => {
                if a_shape[0] != b_shape[0] {
                    return Err(shape_error(format!(
                        "dot: 1D tensors expected to have the same size, but got {} and {}",
                        a_shape[0], b_shape[0]
                    )));
                }
                let (row, column) = (self.value(), rhs.value());
                let dot = mm(as1(&*row).insert_axis(Axis(0)), as1(&*column).insert_axis(Axis(1)))[[0, 0]];
                drop((row, column));
                let value = ndarray::arr0(dot).into_dyn();
                Ok(self
                    .graph
                    .record("DotBackward0", &[self, rhs], value, |ctx| {
                        let g = ctx.grad_output.sum();
                        vec![
                            ctx.gradient(0, || ctx.input(1).mapv(|y| g * y)),
                            ctx.gradient(1, || ctx.input(0).mapv(|x| g * x)),
                        ]
                    })
                    .with_recorded_backward(|c| {
                        vec![
                            c.gradient(0, || c.grad_output * c.input(1)),
                            c.gradient(1, || c.grad_output * c.input(0)),
                        ]
                    }))
            }
            (0, _) | (_, 0) => Err(shape_error(format!(
                "matmul: both arguments need at least 1 dimension, got shapes {a_shape:?} and {b_shape:?}"
            ))),
            _ => self.batched_matmul(rhs),
        }
    }

    /// The matrix product (panics on shapes that do not fit).
    #[track_caller]
    pub fn matmul(self, rhs: Self) -> Self {
        or_panic(self.try_matmul(rhs))
    }
}
// ANCHOR_END: matmul-dot

// ANCHOR: tensordot
impl<'g, T: Element> Tensor<'g, T> {
    /// `torch.tensordot(self, rhs, dims)`: contracts the last `dims` axes of
    /// `self` with the first `dims` axes of `rhs`. Built from `reshape` and
    /// `matmul`, so its gradient comes from theirs.
    pub fn try_tensordot(self, rhs: Self, dims: usize) -> Result<Self> {
        let (a, b) = (self.shape(), rhs.shape());
        if dims > a.len() || dims > b.len() || a[a.len() - dims..] != b[..dims] {
            return Err(shape_error(format!(
                "tensordot: contracted dimensions need the same sizes, got shapes {a:?} and {b:?} with dims={dims}"
            )));
        }
        let (a_outer, contracted) = a.split_at(a.len() - dims);
        let b_outer = &b[dims..];
        let k: usize = contracted.iter().product();
        let m: usize = a_outer.iter().product();
        let n: usize = b_outer.iter().product();
        let product = self.try_reshape([m, k])?.try_matmul(rhs.try_reshape([k, n])?)?;
        product.try_reshape([a_outer, b_outer].concat())
    }

    /// `torch.tensordot` (panics on shapes that do not fit).
    #[track_caller]
    pub fn tensordot(self, rhs: Self, dims: usize) -> Self {
        or_panic(self.try_tensordot(rhs, dims))
    }
}
// ANCHOR_END: tensordot

// ANCHOR: mm
/// The product of two matrices, A·B, as the engine computes it everywhere.
fn mm<T: Element>(a: ArrayView2<'_, T>, b: ArrayView2<'_, T>) -> Array2<T> {
    crate::gemm::product(a, b)
}
// ANCHOR_END: mm

// ANCHOR: as2
/// An array known to have two dimensions, as ndarray's matrix.
fn as2<T: Element, S: Data<Elem = T>>(a: &ArrayBase<S, IxDyn>) -> ndarray::ArrayView2<'_, T> {
    a.view().into_dimensionality::<Ix2>().expect("checked: 2-D")
}
// ANCHOR_END: as2

// ANCHOR: vector-helpers
/// An array known to have one dimension, as ndarray's vector.
fn as1<T: Element, S: Data<Elem = T>>(a: &ArrayBase<S, IxDyn>) -> ndarray::ArrayView1<'_, T> {
    a.view().into_dimensionality::<Ix1>().expect("checked: 1-D")
}

/// The outer product u·vᵀ.
fn outer<T: Element>(u: &ndarray::ArrayView1<'_, T>, v: &ndarray::ArrayView1<'_, T>) -> ArrayD<T> {
    let (col, row) = (u.view().insert_axis(Axis(1)), v.view().insert_axis(Axis(0)));
    (&col * &row).into_dyn()
}
// ANCHOR_END: vector-helpers

// ANCHOR: column
/// A vector as a one-column matrix.
fn column<T: Element>(t: Tensor<'_, T>) -> Tensor<'_, T> {
    t.reshape([t.numel(), 1])
}
// ANCHOR_END: column

// ANCHOR: batched-matmul
impl<'g, T: Element> Tensor<'g, T> {
    /// `torch.matmul` with 3 or more dimensions: a stack of matrix products
    /// over the leading (batch) dimensions, which broadcast. A vector
    /// operand is a one-row (left) or one-column (right) matrix, that
    /// dimension dropped from the result. The rule is the 2-D one, batched;
    /// the engine sums each gradient back over the batch dimensions its
    /// input was broadcast along.
    fn batched_matmul(self, rhs: Self) -> Result<Self> {
        let (a_shape, b_shape) = (self.shape(), rhs.shape());
        let a = if a_shape.len() == 1 {
            self.try_unsqueeze(0)?
        } else {
            self
        };
        let b = if b_shape.len() == 1 { rhs.try_unsqueeze(1)? } else { rhs };
        let (a_dims, b_dims) = (a.shape(), b.shape());
        let (a_batch, [m, k]) = a_dims.split_at(a_dims.len() - 2) else {
            unreachable!()
        };
        let (b_batch, [k2, n]) = b_dims.split_at(b_dims.len() - 2) else {
            unreachable!()
        };
        if k != k2 {
            return Err(shape_error(format!(
                "matmul: mat1 and mat2 shapes cannot be multiplied ({m}x{k} and {k2}x{n}, in shapes {a_shape:?} and {b_shape:?})"
            )));
        }
        // ANCHOR_END: batched-matmul
        // ANCHOR: batched-record
        let batch = broadcast_shape("matmul", a_batch, b_batch)?;
        let value = batched_product(a.value().view(), b.value().view(), &batch);
        let product = self
            .graph
            .record("BmmBackward0", &[a, b], value, move |ctx| {
                let (g, x, w) = (ctx.grad_output, ctx.input(0), ctx.input(1));
                let batch = &g.shape()[..g.ndim() - 2];
                vec![
                    ctx.gradient(0, || batched_product(g.view(), w.view().reversed_axes_last(), batch)),
                    ctx.gradient(1, || batched_product(x.view().reversed_axes_last(), g.view(), batch)),
                ]
            })
            .with_recorded_backward(|c| {
                let (g, x, w) = (c.grad_output, c.input(0), c.input(1));
                vec![
                    c.gradient(0, || g.matmul(w.transpose(-2, -1))),
                    c.gradient(1, || x.transpose(-2, -1).matmul(g)),
                ]
            });
        if a_shape.len() > 1 && b_shape.len() > 1 {
            return Ok(product);
        }
        let mut shape = product.shape();
        if b_shape.len() == 1 {
            shape.pop();
        }
        if a_shape.len() == 1 {
            shape.remove(shape.len() - if b_shape.len() == 1 { 1 } else { 2 });
        }
        product.try_reshape(shape)
    }
}
// ANCHOR_END: batched-record

// ANCHOR: batched-helpers
/// The last two axes of an array swapped (a batch of matrices transposed).
trait ReversedAxesLast {
    fn reversed_axes_last(self) -> Self;
}

impl<T> ReversedAxesLast for ArrayViewD<'_, T> {
    fn reversed_axes_last(mut self) -> Self {
        let n = self.ndim();
        self.swap_axes(n - 2, n - 1);
        self
    }
}
// ANCHOR_END: batched-helpers

// ANCHOR: batched-product
/// The matrix products of two batches of matrices, `a` (…, m, k) and `b`
/// (…, k, n), their batch dimensions broadcast to `batch`.
fn batched_product<T: Element>(a: ArrayViewD<'_, T>, b: ArrayViewD<'_, T>, batch: &[usize]) -> ArrayD<T> {
    let (m, k, n) = (
        a.shape()[a.ndim() - 2],
        a.shape()[a.ndim() - 1],
        b.shape()[b.ndim() - 1],
    );
    let count = batch.iter().product();
    let stacked = |x: ArrayViewD<'_, T>, rows: usize, cols: usize| {
        let full = x
            .broadcast(IxDyn(&[batch, &[rows, cols]].concat()))
            .expect("batch checked");
        full.to_shape((count, rows, cols)).expect("same size").into_owned()
    };
    let (a, b) = (stacked(a, m, k), stacked(b, k, n));
    let mut out = ndarray::Array3::zeros((count, m, n));
    for (i, mut c) in out.outer_iter_mut().enumerate() {
        c.assign(&mm(a.index_axis(Axis(0), i), b.index_axis(Axis(0), i)));
    }
    out.into_shape_with_order(IxDyn(&[batch, &[m, n]].concat()))
        .expect("same size")
}
// ANCHOR_END: batched-product

//! The layout of the entries: `transpose`, `reshape`, `cat`, `narrow`,
//! `stack`, `unsqueeze`, `squeeze` and `expand`. Each only moves entries,
//! so its backward moves the gradient back.

// ANCHOR: layout-imports
use ndarray::IxDyn;
// ANCHOR: layout-import-joins
use ndarray::{ArrayD, Axis};
// ANCHOR_END: layout-import-joins

use super::or_panic;
// ANCHOR: layout-import-errors
use super::{range_error, shape_error};
use crate::error::{Error, ErrorKind};
// ANCHOR_END: layout-import-errors
use crate::element::Element;
use crate::error::Result;
use crate::tensor::Tensor;
use crate::tensor::dims::{self, Dim, NewShape};
// ANCHOR_END: layout-imports

// ANCHOR: dim-helper
impl<'g, T: Element> Tensor<'g, T> {
    /// Dimension `dim` of this tensor, counted from the front.
    pub(super) fn dim(self, op: &str, dim: impl Dim) -> Result<usize> {
        dims::resolve(op, dim, self.ndim())
    }
}
// ANCHOR_END: dim-helper

// ANCHOR: transpose
impl<'g, T: Element> Tensor<'g, T> {
    /// Swaps two dimensions (`transpose(-2, -1)` swaps the last two); the
    /// gradient is swapped back.
    pub fn try_transpose(self, dim0: impl Dim, dim1: impl Dim) -> Result<Self> {
        let (axis0, axis1) = (self.dim("transpose", dim0)?, self.dim("transpose", dim1)?);
        let mut value = self.to_array();
        value.swap_axes(axis0, axis1);
        let value = value.as_standard_layout().into_owned();
        Ok(self
            .graph
            .record("TransposeBackward0", &[self], value, move |ctx| {
                vec![ctx.gradient(0, || {
                    let mut g = ctx.grad_output.clone();
                    g.swap_axes(axis0, axis1);
                    g.as_standard_layout().into_owned()
                })]
            })
            .recorded(move |c| c.grad_output.transpose(axis0, axis1)))
    }

    /// Swaps two axes (panics on a bad axis).
    #[track_caller]
    pub fn transpose(self, dim0: impl Dim, dim1: impl Dim) -> Self {
        or_panic(self.try_transpose(dim0, dim1))
    }

    /// The transpose of a matrix (a 0-D or 1-D tensor is returned as is).
    #[track_caller]
    pub fn t(self) -> Self {
        if self.ndim() < 2 {
            return self;
        }
        assert!(
            self.ndim() == 2,
            "t() expects a tensor with <= 2 dimensions, but self is {}D",
            self.ndim()
        );
        self.transpose(0, 1)
    }
}
// ANCHOR_END: transpose

// ANCHOR: reshape
impl<'g, T: Element> Tensor<'g, T> {
    /// The same elements in row-major order, in a new shape; one size may
    /// be `-1`, inferred (`reshape([-1])` flattens, `reshape([2, -1])`).
    pub fn try_reshape(self, shape: impl NewShape) -> Result<Self> {
        let shape = dims::infer_shape(shape, self.numel())?;
        let value = self
            .value()
            .to_shape(IxDyn(&shape))
            .expect("sizes checked")
            .into_owned();
        Ok(self
            .graph
            .record("ViewBackward0", &[self], value, |ctx| {
                let shape = ctx.input(0).raw_dim();
                vec![ctx.gradient(0, || ctx.grad_output.to_shape(shape).expect("same size").into_owned())]
            })
            .recorded(|c| c.grad_output.reshape(c.input(0).shape())))
    }

    /// A new shape for the same elements (panics if the sizes differ).
    #[track_caller]
    pub fn reshape(self, shape: impl NewShape) -> Self {
        or_panic(self.try_reshape(shape))
    }
}
// ANCHOR_END: reshape

// ANCHOR: cat-narrow
/// `torch.cat`: the tensors joined along `dim`, which they must agree
/// everywhere but. Each input's gradient is its stretch of the output's,
/// cut out with [`narrow`](Tensor::narrow).
pub fn try_cat<'g, T: Element>(tensors: &[Tensor<'g, T>], dim: impl Dim) -> Result<Tensor<'g, T>> {
    let Some(&first) = tensors.first() else {
        return Err(Error::new(
            ErrorKind::Invalid,
            "cat: expected a non-empty list of tensors",
        ));
    };
    let axis = first.dim("cat", dim)?;
    let shape = first.shape();
    for (k, &t) in tensors.iter().enumerate() {
        first.same_graph("cat", t)?;
        let other = t.shape();
        let fits = other.len() == shape.len() && (0..shape.len()).all(|d| d == axis || other[d] == shape[d]);
        if !fits {
            return Err(shape_error(format!(
                "cat: sizes of tensors must match except in dimension {axis}: tensor 0 has shape {shape:?}, \
                 tensor number {k} in the list has shape {other:?}"
            )));
        }
    }
    // ANCHOR_END: cat-narrow

    // ANCHOR: cat-value
    let lengths: Vec<usize> = tensors.iter().map(|t| t.shape()[axis]).collect();
    let value = {
        let values: Vec<_> = tensors.iter().map(|t| t.value()).collect();
        let views: Vec<_> = values.iter().map(|v| v.view()).collect();
        ndarray::concatenate(Axis(axis), &views).expect("shapes checked")
    };
    let starts: Vec<usize> = lengths
        .iter()
        .scan(0, |at, &n| Some(std::mem::replace(at, *at + n)))
        .collect();
    let stretches: Vec<(usize, usize)> = starts.into_iter().zip(lengths).collect();
    let recorded = stretches.clone();
    Ok(first
        .graph
        .record("CatBackward0", tensors, value, move |ctx| {
            let stretch = |&(start, n): &(usize, usize)| {
                ctx.grad_output
                    .slice_axis(Axis(axis), ndarray::Slice::from(start..start + n))
                    .to_owned()
            };
            (0..stretches.len())
                .map(|k| ctx.gradient(k, || stretch(&stretches[k])))
                .collect()
        })
        .with_recorded_backward(move |c| {
            (0..recorded.len())
                .map(|k| c.gradient(k, || c.grad_output.narrow(axis, recorded[k].0, recorded[k].1)))
                .collect()
        }))
}
// ANCHOR_END: cat-value

// ANCHOR: cat-panicking
/// `torch.cat` (panics when the shapes do not fit).
#[track_caller]
pub fn cat<'g, T: Element>(tensors: &[Tensor<'g, T>], dim: impl Dim) -> Tensor<'g, T> {
    or_panic(try_cat(tensors, dim))
}
// ANCHOR_END: cat-panicking

// ANCHOR: narrow
impl<'g, T: Element> Tensor<'g, T> {
    /// `length` entries along `dim` from `start` (`x.narrow(dim, start,
    /// length)`, PyTorch's `x[start:start+length]` on that dimension). The
    /// gradient is the output's, padded with zeros back to the input's
    /// shape: a `cat` with zeros, so each is the other's backward.
    pub fn try_narrow(self, dim: impl Dim, start: usize, length: usize) -> Result<Self> {
        let axis = self.dim("narrow", dim)?;
        let shape = self.shape();
        let size = shape.get(axis).copied().unwrap_or(1);
        if start + length > size {
            return Err(range_error(format!(
                "narrow: start ({start}) + length ({length}) exceeds dimension size ({size}) in dimension {axis}"
            )));
        }
        let stretch = ndarray::Slice::from(start..start + length);
        let value = self.value().slice_axis(Axis(axis), stretch).to_owned();
        Ok(self
            .graph
            .record("SliceBackward0", &[self], value, move |ctx| {
                vec![ctx.gradient(0, || {
                    let mut g = ArrayD::zeros(ctx.input(0).raw_dim());
                    g.slice_axis_mut(Axis(axis), stretch).assign(ctx.grad_output);
                    g
                })]
            })
            .recorded(move |c| {
                let (graph, mut before) = (c.output.graph(), c.input(0).shape());
                let mut after = before.clone();
                (before[axis], after[axis]) = (start, after[axis] - start - length);
                cat(&[graph.zeros(&before), c.grad_output, graph.zeros(&after)], axis)
            }))
    }

    /// `narrow` (panics when the stretch does not fit).
    #[track_caller]
    pub fn narrow(self, dim: impl Dim, start: usize, length: usize) -> Self {
        or_panic(self.try_narrow(dim, start, length))
    }
}
// ANCHOR_END: narrow

// ANCHOR: stack-unsqueeze
/// `torch.stack`: the tensors, all of one shape, along a new dimension
/// `dim`. Made of `unsqueeze` and `cat`, so it needs no backward of its own.
pub fn try_stack<'g, T: Element>(tensors: &[Tensor<'g, T>], dim: impl Dim) -> Result<Tensor<'g, T>> {
    let Some(&first) = tensors.first() else {
        return Err(Error::new(
            ErrorKind::Invalid,
            "stack: expected a non-empty list of tensors",
        ));
    };
    let axis = dims::resolve("stack", dim, first.ndim() + 1)?;
    if let Some(k) = tensors.iter().position(|t| t.shape() != first.shape()) {
        return Err(shape_error(format!(
            "stack: expects each tensor to be equal size, but got {:?} at entry 0 and {:?} at entry {k}",
            first.shape(),
            tensors[k].shape()
        )));
    }
    let columns = tensors
        .iter()
        .map(|t| t.try_unsqueeze(axis))
        .collect::<Result<Vec<_>>>()?;
    try_cat(&columns, axis)
}

/// `torch.stack` (panics when the shapes differ).
#[track_caller]
pub fn stack<'g, T: Element>(tensors: &[Tensor<'g, T>], dim: impl Dim) -> Tensor<'g, T> {
    or_panic(try_stack(tensors, dim))
}
// ANCHOR_END: stack-unsqueeze

// ANCHOR: unsqueeze
impl<'g, T: Element> Tensor<'g, T> {
    /// A new dimension of size 1 at `dim` (from −(n+1) to n): a reshape.
    pub fn try_unsqueeze(self, dim: impl Dim) -> Result<Self> {
        let axis = dims::resolve("unsqueeze", dim, self.ndim() + 1)?;
        let mut shape = self.shape();
        shape.insert(axis, 1);
        self.try_reshape(shape)
    }

    /// `unsqueeze` (panics on a bad dimension).
    #[track_caller]
    pub fn unsqueeze(self, dim: impl Dim) -> Self {
        or_panic(self.try_unsqueeze(dim))
    }

    /// Every dimension of size 1 removed: a reshape.
    pub fn squeeze(self) -> Self {
        let shape: Vec<usize> = self.shape().into_iter().filter(|&n| n != 1).collect();
        self.reshape(shape)
    }

    /// Dimension `dim` removed if its size is 1 (else the tensor as it is,
    /// as in PyTorch).
    pub fn try_squeeze_dim(self, dim: impl Dim) -> Result<Self> {
        let axis = self.dim("squeeze", dim)?;
        let mut shape = self.shape();
        if shape.get(axis) == Some(&1) {
            shape.remove(axis);
        }
        self.try_reshape(shape)
    }

    /// `squeeze(dim)` (panics on a bad dimension).
    #[track_caller]
    pub fn squeeze_dim(self, dim: impl Dim) -> Self {
        or_panic(self.try_squeeze_dim(dim))
    }
}
// ANCHOR_END: unsqueeze

// ANCHOR: expand
impl<'g, T: Element> Tensor<'g, T> {
    /// The tensor broadcast to `shape` without copying in PyTorch (here, a
    /// copy): sizes of 1 stretch, new dimensions go in front, and `-1`
    /// keeps a size. Its gradient is the output's, summed back down to the
    /// input's shape, which the engine does for every broadcast.
    pub fn try_expand(self, shape: impl NewShape) -> Result<Self> {
        let (sizes, from) = (shape.signed(), self.shape());
        let invalid =
            |why: String| shape_error(format!("expand: {why}; target sizes {sizes:?}, tensor sizes {from:?}"));
        if sizes.len() < from.len() {
            return Err(invalid(
                "the number of sizes must be at least the number of dimensions".into(),
            ));
        }
        // ANCHOR_END: expand
        // ANCHOR: expand-target
        let lead = sizes.len() - from.len();
        let mut target = Vec::with_capacity(sizes.len());
        for (d, &s) in sizes.iter().enumerate() {
            let old = d.checked_sub(lead).map(|k| from[k]);
            target.push(match (s, old) {
                (-1, Some(old)) => old,
                (-1, None) => {
                    return Err(invalid(format!(
                        "the size -1 isn't allowed in a leading, new dimension {d}"
                    )));
                }
                (s, _) if s < 0 => return Err(invalid(format!("invalid size {s} at dimension {d}"))),
                (s, Some(old)) if old != 1 && usize::try_from(s) != Ok(old) => {
                    return Err(invalid(format!(
                        "the expanded size ({s}) must match the existing size ({old}) at non-singleton dimension {d}"
                    )));
                }
                (s, _) => usize::try_from(s).expect("non-negative"),
            });
        }
        let value = self
            .value()
            .broadcast(IxDyn(&target))
            .expect("sizes checked")
            .to_owned();
        Ok(self
            .graph
            .record("ExpandBackward0", &[self], value, |ctx| vec![ctx.pass_through(0)])
            .with_recorded_backward(|c| vec![c.gradient(0, || c.grad_output)]))
    }

    /// `expand` (panics when the shape does not fit).
    #[track_caller]
    pub fn expand(self, shape: impl NewShape) -> Self {
        or_panic(self.try_expand(shape))
    }
}
// ANCHOR_END: expand-target

//! Selections, which read entries: slices, `index_select`, `gather` and
//! `topk`. Each is a linear map that only moves entries, so the gradient
//! flows back to the positions read, added up where one is read twice.

// ANCHOR: selection-imports
use std::cmp::Ordering;
// ANCHOR: selection-import-heap
use std::collections::BinaryHeap;
// ANCHOR_END: selection-import-heap
use std::rc::Rc;

use ndarray::{ArrayD, ArrayViewD, Axis, IxDyn, Zip};
// ANCHOR: selection-import-slices
use ndarray::{SliceArg, SliceInfoElem};
// ANCHOR_END: selection-import-slices

use super::{Indices, or_panic, range_error};
// ANCHOR: selection-import-shape-error
use super::shape_error;
// ANCHOR_END: selection-import-shape-error
use crate::element::Element;
use crate::error::Result;
use crate::tensor::Tensor;
// ANCHOR: selection-import-dim
use crate::tensor::dims::Dim;
// ANCHOR_END: selection-import-dim
// Only for the documentation's link to `ErrorKind::OutOfRange`.
#[cfg(doc)]
use crate::error::ErrorKind;
// ANCHOR_END: selection-imports

// ANCHOR: selection-helper
/// One side of a selection (a slice, a gather, top-k's values): a linear
/// map that only moves entries, as arrays.
type Moving<T> = Rc<dyn Fn(ArrayViewD<'_, T>) -> ArrayD<T>>;

impl<'g, T: Element> Tensor<'g, T> {
    /// Records the selection `forward`, whose gradient is its transpose
    /// `back`, which scatters a gradient back to where each entry came from.
    fn selection(self, names: [&'static str; 2], forward: Moving<T>, back: Moving<T>) -> Self {
        let value = forward(self.value().view());
        let scatter = Rc::clone(&back);
        self.graph
            .record(names[0], &[self], value, move |ctx| {
                vec![ctx.gradient(0, || scatter(ctx.grad_output.view()))]
            })
            // ANCHOR: selection-recorded
            // Each of the two maps is the other's derivative, so the
            // recorded backward is `back` recorded the same way, with the
            // roles swapped: every order of derivative goes through.
            .recorded(move |c| {
                c.grad_output
                    .selection([names[1], names[0]], Rc::clone(&back), Rc::clone(&forward))
            })
        // ANCHOR_END: selection-recorded
    }
}
// ANCHOR_END: selection-helper

// ANCHOR: slicing
/// Checks ndarray slice arguments against `shape`, so a bad index is our
/// error rather than a panic inside ndarray.
fn check_slice(shape: &[usize], info: &[SliceInfoElem]) -> Result<()> {
    let consumed = info.iter().filter(|e| !matches!(e, SliceInfoElem::NewAxis)).count();
    if consumed > shape.len() {
        return Err(range_error(format!(
            "too many indices for tensor of dimension {}: got {consumed}",
            shape.len()
        )));
    }
    let mut axis = 0;
    for elem in info {
        let size = match elem {
            SliceInfoElem::NewAxis => continue,
            _ => shape[axis] as isize,
        };
        match *elem {
            SliceInfoElem::Index(i) => {
                if i >= size || i < -size {
                    return Err(range_error(format!(
                        "index {i} is out of bounds for dimension {axis} with size {size}"
                    )));
                }
            }
            SliceInfoElem::Slice { start, end, step } => {
                let resolve = |i: isize| if i < 0 { i + size } else { i };
                let (s, e) = (resolve(start), end.map_or(size, resolve));
                if step == 0 || s < 0 || s > size || e < 0 || e > size {
                    return Err(range_error(format!(
                        "slice {start}..{} step {step} is out of bounds for dimension {axis} with size {size}",
                        end.map_or(String::new(), |e| e.to_string())
                    )));
                }
            }
            SliceInfoElem::NewAxis => unreachable!(),
        }
        axis += 1;
    }
    Ok(())
}
// ANCHOR_END: slicing

// ANCHOR: slice
impl<'g, T: Element> Tensor<'g, T> {
    /// A slice of the tensor, with ndarray's `s![]` syntax:
    /// `a.slice(s![0, 1..3])` is PyTorch's `a[0, 1:3]`.
    pub fn try_slice(self, info: impl SliceArg<IxDyn>) -> Result<Self> {
        let mut info: Vec<SliceInfoElem> = info.as_ref().to_vec();
        check_slice(&self.shape(), &info)?;
        let name = if info.iter().all(|e| matches!(e, SliceInfoElem::Index(_))) {
            "SelectBackward0"
        } else {
            "SliceBackward0"
        };
        // Dimensions left out are taken whole, as `a[0]` takes a row in PyTorch.
        let named = info.iter().filter(|e| !matches!(e, SliceInfoElem::NewAxis)).count();
        let whole = SliceInfoElem::Slice {
            start: 0,
            end: None,
            step: 1,
        };
        info.extend(std::iter::repeat_n(whole, self.ndim() - named));
        let (shape, taken) = (self.shape(), info.clone());
        let forward: Moving<T> = Rc::new(move |a| a.slice(taken.as_slice()).to_owned());
        let back: Moving<T> = Rc::new(move |g| {
            let mut whole = ArrayD::zeros(IxDyn(&shape));
            whole.slice_mut(info.as_slice()).assign(&g);
            whole
        });
        Ok(self.selection([name, "SliceBackwardBackward0"], forward, back))
    }

    /// A slice (panics on an out-of-range index).
    #[track_caller]
    pub fn slice(self, info: impl SliceArg<IxDyn>) -> Self {
        or_panic(self.try_slice(info))
    }
}
// ANCHOR_END: slice

// ANCHOR: at
impl<'g, T: Element> Tensor<'g, T> {
    /// The element or sub-tensor at `index` (PyTorch's `a[i, j]`): one
    /// index per leading dimension, counted from the end when negative
    /// (`a.at(&[-1])` is the last row).
    pub fn try_at<I: Copy + TryInto<isize>>(self, index: &[I]) -> Result<Self> {
        let mut info = Vec::with_capacity(index.len());
        for (axis, &i) in index.iter().enumerate() {
            let i = i
                .try_into()
                .map_err(|_| range_error(format!("index {axis} does not fit an isize")))?;
            info.push(SliceInfoElem::Index(i));
        }
        self.try_slice(info.as_slice())
    }

    /// The element or sub-tensor at `index` (panics when out of range).
    #[track_caller]
    pub fn at<I: Copy + TryInto<isize>>(self, index: &[I]) -> Self {
        or_panic(self.try_at(index))
    }
}
// ANCHOR_END: at

// ANCHOR: index-select
impl<'g, T: Element> Tensor<'g, T> {
    /// The entries at `indices` along `axis` (`torch.index_select`); an
    /// index may repeat, and its gradients then add up.
    pub fn try_index_select(self, dim: impl Dim, indices: &[usize]) -> Result<Self> {
        let axis = self.dim("index_select", dim)?;
        let size = self.shape()[axis];
        if let Some(&bad) = indices.iter().find(|&&i| i >= size) {
            return Err(range_error(format!(
                "index_select: index {bad} is out of range for dimension {axis} with size {size}"
            )));
        }
        let (shape, indices, taken) = (self.shape(), indices.to_vec(), indices.to_vec());
        let forward: Moving<T> = Rc::new(move |a| a.select(Axis(axis), &taken));
        let back: Moving<T> = Rc::new(move |grad| {
            let mut g = ArrayD::zeros(IxDyn(&shape));
            for (k, &i) in indices.iter().enumerate() {
                let mut row = g.index_axis_mut(Axis(axis), i);
                row += &grad.index_axis(Axis(axis), k);
            }
            g
        });
        Ok(self.selection(["IndexSelectBackward0", "IndexAddBackward0"], forward, back))
    }

    /// `torch.index_select` (panics when an index is out of range).
    #[track_caller]
    pub fn index_select(self, dim: impl Dim, indices: &[usize]) -> Self {
        or_panic(self.try_index_select(dim, indices))
    }
}
// ANCHOR_END: index-select

// ANCHOR: gather
impl<'g, T: Element> Tensor<'g, T> {
    /// `torch.gather`: `out[p] = self[p with its axis coordinate replaced by
    /// index[p]]`. The gradient is scattered back, adding up at repeats.
    pub fn try_gather(self, dim: impl Dim, index: &Indices) -> Result<Self> {
        let axis = self.dim("gather", dim)?;
        let shape = self.shape();
        let index = index.as_array().clone();
        let fits = index.ndim() == shape.len()
            && index
                .shape()
                .iter()
                .zip(&shape)
                .enumerate()
                .all(|(d, (&i, &s))| d == axis || i <= s);
        if !fits {
            return Err(shape_error(format!(
                "gather: index of shape {:?} does not fit input of shape {shape:?} along axis {axis}",
                index.shape()
            )));
        }
        if let Some(&bad) = index.iter().find(|&&i| i >= shape[axis]) {
            return Err(range_error(format!(
                "gather: index {bad} is out of bounds for dimension {axis} with size {}",
                shape[axis]
            )));
        }
        // ANCHOR_END: gather
        // ANCHOR: gather-maps
        let source_of = move |p: &IxDyn, i: usize| {
            let mut q = p.clone();
            q[axis] = i;
            q
        };
        let index = Rc::new(index);
        let gather: Moving<T> = {
            let index = Rc::clone(&index);
            Rc::new(move |a| ArrayD::from_shape_fn(index.raw_dim(), |p| a[source_of(&p, index[&p])]))
        };
        let scatter: Moving<T> = Rc::new(move |grad| {
            let mut g = ArrayD::zeros(IxDyn(&shape));
            for (p, &i) in index.indexed_iter() {
                g[source_of(&p, i)] += grad[&p];
            }
            g
        });
        Ok(self.selection(["GatherBackward0", "ScatterAddBackward0"], gather, scatter))
    }

    /// `torch.gather` (panics on a bad index).
    #[track_caller]
    pub fn gather(self, dim: impl Dim, index: &Indices) -> Self {
        or_panic(self.try_gather(dim, index))
    }
}
// ANCHOR_END: gather-maps

// ---------------------------------------------------------------------------
// Top-k: a selection, so a linear map whose gradient scatters back.
// ---------------------------------------------------------------------------

// ANCHOR: top-k-positions
/// A candidate in the top-k scan. "Greater" means *worse*, so that the
/// max-heap keeps the worst of the current best k on top, ready to evict.
/// Best first: larger value, NaN above everything (as in PyTorch), and the
/// lower index among equals.
struct Candidate<T>(T, usize);

impl<T: Element> Candidate<T> {
    fn better_than(&self, other: &Self) -> bool {
        match (self.0.is_nan(), other.0.is_nan()) {
            (true, true) => self.1 < other.1,
            (true, false) => true,
            (false, true) => false,
            (false, false) => self.0 > other.0 || (self.0 == other.0 && self.1 < other.1),
        }
    }
}
// ANCHOR_END: top-k-positions

// ANCHOR: candidate-order
impl<T: Element> Ord for Candidate<T> {
    fn cmp(&self, other: &Self) -> Ordering {
        if self.better_than(other) {
            Ordering::Less
        } else if other.better_than(self) {
            Ordering::Greater
        } else {
            Ordering::Equal
        }
    }
}

impl<T: Element> PartialOrd for Candidate<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<T: Element> PartialEq for Candidate<T> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl<T: Element> Eq for Candidate<T> {}
// ANCHOR_END: candidate-order

// ANCHOR: heap-positions
/// The positions of the `k` largest entries of `lane`, best first: one pass
/// with a heap of size k, so O(n log k).
fn top_k_positions<T: Element>(lane: ndarray::ArrayView1<'_, T>, k: usize) -> Vec<usize> {
    let mut heap = BinaryHeap::with_capacity(k + 1);
    for (i, &x) in lane.iter().enumerate() {
        if heap.len() < k {
            heap.push(Candidate(x, i));
            continue;
        }
        // Most entries lose to the worst kept one; a later index loses ties,
        // so a plain comparison rules them out before any heap work.
        let Some(worst) = heap.peek() else { break };
        if !x.is_nan() && (worst.0.is_nan() || x <= worst.0) {
            continue;
        }
        let candidate = Candidate(x, i);
        if candidate.better_than(worst) {
            heap.pop();
            heap.push(candidate);
        }
    }
    heap.into_sorted_vec().into_iter().map(|c| c.1).collect()
}
// ANCHOR_END: heap-positions

// ANCHOR: topk
impl<'g, T: Element> Tensor<'g, T> {
    /// The `k` largest entries along the last axis, largest first, and their
    /// indices. Equal values are taken lower index first (see the module
    /// docs for how this compares with PyTorch). The gradient of each value
    /// goes to the position it was taken from; other positions get zero.
    ///
    /// # Errors
    /// [`ErrorKind::OutOfRange`] when `k` exceeds the last axis' size or the
    /// tensor is 0-dimensional.
    pub fn try_topk(self, k: usize) -> Result<(Self, Indices)> {
        let shape = self.shape();
        let Some(&n) = shape.last() else {
            return Err(range_error(
                "topk: the tensor has no dimension to select along".to_string(),
            ));
        };
        if k > n {
            return Err(range_error(format!(
                "topk: selected index k out of range (k = {k}, but the last dimension has size {n})"
            )));
        }
        let last = Axis(shape.len() - 1);
        let mut out_shape = shape.clone();
        *out_shape.last_mut().expect("ndim >= 1") = k;
        let mut indices = ArrayD::<usize>::zeros(IxDyn(&out_shape));
        for (lane, mut index_lane) in self.value().lanes(last).into_iter().zip(indices.lanes_mut(last)) {
            for (j, i) in top_k_positions(lane, k).into_iter().enumerate() {
                index_lane[j] = i;
            }
        }
        Ok((self.take_along_last(indices.clone()), Indices(indices)))
    }

    /// The `k` largest entries and their indices (panics when `k` is too large).
    #[track_caller]
    pub fn topk(self, k: usize) -> (Self, Indices) {
        or_panic(self.try_topk(k))
    }
    // ANCHOR_END: topk

    // ANCHOR: topk-selection
    /// The entries at `indices` along the last axis, recorded as a
    /// selection: its backward adds each gradient at the position its value
    /// came from, and zero elsewhere.
    fn take_along_last(self, indices: ArrayD<usize>) -> Self {
        let shape = self.shape();
        let last = Axis(shape.len() - 1);
        let kept = Rc::new(indices);
        let take: Moving<T> = {
            let kept = Rc::clone(&kept);
            Rc::new(move |a| {
                let mut taken = ArrayD::zeros(kept.raw_dim());
                let lanes = Zip::from(taken.lanes_mut(last))
                    .and(kept.lanes(last))
                    .and(a.lanes(last));
                lanes.for_each(|mut out, index_lane, lane| {
                    out.zip_mut_with(&index_lane, |o, &i| *o = lane[i]);
                });
                taken
            })
        };
        let back: Moving<T> = Rc::new(move |grad| {
            let mut g = ArrayD::zeros(IxDyn(&shape));
            let lanes = Zip::from(g.lanes_mut(last)).and(kept.lanes(last)).and(grad.lanes(last));
            lanes.for_each(|mut g_lane, index_lane, grad_lane| {
                for (&i, &gi) in index_lane.iter().zip(grad_lane.iter()) {
                    g_lane[i] += gi;
                }
            });
            g
        });
        self.selection(["TopkBackward0", "TopkBackwardBackward0"], take, back)
    }
}
// ANCHOR_END: topk-selection

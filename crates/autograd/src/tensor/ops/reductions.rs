//! Reductions: sums and means, of the whole tensor or along dimensions;
//! maxima, minima and their positions; `softmax`, `log_softmax` and
//! `logsumexp`. A backward spreads the reduced gradient back over the
//! input's shape.

// ANCHOR: reductions-imports
// ANCHOR: reductions-import-ordering
use std::cmp::Ordering;
// ANCHOR_END: reductions-import-ordering

use ndarray::ArrayD;
// ANCHOR: reductions-import-views
use ndarray::{ArrayView1, ArrayViewD, Axis, Zip};
// ANCHOR_END: reductions-import-views

// ANCHOR: reductions-import-dims
use super::{Indices, or_panic, shape_error};
// ANCHOR_END: reductions-import-dims
// ANCHOR: reductions-import-shared
use super::{SHARED_FROM, shared};
// ANCHOR_END: reductions-import-shared
use crate::element::Element;
// ANCHOR: reductions-import-result
use crate::error::Result;
use crate::tensor::dims::{self, Dim, Dims};
// ANCHOR_END: reductions-import-result
use crate::tensor::Tensor;
// ANCHOR: reductions-import-grad-context
use crate::tensor::GradContext;
// ANCHOR_END: reductions-import-grad-context
// ANCHOR_END: reductions-imports

// ANCHOR: total
/// The sum of every element of `a`. A large array stored in one slice is
/// summed in blocks of `SUM_BLOCK` elements, which the cores share, and the
/// blocks' sums are added in order: the blocks are the same whatever the
/// number of cores, and so are the bits.
fn total<T: Element>(a: ndarray::ArrayViewD<'_, T>) -> T {
    match a.as_slice() {
        Some(x) if x.len() >= SHARED_FROM => {
            let sums = shared(x.len().div_ceil(SUM_BLOCK), |first, sums| {
                for (block, sum) in x.chunks(SUM_BLOCK).skip(first).zip(sums) {
                    *sum = ndarray::aview1(block).sum();
                }
            });
            sums.into_iter().fold(T::zero(), |total, sum| total + sum)
        }
        _ => a.sum(),
    }
}

/// The elements of one block of a large sum.
const SUM_BLOCK: usize = 1 << 16;
// ANCHOR_END: total

// ANCHOR: sum-all
impl<'g, T: Element> Tensor<'g, T> {
    /// The sum of all elements, as a 0-dimensional tensor (PyTorch's
    /// `x.sum()`). Each element receives the output's gradient unchanged.
    pub fn sum_all(self) -> Self {
        let value = ndarray::arr0(total(self.value().view())).into_dyn();
        self.graph
            .record("SumBackward0", &[self], value, |ctx| {
                vec![ctx.gradient(0, || ArrayD::from_elem(ctx.input(0).raw_dim(), ctx.grad_output.sum()))]
            })
            // ANCHOR: sum-recorded
            .recorded(|c| c.zeros_like_input(0) + c.grad_output)
        // ANCHOR_END: sum-recorded
    }
}
// ANCHOR_END: sum-all

// ANCHOR: mean-all
impl<'g, T: Element> Tensor<'g, T> {
    /// The mean of all elements (PyTorch's `x.mean()`; NaN for an empty tensor, as in
    /// PyTorch).
    pub fn mean_all(self) -> Self {
        let value = {
            let a = self.value();
            ndarray::arr0(total(a.view()) / T::from_usize(a.len()).expect("length fits")).into_dyn()
        };
        self.graph
            .record("MeanBackward0", &[self], value, |ctx| {
                let n = T::from_usize(ctx.input(0).len()).expect("length fits");
                vec![ctx.gradient(0, || {
                    ArrayD::from_elem(ctx.input(0).raw_dim(), ctx.grad_output.sum() / n)
                })]
            })
            // ANCHOR: mean-recorded
            .recorded(|c| {
                let n = T::from_usize(c.input(0).numel()).expect("length fits");
                (c.zeros_like_input(0) + c.grad_output) / c.constant(n)
            })
        // ANCHOR_END: mean-recorded
    }
}
// ANCHOR_END: mean-all

// ANCHOR: axis-reductions
impl<'g, T: Element> Tensor<'g, T> {
    /// Sums over the dimensions `dims` (one, as `-1`, or several, as
    /// `[0, 1]`); `keepdim` keeps each with size 1: PyTorch's
    /// `x.sum(dims, keepdim)`. The whole tensor's sum is [`sum_all`](Tensor::sum_all).
    pub fn try_sum(self, dims: impl Dims, keepdim: bool) -> Result<Self> {
        let axes = dims::resolve_all("sum", dims, self.ndim())?;
        let value = reduce(self.value().view(), &axes, keepdim, |lanes, axis| lanes.sum_axis(axis));
        let kept_axes = axes.clone();
        Ok(self
            .graph
            .record("SumBackward1", &[self], value, move |ctx| {
                vec![ctx.gradient(0, || spread(ctx.grad_output, ctx.input(0).shape(), &axes))]
            })
            .recorded(move |c| c.zeros_like_input(0) + kept(c, &kept_axes)))
    }

    /// `x.sum(dims, keepdim)` (panics on a bad dimension).
    #[track_caller]
    pub fn sum(self, dims: impl Dims, keepdim: bool) -> Self {
        or_panic(self.try_sum(dims, keepdim))
    }
}
// ANCHOR_END: axis-reductions

// ANCHOR: mean-dims
impl<'g, T: Element> Tensor<'g, T> {
    /// Averages over the dimensions `dims`; `keepdim` keeps each with size
    /// 1 (`x.mean(dims, keepdim)`; the whole tensor's is [`mean_all`](Tensor::mean_all)).
    pub fn try_mean(self, dims: impl Dims, keepdim: bool) -> Result<Self> {
        let axes = dims::resolve_all("mean", dims, self.ndim())?;
        let shape = self.shape();
        let n = T::from_usize(axes.iter().map(|&a| shape[a]).product()).expect("length fits");
        let value = reduce(self.value().view(), &axes, keepdim, |lanes, axis| lanes.sum_axis(axis)).mapv(|s| s / n);
        let kept_axes = axes.clone();
        Ok(self
            .graph
            .record("MeanBackward1", &[self], value, move |ctx| {
                vec![ctx.gradient(0, || {
                    spread(ctx.grad_output, ctx.input(0).shape(), &axes).mapv(|g| g / n)
                })]
            })
            .recorded(move |c| (c.zeros_like_input(0) + kept(c, &kept_axes)) / c.constant(n)))
    }

    /// `x.mean(dims, keepdim)` (panics on a bad dimension).
    #[track_caller]
    pub fn mean(self, dims: impl Dims, keepdim: bool) -> Self {
        or_panic(self.try_mean(dims, keepdim))
    }
}
// ANCHOR_END: mean-dims

// ANCHOR: reduce-helpers
/// Reduces `a` over `axes` (increasing) with `one`, which reduces one axis;
/// `keepdim` puts each back with size 1.
fn reduce<T: Element>(
    a: ArrayViewD<'_, T>,
    axes: &[usize],
    keepdim: bool,
    one: impl Fn(ArrayViewD<'_, T>, Axis) -> ArrayD<T>,
) -> ArrayD<T> {
    // From the last axis down, so the ones left keep their numbers.
    let Some((&last, rest)) = axes.split_last() else {
        return a.to_owned();
    };
    let mut value = one(a, Axis(last));
    for &axis in rest.iter().rev() {
        value = one(value.view(), Axis(axis));
    }
    if keepdim {
        for &axis in axes {
            value.insert_axis_inplace(Axis(axis));
        }
    }
    value
}

/// The shape of `shape` reduced over `axes` with each kept at size 1.
fn kept_shape(shape: &[usize], axes: &[usize]) -> Vec<usize> {
    (0..shape.len())
        .map(|d| if axes.contains(&d) { 1 } else { shape[d] })
        .collect()
}
// ANCHOR_END: reduce-helpers

// ANCHOR: spread-helpers
/// A reduction's gradient, of the reduced shape, spread back over the
/// input's `shape`: each element of a reduced lane receives its lane's.
fn spread<T: Element>(grad: &ArrayD<T>, shape: &[usize], axes: &[usize]) -> ArrayD<T> {
    let kept = grad.to_shape(kept_shape(shape, axes)).expect("same element count");
    kept.broadcast(shape).expect("a kept shape broadcasts back").to_owned()
}

/// A recorded reduction's gradient (a tensor) reshaped to the kept shape,
/// ready to broadcast over the input of `c`.
fn kept<'g, T: Element>(c: &GradContext<'g, T>, axes: &[usize]) -> Tensor<'g, T> {
    c.grad_output.reshape(kept_shape(&c.input(0).shape(), axes))
}
// ANCHOR_END: spread-helpers

// ANCHOR: max-min
/// Whether `x` beats `best` for a maximum (`want` = `Greater`) or a minimum
/// (`Less`). NaN beats every number, as PyTorch's max and min propagate it;
/// an equal value does not, so among ties the first wins.
fn beats<T: Element>(x: T, best: T, want: Ordering) -> bool {
    !best.is_nan() && (x.is_nan() || x.partial_cmp(&best) == Some(want))
}

/// The position of the winner of a lane (which is not empty).
fn winner<T: Element>(lane: ArrayView1<'_, T>, want: Ordering) -> usize {
    let mut best = 0;
    for (i, &x) in lane.iter().enumerate().skip(1) {
        if beats(x, lane[best], want) {
            best = i;
        }
    }
    best
}
// ANCHOR_END: max-min

// ANCHOR: max-all
impl<'g, T: Element> Tensor<'g, T> {
    /// The largest element, as a 0-dimensional tensor (PyTorch's `x.max()`;
    /// NaN if there is one). Its gradient is shared evenly among the
    /// elements equal to it, as in PyTorch.
    pub fn try_max_all(self) -> Result<Self> {
        self.extreme("max", "MaxBackward1", Ordering::Greater)
    }

    /// The smallest element (PyTorch's `x.min()`); its gradient is shared evenly
    /// among ties.
    pub fn try_min_all(self) -> Result<Self> {
        self.extreme("min", "MinBackward1", Ordering::Less)
    }

    /// The largest element (panics on an empty tensor).
    #[track_caller]
    pub fn max_all(self) -> Self {
        or_panic(self.try_max_all())
    }

    /// The smallest element (panics on an empty tensor).
    #[track_caller]
    pub fn min_all(self) -> Self {
        or_panic(self.try_min_all())
    }
}
// ANCHOR_END: max-all

// ANCHOR: extreme
impl<'g, T: Element> Tensor<'g, T> {
    fn extreme(self, op: &str, name: &'static str, want: Ordering) -> Result<Self> {
        if self.numel() == 0 {
            return Err(shape_error(format!(
                "{op}_all(): expected reduction dim to be specified for an empty tensor (use {op}(dim, keepdim))"
            )));
        }
        let (value, share) = {
            let a = self.value();
            let first = *a.iter().next().expect("not empty");
            let best = a
                .iter()
                .fold(first, |best, &x| if beats(x, best, want) { x } else { best });
            let ties = a.mapv(|x| {
                if x == best || (x.is_nan() && best.is_nan()) {
                    T::one()
                } else {
                    T::zero()
                }
            });
            let count = ties.sum();
            (ndarray::arr0(best).into_dyn(), ties.mapv(|t| t / count))
        };
        let shared = share.clone();
        Ok(self
            .graph
            .record(name, &[self], value, move |ctx| {
                vec![ctx.gradient(0, || share.mapv(|s| s * ctx.grad_output.sum()))]
            })
            .recorded(move |c| c.grad_output * c.output.graph().tensor(shared.clone())))
    }
}
// ANCHOR_END: extreme

// ANCHOR: max-dim
impl<'g, T: Element> Tensor<'g, T> {
    /// The largest element along `dim` and its position, PyTorch's
    /// `x.max(dim, keepdim)`: among ties the first position, and NaN wins.
    /// The gradient goes to that one position.
    pub fn try_max(self, dim: impl Dim, keepdim: bool) -> Result<(Self, Indices)> {
        self.extreme_dim("max", "MaxBackward0", dim, keepdim, Ordering::Greater)
    }

    /// The smallest element along `dim` and its position (`x.min(dim, keepdim)`).
    pub fn try_min(self, dim: impl Dim, keepdim: bool) -> Result<(Self, Indices)> {
        self.extreme_dim("min", "MinBackward0", dim, keepdim, Ordering::Less)
    }

    /// `x.max(dim, keepdim)`: the largest elements along `dim` and their positions.
    #[track_caller]
    pub fn max(self, dim: impl Dim, keepdim: bool) -> (Self, Indices) {
        or_panic(self.try_max(dim, keepdim))
    }

    /// `x.min(dim, keepdim)`: the smallest elements along `dim` and their positions.
    #[track_caller]
    pub fn min(self, dim: impl Dim, keepdim: bool) -> (Self, Indices) {
        or_panic(self.try_min(dim, keepdim))
    }
}
// ANCHOR_END: max-dim

// ANCHOR: argmax
impl<'g, T: Element> Tensor<'g, T> {
    /// The position of the largest element of the flattened tensor
    /// (`x.argmax()`), the first among ties. Not differentiable: positions
    /// have no gradient.
    pub fn try_argmax_all(self) -> Result<Indices> {
        Ok(self.try_reshape([-1])?.winners("argmax", 0, Ordering::Greater)?.0)
    }

    /// The position of the smallest element of the flattened tensor.
    pub fn try_argmin_all(self) -> Result<Indices> {
        Ok(self.try_reshape([-1])?.winners("argmin", 0, Ordering::Less)?.0)
    }

    /// The positions of the largest elements along `dim` (`x.argmax(dim, keepdim)`).
    pub fn try_argmax(self, dim: impl Dim, keepdim: bool) -> Result<Indices> {
        self.positions("argmax", dim, keepdim, Ordering::Greater)
    }

    /// The positions of the smallest elements along `dim` (`x.argmin(dim, keepdim)`).
    pub fn try_argmin(self, dim: impl Dim, keepdim: bool) -> Result<Indices> {
        self.positions("argmin", dim, keepdim, Ordering::Less)
    }
}
// ANCHOR_END: argmax

// ANCHOR: argmax-panicking
impl<'g, T: Element> Tensor<'g, T> {
    /// PyTorch's `x.argmax()` (panics on an empty tensor).
    #[track_caller]
    pub fn argmax_all(self) -> Indices {
        or_panic(self.try_argmax_all())
    }

    /// PyTorch's `x.argmin()` (panics on an empty tensor).
    #[track_caller]
    pub fn argmin_all(self) -> Indices {
        or_panic(self.try_argmin_all())
    }

    /// `x.argmax(dim, keepdim)` (panics on a bad or empty dimension).
    #[track_caller]
    pub fn argmax(self, dim: impl Dim, keepdim: bool) -> Indices {
        or_panic(self.try_argmax(dim, keepdim))
    }

    /// `x.argmin(dim, keepdim)` (panics on a bad or empty dimension).
    #[track_caller]
    pub fn argmin(self, dim: impl Dim, keepdim: bool) -> Indices {
        or_panic(self.try_argmin(dim, keepdim))
    }
}
// ANCHOR_END: argmax-panicking

// ANCHOR: positions
impl<'g, T: Element> Tensor<'g, T> {
    fn positions(self, op: &str, dim: impl Dim, keepdim: bool, want: Ordering) -> Result<Indices> {
        let axis = self.dim(op, dim)?;
        let index = self.winners(op, axis, want)?.0;
        Ok(if keepdim && self.ndim() > 0 {
            Indices(index.0.insert_axis(Axis(axis)))
        } else {
            index
        })
    }

    /// The winner of each lane along `axis`: its positions, and a mask of
    /// the input's shape with 1 at each.
    fn winners(self, op: &str, axis: usize, want: Ordering) -> Result<(Indices, ArrayD<T>)> {
        let a = self.value();
        if a.ndim() == 0 {
            return Ok((Indices(ndarray::arr0(0).into_dyn()), ArrayD::ones(a.raw_dim())));
        }
        if a.shape()[axis] == 0 {
            return Err(shape_error(format!(
                "{op}(): expected reduction dim {axis} to have non-zero size (the tensor has shape {:?})",
                a.shape()
            )));
        }
        let index = a.map_axis(Axis(axis), |lane| winner(lane, want));
        let mut mask = ArrayD::zeros(a.raw_dim());
        Zip::from(mask.lanes_mut(Axis(axis)))
            .and(&index)
            .for_each(|mut lane, &i| lane[i] = T::one());
        Ok((Indices(index), mask))
    }
}
// ANCHOR_END: positions

// ANCHOR: extreme-dim
impl<'g, T: Element> Tensor<'g, T> {
    fn extreme_dim(
        self,
        op: &str,
        name: &'static str,
        dim: impl Dim,
        keepdim: bool,
        want: Ordering,
    ) -> Result<(Self, Indices)> {
        let axis = self.dim(op, dim)?;
        let (index, mask) = self.winners(op, axis, want)?;
        let axes = if self.ndim() == 0 { vec![] } else { vec![axis] };
        let value = reduce(self.value().view(), &axes, keepdim, |a, axis| {
            Zip::from(a.lanes(axis)).and(&index.0).map_collect(|lane, &i| lane[i])
        });
        let index = if keepdim && self.ndim() > 0 {
            Indices(index.0.insert_axis(Axis(axis)))
        } else {
            index
        };
        let (kept_axes, kept_mask) = (axes.clone(), mask.clone());
        let values = self
            .graph
            .record(name, &[self], value, move |ctx| {
                vec![ctx.gradient(0, || &mask * &spread(ctx.grad_output, ctx.input(0).shape(), &axes))]
            })
            .recorded(move |c| kept(c, &kept_axes) * c.output.graph().tensor(kept_mask.clone()));
        Ok((values, index))
    }
}
// ANCHOR_END: extreme-dim

// ANCHOR: softmax
/// The largest element of each lane along `axis`, kept with size 1 (−∞ for
/// an empty lane; NaN is skipped, and makes its own way through `exp`).
fn lane_max<T: Element>(a: ArrayViewD<'_, T>, axes: &[usize]) -> ArrayD<T> {
    reduce(a, axes, true, |a, axis| {
        a.map_axis(axis, |lane| lane.fold(T::neg_infinity(), |m, &x| m.max(x)))
    })
}
// ANCHOR_END: softmax

// ANCHOR: softmax-impl
impl<'g, T: Element> Tensor<'g, T> {
    /// `softmax(x)ᵢ = eˣⁱ / Σⱼ eˣʲ` along `dim`, computed as PyTorch does,
    /// with the lane's maximum subtracted first, so large inputs do not
    /// overflow. With y the output, the gradient is y ⊙ (g − Σ g ⊙ y).
    pub fn try_softmax(self, dim: impl Dim) -> Result<Self> {
        let axis = self.dim("softmax", dim)?;
        if self.ndim() == 0 {
            return self.try_reshape([1])?.try_softmax(0)?.try_reshape(Vec::<usize>::new());
        }
        let value = {
            let a = self.value();
            let e = (&*a - &lane_max(a.view(), &[axis])).mapv(T::exp);
            let total = e.sum_axis(Axis(axis)).insert_axis(Axis(axis));
            e / &total
        };
        Ok(self
            .graph
            .record("SoftmaxBackward0", &[self], value, move |ctx| {
                let (g, y) = (ctx.grad_output, ctx.output);
                let along = (g * y).sum_axis(Axis(axis)).insert_axis(Axis(axis));
                vec![ctx.gradient(0, || y * &(g - &along))]
            })
            .recorded(move |c| {
                let (g, y) = (c.grad_output, c.output);
                y * (g - (g * y).sum(axis, true))
            }))
    }

    /// `softmax` along `dim` (panics on a bad dimension).
    #[track_caller]
    pub fn softmax(self, dim: impl Dim) -> Self {
        or_panic(self.try_softmax(dim))
    }
}
// ANCHOR_END: softmax-impl

// ANCHOR: log-softmax
impl<'g, T: Element> Tensor<'g, T> {
    /// `log(softmax(x))` along `dim`, as one stable formula:
    /// `x − max − log Σ e^(x − max)`. The gradient is g − eʸ Σ g.
    pub fn try_log_softmax(self, dim: impl Dim) -> Result<Self> {
        let axis = self.dim("log_softmax", dim)?;
        if self.ndim() == 0 {
            return self
                .try_reshape([1])?
                .try_log_softmax(0)?
                .try_reshape(Vec::<usize>::new());
        }
        let value = {
            let a = self.value();
            let shifted = &*a - &lane_max(a.view(), &[axis]);
            let log_total = shifted
                .mapv(T::exp)
                .sum_axis(Axis(axis))
                .mapv(T::ln)
                .insert_axis(Axis(axis));
            shifted - &log_total
        };
        Ok(self
            .graph
            .record("LogSoftmaxBackward0", &[self], value, move |ctx| {
                let (g, y) = (ctx.grad_output, ctx.output);
                let total = g.sum_axis(Axis(axis)).insert_axis(Axis(axis));
                vec![ctx.gradient(0, || g - &(y.mapv(T::exp) * &total))]
            })
            .recorded(move |c| {
                let (g, y) = (c.grad_output, c.output);
                g - y.exp() * g.sum(axis, true)
            }))
    }

    /// `log_softmax` along `dim` (panics on a bad dimension).
    #[track_caller]
    pub fn log_softmax(self, dim: impl Dim) -> Self {
        or_panic(self.try_log_softmax(dim))
    }
}
// ANCHOR_END: log-softmax

// ANCHOR: logsumexp
impl<'g, T: Element> Tensor<'g, T> {
    /// `log Σ eˣ` over `dims`, stable: the maximum m is taken out,
    /// `m + log Σ e^(x − m)` (an infinite m is left at 0, as PyTorch does,
    /// so that ∞ − ∞ never happens). The gradient is g·e^(x − result).
    pub fn try_logsumexp(self, dims: impl Dims, keepdim: bool) -> Result<Self> {
        let axes = dims::resolve_all("logsumexp", dims, self.ndim())?;
        let value = {
            let a = self.value();
            let m = lane_max(a.view(), &axes).mapv(|m| if m.is_infinite() { T::zero() } else { m });
            let total = reduce((&*a - &m).mapv(T::exp).view(), &axes, true, |e, axis| e.sum_axis(axis));
            let result = total.mapv(T::ln) + &m;
            let kept = if keepdim {
                result.view()
            } else {
                result
                    .view()
                    .into_shape_with_order(reduced_shape(a.shape(), &axes))
                    .expect("same size")
            };
            kept.to_owned()
        };
        let kept_axes = axes.clone();
        Ok(self
            .graph
            .record("LogsumexpBackward0", &[self], value, move |ctx| {
                let (x, shape) = (ctx.input(0), ctx.input(0).shape());
                let result = ctx.output.to_shape(kept_shape(shape, &axes)).expect("same size");
                vec![ctx.gradient(0, || {
                    spread(ctx.grad_output, shape, &axes) * &(x - &result).mapv(T::exp)
                })]
            })
            .recorded(move |c| {
                let result = c.output.reshape(kept_shape(&c.input(0).shape(), &kept_axes));
                kept(c, &kept_axes) * (c.input(0) - result).exp()
            }))
    }
}
// ANCHOR_END: logsumexp

// ANCHOR: logsumexp-helpers
impl<'g, T: Element> Tensor<'g, T> {
    /// `torch.logsumexp(x, dims, keepdim)` (panics on a bad dimension).
    #[track_caller]
    pub fn logsumexp(self, dims: impl Dims, keepdim: bool) -> Self {
        or_panic(self.try_logsumexp(dims, keepdim))
    }
}

/// `shape` without the dimensions `axes`.
fn reduced_shape(shape: &[usize], axes: &[usize]) -> Vec<usize> {
    (0..shape.len())
        .filter(|d| !axes.contains(d))
        .map(|d| shape[d])
        .collect()
}
// ANCHOR_END: logsumexp-helpers

// ANCHOR: amax
impl<'g, T: Element> Tensor<'g, T> {
    /// The largest elements over `dims`, values only: PyTorch's
    /// `x.amax(dims, keepdim)`. Where `max(dim, keepdim)` sends a lane's
    /// gradient to its first maximum, `amax` shares it evenly among the
    /// lane's ties, as `max_all` does.
    pub fn try_amax(self, dims: impl Dims, keepdim: bool) -> Result<Self> {
        self.extreme_over("amax", "AmaxBackward0", dims, keepdim, Ordering::Greater)
    }

    /// The smallest elements over `dims` (`x.amin(dims, keepdim)`); ties
    /// share the gradient.
    pub fn try_amin(self, dims: impl Dims, keepdim: bool) -> Result<Self> {
        self.extreme_over("amin", "AminBackward0", dims, keepdim, Ordering::Less)
    }

    /// `x.amax(dims, keepdim)` (panics on a bad or empty dimension).
    #[track_caller]
    pub fn amax(self, dims: impl Dims, keepdim: bool) -> Self {
        or_panic(self.try_amax(dims, keepdim))
    }

    /// `x.amin(dims, keepdim)` (panics on a bad or empty dimension).
    #[track_caller]
    pub fn amin(self, dims: impl Dims, keepdim: bool) -> Self {
        or_panic(self.try_amin(dims, keepdim))
    }
}

// ANCHOR_END: amax

// ANCHOR: amax-extreme
impl<'g, T: Element> Tensor<'g, T> {
    fn extreme_over(
        self,
        op: &str,
        name: &'static str,
        dims: impl Dims,
        keepdim: bool,
        want: Ordering,
    ) -> Result<Self> {
        let axes = dims::resolve_all(op, dims, self.ndim())?;
        let shape = self.shape();
        let (best, ties, count) = lane_winners(op, self.value().view(), &axes, want)?;
        let value = if keepdim {
            best
        } else {
            best.to_shape(reduced_shape(&shape, &axes))
                .expect("the kept axes have size 1")
                .into_owned()
        };
        let (kept_axes, kept_ties, kept_count) = (axes.clone(), ties.clone(), count.clone());
        // As PyTorch: the lane's gradient divided by the count, then masked.
        Ok(self
            .graph
            .record(name, &[self], value, move |ctx| {
                let spread = spread(ctx.grad_output, &shape, &axes);
                vec![ctx.gradient(0, || {
                    Zip::from(&spread)
                        .and_broadcast(&count)
                        .and(&ties)
                        .map_collect(|&g, &n, &t| g / n * t)
                })]
            })
            .recorded(move |c| {
                let graph = c.output.graph();
                kept(c, &kept_axes) / graph.tensor(kept_count.clone()) * graph.tensor(kept_ties.clone())
            }))
    }
}
// ANCHOR_END: amax-extreme

// ANCHOR: lane-winners
/// Each lane's winner over `axes`, kept with size 1; a mask of the ties;
/// how many ties each lane has. An empty lane has no winner: an error. A lane whose winner is NaN has none, and
/// its gradient is 0/0: NaN, as in PyTorch.
fn lane_winners<T: Element>(
    op: &str,
    a: ArrayViewD<'_, T>,
    axes: &[usize],
    want: Ordering,
) -> Result<(ArrayD<T>, ArrayD<T>, ArrayD<T>)> {
    if let Some(&axis) = axes.iter().find(|&&axis| a.shape()[axis] == 0) {
        return Err(shape_error(format!(
            "{op}(): Expected reduction dim {axis} to have non-zero size (the tensor has shape {:?})",
            a.shape()
        )));
    }
    let best = reduce(a.view(), axes, true, |lanes, axis| {
        lanes.map_axis(axis, |lane| {
            lane.iter()
                .fold(lane[0], |best, &x| if beats(x, best, want) { x } else { best })
        })
    });
    let ties = Zip::from(a)
        .and_broadcast(&best)
        .map_collect(|&x, &b| if x == b { T::one() } else { T::zero() });
    let count = reduce(ties.view(), axes, true, |lanes, axis| lanes.sum_axis(axis));
    Ok((best, ties, count))
}
// ANCHOR_END: lane-winners

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_sum_is_its_fixed_blocks_added_in_order() {
        let len = SHARED_FROM * 3 + 17;
        let x = ndarray::Array1::from_shape_fn(len, |i| (i % 1013) as f32 * 0.001);
        let blocks = x
            .as_slice()
            .expect("one slice")
            .chunks(SUM_BLOCK)
            .map(|block| ndarray::aview1(block).sum())
            .fold(0.0f32, |total, sum| total + sum);
        assert_eq!(total(x.view().into_dyn()).to_bits(), blocks.to_bits());
        // The blocks matter: one pass over the whole array gives other bits.
        assert_ne!(x.sum().to_bits(), blocks.to_bits());
        // A small array, or one that is not one slice, is summed in one pass.
        let small = x.slice(ndarray::s![..1000]);
        assert_eq!(total(small.into_dyn()).to_bits(), small.sum().to_bits());
        let every_other = x.slice(ndarray::s![..;2]);
        assert_eq!(total(every_other.into_dyn()).to_bits(), every_other.sum().to_bits());
    }
}

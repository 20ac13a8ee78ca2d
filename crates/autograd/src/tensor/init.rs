//! Tensors made by a rule rather than from data: `arange`, and `rand` and
//! `randn` from a seed, the same numbers on every run and every machine; and
//! a tensor's values carried into a graph of another dtype.

// ANCHOR: init-imports
use ndarray::{ArrayD, IxDyn};

use super::{Graph, Tensor};
use crate::element::Element;
use crate::error::{Error, ErrorKind, Result};
// ANCHOR_END: init-imports

// ANCHOR: arange
impl<T: Element> Graph<T> {
    /// `torch.arange(start, end, step)`: `start`, `start + step`, … up to
    /// `end`, not included. The bounds are f64, as PyTorch's are (Python
    /// floats): the length, `⌈(end − start)/step⌉`, and each value,
    /// `start + i·step`, are computed in f64, and only the values rounded to
    /// the graph's type.
    pub fn try_arange(&self, start: f64, end: f64, step: f64) -> Result<Tensor<'_, T>> {
        if !(start.is_finite() && end.is_finite() && step.is_finite()) || step == 0.0 || (end - start) * step < 0.0 {
            return Err(Error::new(
                ErrorKind::Invalid,
                format!(
                    "arange: no range from {start} to {end} by a step of {step} \
                     (the step must be nonzero and point from start to end)"
                ),
            ));
        }
        let n = ((end - start) / step).ceil() as usize;
        Ok(self.tensor(ndarray::Array1::from_shape_fn(n, |i| {
            T::of_f64(start + i as f64 * step)
        })))
    }

    /// `torch.arange(start, end, step)` (panics on an empty or endless range).
    #[track_caller]
    pub fn arange(&self, start: f64, end: f64, step: f64) -> Tensor<'_, T> {
        match self.try_arange(start, end, step) {
            Ok(t) => t,
            Err(e) => panic!("{e}"),
        }
    }
}
// ANCHOR_END: arange

// ANCHOR: linspace
impl<T: Element> Graph<T> {
    /// `steps` numbers from `start` to `end`, both included, evenly spaced
    /// (`torch.linspace`). As PyTorch computes them, in the graph's type:
    /// the first half counts up from `start` and the second half down
    /// from `end`, so that both ends are exact.
    pub fn linspace(&self, start: f64, end: f64, steps: usize) -> Tensor<'_, T> {
        let (start, end) = (T::of_f64(start), T::of_f64(end));
        let count = |i: usize| T::from_usize(i).expect("a count fits the type");
        let step = if steps > 1 {
            (end - start) / count(steps - 1)
        } else {
            T::zero()
        };
        let halfway = steps / 2;
        self.tensor(ndarray::Array1::from_shape_fn(steps, |i| {
            if i < halfway || steps == 1 {
                start + step * count(i)
            } else {
                end - step * count(steps - i - 1)
            }
        }))
    }
}
// ANCHOR_END: linspace

// ANCHOR: one-hot
impl<T: Element> Graph<T> {
    /// A row per index, 1 at the index's column and 0 elsewhere, of
    /// `classes` columns (`F.one_hot(indices, classes)`, in the graph's
    /// type rather than int64).
    pub fn try_one_hot(&self, indices: &[usize], classes: usize) -> Result<Tensor<'_, T>> {
        if let Some(&i) = indices.iter().find(|&&i| i >= classes) {
            return Err(Error::new(
                ErrorKind::OutOfRange,
                format!("one_hot: Class values must be smaller than num_classes ({i} with {classes} classes)"),
            ));
        }
        Ok(self.tensor(ndarray::Array2::from_shape_fn(
            (indices.len(), classes),
            |(row, column)| {
                if indices[row] == column { T::one() } else { T::zero() }
            },
        )))
    }

    /// `F.one_hot(indices, classes)` (panics on an index not below `classes`).
    #[track_caller]
    pub fn one_hot(&self, indices: &[usize], classes: usize) -> Tensor<'_, T> {
        match self.try_one_hot(indices, classes) {
            Ok(t) => t,
            Err(e) => panic!("{e}"),
        }
    }
}
// ANCHOR_END: one-hot

// ANCHOR: rand
/// SplitMix64, a small and well-tested generator: 64 bits of state, each
/// output a mix of the next state. Not PyTorch's generator, so the numbers
/// differ from `torch.manual_seed`'s; they are the same on every run here.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1): the top 53 bits as a fraction.
    fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}
// ANCHOR_END: rand

// ANCHOR: rand-graph
impl<T: Element> Graph<T> {
    /// Uniform numbers in [0, 1) of `shape`, from `seed` (`torch.rand`).
    pub fn rand(&self, shape: &[usize], seed: u64) -> Tensor<'_, T> {
        let mut rng = SplitMix64(seed);
        // Rounding to f32 could make 1 of a number just below it.
        let below_one = T::one() - T::epsilon() / T::of_f64(2.0);
        self.tensor(ArrayD::from_shape_simple_fn(IxDyn(shape), || {
            T::of_f64(rng.uniform()).min(below_one)
        }))
    }

    /// Standard normal numbers of `shape`, from `seed` (`torch.randn`), by
    /// the Box–Muller transform of two uniform numbers.
    pub fn randn(&self, shape: &[usize], seed: u64) -> Tensor<'_, T> {
        let mut rng = SplitMix64(seed);
        self.tensor(ArrayD::from_shape_simple_fn(IxDyn(shape), || {
            let (u, v) = (1.0 - rng.uniform(), rng.uniform());
            T::of_f64((-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos())
        }))
    }
}
// ANCHOR_END: rand-graph

// ANCHOR: cast-to
impl<T: Element> Tensor<'_, T> {
    /// The values converted to `U` (rounded to nearest), as a new leaf of
    /// `graph`, a graph of that dtype: PyTorch's `x.double()` or
    /// `x.float()`. A graph holds one dtype, so the new tensor starts a
    /// graph of its own: gradients do not flow back across the conversion.
    pub fn cast_to<U: Element>(self, graph: &Graph<U>) -> Tensor<'_, U> {
        graph.tensor(self.value().mapv(|x| U::of_f64(x.as_f64())))
    }
}
// ANCHOR_END: cast-to

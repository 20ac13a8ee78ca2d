//! Checking autograd against finite differences.
//!
//! For a function of f64 tensors, [`gradcheck`] computes the full Jacobian
//! twice: by the engine (one backward pass per output element, with a
//! one-hot upstream gradient) and by central differences
//! `(f(x + ε) − f(x − ε)) / 2ε`, one input element at a time. Each entry
//! passes when `|analytic − numeric| ≤ atol + rtol·|numeric|`, PyTorch's
//! test; the report names the entry that came closest to failing.

// ANCHOR: gradcheck-imports
use std::fmt;

use ndarray::{ArrayD, Dimension, IxDyn};

use crate::error::Result;
use crate::tensor::{Graph, Tensor};
// ANCHOR_END: gradcheck-imports

// ANCHOR: tolerances
/// Tolerances of a gradient check; the defaults are PyTorch's.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tolerances {
    /// The finite-difference step.
    pub eps: f64,
    /// Absolute tolerance.
    pub atol: f64,
    /// Relative tolerance.
    pub rtol: f64,
}

impl Default for Tolerances {
    fn default() -> Self {
        Tolerances {
            eps: 1e-6,
            atol: 1e-5,
            rtol: 1e-3,
        }
    }
}
// ANCHOR_END: tolerances

// ANCHOR: entry
/// One entry of the Jacobian: `∂output[output_index] / ∂inputs[input][input_index]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// Which input tensor.
    pub input: usize,
    /// The element of that input.
    pub input_index: Vec<usize>,
    /// The element of the output.
    pub output_index: Vec<usize>,
    /// The engine's value.
    pub analytic: f64,
    /// The finite-difference estimate.
    pub numeric: f64,
}

impl Entry {
    /// |analytic − numeric| as a fraction of what the tolerances allow:
    /// the entry passes when this is at most 1.
    pub fn ratio(&self, tol: &Tolerances) -> f64 {
        let allowed = tol.atol + tol.rtol * self.numeric.abs();
        let diff = (self.analytic - self.numeric).abs();
        // A NaN on either side is a failure, not a pass.
        if diff.is_nan() { f64::INFINITY } else { diff / allowed }
    }
}
// ANCHOR_END: entry

// ANCHOR: report
/// The outcome of [`gradcheck`].
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// The tolerances used.
    pub tolerances: Tolerances,
    /// How many Jacobian entries were compared.
    pub checked: usize,
    /// The entry with the largest [`Entry::ratio`], if any was checked.
    pub worst: Option<Entry>,
}

impl Report {
    /// Whether every entry was within tolerance.
    pub fn passed(&self) -> bool {
        self.worst.as_ref().is_none_or(|w| w.ratio(&self.tolerances) <= 1.0)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = if self.passed() { "passed" } else { "FAILED" };
        write!(f, "gradcheck {verdict}: {} entries", self.checked)?;
        if let Some(w) = &self.worst {
            write!(
                f,
                "; worst at input {} {:?}, output {:?}: analytic {:.6e}, numeric {:.6e}, |diff| {:.1e}",
                w.input,
                w.input_index,
                w.output_index,
                w.analytic,
                w.numeric,
                (w.analytic - w.numeric).abs()
            )?;
        }
        Ok(())
    }
}
// ANCHOR_END: report

// ANCHOR: gradcheck
/// Compares the engine's gradients of `f` at `inputs` with central finite
/// differences, with PyTorch's default tolerances.
///
/// `f` builds its output from tensors of a fresh graph each time it is
/// called (the check calls it once per perturbed input element).
///
/// ```
/// use autograd::gradcheck::gradcheck;
/// use ndarray::array;
///
/// let report = gradcheck(|x| (x[0].pow(3) * x[1]).sum_all(), &[
///     array![0.5, -1.0].into_dyn(),
///     array![2.0, 3.0].into_dyn(),
/// ]).unwrap();
/// assert!(report.passed(), "{report}");
/// ```
///
/// # Errors
/// Whatever error the backward passes report (for example an output that
/// does not depend on any input).
pub fn gradcheck<F>(f: F, inputs: &[ArrayD<f64>]) -> Result<Report>
where
    F: for<'g> Fn(&[Tensor<'g, f64>]) -> Tensor<'g, f64>,
{
    gradcheck_with(f, inputs, Tolerances::default())
}
// ANCHOR_END: gradcheck

// ANCHOR: gradcheck-with
/// [`gradcheck`] with chosen tolerances.
pub fn gradcheck_with<F>(f: F, inputs: &[ArrayD<f64>], tolerances: Tolerances) -> Result<Report>
where
    F: for<'g> Fn(&[Tensor<'g, f64>]) -> Tensor<'g, f64>,
{
    let analytic = analytic_jacobian(&f, inputs)?;
    let mut report = Report {
        tolerances,
        checked: 0,
        worst: None,
    };
    for (input, x) in inputs.iter().enumerate() {
        for (element, input_index) in x.indexed_iter().map(|(i, _)| i).enumerate() {
            let numeric = central_difference(&f, inputs, input, &input_index, tolerances.eps);
            for (output_flat, (output_index, &n)) in numeric.indexed_iter().enumerate() {
                let entry = Entry {
                    input,
                    input_index: input_index.as_array_view().to_vec(),
                    output_index: output_index.as_array_view().to_vec(),
                    analytic: analytic[input][output_flat][element],
                    numeric: n,
                };
                report.checked += 1;
                let worse = report
                    .worst
                    .as_ref()
                    .is_none_or(|w| entry.ratio(&tolerances) > w.ratio(&tolerances));
                if worse {
                    report.worst = Some(entry);
                }
            }
        }
    }
    Ok(report)
}
// ANCHOR_END: gradcheck-with

// ANCHOR: jacobians
/// `jacobian[input][output element][input element]`, by one backward pass
/// per output element on a single recorded graph.
fn analytic_jacobian<F>(f: &F, inputs: &[ArrayD<f64>]) -> Result<Vec<Vec<Vec<f64>>>>
where
    F: for<'g> Fn(&[Tensor<'g, f64>]) -> Tensor<'g, f64>,
{
    let graph = Graph::<f64>::new();
    let leaves: Vec<Tensor<'_, f64>> = inputs.iter().map(|x| graph.tensor(x.clone()).requires_grad()).collect();
    let output = f(&leaves);
    let out_shape = output.shape();
    let n_out: usize = out_shape.iter().product();
    let mut jacobian: Vec<Vec<Vec<f64>>> = inputs.iter().map(|_| Vec::with_capacity(n_out)).collect();
    for k in 0..n_out {
        graph.zero_grad();
        let mut one_hot = ArrayD::<f64>::zeros(IxDyn(&out_shape));
        if let Some(slot) = one_hot.iter_mut().nth(k) {
            *slot = 1.0;
        }
        output.backward_with(graph.tensor(one_hot))?;
        for (row, (leaf, x)) in jacobian.iter_mut().zip(leaves.iter().zip(inputs)) {
            let grad = leaf.grad_array().unwrap_or_else(|| ArrayD::zeros(x.raw_dim()));
            row.push(grad.iter().copied().collect());
        }
    }
    Ok(jacobian)
}
// ANCHOR_END: jacobians

// ANCHOR: central-difference
/// (f(x + ε·e) − f(x − ε·e)) / 2ε for the unit vector e at one input element.
/// The inputs are plain leaves, so nothing is recorded, unless `f` asks for
/// gradients itself (a gradient penalty): recording stays on for that.
fn central_difference<F>(f: &F, inputs: &[ArrayD<f64>], input: usize, index: &IxDyn, eps: f64) -> ArrayD<f64>
where
    F: for<'g> Fn(&[Tensor<'g, f64>]) -> Tensor<'g, f64>,
{
    let evaluate = |delta: f64| {
        let graph = Graph::<f64>::new();
        let tensors: Vec<Tensor<'_, f64>> = inputs
            .iter()
            .enumerate()
            .map(|(i, x)| {
                let mut x = x.clone();
                if i == input {
                    x[index] += delta;
                }
                graph.tensor(x)
            })
            .collect();
        f(&tensors).to_array()
    };
    let (plus, minus) = (evaluate(eps), evaluate(-eps));
    (plus - minus) / (2.0 * eps)
}
// ANCHOR_END: central-difference

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn a_correct_gradient_passes() {
        let report = gradcheck(
            |x| x[0].matmul(x[1]).tanh(),
            &[
                array![[0.1, 0.2], [0.3, -0.4]].into_dyn(),
                array![[1.0], [-2.0]].into_dyn(),
            ],
        )
        .unwrap();
        assert!(report.passed(), "{report}");
        assert_eq!(report.checked, 2 * (4 + 2));
    }

    #[test]
    fn a_wrong_gradient_fails_and_names_the_entry() {
        // detach() hides the dependency on x from autograd, so the
        // analytic gradient of x·detach(x) is x, while the true one is 2x.
        let report = gradcheck(|x| x[0] * x[0].detach(), &[array![3.0].into_dyn()]).unwrap();
        assert!(!report.passed());
        let worst = report.worst.unwrap();
        assert_eq!((worst.input, worst.input_index.clone()), (0, vec![0]));
        assert!((worst.analytic - 3.0).abs() < 1e-12 && (worst.numeric - 6.0).abs() < 1e-6);
    }
}

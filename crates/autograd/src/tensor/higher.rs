//! Gradients of gradients: a backward pass that records itself.
//!
//! [`Tensor::backward`] computes gradients with plain arrays: fast, and
//! final. [`Tensor::gradients`] walks the same tape with each operation's
//! *recorded* rule instead, the same formula written with tensor operations
//! ([`Tensor::with_recorded_backward`]), so every gradient it returns is a
//! tensor of the graph, with a graph of its own behind it, and can be
//! differentiated again: PyTorch's `torch.autograd.grad(…,
//! create_graph=True)`. Second derivatives, Hessian-vector products and
//! gradient penalties are then ordinary graphs.

// ANCHOR: higher-imports
use ndarray::{ArrayD, IxDyn};

use super::{Tensor, shape};
use crate::element::Element;
use crate::error::{Error, ErrorKind, Result};
// ANCHOR_END: higher-imports

// ANCHOR: grad-context
/// A backward rule written in tensor operations: from the output's gradient
/// (a tensor), the gradient of each input, or `None` for an input that
/// needs none.
pub(super) type RecordedFn<T> = Box<dyn for<'a> Fn(&GradContext<'a, T>) -> Vec<Option<Tensor<'a, T>>>>;

/// What a recorded backward rule may look at: the same as a
/// [`BackwardContext`](super::BackwardContext), as tensors of the graph.
pub struct GradContext<'g, T: Element> {
    /// d(result)/d(output), a tensor of the graph.
    pub grad_output: Tensor<'g, T>,
    /// The operation's output.
    pub output: Tensor<'g, T>,
    inputs: Vec<Tensor<'g, T>>,
    needs: Vec<bool>,
}

impl<'g, T: Element> GradContext<'g, T> {
    /// Input `k` of the operation.
    pub fn input(&self, k: usize) -> Tensor<'g, T> {
        self.inputs[k]
    }

    /// Input `k`'s gradient `f()`, computed only if that input needs one.
    pub fn gradient(&self, k: usize, f: impl FnOnce() -> Tensor<'g, T>) -> Option<Tensor<'g, T>> {
        self.needs[k].then(f)
    }

    /// A number as a 0-dimensional constant of the graph.
    pub fn constant(&self, value: T) -> Tensor<'g, T> {
        self.output.graph.scalar(value)
    }

    /// Zeros of input `k`'s shape, to broadcast a gradient onto it.
    pub fn zeros_like_input(&self, k: usize) -> Tensor<'g, T> {
        self.output.graph.zeros(&self.inputs[k].shape())
    }
}
// ANCHOR_END: grad-context

// ANCHOR: with-recorded-backward
impl<'g, T: Element> Tensor<'g, T> {
    /// Gives the operation that produced this tensor its backward rule in
    /// tensor operations, so that [`gradients`](Tensor::gradients) can go
    /// through it. The engine's operations call it right after
    /// [`Graph::record`](super::Graph::record); so can an operation of your
    /// own. On a leaf it does nothing.
    pub fn with_recorded_backward(
        self,
        rule: impl for<'a> Fn(&GradContext<'a, T>) -> Vec<Option<Tensor<'a, T>>> + 'static,
    ) -> Self {
        if let Some(op) = self.graph.nodes_mut("with_recorded_backward")[self.id as usize]
            .op
            .as_mut()
        {
            op.recorded = Some(Box::new(rule));
        }
        self
    }
}
// ANCHOR_END: with-recorded-backward

// ANCHOR: grad-options
/// What [`Tensor::gradients_with`] takes besides the tensors to
/// differentiate by: PyTorch's keyword arguments of `torch.autograd.grad`.
pub struct GradOptions<'g, T: Element> {
    /// d(result)/d(output), of the output's shape (`grad_outputs`); `None`
    /// means 1, for an output of one element.
    pub grad_output: Option<Tensor<'g, T>>,
    /// Zeros for a tensor the output does not depend on, instead of an
    /// error (`materialize_grads=True`, which allows unused tensors).
    pub materialize_grads: bool,
}

impl<T: Element> Default for GradOptions<'_, T> {
    fn default() -> Self {
        GradOptions {
            grad_output: None,
            materialize_grads: false,
        }
    }
}
// ANCHOR_END: grad-options

// ANCHOR: gradients
impl<'g, T: Element> Tensor<'g, T> {
    /// The gradient of this one-element tensor with respect to each tensor
    /// of `wrt`, as tensors recorded on the graph: differentiate them again
    /// for second derivatives (PyTorch's `torch.autograd.grad` with
    /// `create_graph=True`). Nothing is accumulated into any `.grad`.
    ///
    /// # Errors
    /// As [`backward`](Tensor::backward); [`ErrorKind::NotRecorded`] for
    /// an operation on the way whose backward has no recorded form; and
    /// [`ErrorKind::Invalid`] for a tensor of `wrt` that does not require
    /// gradients or that the output does not depend on (see
    /// [`gradients_with`](Tensor::gradients_with) for zeros instead).
    pub fn gradients(self, wrt: &[Tensor<'g, T>]) -> Result<Vec<Tensor<'g, T>>> {
        self.gradients_with(wrt, GradOptions::default())
    }

    /// [`gradients`](Tensor::gradients) with PyTorch's options: an
    /// upstream gradient for an output of any shape, and zeros for unused
    /// tensors.
    pub fn gradients_with(self, wrt: &[Tensor<'g, T>], options: GradOptions<'g, T>) -> Result<Vec<Tensor<'g, T>>> {
        self.check_requires_grad()?;
        let seed = match options.grad_output {
            Some(upstream) => {
                self.same_graph("gradients", upstream)?;
                check_upstream(self, upstream)?;
                upstream
            }
            None if self.numel() == 1 => self.graph.tensor(ArrayD::ones(IxDyn(&self.shape()))),
            None => {
                return Err(Error::new(
                    ErrorKind::NonScalarBackward,
                    format!(
                        "grad can be implicitly created only for scalar outputs (this output has shape {:?})",
                        self.shape()
                    ),
                ));
            }
        };
        // ANCHOR_END: gradients
        // ANCHOR: gradients-walk
        for &w in wrt {
            self.same_graph("gradients", w)?;
            if !w.tracks_grad() {
                return Err(Error::new(
                    ErrorKind::Invalid,
                    "One of the differentiated Tensors does not require grad",
                ));
            }
        }
        let graph = self.graph;
        let root = self.id as usize;
        let mut adjoint: Vec<Option<Tensor<'g, T>>> = vec![None; root + 1];
        adjoint[root] = Some(seed);
        let mut found: Vec<Option<Tensor<'g, T>>> = vec![None; wrt.len()];
        for id in (0..=root).rev() {
            let Some(grad) = adjoint[id].take() else { continue };
            // A hook's computation is recorded: its derivative flows.
            let grad = super::run_hooks(graph, id, grad);
            for (slot, w) in found.iter_mut().zip(wrt) {
                if w.id as usize == id {
                    *slot = Some(grad);
                }
            }
            // Read what the step needs, and let go of the tape: the rule
            // records. The rule is lent out of its node while it runs.
            let step = {
                let mut nodes = graph.nodes_mut("gradients");
                let needs = |inputs: &[u32]| inputs.iter().map(|&i| nodes[i as usize].requires_grad).collect();
                let step = nodes[id]
                    .op
                    .as_ref()
                    .map(|op| (op.name, op.inputs.clone(), needs(&op.inputs)));
                step.map(|(name, inputs, needs)| {
                    let rule = nodes[id].op.as_mut().and_then(|op| op.recorded.take());
                    (name, inputs, rule, needs)
                })
            };
            let Some((name, inputs, rule, needs)) = step else {
                continue;
            };
            // ANCHOR_END: gradients-walk
            // ANCHOR: gradients-rule
            let rule = rule.ok_or_else(|| {
                Error::new(
                    ErrorKind::NotRecorded,
                    format!(
                        "{name}: its backward is not written in tensor operations, so gradients() cannot go through it (backward() can)"
                    ),
                )
            })?;
            let ctx = GradContext {
                grad_output: grad,
                output: Tensor { graph, id: id as u32 },
                inputs: inputs.iter().map(|&i| Tensor { graph, id: i }).collect(),
                needs,
            };
            let input_grads = rule(&ctx);
            if let Some(op) = graph.nodes_mut("gradients")[id].op.as_mut() {
                op.recorded = Some(rule);
            }
            assert!(
                input_grads.len() == inputs.len(),
                "{name}: its recorded backward returned {} gradient(s) for {} input(s)",
                input_grads.len(),
                inputs.len()
            );
            // ANCHOR_END: gradients-rule
            // ANCHOR: gradients-sum
            for (input, g) in ctx.inputs.iter().zip(input_grads) {
                let Some(g) = g else { continue };
                let g = if g.shape() == input.shape() {
                    g
                } else {
                    g.sum_to(&input.shape())
                };
                let slot = &mut adjoint[input.id as usize];
                *slot = Some(match *slot {
                    Some(sum) => sum + g,
                    None => g,
                });
            }
        }
        // ANCHOR_END: gradients-sum
        // ANCHOR: gradients-result
        // No gradient arrived: zero if the output depends on the tensor
        // through steps that are flat (floor), unused if it does not at all.
        let reached = found.iter().any(Option::is_none).then(|| reached_from(graph, root));
        found
            .into_iter()
            .zip(wrt)
            .enumerate()
            .map(|(k, (g, w))| match g {
                Some(g) => Ok(g),
                None if options.materialize_grads
                    || reached.as_ref().is_some_and(|r| r.get(w.id as usize) == Some(&true)) =>
                {
                    Ok(graph.zeros(&w.shape()))
                }
                None => Err(Error::new(
                    ErrorKind::Invalid,
                    format!(
                        "The differentiated Tensor at index {k} appears to not have been used in the graph \
                         (GradOptions {{ materialize_grads: true, .. }} gives it zeros)"
                    ),
                )),
            })
            .collect()
    }
}

// ANCHOR_END: gradients-result

// ANCHOR: gradients-helpers
/// An upstream gradient must have its output's shape.
pub(crate) fn check_upstream<T: Element>(output: Tensor<'_, T>, upstream: Tensor<'_, T>) -> Result<()> {
    if upstream.shape() == output.shape() {
        return Ok(());
    }
    Err(Error::new(
        ErrorKind::UpstreamShape,
        format!(
            "Mismatch in shape: grad_output has a shape of {:?} and output has a shape of {:?}",
            upstream.shape(),
            output.shape()
        ),
    ))
}

/// Which nodes the output `root` depends on, through any recorded step.
fn reached_from<T: Element>(graph: &super::Graph<T>, root: usize) -> Vec<bool> {
    let nodes = graph.nodes.borrow();
    let mut reached = vec![false; root + 1];
    reached[root] = true;
    for id in (0..=root).rev() {
        if let (true, Some(op)) = (reached[id], &nodes[id].op) {
            for &input in &op.inputs {
                reached[input as usize] = true;
            }
        }
    }
    reached
}
// ANCHOR_END: gradients-helpers

// ANCHOR: sum-to
impl<'g, T: Element> Tensor<'g, T> {
    /// Sums a broadcast gradient back down to `shape` (PyTorch's
    /// `sum_to_size`): the one place a recorded backward undoes broadcasting.
    /// Its own gradient broadcasts back up.
    pub(crate) fn sum_to(self, shape: &[usize]) -> Self {
        let value = shape::sum_to_shape(self.to_array(), shape);
        let from = self.shape();
        self.graph
            .record("SumToSizeBackward0", &[self], value, move |ctx| {
                vec![ctx.gradient(0, || {
                    ctx.grad_output
                        .broadcast(from.as_slice())
                        .expect("summed from it")
                        .to_owned()
                })]
            })
            .with_recorded_backward(|c| vec![c.gradient(0, || c.zeros_like_input(0) + c.grad_output)])
    }
}
// ANCHOR_END: sum-to

// ANCHOR: jvp
impl<'g, T: Element> Tensor<'g, T> {
    /// The Jacobian-vector product J·u of this tensor with respect to
    /// `inputs`, along `tangents` (one per input, of its shape), by two
    /// reverse passes, as `torch.autograd.functional.jvp` computes it: the
    /// gradient of `sum(self · v)` is Jᵀv, linear in a stand-in `v`, and
    /// the gradient of `u · Jᵀv` with respect to `v` is J·u.
    ///
    /// # Errors
    /// As [`gradients`](Tensor::gradients); [`ErrorKind::Shape`] if the
    /// tangents do not match the inputs.
    pub fn jvp(self, inputs: &[Tensor<'g, T>], tangents: &[Tensor<'g, T>]) -> Result<Tensor<'g, T>> {
        check_tangents("jvp", inputs, tangents)?;
        if let Some(k) = inputs.iter().position(|x| !x.tracks_grad()) {
            return Err(Error::new(
                ErrorKind::Invalid,
                format!(
                    "jvp: input {k} does not require grad, so nothing recorded depends on it \
                     (autograd::func::jvp takes the function instead, and any input)"
                ),
            ));
        }
        let v = self.graph.zeros(&self.shape()).requires_grad();
        let all = || GradOptions {
            grad_output: None,
            materialize_grads: true,
        };
        let transposed = (self * v).sum_all().gradients_with(inputs, all())?;
        let along = transposed
            .iter()
            .zip(tangents)
            .map(|(&jt_v, &u)| (jt_v * u).sum_all())
            .reduce(|a, b| a + b)
            .unwrap_or_else(|| self.graph.scalar(T::zero()));
        if !along.tracks_grad() {
            // Nothing of `self` depends on the inputs: J·u is zero.
            return Ok(self.graph.zeros(&self.shape()));
        }
        Ok(along.gradients_with(&[v], all())?[0])
    }
}
// ANCHOR_END: jvp

// ANCHOR: check-tangents
/// One tangent per input, of its shape.
pub(crate) fn check_tangents<T: Element>(op: &str, inputs: &[Tensor<'_, T>], tangents: &[Tensor<'_, T>]) -> Result<()> {
    let shapes = |ts: &[Tensor<'_, T>]| ts.iter().map(|t| t.shape()).collect::<Vec<_>>();
    if inputs.len() != tangents.len() || inputs.iter().zip(tangents).any(|(x, v)| x.shape() != v.shape()) {
        return Err(Error::new(
            ErrorKind::Shape,
            format!(
                "{op}: tangents of shapes {:?} for inputs of shapes {:?}",
                shapes(tangents),
                shapes(inputs)
            ),
        ));
    }
    Ok(())
}
// ANCHOR_END: check-tangents

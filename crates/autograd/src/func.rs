//! Function transforms, as `torch.func` and `torch.autograd.functional`
//! shape them: the derivatives of a function at a point, whether or not the
//! point's tensors require gradients.
//!
//! Each transform runs the function on stand-ins of its inputs that require
//! gradients (an input that already does stands for itself, so the results
//! stay differentiable in it) and differentiates with
//! [`Tensor::gradients_with`]. Every result is therefore recorded and can be
//! differentiated again. A Jacobian-vector product takes two reverse passes
//! ([`Tensor::jvp`]): every operation's one recorded rule serves reverse
//! and forward mode alike.

// ANCHOR: func-imports
use crate::element::Element;
use crate::error::Result;
use crate::tensor::higher::{check_tangents, check_upstream};
use crate::tensor::{GradOptions, Graph, Tensor, stack};
// ANCHOR_END: func-imports

// ANCHOR: func-tracked
/// `x` itself if it requires gradients, else a leaf that does, sharing its
/// values: the function is run on it, and `x` is left as it was.
fn tracked<T: Element>(x: Tensor<'_, T>) -> Tensor<'_, T> {
    if x.tracks_grad() { x } else { x.detach().requires_grad() }
}

/// The gradients of `y` with respect to `inputs` along `upstream`, zeros
/// for an input `y` does not depend on (or for all, if `y` is a constant).
fn pull_back<'g, T: Element>(
    y: Tensor<'g, T>,
    inputs: &[Tensor<'g, T>],
    upstream: Option<Tensor<'g, T>>,
) -> Result<Vec<Tensor<'g, T>>> {
    if !y.tracks_grad() {
        return Ok(inputs.iter().map(|x| x.graph().zeros(&x.shape())).collect());
    }
    let options = GradOptions {
        grad_output: upstream,
        materialize_grads: true,
    };
    y.gradients_with(inputs, options)
}
// ANCHOR_END: func-tracked

// ANCHOR: func-vjp
/// `f(primals)` and the vector-Jacobian product `vᵀJ` for the cotangent
/// `v` (of the output's shape), one gradient per primal:
/// `torch.autograd.functional.vjp(f, primals, v)`.
///
/// # Errors
/// [`ErrorKind::UpstreamShape`] if `cotangent` does not have the output's
/// shape; as [`Tensor::gradients`] for an operation without a recorded rule.
pub fn vjp<'g, T: Element>(
    f: impl FnOnce(&[Tensor<'g, T>]) -> Tensor<'g, T>,
    primals: &[Tensor<'g, T>],
    cotangent: Tensor<'g, T>,
) -> Result<(Tensor<'g, T>, Vec<Tensor<'g, T>>)> {
    let inputs: Vec<_> = primals.iter().map(|&x| tracked(x)).collect();
    let y = f(&inputs);
    check_upstream(y, cotangent)?;
    let grads = pull_back(y, &inputs, Some(cotangent))?;
    Ok((y, grads))
}
// ANCHOR_END: func-vjp

// ANCHOR: func-jvp
/// `f(primals)` and the Jacobian-vector product `J·u` along `tangents`
/// (one per primal, of its shape), of the output's shape:
/// `torch.func.jvp(f, primals, tangents)`.
///
/// # Errors
/// [`ErrorKind::Shape`] if the tangents do not match the primals; as
/// [`Tensor::gradients`] for an operation without a recorded rule.
pub fn jvp<'g, T: Element>(
    f: impl FnOnce(&[Tensor<'g, T>]) -> Tensor<'g, T>,
    primals: &[Tensor<'g, T>],
    tangents: &[Tensor<'g, T>],
) -> Result<(Tensor<'g, T>, Tensor<'g, T>)> {
    check_tangents("jvp", primals, tangents)?;
    let inputs: Vec<_> = primals.iter().map(|&x| tracked(x)).collect();
    let y = f(&inputs);
    let along = if y.tracks_grad() {
        y.jvp(&inputs, tangents)?
    } else {
        y.graph().zeros(&y.shape())
    };
    Ok((y, along))
}
// ANCHOR_END: func-jvp

// ANCHOR: func-jacobian
/// The Jacobian of `f` at `x`, of shape `f(x).shape ++ x.shape`, one
/// reverse pass per output element: `torch.func.jacrev(f)(x)`.
///
/// # Errors
/// As [`Tensor::gradients`] for an operation without a recorded rule.
pub fn jacobian<'g, T: Element>(
    f: impl FnOnce(Tensor<'g, T>) -> Tensor<'g, T>,
    x: Tensor<'g, T>,
) -> Result<Tensor<'g, T>> {
    let input = tracked(x);
    jacobian_of(f(input), input)
}

/// The same Jacobian, one forward product per input element:
/// `torch.func.jacfwd(f)(x)`. Cheaper than [`jacobian`] when the output has
/// more elements than the input.
///
/// # Errors
/// As [`Tensor::gradients`] for an operation without a recorded rule.
pub fn jacfwd<'g, T: Element>(
    f: impl FnOnce(Tensor<'g, T>) -> Tensor<'g, T>,
    x: Tensor<'g, T>,
) -> Result<Tensor<'g, T>> {
    let input = tracked(x);
    let y = f(input);
    let (graph, n) = (x.graph(), x.numel());
    let columns = (0..n)
        .map(|j| {
            let direction = graph.tensor(one_hot::<T>(n, j)).reshape(x.shape());
            if y.tracks_grad() {
                y.jvp(&[input], &[direction])
            } else {
                Ok(graph.zeros(&y.shape()))
            }
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(assemble(graph, &columns, &y.shape(), &x.shape(), 1))
}
// ANCHOR_END: func-jacobian

// ANCHOR: func-hessian
/// The Hessian of the one-element `f` at `x`, of shape `x.shape ++
/// x.shape`: the Jacobian of the gradient, `torch.func.hessian(f)(x)`.
///
/// # Errors
/// As [`Tensor::gradients`]: a non-scalar `f(x)`, or an operation without a
/// recorded rule.
pub fn hessian<'g, T: Element>(
    f: impl FnOnce(Tensor<'g, T>) -> Tensor<'g, T>,
    x: Tensor<'g, T>,
) -> Result<Tensor<'g, T>> {
    let input = tracked(x);
    let gradient = pull_back(f(input), &[input], None)?[0];
    jacobian_of(gradient, input)
}
// ANCHOR_END: func-hessian

// ANCHOR: func-hvp
/// `f(primals)` and the Hessian-vector product `H·v` along `tangents`, one
/// per primal: `torch.autograd.functional.hvp(f, primals, v)`.
///
/// # Errors
/// As [`Tensor::gradients`]: a non-scalar `f`, or an operation without a
/// recorded rule; [`ErrorKind::Shape`] if the tangents do not match.
pub fn hvp<'g, T: Element>(
    f: impl FnOnce(&[Tensor<'g, T>]) -> Tensor<'g, T>,
    primals: &[Tensor<'g, T>],
    tangents: &[Tensor<'g, T>],
) -> Result<(Tensor<'g, T>, Vec<Tensor<'g, T>>)> {
    check_tangents("hvp", primals, tangents)?;
    let inputs: Vec<_> = primals.iter().map(|&x| tracked(x)).collect();
    let y = f(&inputs);
    let gradients = pull_back(y, &inputs, None)?;
    let along = gradients
        .iter()
        .zip(tangents)
        .map(|(&g, &v)| (g * v).sum_all())
        .reduce(|a, b| a + b);
    let products = match along {
        Some(along) => pull_back(along, &inputs, None)?,
        None => Vec::new(),
    };
    Ok((y, products))
}
// ANCHOR_END: func-hvp

// ANCHOR: func-assemble
/// The Jacobian of `y`, already computed from the tracked `x`: its rows,
/// one gradient per element of `y`, stacked.
fn jacobian_of<'g, T: Element>(y: Tensor<'g, T>, x: Tensor<'g, T>) -> Result<Tensor<'g, T>> {
    let (graph, m) = (y.graph(), y.numel());
    let rows = (0..m)
        .map(|i| {
            let cotangent = graph.tensor(one_hot::<T>(m, i)).reshape(y.shape());
            Ok(pull_back(y, &[x], Some(cotangent))?[0])
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(assemble(graph, &rows, &y.shape(), &x.shape(), 0))
}

/// A Jacobian of shape `out ++ inp` from its rows (`dim` 0, one per output
/// element) or its columns (`dim` 1, one per input element).
fn assemble<'g, T: Element>(
    graph: &'g Graph<T>,
    parts: &[Tensor<'g, T>],
    out: &[usize],
    inp: &[usize],
    dim: usize,
) -> Tensor<'g, T> {
    let shape: Vec<usize> = out.iter().chain(inp).copied().collect();
    if parts.is_empty() {
        return graph.zeros(&shape);
    }
    let flat: Vec<_> = parts.iter().map(|p| p.reshape([-1])).collect();
    stack(&flat, dim).reshape(shape)
}

/// The `i`th of `n` unit vectors.
fn one_hot<T: Element>(n: usize, i: usize) -> ndarray::ArrayD<T> {
    let mut e = ndarray::ArrayD::zeros(ndarray::IxDyn(&[n]));
    e[i] = T::one();
    e
}
// ANCHOR_END: func-assemble

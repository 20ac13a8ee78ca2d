//! The reference programs' language (`reference/cases.json`,
//! `reference/generate.py`), interpreted with the engine's public API: a
//! step names an operation of `reference/operations.json`, its arguments and
//! its attributes.

use std::collections::HashMap;

use autograd::tensor::{Indices, IntoOperand, try_cat, try_stack, try_where};
use autograd::{Graph, Tensor};
use ndarray::{ArrayD, IxDyn, SliceInfoElem};
use serde::Deserialize;

/// An element in the file: a JSON number, or one of the strings `"nan"`,
/// `"inf"`, `"-inf"` (JSON has no literal for them; the `bad_values` cases
/// are full of them).
#[derive(Deserialize)]
#[serde(untagged)]
pub enum Number {
    Finite(f64),
    Text(String),
}

pub fn numbers<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<f64>, D::Error> {
    Vec::<Number>::deserialize(deserializer)?
        .into_iter()
        .map(|n| match n {
            Number::Finite(x) => Ok(x),
            Number::Text(t) => match t.as_str() {
                "nan" => Ok(f64::NAN),
                "inf" => Ok(f64::INFINITY),
                "-inf" => Ok(f64::NEG_INFINITY),
                other => Err(serde::de::Error::custom(format!("not a number: {other:?}"))),
            },
        })
        .collect()
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub out: String,
    pub op: String,
    pub args: Vec<Arg>,
    #[serde(default)]
    pub attrs: Attrs,
}

/// A step's argument: an earlier tensor by name, or a plain number.
#[derive(Deserialize, Clone)]
#[serde(untagged)]
pub enum Arg {
    Name(String),
    Number(f64),
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct Attrs {
    pub exponent: Option<f64>,
    /// One dimension or several (`sum_axis`, `logsumexp`), or the one of
    /// `index_select` and `gather`; negative ones count from the end.
    pub axis: Option<AxisAttr>,
    pub keepdim: Option<bool>,
    pub dims: Option<usize>,
    pub axes: Option<[i64; 2]>,
    /// A new shape (`reshape`, with one `-1` allowed; `expand`, where `-1` keeps a size).
    pub shape: Option<Vec<i64>>,
    /// Python-style slices, one per axis: `"1"`, `"1:3"`, `"::2"`, `"-2:"`.
    pub slices: Option<Vec<String>>,
    pub index: Option<IndexAttr>,
    pub indices: Option<Vec<usize>>,
    pub k: Option<usize>,
    /// The dimension of `softmax`, `max_dim`, `cat`, `narrow`, `unsqueeze`…
    pub dim: Option<i64>,
    pub start: Option<usize>,
    pub length: Option<usize>,
    /// `clamp`'s bounds; either may be absent.
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// `leaky_relu`'s slope below 0 and `elu`'s α.
    pub slope: Option<f64>,
    pub alpha: Option<f64>,
    /// The classes of `nll_loss` and `cross_entropy`, one per row.
    pub target: Option<Vec<usize>>,
}

/// One dimension, or a list of them.
#[derive(Deserialize, Clone)]
#[serde(untagged)]
pub enum AxisAttr {
    One(i64),
    Many(Vec<i64>),
}

impl AxisAttr {
    pub fn dims(&self) -> Vec<i64> {
        match self {
            AxisAttr::One(d) => vec![*d],
            AxisAttr::Many(ds) => ds.clone(),
        }
    }
}

/// `at` takes a position (`[1, 2]`), `gather` a tensor of indices.
#[derive(Deserialize, Clone)]
#[serde(untagged)]
pub enum IndexAttr {
    /// Negative positions count from the end, as in PyTorch's `x[-1]`.
    Position(Vec<i64>),
    Tensor {
        shape: Vec<usize>,
        data: Vec<usize>,
    },
}

/// The interpreter's element types: the engine's own bound for code generic
/// over the dtype, which gives numbers as right-hand operands and the
/// operators with a number on the left, exactly as a user writes `2.0 / x`.
pub use autograd::Real as Num;

/// A resolved argument, usable wherever the engine takes a tensor or a number.
#[derive(Clone, Copy)]
pub enum Operand<'g, T: Num> {
    Tensor(Tensor<'g, T>),
    Number(T),
}

impl<'g, T: Num> IntoOperand<'g, T> for Operand<'g, T> {
    fn into_operand(self, graph: &'g Graph<T>) -> Tensor<'g, T> {
        match self {
            Operand::Tensor(t) => t,
            Operand::Number(x) => x.into_operand(graph),
        }
    }
}

pub fn array<T: Num>(shape: &[usize], data: &[f64]) -> ArrayD<T> {
    ArrayD::from_shape_vec(IxDyn(shape), data.iter().map(|&x| T::of_f64(x)).collect())
        .unwrap_or_else(|_| panic!("reference data of {} elements does not fit shape {shape:?}", data.len()))
}

pub fn parse_slice(text: &str) -> SliceInfoElem {
    let number = |s: &str| s.parse::<isize>().unwrap_or_else(|_| panic!("bad slice {text:?}"));
    let parts: Vec<&str> = text.split(':').collect();
    match parts.as_slice() {
        [index] => SliceInfoElem::Index(number(index)),
        [start, end] | [start, end, ""] => SliceInfoElem::Slice {
            start: if start.is_empty() { 0 } else { number(start) },
            end: (!end.is_empty()).then(|| number(end)),
            step: 1,
        },
        [start, end, step] => SliceInfoElem::Slice {
            start: if start.is_empty() { 0 } else { number(start) },
            end: (!end.is_empty()).then(|| number(end)),
            step: number(step),
        },
        _ => panic!("bad slice {text:?}"),
    }
}

/// Runs one step with the engine.
pub fn apply<'g, T: Num>(
    env: &HashMap<String, Tensor<'g, T>>,
    step: &Step,
) -> autograd::Result<(Tensor<'g, T>, Option<Indices>)> {
    let operand = |k: usize| match &step.args[k] {
        Arg::Name(name) => Operand::Tensor(
            *env.get(name)
                .unwrap_or_else(|| panic!("step {}: unknown tensor {name}", step.out)),
        ),
        Arg::Number(x) => Operand::Number(T::of_f64(*x)),
    };
    let tensor = |k: usize| match operand(k) {
        Operand::Tensor(t) => t,
        Operand::Number(_) => panic!("step {}: argument {k} of {} must be a tensor", step.out, step.op),
    };
    let attrs = &step.attrs;
    let attr = |value: Option<usize>, name: &str| {
        value.unwrap_or_else(|| panic!("step {}: {} needs the attribute {name}", step.out, step.op))
    };
    let dims = || {
        attrs
            .axis
            .as_ref()
            .unwrap_or_else(|| panic!("step {}: {} needs the attribute axis", step.out, step.op))
            .dims()
    };
    let axis = || match dims()[..] {
        [d] => d,
        _ => panic!("step {}: {} takes one axis", step.out, step.op),
    };
    let dim = || {
        attrs
            .dim
            .unwrap_or_else(|| panic!("step {}: {} needs the attribute dim", step.out, step.op))
    };
    let all = || (0..step.args.len()).map(tensor).collect::<Vec<_>>();
    let keepdim = || {
        attrs
            .keepdim
            .unwrap_or_else(|| panic!("step {}: keepdim missing", step.out))
    };
    // A binary arithmetic step: tensor ∘ (tensor or number), or number ∘ tensor
    // through the operator a user would write.
    let arithmetic = |method: fn(Tensor<'g, T>, Operand<'g, T>) -> autograd::Result<Tensor<'g, T>>,
                      left_number: fn(T, Tensor<'g, T>) -> Tensor<'g, T>| {
        match (operand(0), operand(1)) {
            (Operand::Tensor(a), b) => method(a, b),
            (Operand::Number(a), Operand::Tensor(b)) => Ok(left_number(a, b)),
            (Operand::Number(_), Operand::Number(_)) => panic!("step {}: two numbers", step.out),
        }
    };
    let value = match step.op.as_str() {
        "add" => arithmetic(|a, b| a.try_add(b), |a, b| a + b)?,
        "sub" => arithmetic(|a, b| a.try_sub(b), |a, b| a - b)?,
        "mul" => arithmetic(|a, b| a.try_mul(b), |a, b| a * b)?,
        "div" => arithmetic(|a, b| a.try_div(b), |a, b| a / b)?,
        "neg" => -tensor(0),
        "pow" => tensor(0).pow(T::of_f64(attrs.exponent.expect("pow needs an exponent"))),
        "exp" => tensor(0).exp(),
        "ln" => tensor(0).ln(),
        "tanh" => tensor(0).tanh(),
        "relu" => tensor(0).relu(),
        "sigmoid" => tensor(0).sigmoid(),
        "reciprocal" => tensor(0).reciprocal(),
        "floor" => tensor(0).floor(),
        "ceil" => tensor(0).ceil(),
        "round" => tensor(0).round(),
        "sum" => tensor(0).sum_all(),
        "mean" => tensor(0).mean_all(),
        "sum_axis" => tensor(0).try_sum(dims(), keepdim())?,
        "mean_axis" => tensor(0).try_mean(dims(), keepdim())?,
        "matmul" => tensor(0).try_matmul(tensor(1))?,
        "tensordot" => tensor(0).try_tensordot(tensor(1), attr(attrs.dims, "dims"))?,
        "transpose" => {
            let [a0, a1] = attrs.axes.expect("transpose needs axes");
            tensor(0).try_transpose(a0, a1)?
        }
        "t" => tensor(0).t(),
        "reshape" => tensor(0).try_reshape(attrs.shape.as_deref().expect("reshape needs a shape"))?,
        "expand" => tensor(0).try_expand(attrs.shape.as_deref().expect("expand needs a shape"))?,
        "slice" => {
            let info: Vec<SliceInfoElem> = attrs
                .slices
                .as_ref()
                .expect("slice needs slices")
                .iter()
                .map(|s| parse_slice(s))
                .collect();
            tensor(0).try_slice(info.as_slice())?
        }
        "at" => match &attrs.index {
            Some(IndexAttr::Position(position)) => tensor(0).try_at(position)?,
            _ => panic!("step {}: at needs a position", step.out),
        },
        "index_select" => {
            tensor(0).try_index_select(axis(), attrs.indices.as_deref().expect("index_select needs indices"))?
        }
        "gather" => match &attrs.index {
            Some(IndexAttr::Tensor { shape, data }) => {
                let index = ArrayD::from_shape_vec(IxDyn(shape), data.clone()).expect("index fits its shape");
                tensor(0).try_gather(axis(), &Indices::from(index))?
            }
            _ => panic!("step {}: gather needs an index tensor", step.out),
        },
        "gt" => tensor(0).gt(operand(1)),
        "ge" => tensor(0).ge(operand(1)),
        "lt" => tensor(0).lt(operand(1)),
        "le" => tensor(0).le(operand(1)),
        "eq" => tensor(0).eq(operand(1)),
        "ne" => tensor(0).ne(operand(1)),
        "where" => try_where(tensor(0), operand(1), operand(2))?,
        // torch.autograd.grad(a, b, create_graph=True)[0]: a gradient that is
        // recorded, so later steps can differentiate it again.
        "grad" => tensor(0).gradients(&[tensor(1)])?[0],
        // J·u of step args[0] with respect to args[1] along args[2].
        "jvp" => tensor(0).jvp(&[tensor(1)], &[tensor(2)])?,
        "topk" => {
            let (values, indices) = tensor(0).try_topk(attr(attrs.k, "k"))?;
            return Ok((values, Some(indices)));
        }
        "sqrt" => tensor(0).sqrt(),
        "abs" => tensor(0).abs(),
        "sign" => tensor(0).sign(),
        "clamp" => {
            let bound = |b: Option<f64>| b.map(T::of_f64);
            match (bound(attrs.min), bound(attrs.max)) {
                (Some(lo), Some(hi)) => tensor(0).clamp(lo, hi),
                (Some(lo), None) => tensor(0).clamp_min(lo),
                (None, Some(hi)) => tensor(0).clamp_max(hi),
                (None, None) => panic!("step {}: clamp needs min or max", step.out),
            }
        }
        "max" => tensor(0).try_max_all()?,
        "min" => tensor(0).try_min_all()?,
        "max_dim" | "min_dim" => {
            let (values, indices) = if step.op == "max_dim" {
                tensor(0).try_max(dim(), keepdim())?
            } else {
                tensor(0).try_min(dim(), keepdim())?
            };
            return Ok((values, Some(indices)));
        }
        "argmax" | "argmin" => {
            let x = tensor(0);
            let indices = match (step.op.as_str(), attrs.dim) {
                ("argmax", None) => x.try_argmax_all()?,
                ("argmax", Some(d)) => x.try_argmax(d, attrs.keepdim.unwrap_or(false))?,
                (_, None) => x.try_argmin_all()?,
                (_, Some(d)) => x.try_argmin(d, attrs.keepdim.unwrap_or(false))?,
            };
            // Positions as a tensor of the case's float type, as the file holds them.
            x.graph().tensor(indices.as_array().mapv(|i| T::of_f64(i as f64)))
        }
        "softmax" => tensor(0).try_softmax(dim())?,
        "log_softmax" => tensor(0).try_log_softmax(dim())?,
        "logsumexp" => tensor(0).try_logsumexp(dims(), keepdim())?,
        "cat" => try_cat(&all(), dim())?,
        "stack" => try_stack(&all(), dim())?,
        "narrow" => tensor(0).try_narrow(dim(), attr(attrs.start, "start"), attr(attrs.length, "length"))?,
        "unsqueeze" => tensor(0).try_unsqueeze(dim())?,
        "sin" => tensor(0).sin(),
        "cos" => tensor(0).cos(),
        "tan" => tensor(0).tan(),
        "log1p" => tensor(0).ln_1p(),
        "expm1" => tensor(0).exp_m1(),
        "erf" => tensor(0).erf(),
        "rsqrt" => tensor(0).rsqrt(),
        "square" => tensor(0).square(),
        "amax" => tensor(0).try_amax(dims(), keepdim())?,
        "amin" => tensor(0).try_amin(dims(), keepdim())?,
        "silu" => tensor(0).silu(),
        "gelu" => tensor(0).gelu(),
        "softplus" => tensor(0).softplus(),
        "leaky_relu" => tensor(0).leaky_relu(T::of_f64(attrs.slope.expect("leaky_relu needs a slope"))),
        "elu" => tensor(0).elu(T::of_f64(attrs.alpha.expect("elu needs alpha"))),
        "mse_loss" => tensor(0).try_mse_loss(tensor(1))?,
        "binary_cross_entropy_with_logits" => tensor(0).try_binary_cross_entropy_with_logits(tensor(1))?,
        "nll_loss" => tensor(0).try_nll_loss(attrs.target.as_deref().expect("nll_loss needs a target"))?,
        "cross_entropy" => {
            tensor(0).try_cross_entropy(attrs.target.as_deref().expect("cross_entropy needs a target"))?
        }
        "squeeze" => match attrs.dim {
            Some(d) => tensor(0).try_squeeze_dim(d)?,
            None => tensor(0).squeeze(),
        },
        other => panic!("step {}: unknown op {other:?}", step.out),
    };
    Ok((value, None))
}

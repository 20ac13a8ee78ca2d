//! A chapter's gradient checks: for each operation of
//! `reference/operations.json` whose first engine function the reader
//! writes, a property test (proptest) that the gradient the reader's
//! backward rule gives is the one central differences give, on inputs drawn
//! from the operation's domain, and on shapes drawn too where a shape is
//! what a wrong rule gets wrong (the two sides of a matrix product, the rows
//! of `topk`). The draws are seeded: a run is the same on every machine.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

use super::Exercise;
use super::reference_tests::{Arg, defined_in, panicking_form, where_imports, write_step};
use crate::stages::Stage;

/// The gradient checks of the operations whose first function is one of
/// `exercises`. `None` when there is none.
pub fn gradcheck_tests(
    operations: &Value,
    chapter: &Path,
    stage: &Stage,
    exercises: &[Exercise],
) -> Option<(String, usize)> {
    let defined = defined_in(stage);
    if !defined("try_mul") || !defined("sum_all") {
        return None;
    }
    let written: BTreeMap<&str, &Exercise> = exercises
        .iter()
        .filter(|e| e.file.starts_with("src/tensor"))
        .map(|e| (e.name.split('#').next().unwrap_or(&e.name), e))
        .collect();
    let mut tests = String::new();
    let mut count = 0;
    for operation in operations["operations"].as_array()? {
        let op = operation["op"].as_str()?;
        if operation["differentiable"] == false {
            continue;
        }
        let samples = operation["samples"].as_array()?;
        for sample in samples {
            let Some(test) = sample_test(op, sample, &defined) else {
                continue;
            };
            let Some((function, exercise)) = test.functions.iter().find_map(|f| Some((*f, *written.get(f)?))) else {
                continue;
            };
            let name = match tests.matches(&format!("fn {op}_gradient")).count() {
                0 => format!("{op}_gradient"),
                n => format!("{op}_gradient_{}", n + 1),
            };
            let _ = write!(
                tests,
                "\n    /// `{}`: {}, \"{}\"\n    #[test]\n    fn {name}(inputs in {}) {{\n        gradcheck({:?}, &inputs, |t| {{\n{}        }})?;\n    }}\n",
                function,
                exercise.shown_at,
                exercise.section,
                test.strategy,
                format!("`{}`: {}, \"{}\"", function, exercise.shown_at, exercise.section),
                test.body
            );
            count += 1;
        }
    }
    if count == 0 {
        return None;
    }
    let text = format!(
        "//! The gradients of the functions you write in {}, checked against\n\
         //! central differences: each property test draws inputs (and, where a\n\
         //! rule can get a shape wrong, shapes), computes the gradient of\n\
         //! sum(op(inputs) · w) with your backward rule, and compares it with\n\
         //! (L(x + h) − L(x − h)) / 2h at every entry. The draws are seeded, so a\n\
         //! run is the same everywhere; a failure shows the smallest input\n\
         //! proptest finds that still fails.\n\n\
         // Not every chapter's operations use every helper.\n\
         #![allow(dead_code)]\n\n{}{HELPERS}\nproptest! {{\n    #![proptest_config(config())]\n{tests}}}\n",
        chapter.display(),
        where_imports(&tests)
    );
    Some((text, count))
}

/// A sample as a property test.
struct SampleTest {
    /// The engine functions the operation's step calls, its own first.
    functions: Vec<&'static str>,
    /// The strategy that draws the inputs.
    strategy: String,
    /// The closure's body: the inputs by name, then the step.
    body: String,
}

fn sample_test(op: &str, sample: &Value, defined: &dyn Fn(&str) -> bool) -> Option<SampleTest> {
    let inputs = sample["inputs"].as_object()?;
    let mut shapes: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut specs = Vec::new();
    let mut body = String::new();
    for (k, (name, spec)) in inputs.iter().enumerate() {
        let shape: Vec<usize> = spec[0]
            .as_array()?
            .iter()
            .map(|n| n.as_u64().map(|n| n as usize))
            .collect::<Option<_>>()?;
        let domain = match spec[1].as_str()? {
            "any" => "Any",
            "positive" => "Positive",
            "nonzero" => "Nonzero",
            "nonint" => "Nonint",
            "mask" => "Mask",
            _ => return None,
        };
        specs.push((shape.clone(), domain));
        shapes.insert(name.clone(), shape);
        let _ = writeln!(body, "            let {name} = t[{k}];");
    }
    let args: Vec<Arg> = inputs.keys().map(|name| Arg::Name(name.clone())).collect();
    let written = panicking_form(write_step(op, &args, &sample["attrs"], &shapes)?, defined);
    if !written.needs.iter().all(|f| defined(f)) {
        return None;
    }
    let step = match (written.fallible, written.indices) {
        (false, false) => format!("Ok({})", written.expr),
        (false, true) => format!("Ok({}.0)", written.expr),
        (true, false) => format!("{}.map_err(|e| e.to_string())", written.expr),
        (true, true) => format!("{}.map(|(values, _)| values).map_err(|e| e.to_string())", written.expr),
    };
    let _ = writeln!(body, "            {step}");
    let fixed = |specs: &[(Vec<usize>, &str)]| {
        let specs: Vec<String> = specs
            .iter()
            .map(|(shape, domain)| format!("(vec!{shape:?}, Domain::{domain})"))
            .collect();
        format!("inputs(vec![{}])", specs.join(", "))
    };
    // Drawn shapes where a rule can get a shape wrong.
    let strategy = match (op, specs.as_slice()) {
        ("matmul", [(a, _), (b, _)]) if a.len() == 2 && b.len() == 2 => {
            "(1..5usize, 1..5usize, 1..5usize)\n            .prop_flat_map(|(n, k, m)| inputs(vec![(vec![n, k], Domain::Any), (vec![k, m], Domain::Any)]))"
                .to_string()
        }
        ("topk", [(shape, domain)]) if shape.len() == 2 => {
            let k = sample["attrs"]["k"].as_u64()?;
            format!(
                "(1..4usize, {k}..7usize).prop_flat_map(|(rows, n)| inputs(vec![(vec![rows, n], Domain::{domain})]))"
            )
        }
        // An operation along a dimension keeps the sample's shape.
        (_, [(_, domain)]) if ["dim", "axis", "dims", "shape", "index"].iter().all(|a| sample["attrs"].get(a).is_none()) => format!(
            "prop::collection::vec(1..4usize, 0..3).prop_flat_map(|shape| inputs(vec![(shape, Domain::{domain})]))"
        ),
        _ => fixed(&specs),
    };
    Some(SampleTest {
        functions: written.needs,
        strategy,
        body,
    })
}

/// What every generated file starts with: the draws and the check.
const HELPERS: &str = r#"use autograd::{Graph, Tensor};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

/// Where an operation's inputs are drawn from.
#[derive(Clone, Copy, Debug)]
enum Domain {
    Any,
    Positive,
    Nonzero,
    /// Away from the integers, where a step function jumps.
    Nonint,
    /// 0 or 1, a condition: no gradient.
    Mask,
}

/// An input: its shape and values.
#[derive(Clone)]
struct Input {
    shape: Vec<usize>,
    data: Vec<f64>,
    differentiable: bool,
}

/// On one line, as a failure shows it: `[2, 3] [0.5, -1.25, …]`.
impl std::fmt::Debug for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?} {:?}", self.shape, self.data)
    }
}

/// 32 draws per test, from a fixed seed, and no files written on failure.
fn config() -> Config {
    Config { cases: 32, failure_persistence: None, rng_seed: RngSeed::Fixed(2026), ..Config::default() }
}

fn inputs(specs: Vec<(Vec<usize>, Domain)>) -> impl Strategy<Value = Vec<Input>> {
    specs
        .into_iter()
        .map(|(shape, domain)| {
            let values = match domain {
                Domain::Any => (-2.0..2.0f64).boxed(),
                Domain::Positive => (0.5..2.0f64).boxed(),
                Domain::Nonzero => prop_oneof![-2.0..-0.5f64, 0.5..2.0f64].boxed(),
                Domain::Nonint => (-3..3i32, 0.1..0.9f64).prop_map(|(i, f)| f64::from(i) + f).boxed(),
                Domain::Mask => prop_oneof![Just(0.0), Just(1.0)].boxed(),
            };
            let differentiable = !matches!(domain, Domain::Mask);
            prop::collection::vec(values, shape.iter().product::<usize>())
                .prop_map(move |data| Input { shape: shape.clone(), data, differentiable })
        })
        .collect::<Vec<_>>()
}

/// sum(op(inputs) · w), with weights that differ from entry to entry.
fn loss<'g>(
    g: &'g Graph<f64>,
    inputs: &[Input],
    op: &impl Fn(&[Tensor<'g, f64>]) -> Result<Tensor<'g, f64>, String>,
    with_grad: bool,
) -> Result<(Tensor<'g, f64>, Vec<Tensor<'g, f64>>), String> {
    let tensors: Vec<Tensor<'g, f64>> = inputs
        .iter()
        .map(|input| {
            let t = g.from_vec(&input.shape, input.data.clone()).expect("the data fits the shape");
            if with_grad && input.differentiable { t.requires_grad() } else { t }
        })
        .collect();
    let y = op(&tensors)?;
    let weights = (0..y.numel()).map(|i| 1.0 + ((i * 37) % 11) as f64 / 10.0).collect();
    let w = g.from_vec(&y.shape(), weights).expect("the weights fit the shape");
    let loss = y.try_mul(w).map_err(|e| e.to_string())?.sum_all();
    Ok((loss, tensors))
}

thread_local! {
    static QUIET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Keeps a draw's panic (a `todo!()`, a shape ndarray refuses) from being
/// printed while it lasts: proptest reports the failing draw's panic itself,
/// once, after shrinking it, and the draws it tries on the way would
/// otherwise each print theirs.
struct Quiet;

impl Quiet {
    fn new() -> Self {
        static HOOK: std::sync::Once = std::sync::Once::new();
        HOOK.call_once(|| {
            let default = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                if !QUIET.with(std::cell::Cell::get) {
                    default(info);
                }
            }));
        });
        QUIET.with(|quiet| quiet.set(true));
        Quiet
    }
}

impl Drop for Quiet {
    fn drop(&mut self) {
        QUIET.with(|quiet| quiet.set(false));
    }
}

/// The gradient of [`loss`] from the backward rules, against central
/// differences with h = 1e-6, at every entry of every input that has one.
fn gradcheck(
    function: &str,
    inputs: &[Input],
    op: impl for<'g> Fn(&[Tensor<'g, f64>]) -> Result<Tensor<'g, f64>, String>,
) -> Result<(), TestCaseError> {
    let _quiet = Quiet::new();
    let g = Graph::new();
    let (l, tensors) = loss(&g, inputs, &op, true).map_err(TestCaseError::fail)?;
    l.backward().map_err(|e| TestCaseError::fail(e.to_string()))?;
    for (k, (input, t)) in inputs.iter().zip(&tensors).enumerate() {
        if !input.differentiable {
            continue;
        }
        let analytic: Vec<f64> = match t.grad_array() {
            Some(grad) => grad.iter().copied().collect(),
            None => vec![0.0; input.data.len()],
        };
        if analytic.len() != input.data.len() {
            return Err(TestCaseError::fail(format!(
                "{function}: the gradient of input {k} has {} entries, the input {}",
                analytic.len(),
                input.data.len()
            )));
        }
        let h = 1e-6;
        for i in 0..input.data.len() {
            let at = |delta: f64| {
                let mut moved = inputs.to_vec();
                moved[k].data[i] += delta;
                let g = Graph::new();
                loss(&g, &moved, &op, false).map(|(l, _)| l.item()).map_err(TestCaseError::fail)
            };
            let numeric = (at(h)? - at(-h)?) / (2.0 * h);
            if (analytic[i] - numeric).abs() > 1e-6 * (1.0 + numeric.abs()) {
                return Err(TestCaseError::fail(format!(
                    "the gradient of input {k} (shape {:?}) at entry {i}: your backward rules give {}, \
                     central differences {numeric}\n    read {function}\n    \
                     (the check weights the output with `try_mul` and adds it up with `sum_all`: \
                     those rules count too)",
                    input.shape, analytic[i]
                )));
            }
        }
    }
    Ok(())
}
"#;

//! `reference/operations.json`, the one list of the tensor engine's
//! operations, and the check that keeps it whole: every public operation of
//! `src/tensor/ops/` is listed, and every listed operation has a reference
//! case, a NaN/inf case, an empty-tensor case and, if differentiable, a
//! sample to gradcheck.

use std::collections::{BTreeMap, BTreeSet};

use ndarray::{ArrayD, IxDyn};
use serde::Deserialize;

use super::program::{Arg, Attrs, Step};

/// One operation of the list.
#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct Operation {
    /// Its name in the reference programs' language.
    pub op: String,
    /// The public names it stands for, without `try_` and `_keepdim`.
    pub api: Vec<String>,
    /// The generate.py case family that draws it from the list. Only
    /// generate.py reads it (and `generated`); they are read here so that
    /// an unknown field is still an error.
    #[serde(default)]
    #[allow(dead_code)]
    pub family: Option<String>,
    #[serde(default = "differentiable_by_default")]
    pub differentiable: bool,
    /// How the random-graph test may use it.
    #[serde(default)]
    pub random: Option<Random>,
    /// Whether generate.py makes its cases from the samples.
    #[serde(default)]
    #[allow(dead_code)]
    pub generated: bool,
    pub samples: Vec<Sample>,
    /// The inputs' shapes for its empty-tensor case (generated ones).
    #[serde(default)]
    pub empty: Option<BTreeMap<String, Vec<usize>>>,
    /// The attributes of its empty-tensor case, where the first sample's
    /// do not fit it (a class per row of an empty batch).
    #[serde(default)]
    pub empty_attrs: Option<Attrs>,
    /// The kind of error its empty-tensor case raises, if it does.
    #[serde(default)]
    pub empty_error: Option<String>,
}

fn differentiable_by_default() -> bool {
    true
}

/// The role an operation may play in a random program.
#[derive(Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Random {
    Unary,
    /// A unary operation given x·x + 1 (a logarithm, a square root).
    Positive,
    Binary,
}

/// A step of the operation on inputs of given shapes and domains; its
/// arguments are the inputs in the alphabetical order of their names.
#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct Sample {
    pub inputs: BTreeMap<String, (Vec<usize>, Domain)>,
    #[serde(default)]
    pub attrs: Attrs,
}

/// Where a sample's input values lie.
#[derive(Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Domain {
    Any,
    Positive,
    Nonzero,
    /// Away from the integers (the jumps of floor, ceil and round).
    Nonint,
    /// Between 0 and 1 (a probability, the target of a binary loss).
    Probability,
    /// 0 or 1, a condition: it takes no gradient.
    Mask,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct List {
    #[allow(dead_code)] // documents the file
    about: String,
    operations: Vec<Operation>,
}

pub const LIST: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../reference/operations.json");
pub const CASES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../reference/cases.json");
/// The engine's operations, a file per family.
pub const OPS_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src/tensor/ops");

/// The list in `text` (the contents of an operations.json).
pub fn parse(text: &str) -> Vec<Operation> {
    serde_json::from_str::<List>(text)
        .unwrap_or_else(|e| panic!("reading the list of operations: {e}"))
        .operations
}

/// The repository's list.
pub fn listed() -> Vec<Operation> {
    parse(&std::fs::read_to_string(LIST).unwrap_or_else(|e| panic!("reading {LIST}: {e}")))
}

impl Sample {
    /// The step of `op` on this sample's inputs, its output named `y`.
    pub fn step(&self, op: &str) -> Step {
        Step {
            out: "y".into(),
            op: op.into(),
            args: self.inputs.keys().map(|name| Arg::Name(name.clone())).collect(),
            attrs: self.attrs.clone(),
        }
    }

    /// The inputs' values, deterministic: the shape's elements spread over
    /// the domain without ties (a low-discrepancy sequence), so no two are
    /// equal and none sits on a kink.
    pub fn data(&self, seed: u32) -> Vec<(String, ArrayD<f64>, Domain)> {
        self.inputs
            .iter()
            .enumerate()
            .map(|(k, (name, (shape, domain)))| (name.clone(), values(shape, *domain, seed + k as u32), *domain))
            .collect()
    }
}

/// `shape`'s elements in `domain`.
pub fn values(shape: &[usize], domain: Domain, seed: u32) -> ArrayD<f64> {
    let n: usize = shape.iter().product();
    let t = |i: usize| ((i as f64 + 1.0) * 0.754_877_666_246_692_7 + f64::from(seed) * 0.569_840_290_998_053_3).fract();
    let value = |i: usize| match domain {
        Domain::Any => 3.0 * t(i) - 1.5,
        Domain::Positive => 0.3 + 3.7 * t(i),
        Domain::Nonzero => (0.2 + 1.8 * t(i)) * if i.is_multiple_of(2) { 1.0 } else { -1.0 },
        // Integers plus a fraction in [0.1, 0.9].
        Domain::Nonint => (6.0 * t(i) - 3.0).floor() + 0.1 + 0.8 * t(i + n),
        Domain::Probability => 0.05 + 0.9 * t(i),
        Domain::Mask => (i % 2) as f64,
    };
    ArrayD::from_shape_vec(IxDyn(shape), (0..n).map(value).collect()).expect("as many values as the shape holds")
}

/// The source of the operations in `dir`: every `.rs` file under it, in its
/// subdirectories too, one after another in the order of their paths.
/// A directory without one is an error, so the check never passes on nothing.
pub fn ops_source(dir: &str) -> String {
    let mut files = Vec::new();
    let mut pending = vec![std::path::PathBuf::from(dir)];
    while let Some(dir) = pending.pop() {
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("listing {}: {e}", dir.display()));
        for entry in entries {
            let path = entry
                .unwrap_or_else(|e| panic!("listing {}: {e}", dir.display()))
                .path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    assert!(!files.is_empty(), "{dir} holds no .rs file: no operation to check");
    files.sort();
    files
        .iter()
        .map(|path| std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display())))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Public functions of `src/tensor/ops/` that are not operations.
const NOT_OPERATIONS: &[&str] = &["as_array", "to_vec"];

/// Steps of the language that are not operations of the engine.
const NOT_LISTED: &[&str] = &["grad", "jvp"];

/// The public operations of a source of operations (see [`ops_source`]):
/// each `pub fn`, without `try_` and `_keepdim`.
pub fn public_operations(source: &str) -> BTreeSet<String> {
    source
        .lines()
        .filter_map(|line| line.trim_start().strip_prefix("pub fn "))
        .map(|rest| {
            let name = &rest[..rest.find(['(', '<']).unwrap_or(rest.len())];
            let name = name.strip_prefix("try_").unwrap_or(name);
            name.strip_suffix("_keepdim").unwrap_or(name).to_string()
        })
        .filter(|name| !NOT_OPERATIONS.contains(&name.as_str()))
        .collect()
}

/// What the list lacks, one line each: a public operation of `source` it
/// does not list, and for each listed operation a missing reference case,
/// NaN/inf case, empty-tensor case or gradcheck sample in `cases` (the
/// contents of a cases.json).
pub fn missing(source: &str, operations: &[Operation], cases: &serde_json::Value) -> Vec<String> {
    let mut problems = Vec::new();
    let apis: BTreeSet<&str> = operations
        .iter()
        .flat_map(|o| o.api.iter().map(String::as_str))
        .collect();
    for name in public_operations(source) {
        if !apis.contains(name.as_str()) {
            problems.push(format!(
                "`{name}` is a public operation of tensor/ops/ that operations.json does not list"
            ));
        }
    }
    let listed: BTreeSet<&str> = operations.iter().map(|o| o.op.as_str()).collect();
    let (mut values, mut non_finite, mut empty) = (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
    for case in cases["cases"].as_array().expect("a cases array") {
        let inputs = case["inputs"].as_object().expect("inputs");
        let has_non_finite = inputs.values().any(|i| {
            i["data"]
                .as_array()
                .expect("data")
                .iter()
                .any(serde_json::Value::is_string)
        });
        let has_empty = inputs
            .values()
            .any(|i| i["shape"].as_array().expect("shape").iter().any(|d| d == 0));
        let bad_values = case["category"] == "bad_values";
        for step in case["program"].as_array().expect("a program") {
            let op = step["op"].as_str().expect("an op");
            if !listed.contains(op) && !NOT_LISTED.contains(&op) {
                problems.push(format!(
                    "case {}: `{op}` is not in operations.json",
                    case["name"].as_str().unwrap_or("?")
                ));
            }
            let out_empty = case["expected"]["values"][step["out"].as_str().expect("out")]["shape"]
                .as_array()
                .is_some_and(|s| s.iter().any(|d| d == 0));
            if !bad_values {
                values.insert(op);
            }
            if bad_values && has_non_finite {
                non_finite.insert(op);
            }
            if bad_values && (has_empty || out_empty) {
                empty.insert(op);
            }
        }
    }
    for o in operations {
        let op = o.op.as_str();
        if !values.contains(op) {
            problems.push(format!("`{op}` has no reference case"));
        }
        if !non_finite.contains(op) {
            problems.push(format!("`{op}` has no bad-value case with NaN or inf"));
        }
        if !empty.contains(op) {
            problems.push(format!("`{op}` has no bad-value case with an empty tensor"));
        }
        if o.differentiable && o.samples.is_empty() {
            problems.push(format!("`{op}` has no sample to gradcheck"));
        }
    }
    problems
}

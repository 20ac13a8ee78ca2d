//! A chapter's exercise tests from PyTorch's numbers: the cases of
//! `reference/cases.json` that the chapter's engine can run and that call a
//! function the reader writes, each written out as a Rust test that replays
//! the case step by step and compares every value and gradient with what
//! PyTorch computed.
//!
//! Only f64 cases are written: the reader's rules are generic over the
//! element type, and f64 lets the comparison be tight (1e-12 of the
//! tensor's largest entry, the reference suite's bound).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result};
use serde_json::Value;

use super::Exercise;
use crate::stages::Stage;

/// Why an edge case is there, said when it fails: the usual mistake it
/// names. Keyed by a part of the case's name.
const NOTES: &[(&str, &str)] = &[
    (
        "relu_at_zero",
        "relu has no derivative at 0; PyTorch's rule sends no gradient there (x > 0, not x >= 0)",
    ),
    (
        "_at_halves_and_integers",
        "the jumps: a step function passes a zero gradient everywhere, at its jumps too",
    ),
    (
        "topk/ties/",
        "ties: among equal values PyTorch may pick other positions than yours, so this test compares how \
         much gradient each value of each row receives, which must not depend on the choice",
    ),
    (
        "clamp_at_edges",
        "an input exactly at a bound: PyTorch's clamp passes it no gradient, as if it were clamped",
    ),
    (
        "max_ties",
        "a maximum several entries reach: PyTorch's max() shares the gradient equally among them",
    ),
    (
        "max_dim_ties",
        "ties along a dimension: the gradient goes to the one position max returns (PyTorch's: the first)",
    ),
    (
        "bad_values/empty_",
        "an empty tensor: the rule must give a gradient of the input's shape, with no entries, not an error",
    ),
    (
        "bad_values/",
        "NaN and infinities: the rule must treat them as PyTorch's does (a NaN fails every comparison)",
    ),
];

/// A file of `reference/`, PyTorch's numbers (`cases.json`) or the list of
/// operations (`operations.json`); `Null` for a book that has none.
pub fn read_reference(root: &Path, name: &str) -> Result<Value> {
    let path = root.join("reference").join(name);
    if !path.exists() {
        return Ok(Value::Null);
    }
    let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))
}

/// The tests of the cases of `suite` that `stage` can run and that call one
/// of `exercises`. `None` when there is none.
pub fn reference_tests(
    suite: &Value,
    chapter: &Path,
    stage: &Stage,
    exercises: &[Exercise],
) -> Option<(String, usize)> {
    let defined = defined_in(stage);
    let written: BTreeMap<&str, &Exercise> = exercises
        .iter()
        .filter(|e| e.file.starts_with("src/tensor"))
        .map(|e| (e.name.split('#').next().unwrap_or(&e.name), e))
        .collect();
    let mut tests = String::new();
    let mut count = 0;
    for case in suite["cases"].as_array()? {
        // Cheap first: whether the stage can write it and it calls a
        // function of the reader's, before any number is written out.
        if !needed(case, &defined).is_some_and(|needs| needs.iter().any(|f| written.contains_key(f))) {
            continue;
        }
        let Some(test) = replay(case, &defined) else {
            continue;
        };
        let read: Vec<&Exercise> = test
            .calls
            .iter()
            .filter_map(|f| written.get(f.as_str()).copied())
            .collect();
        if read.is_empty() {
            continue;
        }
        let name = case["name"].as_str().unwrap_or_default();
        let note = NOTES
            .iter()
            .find(|(part, _)| name.contains(part))
            .map_or("", |(_, note)| note);
        let read: Vec<String> = read
            .iter()
            .map(|e| {
                format!(
                    "({:?}, {:?})",
                    e.name.split('#').next().unwrap_or(&e.name),
                    format!("{}, \"{}\"", e.shown_at, e.section)
                )
            })
            .collect();
        let _ = write!(
            tests,
            "\n#[test]\nfn {}() {{\n    let case = Case::new(\n        {:?},\n        {:?},\n        &[{}],\n        {:?},\n    );\n    let g = Graph::<f64>::new();\n{}}}\n",
            test_name(name),
            name.trim_end_matches("/f64"),
            test.program,
            read.join(", "),
            note,
            test.body
        );
        count += 1;
    }
    if count == 0 {
        return None;
    }
    let torch = suite["torch_version"].as_str().unwrap_or("?");
    let imports = format!("{}use autograd::{{Graph, Tensor}};\n", where_imports(&tests));
    let text = format!(
        "//! The functions you write in {}, checked against PyTorch: each test\n\
         //! replays a case of the book's reference suite (`reference/cases.json`,\n\
         //! computed by PyTorch {torch}), with the same inputs and steps, and compares\n\
         //! every value and gradient with PyTorch's. A failing test says what\n\
         //! differs, where, and which of your functions the case calls.\n\n\
         // Not every chapter's cases use every comparison.\n\
         #![allow(dead_code)]\n\n\
         use std::cell::RefCell;\n\n{imports}{HELPERS}{tests}",
        chapter.display()
    );
    Some((text, count))
}

/// Whether the stage's tensor engine defines a function of a name (the
/// scalar engine's `exp` is not the tensor's).
pub(super) fn defined_in(stage: &Stage) -> impl Fn(&str) -> bool {
    let defined: std::collections::BTreeSet<String> = stage
        .files
        .iter()
        .filter(|(path, _)| path.starts_with("src/tensor"))
        .flat_map(|(_, file)| file.text.split("fn ").skip(1))
        .map(|rest| rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect())
        .collect();
    move |function: &str| defined.contains(function)
}

/// A case written as the body of a test.
struct Replay {
    /// The case's steps, as the failure message shows them.
    program: String,
    body: String,
    /// The engine functions it calls.
    calls: Vec<String>,
}

/// The engine functions a case's steps call, or `None` when the stage
/// cannot write one of them.
fn needed(case: &Value, defined: &dyn Fn(&str) -> bool) -> Option<Vec<&'static str>> {
    let mut shapes: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (name, input) in case["inputs"].as_object()? {
        shapes.insert(name.clone(), usizes(&input["shape"])?);
    }
    let mut needs = Vec::new();
    for step in case["program"].as_array()? {
        let args: Vec<Arg> = step["args"]
            .as_array()?
            .iter()
            .map(|a| match a {
                Value::String(name) => Some(Arg::Name(name.clone())),
                other => other.as_f64().map(Arg::Number),
            })
            .collect::<Option<_>>()?;
        let written = panicking_form(
            write_step(step["op"].as_str()?, &args, &step["attrs"], &shapes)?,
            defined,
        );
        if !written.needs.iter().all(|f| defined(f)) {
            return None;
        }
        needs.extend(written.needs);
        let out = step["out"].as_str()?;
        shapes.insert(out.to_string(), usizes(&case["expected"]["values"][out]["shape"])?);
    }
    needs.extend(
        ["backward_with", "try_mul", "sum_all"]
            .into_iter()
            .filter(|f| defined(f)),
    );
    Some(needs)
}

/// The test of a case, or `None` when the case is not one a chapter's
/// exercise replays: another dtype, an error case, hooks, several backward
/// calls, or a step `defined` says the stage cannot write.
fn replay(case: &Value, defined: &dyn Fn(&str) -> bool) -> Option<Replay> {
    let expected = &case["expected"];
    if case["dtype"] != "f64"
        || !expected["error"].is_null()
        || case.get("hooks").is_some()
        || case.get("retain").is_some()
    {
        return None;
    }
    let call = match case["backward"].as_array()?.as_slice() {
        [] => None,
        [call] if call["repeat"] == 1 => Some(call),
        _ => return None,
    };
    let ties = case["topk_ties"] == true;
    let mut shapes: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut body = String::new();
    let mut calls: Vec<String> = Vec::new();
    for (name, input) in case["inputs"].as_object()? {
        let shape = usizes(&input["shape"])?;
        let _ = writeln!(
            body,
            "    let {} = case.input(&g, {name:?}, &{shape:?}, {}, {});",
            ident(name),
            floats(&input["data"])?,
            input["requires_grad"] == true
        );
        shapes.insert(name.clone(), shape);
    }
    let mut program = Vec::new();
    let mut indices = Vec::new();
    for step in case["program"].as_array()? {
        let out = step["out"].as_str()?;
        let op = step["op"].as_str()?;
        let args: Vec<Arg> = step["args"]
            .as_array()?
            .iter()
            .map(|a| match a {
                Value::String(name) => Some(Arg::Name(name.clone())),
                other => other.as_f64().map(Arg::Number),
            })
            .collect::<Option<_>>()?;
        let written = panicking_form(write_step(op, &args, &step["attrs"], &shapes)?, defined);
        if !written.needs.iter().all(|f| defined(f)) {
            return None;
        }
        let mut shown: Vec<String> = args.iter().map(Arg::shown).collect();
        if let Some(attrs) = step["attrs"].as_object() {
            shown.extend(attrs.iter().map(|(name, value)| format!("{name}={value}")));
        }
        program.push(format!("{out} = {op}({})", shown.join(", ")));
        let function = written.needs[0];
        let binding = if written.indices && ties {
            format!("({}, _)", ident(out))
        } else if written.indices {
            indices.push(out.to_string());
            format!("({}, {}_indices)", ident(out), ident(out))
        } else {
            ident(out)
        };
        let expr = if written.fallible {
            format!("case.ok({out:?}, {})", written.expr)
        } else {
            written.expr
        };
        let _ = writeln!(body, "    case.now({:?});", program.last().map_or("", String::as_str));
        let _ = writeln!(body, "    let {binding} = {expr};");
        let value = &expected["values"][out];
        let _ = writeln!(
            body,
            "    case.value({out:?}, {function:?}, {}, &{:?}, {});",
            ident(out),
            usizes(&value["shape"])?,
            floats(&value["data"])?
        );
        shapes.insert(out.to_string(), usizes(&value["shape"])?);
        calls.extend(written.needs.iter().map(|f| f.to_string()));
    }
    for out in &indices {
        let want = &expected["indices"][out];
        let _ = writeln!(
            body,
            "    case.indices({out:?}, &{}_indices.to_vec(), &{:?});",
            ident(out),
            usizes(&want["data"])?
        );
    }
    // The backward call; with an upstream gradient u, `backward_with(u)`,
    // or before the engine has it, the gradient of sum(root · u).
    let Some(call) = call else {
        calls.sort();
        calls.dedup();
        return Some(Replay {
            program: program.join("\n"),
            body,
            calls,
        });
    };
    let root = ident(call["root"].as_str()?);
    let _ = writeln!(body, "    case.now(\"the backward pass\");");
    if call["upstream"].is_null() {
        let _ = writeln!(body, "    case.ok(\"backward\", {root}.backward());");
    } else if defined("backward_with") {
        let upstream = &call["upstream"];
        let _ = writeln!(
            body,
            "    let upstream = case.input(&g, \"upstream\", &{:?}, {}, false);",
            usizes(&upstream["shape"])?,
            floats(&upstream["data"])?
        );
        let _ = writeln!(body, "    case.ok(\"backward\", {root}.backward_with(upstream));");
        calls.push("backward_with".to_string());
    } else {
        let upstream = &call["upstream"];
        let _ = writeln!(
            body,
            "    let upstream = case.input(&g, \"upstream\", &{:?}, {}, false);",
            usizes(&upstream["shape"])?,
            floats(&upstream["data"])?
        );
        let _ = writeln!(
            body,
            "    case.ok(\"backward\", case.ok(\"backward\", {root}.try_mul(upstream)).sum_all().backward());"
        );
        if !defined("try_mul") || !defined("sum_all") {
            return None;
        }
        calls.extend(["try_mul".to_string(), "sum_all".to_string()]);
    }
    for (name, want) in expected["grads"].as_object()? {
        let input = &case["inputs"][name];
        let want = match want {
            Value::Null => "None".to_string(),
            want if ties => {
                let _ = writeln!(
                    body,
                    "    case.grad_by_value({name:?}, {}, &{:?}, {}, {});",
                    ident(name),
                    usizes(&input["shape"])?,
                    floats(&input["data"])?,
                    floats(&want["data"])?
                );
                continue;
            }
            want => format!("Some((&{:?}, {}))", usizes(&want["shape"])?, floats(&want["data"])?),
        };
        let _ = writeln!(body, "    case.grad({name:?}, {}, {want});", ident(name));
    }
    calls.sort();
    calls.dedup();
    Some(Replay {
        program: program.join("\n"),
        body,
        calls,
    })
}

/// An argument of a step: a tensor's name or a number.
pub(super) enum Arg {
    Name(String),
    Number(f64),
}

impl Arg {
    fn shown(&self) -> String {
        match self {
            Arg::Name(name) => name.clone(),
            Arg::Number(x) => format!("{x:?}"),
        }
    }
}

/// The panicking forms of fallible operations, which call them: a test
/// that calls `topk` fails when either `topk` or `try_topk` is wrong.
const PANICKING: &[(&str, &str)] = &[
    ("try_topk", "topk"),
    ("try_max", "max"),
    ("try_max_all", "max_all"),
    ("try_min_all", "min_all"),
    ("try_min", "min"),
    ("try_where", "where_"),
    ("try_softmax", "softmax"),
    ("try_log_softmax", "log_softmax"),
    ("try_logsumexp", "logsumexp"),
    ("try_unsqueeze", "unsqueeze"),
    ("try_squeeze_dim", "squeeze_dim"),
    ("try_expand", "expand"),
    ("try_gather", "gather"),
];

/// A step written with the panicking form of its operation when the stage
/// has one.
pub(super) fn panicking_form(written: Written, defined: &dyn Fn(&str) -> bool) -> Written {
    let Some(&(fallible, panicking)) = PANICKING.iter().find(|(f, p)| written.needs[0] == *f && defined(p)) else {
        return written;
    };
    let mut needs = written.needs;
    needs.insert(0, panicking);
    Written {
        expr: written
            .expr
            .replacen(&format!("{fallible}("), &format!("{panicking}("), 1),
        needs,
        fallible: false,
        indices: written.indices,
    }
}

/// The `use` lines the functions of the engine's `tensor` module a
/// generated file calls need.
pub(super) fn where_imports(text: &str) -> String {
    let used: Vec<&str> = ["try_where", "where_"]
        .into_iter()
        .filter(|f| text.contains(&format!(" {f}(")) || text.contains(&format!("({f}(")))
        .collect();
    match used.as_slice() {
        [] => String::new(),
        [one] => format!("use autograd::tensor::{one};\n"),
        many => format!("use autograd::tensor::{{{}}};\n", many.join(", ")),
    }
}

/// A step as Rust.
pub(super) struct Written {
    pub expr: String,
    /// The engine functions it calls, the step's own first.
    pub needs: Vec<&'static str>,
    /// It returns a `Result`.
    pub fallible: bool,
    /// It returns values and their indices (`topk`).
    pub indices: bool,
}

/// The step `op(args)` with the engine's public API, or `None` for an
/// operation the exercises do not replay.
pub(super) fn write_step(
    op: &str,
    args: &[Arg],
    attrs: &Value,
    shapes: &BTreeMap<String, Vec<usize>>,
) -> Option<Written> {
    let operand = |k: usize| match args.get(k)? {
        Arg::Name(name) => Some(ident(name)),
        Arg::Number(x) => Some(format!("{x:?}_f64")),
    };
    let tensor = |k: usize| match args.get(k)? {
        Arg::Name(name) => Some(ident(name)),
        Arg::Number(_) => None,
    };
    let plain = |expr: String, needs: Vec<&'static str>| Written {
        expr,
        needs,
        fallible: false,
        indices: false,
    };
    let fallible = |expr: String, needs: Vec<&'static str>| Written {
        expr,
        needs,
        fallible: true,
        indices: false,
    };
    Some(match op {
        "add" | "sub" | "mul" | "div" => {
            let method = match op {
                "add" => "try_add",
                "sub" => "try_sub",
                "mul" => "try_mul",
                _ => "try_div",
            };
            match &args[0] {
                Arg::Name(_) => fallible(format!("{}.{method}({})", tensor(0)?, operand(1)?), vec![method]),
                // A number on the left, as a 0-d tensor.
                Arg::Number(x) => fallible(
                    format!("g.scalar({x:?}).{method}({})", tensor(1)?),
                    vec![method, "scalar"],
                ),
            }
        }
        "neg" => plain(format!("-{}", tensor(0)?), vec!["neg"]),
        "pow" => plain(
            format!("{}.pow({:?}_f64)", tensor(0)?, attrs["exponent"].as_f64()?),
            vec!["pow"],
        ),
        "exp" | "ln" | "tanh" | "relu" | "sigmoid" | "reciprocal" | "floor" | "ceil" | "round" | "sqrt" | "abs"
        | "sign" => {
            let name: &'static str = [
                "exp",
                "ln",
                "tanh",
                "relu",
                "sigmoid",
                "reciprocal",
                "floor",
                "ceil",
                "round",
                "sqrt",
                "abs",
                "sign",
            ]
            .into_iter()
            .find(|n| *n == op)?;
            plain(format!("{}.{op}()", tensor(0)?), vec![name])
        }
        "sum" => plain(format!("{}.sum_all()", tensor(0)?), vec!["sum_all"]),
        "mean" => plain(format!("{}.mean_all()", tensor(0)?), vec!["mean_all"]),
        "sum_axis" | "mean_axis" | "logsumexp" => {
            let method = match op {
                "sum_axis" => "try_sum",
                "mean_axis" => "try_mean",
                _ => "try_logsumexp",
            };
            let axes: Vec<i64> = match &attrs["axis"] {
                Value::Array(axes) => axes.iter().map(Value::as_i64).collect::<Option<_>>()?,
                axis => vec![axis.as_i64()?],
            };
            let keepdim = attrs["keepdim"].as_bool()?;
            fallible(format!("{}.{method}({axes:?}, {keepdim})", tensor(0)?), vec![method])
        }
        "softmax" | "log_softmax" => {
            let method = if op == "softmax" {
                "try_softmax"
            } else {
                "try_log_softmax"
            };
            fallible(
                format!("{}.{method}({})", tensor(0)?, attrs["dim"].as_i64()?),
                vec![method],
            )
        }
        "clamp" => match (attrs["min"].as_f64(), attrs["max"].as_f64()) {
            (Some(lo), Some(hi)) => plain(format!("{}.clamp({lo:?}, {hi:?})", tensor(0)?), vec!["clamp"]),
            (Some(lo), None) => plain(format!("{}.clamp_min({lo:?})", tensor(0)?), vec!["clamp_min"]),
            (None, Some(hi)) => plain(format!("{}.clamp_max({hi:?})", tensor(0)?), vec!["clamp_max"]),
            (None, None) => return None,
        },
        "max" | "min" => fallible(
            format!("{}.try_{op}_all()", tensor(0)?),
            vec![if op == "max" { "try_max_all" } else { "try_min_all" }],
        ),
        "max_dim" | "min_dim" => {
            let method = if op == "max_dim" { "try_max" } else { "try_min" };
            Written {
                expr: format!(
                    "{}.{method}({}, {})",
                    tensor(0)?,
                    attrs["dim"].as_i64()?,
                    attrs["keepdim"].as_bool()?
                ),
                needs: vec![method],
                fallible: true,
                indices: true,
            }
        }
        "unsqueeze" => fallible(
            format!("{}.try_unsqueeze({})", tensor(0)?, attrs["dim"].as_i64()?),
            vec!["try_unsqueeze"],
        ),
        "squeeze" => match attrs["dim"].as_i64() {
            Some(dim) => fallible(
                format!("{}.try_squeeze_dim({dim})", tensor(0)?),
                vec!["try_squeeze_dim"],
            ),
            None => plain(format!("{}.squeeze()", tensor(0)?), vec!["squeeze"]),
        },
        "expand" => {
            let shape: Vec<i64> = attrs["shape"]
                .as_array()?
                .iter()
                .map(Value::as_i64)
                .collect::<Option<_>>()?;
            fallible(format!("{}.try_expand({shape:?})", tensor(0)?), vec!["try_expand"])
        }
        "gather" => {
            let index = &attrs["index"];
            let shape = usizes(&index["shape"])?;
            let data = usizes(&index["data"])?;
            fallible(
                format!(
                    "{}.try_gather({}, &autograd::tensor::Indices::from(\
                     autograd::ndarray::ArrayD::from_shape_vec(autograd::ndarray::IxDyn(&{shape:?}), vec!{data:?}).expect(\"the index fits its shape\")))",
                    tensor(0)?,
                    attrs["axis"].as_i64()?
                ),
                vec!["try_gather"],
            )
        }
        // torch.autograd.grad(a, b, create_graph=True)[0].
        "grad" => fallible(
            format!("{}.gradients(&[{}]).map(|g| g[0])", tensor(0)?, tensor(1)?),
            vec!["gradients"],
        ),
        // J·u of args[0] with respect to args[1] along args[2].
        "jvp" => fallible(
            format!("{}.jvp(&[{}], &[{}])", tensor(0)?, tensor(1)?, tensor(2)?),
            vec!["jvp"],
        ),
        // Two matrices: the engine multiplies other ranks only from the
        // chapter that adds them.
        "matmul" => {
            let rank = |k: usize| match args.get(k)? {
                Arg::Name(name) => shapes.get(name).map(Vec::len),
                Arg::Number(_) => None,
            };
            if rank(0)? != 2 || rank(1)? != 2 {
                return None;
            }
            fallible(format!("{}.try_matmul({})", tensor(0)?, tensor(1)?), vec!["try_matmul"])
        }
        "gt" | "ge" | "lt" | "le" | "eq" | "ne" => {
            let name: &'static str = ["gt", "ge", "lt", "le", "eq", "ne"].into_iter().find(|n| *n == op)?;
            plain(format!("{}.{op}({})", tensor(0)?, operand(1)?), vec![name])
        }
        "where" => fallible(
            format!("try_where({}, {}, {})", tensor(0)?, operand(1)?, operand(2)?),
            vec!["try_where"],
        ),
        "topk" => Written {
            expr: format!("{}.try_topk({})", tensor(0)?, attrs["k"].as_u64()?),
            needs: vec!["try_topk"],
            fallible: true,
            indices: true,
        },
        _ => return None,
    })
}

fn usizes(value: &Value) -> Option<Vec<usize>> {
    value
        .as_array()?
        .iter()
        .map(|v| v.as_u64().map(|n| n as usize))
        .collect()
}

/// A JSON list of numbers (with `"nan"`, `"inf"`, `"-inf"` for those) as
/// a Rust string of them, space-separated, each as Rust parses it back
/// exactly: one line however many there are, where an array would be one
/// line per number.
fn floats(value: &Value) -> Option<String> {
    let items: Vec<String> = value
        .as_array()?
        .iter()
        .map(|v| match v {
            Value::String(s) if ["nan", "inf", "-inf"].contains(&s.as_str()) => Some(s.clone()),
            other => other.as_f64().map(|x| format!("{x:?}")),
        })
        .collect::<Option<_>>()?;
    Some(format!("{:?}", items.join(" ")))
}

/// A tensor's name as a Rust variable.
fn ident(name: &str) -> String {
    let snake: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    // `X` and `W1` are `x_` and `w1_`: snake case, and apart from an `x`.
    match snake.as_str() {
        "g" | "case" | "upstream" => format!("{snake}_"),
        _ if snake != name => format!("{snake}_"),
        _ => snake,
    }
}

/// A case's name as a test's: `unary/pow_-0.5/vec/f64` is
/// `unary_pow_minus_0_5_vec`.
fn test_name(case: &str) -> String {
    let mut name = String::new();
    for c in case.trim_end_matches("/f64").chars() {
        match c {
            '-' => name.push_str("minus_"),
            c if c.is_ascii_alphanumeric() => name.push(c.to_ascii_lowercase()),
            _ => name.push('_'),
        }
    }
    name
}

/// What every generated file starts with: the case and its comparisons.
const HELPERS: &str = r#"
/// A case being replayed, and what to say when the engine disagrees.
struct Case {
    name: &'static str,
    program: &'static str,
    /// The functions you write that the case calls, and where the book shows them.
    read: &'static [(&'static str, &'static str)],
    /// Why the case is there, when it checks an edge: a kink, a tie, a NaN.
    note: &'static str,
    inputs: RefCell<Vec<String>>,
    /// The step being computed, for a panic inside one.
    doing: RefCell<String>,
}

/// Whatever stops a test (a difference from PyTorch, a `todo!()`, a panic
/// inside ndarray), the message ends with the case, its inputs and the
/// functions to read.
impl Drop for Case {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            return;
        }
        let doing = self.doing.borrow();
        let during = if doing.is_empty() { String::new() } else { format!("it stopped in `{doing}`\n") };
        let read: String = self.read.iter().map(|(f, at)| format!("\n    `{f}`: {at}")).collect();
        let note = if self.note.is_empty() { String::new() } else { format!("\nwhy this case: {}", self.note) };
        eprintln!(
            "\n{during}reference case `{}`, computed by PyTorch:\n    {}\ninputs:\n    {}{note}\nthe functions you write that it calls:{read}\n",
            self.name,
            self.program.replace('\n', "\n    "),
            self.inputs.borrow().join("\n    "),
        );
    }
}

impl Case {
    fn new(
        name: &'static str,
        program: &'static str,
        read: &'static [(&'static str, &'static str)],
        note: &'static str,
    ) -> Self {
        Case { name, program, read, note, inputs: RefCell::new(Vec::new()), doing: RefCell::new(String::new()) }
    }

    /// An input of the case, remembered for the message.
    fn input<'g>(
        &self,
        g: &'g Graph<f64>,
        name: &str,
        shape: &[usize],
        data: &str,
        requires_grad: bool,
    ) -> Tensor<'g, f64> {
        let data = numbers(data);
        self.inputs.borrow_mut().push(format!("{name} ({}) = {}", dims(shape), list(&data)));
        let t = g.from_vec(shape, data).expect("the case's data fits its shape");
        if requires_grad { t.requires_grad() } else { t }
    }

    /// Where the replay is: a step, or the backward pass.
    fn now(&self, doing: &str) {
        *self.doing.borrow_mut() = doing.to_string();
    }

    /// A difference from PyTorch; the case itself is told as the test
    /// unwinds (below).
    fn fail(&self, what: &str, detail: &str) -> ! {
        self.doing.borrow_mut().clear();
        panic!("\n{what}{detail}")
    }

    /// A step's result, which PyTorch computed without an error.
    fn ok<T, E: std::fmt::Display>(&self, step: &str, result: Result<T, E>) -> T {
        result.unwrap_or_else(|e| self.fail(&format!("`{step}` returned an error; PyTorch computes it:\n    "), &e.to_string()))
    }

    /// A step's value, computed by `function`.
    fn value(&self, step: &str, function: &str, t: Tensor<'_, f64>, shape: &[usize], want: &str) {
        let what = format!("the value of `{step}` (computed by `{function}`) differs from PyTorch's");
        self.compare(&what, &t.shape(), &t.to_vec(), shape, &numbers(want));
    }

    /// An input's gradient; `None` where PyTorch has none.
    fn grad(&self, name: &str, t: Tensor<'_, f64>, want: Option<(&[usize], &str)>) {
        match (t.grad_array(), want) {
            (None, None) => {}
            (Some(got), Some((shape, want))) => {
                let what = format!("the gradient of `{name}` differs from PyTorch's");
                self.compare(&what, got.shape(), &got.iter().copied().collect::<Vec<_>>(), shape, &numbers(want));
            }
            (None, Some(_)) => self.fail(&format!("`{name}` has no gradient; PyTorch gives it one"), ""),
            (Some(_), None) => self.fail(&format!("`{name}` has a gradient; PyTorch gives it none"), ""),
        }
    }

    /// The positions `topk` picked.
    fn indices(&self, step: &str, got: &[usize], want: &[usize]) {
        if got != want {
            self.fail(
                &format!("`{step}` picked other positions than PyTorch:"),
                &format!("\n    expected {want:?}\n    got      {got:?}"),
            );
        }
    }

    /// An input's gradient where its values tie: the sum each value of each
    /// row receives, which does not depend on which of the equal entries
    /// took it.
    fn grad_by_value(&self, name: &str, t: Tensor<'_, f64>, shape: &[usize], input: &str, want: &str) {
        let input = numbers(input);
        let Some(got) = t.grad_array() else {
            self.fail(&format!("`{name}` has no gradient; PyTorch gives it one"), "")
        };
        let lane = shape.last().copied().unwrap_or(1).max(1);
        let sums = |grad: &[f64]| {
            let mut sums: Vec<((usize, u64), f64)> = Vec::new();
            for (i, (x, g)) in input.iter().zip(grad).enumerate() {
                let key = (i / lane, x.to_bits());
                match sums.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, sum)) => *sum += g,
                    None => sums.push((key, *g)),
                }
            }
            sums.sort_by(|a, b| a.0.cmp(&b.0));
            sums.into_iter().map(|(_, sum)| sum).collect::<Vec<f64>>()
        };
        let (got, want) = (sums(&got.iter().copied().collect::<Vec<_>>()), sums(&numbers(want)));
        let what = format!("the gradient of `{name}`, summed over the equal values of each row, differs from PyTorch's");
        self.compare(&what, &[got.len()], &got, &[want.len()], &want);
    }

    /// Equal within 1e-12 of the expected tensor's largest entry (NaN and
    /// infinities exactly), and of the same shape.
    fn compare(&self, what: &str, got_shape: &[usize], got: &[f64], shape: &[usize], want: &[f64]) {
        if got_shape != shape {
            self.fail(what, &format!(":\n    expected shape {shape:?}, got {got_shape:?}"));
        }
        let scale = want.iter().filter(|x| x.is_finite()).fold(0.0_f64, |m, x| m.max(x.abs()));
        let agrees = |g: f64, w: f64| {
            if w.is_nan() || !w.is_finite() {
                (w.is_nan() && g.is_nan()) || g == w
            } else {
                (g - w).abs() <= 1e-12 * w.abs().max(scale)
            }
        };
        if let Some(i) = (0..want.len()).find(|&i| !agrees(got[i], want[i])) {
            self.fail(
                what,
                &format!(
                    ":\n    expected {}\n    got      {}\n    first at index {:?}: expected {:?}, got {:?}",
                    list(want),
                    list(got),
                    index(shape, i),
                    want[i],
                    got[i]
                ),
            );
        }
    }
}

/// The numbers of a string such as `"1.5 -2 nan inf"`.
fn numbers(text: &str) -> Vec<f64> {
    text.split_whitespace().map(|x| x.parse().expect("a number")).collect()
}

fn dims(shape: &[usize]) -> String {
    if shape.is_empty() {
        return "a number".to_string();
    }
    shape.iter().map(ToString::to_string).collect::<Vec<_>>().join("x")
}

/// Numbers, the first 12 of them.
fn list(data: &[f64]) -> String {
    let shown: Vec<String> = data.iter().take(12).map(|x| format!("{x:.6}")).collect();
    let more = if data.len() > 12 { format!(", … {} more", data.len() - 12) } else { String::new() };
    format!("[{}{more}]", shown.join(", "))
}

/// The position of the `flat`-th entry of a tensor of `shape`.
fn index(shape: &[usize], flat: usize) -> Vec<usize> {
    let mut rest = flat;
    let mut at = vec![0; shape.len()];
    for (k, &n) in shape.iter().enumerate().rev() {
        at[k] = rest % n.max(1);
        rest /= n.max(1);
    }
    at
}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_name_is_a_test_name() {
        assert_eq!(test_name("unary/pow_-0.5/vec/f64"), "unary_pow_minus_0_5_vec");
        assert_eq!(test_name("topk/ties/rows_k2/f64"), "topk_ties_rows_k2");
    }
}

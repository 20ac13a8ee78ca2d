//! A case of the reference language written out as a PyTorch program and
//! as its replay in Rust, so that a failing random program can be run by
//! hand on both sides and reduced to a named case.

use std::fmt::Write as _;

use crate::common::program::{Arg, AxisAttr, Step};
use crate::reference_suite::{Case, Data, HookSpec};

/// The case as a Python program printing what the reference suite compares.
pub fn as_pytorch(case: &Case) -> String {
    let dtype = if case.dtype == "f64" {
        "torch.float64"
    } else {
        "torch.float32"
    };
    let tensor = |d: &Data| format!("torch.tensor({:?}, dtype={dtype}).reshape({:?})", d.data, d.shape);
    let mut out = String::from("import torch\nimport torch.nn.functional as F\n\n");
    for (name, input) in &case.inputs {
        let data = Data {
            shape: input.shape.clone(),
            data: input.data.clone(),
        };
        let grad = if input.requires_grad { ".requires_grad_()" } else { "" };
        let _ = writeln!(out, "{name} = {}{grad}", tensor(&data));
    }
    let python_hook = |name: &str, out: &mut String| {
        if let Some(spec) = case.hooks.get(name) {
            let body = match spec {
                HookSpec::Scale(s) => format!("g * {s:?}"),
                HookSpec::Clamp(c) => format!("g.clamp(-{c:?}, {c:?})"),
            };
            let _ = writeln!(out, "{name}.register_hook(lambda g: {body})");
        }
    };
    for name in case.inputs.keys() {
        python_hook(name, &mut out);
    }
    for step in &case.program {
        let _ = writeln!(out, "{} = {}", step.out, python_step(step));
        python_hook(&step.out, &mut out);
    }
    for call in &case.backward {
        let upstream = call.upstream.as_ref().map(tensor).unwrap_or_default();
        for _ in 0..call.repeat {
            let _ = writeln!(out, "{}.backward({upstream}, retain_graph=True)", call.root);
        }
    }
    for step in &case.program {
        let _ = writeln!(out, "print({:?}, {})", step.out, step.out);
    }
    for (name, input) in &case.inputs {
        if input.requires_grad {
            let _ = writeln!(out, "print(\"grad {name}\", {name}.grad)");
        }
    }
    out
}

/// The case as a Rust program with the engine, printing the same.
pub fn as_rust(case: &Case) -> String {
    let t = &case.dtype;
    let tensor = |d: &Data| {
        format!(
            "g.tensor(ndarray::ArrayD::from_shape_vec(vec!{:?}, vec!{:?}).unwrap().mapv(|x: f64| x as {t}))",
            d.shape, d.data
        )
    };
    let mut out = format!("let g = autograd::Graph::<{t}>::new();\n");
    let rust_hook = |name: &str, out: &mut String| {
        if let Some(spec) = case.hooks.get(name) {
            let body = match spec {
                HookSpec::Scale(s) => format!("g * ({s:?} as {t})"),
                HookSpec::Clamp(c) => format!("g.clamp(-{c:?} as {t}, {c:?} as {t})"),
            };
            let _ = writeln!(out, "{name}.register_hook(|g| Some({body}));");
        }
    };
    for (name, input) in &case.inputs {
        let data = Data {
            shape: input.shape.clone(),
            data: input.data.clone(),
        };
        let grad = if input.requires_grad { ".requires_grad()" } else { "" };
        let _ = writeln!(out, "let {name} = {}{grad};", tensor(&data));
        rust_hook(name, &mut out);
    }
    for step in &case.program {
        let _ = writeln!(out, "let {} = {};", step.out, rust_step(step, t));
        rust_hook(&step.out, &mut out);
    }
    for call in &case.backward {
        let call_text = match &call.upstream {
            Some(up) => format!("{}.backward_with({}).unwrap();", call.root, tensor(up)),
            None => format!("{}.backward().unwrap();", call.root),
        };
        for _ in 0..call.repeat {
            let _ = writeln!(out, "{call_text}");
        }
    }
    for step in &case.program {
        let _ = writeln!(out, "println!(\"{0} {{}}\", {0});", step.out);
    }
    for (name, input) in &case.inputs {
        if input.requires_grad {
            let _ = writeln!(out, "println!(\"grad {name} {{:?}}\", {name}.grad());");
        }
    }
    out
}

fn arg_text(arg: &Arg, suffix: &str) -> String {
    match arg {
        Arg::Name(name) => name.clone(),
        Arg::Number(x) => format!("{x:?}{suffix}"),
    }
}

fn axis_text(axis: &Option<AxisAttr>, python: bool) -> String {
    match axis {
        Some(AxisAttr::One(d)) => d.to_string(),
        Some(AxisAttr::Many(ds)) if python => format!("({})", ds.iter().map(|d| format!("{d}, ")).collect::<String>()),
        Some(AxisAttr::Many(ds)) => format!("{ds:?}"),
        None => "?".into(),
    }
}

fn python_step(step: &Step) -> String {
    let a = |k: usize| step.args.get(k).map_or("?".into(), |arg| arg_text(arg, ""));
    let at = &step.attrs;
    let keepdim = if at.keepdim == Some(true) { "True" } else { "False" };
    let axis = axis_text(&at.axis, true);
    let dim = at.dim.unwrap_or(0);
    let op = step.op.as_str();
    match op {
        "add" => format!("{} + {}", a(0), a(1)),
        "sub" => format!("{} - {}", a(0), a(1)),
        "mul" => format!("{} * {}", a(0), a(1)),
        "div" => format!("{} / {}", a(0), a(1)),
        "gt" => format!("{} > {}", a(0), a(1)),
        "lt" => format!("{} < {}", a(0), a(1)),
        "matmul" => format!("{} @ {}", a(0), a(1)),
        "neg" => format!("-{}", a(0)),
        "pow" => format!("{} ** {:?}", a(0), at.exponent.unwrap_or(f64::NAN)),
        "ln" => format!("torch.log({})", a(0)),
        "silu" | "gelu" | "softplus" => format!("F.{op}({})", a(0)),
        "leaky_relu" => format!("F.leaky_relu({}, {:?})", a(0), at.slope.unwrap_or(f64::NAN)),
        "elu" => format!("F.elu({}, {:?})", a(0), at.alpha.unwrap_or(f64::NAN)),
        "sum" | "mean" => format!("{}.{op}()", a(0)),
        "sum_axis" | "mean_axis" | "amax" | "amin" | "logsumexp" => {
            let name = op.trim_end_matches("_axis");
            format!("{}.{name}(dim={axis}, keepdim={keepdim})", a(0))
        }
        "max_dim" | "min_dim" => format!("{}.{}(dim={dim}, keepdim={keepdim}).values", a(0), &op[..3]),
        "softmax" | "log_softmax" => format!("{}.{op}({dim})", a(0)),
        "clamp" => {
            let bound = |b: Option<f64>| b.map_or("None".to_string(), |x| format!("{x:?}"));
            format!("{}.clamp(min={}, max={})", a(0), bound(at.min), bound(at.max))
        }
        "transpose" => {
            let [a0, a1] = at.axes.unwrap_or_default();
            format!("{}.transpose({a0}, {a1})", a(0))
        }
        "reshape" | "expand" => format!("{}.{op}({:?})", a(0), at.shape.clone().unwrap_or_default()),
        "unsqueeze" => format!("{}.unsqueeze({dim})", a(0)),
        "squeeze" => match at.dim {
            Some(d) => format!("{}.squeeze({d})", a(0)),
            None => format!("{}.squeeze()", a(0)),
        },
        "narrow" => format!(
            "{}.narrow({dim}, {}, {})",
            a(0),
            at.start.unwrap_or(0),
            at.length.unwrap_or(0)
        ),
        "index_select" => format!(
            "{}.index_select({axis}, torch.tensor({:?}))",
            a(0),
            at.indices.clone().unwrap_or_default()
        ),
        "topk" => format!("torch.topk({}, {}).values", a(0), at.k.unwrap_or(0)),
        "cat" | "stack" => {
            let all: Vec<String> = (0..step.args.len()).map(a).collect();
            format!("torch.{op}([{}], dim={dim})", all.join(", "))
        }
        "where" => format!("torch.where({}, {}, {})", a(0), a(1), a(2)),
        "grad" => format!("torch.autograd.grad({}, {}, create_graph=True)[0]", a(0), a(1)),
        "jvp" => format!(
            "None  # the JVP of {} in {} along {}: torch.func.jvp of the steps above as a function of {}",
            a(0),
            a(1),
            a(2),
            a(1)
        ),
        _ => format!("torch.{op}({})", a(0)),
    }
}

fn rust_step(step: &Step, t: &str) -> String {
    let a = |k: usize| step.args.get(k).map_or("?".into(), |arg| arg_text(arg, t));
    let at = &step.attrs;
    let keepdim = at.keepdim == Some(true);
    let axis = axis_text(&at.axis, false);
    let dim = at.dim.unwrap_or(0);
    let number = |x: Option<f64>| format!("{:?}{t}", x.unwrap_or(f64::NAN));
    let op = step.op.as_str();
    match op {
        "add" | "sub" | "mul" | "div" => {
            let sign = match op {
                "add" => "+",
                "sub" => "-",
                "mul" => "*",
                _ => "/",
            };
            format!("{} {sign} {}", a(0), a(1))
        }
        "gt" | "lt" => format!("{}.{op}({})", a(0), a(1)),
        "matmul" => format!("{}.matmul({})", a(0), a(1)),
        "neg" => format!("-{}", a(0)),
        "pow" => format!("{}.pow({})", a(0), number(at.exponent)),
        "log1p" => format!("{}.ln_1p()", a(0)),
        "expm1" => format!("{}.exp_m1()", a(0)),
        "leaky_relu" => format!("{}.leaky_relu({})", a(0), number(at.slope)),
        "elu" => format!("{}.elu({})", a(0), number(at.alpha)),
        "sum" | "mean" => format!("{}.{op}_all()", a(0)),
        "sum_axis" | "mean_axis" | "amax" | "amin" | "logsumexp" => {
            format!("{}.{}({axis}, {keepdim})", a(0), op.trim_end_matches("_axis"))
        }
        "max_dim" | "min_dim" => format!("{}.{}({dim}, {keepdim}).0", a(0), &op[..3]),
        "softmax" | "log_softmax" | "unsqueeze" => format!("{}.{op}({dim})", a(0)),
        "clamp" => match (at.min, at.max) {
            (Some(lo), Some(hi)) => format!("{}.clamp({lo:?}{t}, {hi:?}{t})", a(0)),
            (Some(lo), None) => format!("{}.clamp_min({lo:?}{t})", a(0)),
            (None, Some(hi)) => format!("{}.clamp_max({hi:?}{t})", a(0)),
            (None, None) => format!("{}.clamp(?, ?)", a(0)),
        },
        "transpose" => {
            let [a0, a1] = at.axes.unwrap_or_default();
            format!("{}.transpose({a0}, {a1})", a(0))
        }
        "reshape" | "expand" => format!("{}.{op}({:?})", a(0), at.shape.clone().unwrap_or_default()),
        "squeeze" => match at.dim {
            Some(d) => format!("{}.squeeze_dim({d})", a(0)),
            None => format!("{}.squeeze()", a(0)),
        },
        "narrow" => format!(
            "{}.narrow({dim}, {}, {})",
            a(0),
            at.start.unwrap_or(0),
            at.length.unwrap_or(0)
        ),
        "index_select" => format!(
            "{}.index_select({axis}, &{:?})",
            a(0),
            at.indices.clone().unwrap_or_default()
        ),
        "topk" => format!("{}.topk({}).0", a(0), at.k.unwrap_or(0)),
        "cat" | "stack" => {
            let all: Vec<String> = (0..step.args.len()).map(a).collect();
            format!("autograd::{op}(&[{}], {dim})", all.join(", "))
        }
        "where" => format!("autograd::tensor::where_({}, {}, {})", a(0), a(1), a(2)),
        "grad" => format!("{}.gradients(&[{}]).unwrap()[0]", a(0), a(1)),
        "jvp" => format!("{}.jvp(&[{}], &[{}]).unwrap()", a(0), a(1), a(2)),
        _ => format!("{}.{op}()", a(0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One program of every mode, written out both ways: each step on its
    /// own line, the hook after its tensor, the calls, the prints.
    #[test]
    fn a_case_is_written_as_pytorch_and_as_rust() {
        let case: Case = serde_json::from_str(
            r#"{"name": "fuzz/0000/first/f32", "category": "fuzz", "dtype": "f32",
                "inputs": {"x0": {"shape": [2], "data": [0.5, -1], "requires_grad": true}},
                "program": [{"out": "t1", "op": "sum_axis", "args": ["x0"], "attrs": {"axis": -1, "keepdim": true}},
                            {"out": "t2", "op": "mul", "args": ["t1", 2.5]}],
                "backward": [{"root": "t2", "upstream": {"shape": [1], "data": [1]}, "repeat": 1}],
                "hooks": {"t1": {"clamp": 0.25}},
                "expected": {"values": {}, "error": null}}"#,
        )
        .unwrap();
        let python = as_pytorch(&case);
        assert!(
            python.contains("x0 = torch.tensor([0.5, -1.0], dtype=torch.float32).reshape([2]).requires_grad_()"),
            "{python}"
        );
        assert!(
            python.contains("t1 = x0.sum(dim=-1, keepdim=True)\nt1.register_hook(lambda g: g.clamp(-0.25, 0.25))\n"),
            "{python}"
        );
        assert!(python.contains("t2 = t1 * 2.5\n"), "{python}");
        assert!(
            python.contains("t2.backward(torch.tensor([1.0], dtype=torch.float32).reshape([1]), retain_graph=True)"),
            "{python}"
        );
        let rust = as_rust(&case);
        assert!(
            rust.contains(
                "let t1 = x0.sum(-1, true);\nt1.register_hook(|g| Some(g.clamp(-0.25 as f32, 0.25 as f32)));\n"
            ),
            "{rust}"
        );
        assert!(rust.contains("let t2 = t1 * 2.5f32;\n"), "{rust}");
        assert!(rust.contains("t2.backward_with(g.tensor("), "{rust}");
    }
}

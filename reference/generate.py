#!/usr/bin/env python3
"""Generates reference/cases.json: what real PyTorch computes for small
programs, replayed by crates/autograd/tests/operations/reference_suite.rs.

Run with the project's venv (only regenerating needs torch, and numpy):

    ~/.cache/autograd-book/venv/bin/python -m pip install numpy
    ~/.cache/autograd-book/venv/bin/python reference/generate.py --keep-existing

The outputs are pinned to one torch version (PINNED_TORCH below): another
version may round differently or order topk ties differently, so the script
refuses to run with it unless --allow-version is given. Even the same
version can round a few results differently in the last bit on another
CPU; --keep-existing writes the cases already in the file as they are and
computes only the new ones.

The operations come from reference/operations.json, the one list: the case
families below take their operations from it, and each operation it marks
`generated` gets a value case per sample, a NaN/inf case and an empty case
(`listed_cases`).

A case is a tiny program over named tensors. Each step is
    {"out": "t3", "op": "mul", "args": ["t1", "t2" or a number], "attrs": {...}}
and the ops, their arguments and attributes are exactly those `run_step`
below interprets (the Rust test interprets the same language); a `grad`
step is torch.autograd.grad with create_graph=True, and a `jvp` step is
computed by PyTorch's forward mode (`forward_mode_jvp`). A case's `hooks`
register gradient hooks on steps before the backward calls. After the
program, `backward` lists the calls to make, in order: each names a root and
an upstream gradient (null for `backward()`) and how many times to repeat it,
so repeated calls test accumulation. The expected section holds every step's
value, the indices of every topk, the gradient of every input (null when
none reached it) and of every step listed in `retain`, or the kind of error
PyTorch raised and where. JSON has no NaN or infinity: such elements are
written as the strings "nan", "inf" and "-inf" (the bad_values cases).
"""

import argparse
import json
import math
import sys
import zlib
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

PINNED_TORCH = "2.15.0"
OUTPUT = Path(__file__).resolve().parent / "cases.json"
# The one list of operations (see its "about"): the case families below draw
# their operations from it, and every `generated` one gets its cases from its
# samples.
OPERATIONS = json.loads((Path(__file__).resolve().parent / "operations.json").read_text())["operations"]


def family(name):
    """The operations of one case family, in the list's order."""
    return [o["op"] for o in OPERATIONS if o.get("family") == name]
DTYPES = {"f32": (torch.float32, np.float32), "f64": (torch.float64, np.float64)}


# ---------------------------------------------------------------------------
# Numbers in the file.
# ---------------------------------------------------------------------------

def number_text(x, dtype):
    """The shortest decimal that reads back to exactly `x` both as an f64 and,
    for f32, after narrowing that f64 to f32 (so no double rounding bites)."""
    x = float(x)
    if math.isnan(x):
        return '"nan"'  # JSON has no NaN or infinity: the replay reads these strings
    if math.isinf(x):
        return '"inf"' if x > 0 else '"-inf"'
    if dtype == "f32":
        short = _compact(np.format_float_positional(np.float32(x), unique=True, trim="-"))
        if np.float32(float(short)) == np.float32(x):
            return short
    return _compact(np.format_float_positional(x, unique=True, trim="-"))


def _compact(text):
    """Scientific notation when it is shorter: 1.5e-07 rather than 0.00000015."""
    value = float(text)
    sci = np.format_float_scientific(value, unique=True, trim="-").replace("e+", "e")
    if abs(value) > 0 and len(sci) < len(text) and float(sci) == value:
        return sci
    return text


class Raw:
    """Text inserted into the JSON as is (numbers printed by number_text)."""

    def __init__(self, text):
        self.text = text


def tensor_json(t, dtype):
    a = t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
    flat = a.reshape(-1)
    if a.dtype == np.bool_:
        flat = flat.astype(np.float64)
    if np.issubdtype(flat.dtype, np.integer):
        data = Raw("[" + ",".join(str(int(v)) for v in flat) + "]")
    else:
        data = Raw("[" + ",".join(number_text(v, dtype) for v in flat) + "]")
    return {"shape": list(a.shape), "data": data}


# Containers written one entry per line (by their path of keys; "*" is any
# case); everything below them goes on the entry's line.
MULTILINE = {(), ("cases",), ("cases", "*"), ("cases", "*", "inputs"), ("cases", "*", "program"),
             ("cases", "*", "backward"), ("cases", "*", "expected"), ("cases", "*", "expected", "values"),
             ("cases", "*", "expected", "indices"), ("cases", "*", "expected", "grads")}


def dump(obj, path=(), depth=0):
    """JSON that stays readable: one line per case field, step, tensor."""
    if isinstance(obj, Raw):
        return obj.text
    if isinstance(obj, dict):
        items = [(json.dumps(k), dump(v, path + (k,), depth + 1)) for k, v in obj.items()]
        if path in MULTILINE and items:
            pad = "  " * (depth + 1)
            return "{\n" + ",\n".join(f"{pad}{k}: {v}" for k, v in items) + "\n" + "  " * depth + "}"
        return "{" + ", ".join(f"{k}: {v}" for k, v in items) + "}"
    if isinstance(obj, list):
        inner_path = ("cases", "*") if path == ("cases",) else path + ("[]",)
        items = [dump(v, inner_path, depth + 1) for v in obj]
        if path in MULTILINE and items:
            pad = "  " * (depth + 1)
            return "[\n" + ",\n".join(pad + v for v in items) + "\n" + "  " * depth + "]"
        return "[" + ", ".join(items) + "]"
    return json.dumps(obj)


# ---------------------------------------------------------------------------
# The op language, as PyTorch runs it.
# ---------------------------------------------------------------------------

def parse_slice(text):
    """'1' -> 1, '1:3' -> slice(1, 3), '::2' -> slice(None, None, 2)."""
    if ":" not in text:
        return int(text)
    parts = [int(p) if p else None for p in text.split(":")]
    return slice(*parts)


def run_step(env, step, torch_dtype):
    op, attrs = step["op"], step.get("attrs", {})

    def arg(k):
        a = step["args"][k]
        if isinstance(a, str):
            return env[a]
        return float(a)

    def tensor_arg(k):
        a = arg(k)
        return torch.tensor(a, dtype=torch_dtype) if isinstance(a, float) else a

    unary = {
        "neg": lambda x: -x, "exp": torch.exp, "ln": torch.log, "tanh": torch.tanh,
        "relu": torch.relu, "sigmoid": torch.sigmoid, "reciprocal": torch.reciprocal,
        "floor": torch.floor, "ceil": torch.ceil, "round": torch.round,
        "sum": torch.sum, "mean": torch.mean, "t": lambda x: x.t(),
    }
    binary = {
        "add": lambda a, b: a + b, "sub": lambda a, b: a - b,
        "mul": lambda a, b: a * b, "div": lambda a, b: a / b,
        "gt": torch.gt, "ge": torch.ge, "lt": torch.lt, "le": torch.le, "eq": torch.eq, "ne": torch.ne,
        "matmul": torch.matmul,
    }
    if op in unary:
        return unary[op](arg(0)), None
    if op in binary:
        return binary[op](arg(0), arg(1)), None
    if op == "pow":
        return arg(0) ** float(attrs["exponent"]), None
    if op == "sum_axis":
        return arg(0).sum(dim=attrs["axis"], keepdim=attrs["keepdim"]), None
    if op == "mean_axis":
        return arg(0).mean(dim=attrs["axis"], keepdim=attrs["keepdim"]), None
    if op == "tensordot":
        return torch.tensordot(arg(0), arg(1), dims=attrs["dims"]), None
    if op == "transpose":
        return arg(0).transpose(*attrs["axes"]), None
    if op == "reshape":
        return arg(0).reshape(attrs["shape"]), None
    if op == "slice":
        return arg(0)[tuple(parse_slice(s) for s in attrs["slices"])], None
    if op == "at":
        return arg(0)[tuple(attrs["index"])], None
    if op == "index_select":
        return torch.index_select(arg(0), attrs["axis"], torch.tensor(attrs["indices"], dtype=torch.int64)), None
    if op == "gather":
        index = torch.tensor(attrs["index"]["data"], dtype=torch.int64).reshape(attrs["index"]["shape"])
        return torch.gather(arg(0), attrs["axis"], index), None
    if op == "where":
        return torch.where(arg(0), tensor_arg(1), tensor_arg(2)), None
    if op == "grad":
        (gradient,) = torch.autograd.grad(arg(0), arg(1), create_graph=True)
        return gradient, None
    if op == "topk":
        values, indices = torch.topk(arg(0), attrs["k"])
        return values, indices
    if op in ("sqrt", "abs", "sign", "max", "min"):
        return getattr(torch, op)(arg(0)), None
    if op == "clamp":
        return torch.clamp(arg(0), min=attrs.get("min"), max=attrs.get("max")), None
    if op in ("max_dim", "min_dim"):
        values, indices = getattr(torch, op[:3])(arg(0), dim=attrs["dim"], keepdim=attrs["keepdim"])
        return values, indices
    if op in ("argmax", "argmin"):
        # Positions as a float tensor of the case's dtype: the language's steps are tensors.
        return getattr(torch, op)(arg(0), dim=attrs.get("dim"), keepdim=attrs.get("keepdim", False)).to(torch_dtype), None
    if op in ("softmax", "log_softmax"):
        return getattr(torch, op)(arg(0), dim=attrs["dim"]), None
    if op == "logsumexp":
        return torch.logsumexp(arg(0), dim=attrs["axis"], keepdim=attrs["keepdim"]), None
    if op in ("cat", "stack"):
        return getattr(torch, op)([env[a] for a in step["args"]], dim=attrs["dim"]), None
    if op == "narrow":
        return arg(0).narrow(attrs["dim"], attrs["start"], attrs["length"]), None
    if op == "unsqueeze":
        return arg(0).unsqueeze(attrs["dim"]), None
    if op == "squeeze":
        return (arg(0).squeeze(attrs["dim"]) if "dim" in attrs else arg(0).squeeze()), None
    if op == "expand":
        return arg(0).expand(*attrs["shape"]), None
    elementary = {"sin": torch.sin, "cos": torch.cos, "tan": torch.tan, "log1p": torch.log1p,
                  "expm1": torch.expm1, "erf": torch.erf, "rsqrt": torch.rsqrt, "square": torch.square,
                  "silu": F.silu, "gelu": F.gelu, "softplus": F.softplus}
    if op in elementary:
        return elementary[op](arg(0)), None
    if op in ("amax", "amin"):
        return getattr(torch, op)(arg(0), dim=attrs["axis"], keepdim=attrs["keepdim"]), None
    if op == "leaky_relu":
        return F.leaky_relu(arg(0), attrs["slope"]), None
    if op == "elu":
        return F.elu(arg(0), attrs["alpha"]), None
    if op in ("mse_loss", "binary_cross_entropy_with_logits"):
        return getattr(F, op)(arg(0), arg(1)), None
    if op in ("nll_loss", "cross_entropy"):
        return getattr(F, op)(arg(0), torch.tensor(attrs["target"], dtype=torch.int64)), None
    raise ValueError(f"unknown op {op}")


# ---------------------------------------------------------------------------
# Cases.
# ---------------------------------------------------------------------------

CASES = []


def rng_for(name):
    return np.random.default_rng(zlib.crc32(name.encode()))


def add_case(name, category, dtype, inputs, program, backward, *, retain=(), ties=False, error=None, hooks=None):
    """Runs a case with PyTorch and records it. `inputs` maps a name to
    (array, requires_grad); `backward` is a list of (root, upstream or None,
    repeat); `error` = (kind, where) when PyTorch must raise there."""
    torch_dtype, np_dtype = DTYPES[dtype]
    env, case_inputs = {}, {}
    for input_name, (data, requires_grad) in inputs.items():
        array = np.asarray(data, dtype=np.float64).astype(np_dtype)
        env[input_name] = torch.tensor(array, dtype=torch_dtype, requires_grad=requires_grad)
        case_inputs[input_name] = {**tensor_json(array, dtype), "requires_grad": requires_grad}
        register_hook(env, input_name, hooks)
    values, indices, raised = {}, {}, None
    for position, step in enumerate(program):
        try:
            if step["op"] == "jvp":
                value, idx = forward_mode_jvp(env, program[:position], step, torch_dtype), None
            else:
                value, idx = run_step(env, step, torch_dtype)
        except (RuntimeError, IndexError, ValueError) as e:
            raised = (step["out"], e)
            break
        env[step["out"]] = value
        register_hook(env, step["out"], hooks)
        values[step["out"]] = tensor_json(value.to(torch_dtype) if value.dtype == torch.bool else value, dtype)
        if idx is not None:
            indices[step["out"]] = tensor_json(idx, dtype)
    calls = []
    for root, upstream, repeat in backward:
        up = None if upstream is None else np.asarray(upstream, dtype=np.float64).astype(np_dtype)
        calls.append({"root": root, "upstream": None if up is None else tensor_json(up, dtype), "repeat": repeat})
    if raised is None:
        for retained in retain:
            env[retained].retain_grad()
        try:
            for root, upstream, repeat in backward:
                gradient = None if upstream is None else torch.tensor(
                    np.asarray(upstream, dtype=np.float64).astype(np_dtype), dtype=torch_dtype)
                for _ in range(repeat):
                    env[root].backward(gradient=gradient, retain_graph=True)
        except RuntimeError as e:
            raised = ("backward", e)
    expected = {"values": values}
    if indices:
        expected["indices"] = indices
    if raised is None:
        if error is not None:
            sys.exit(f"case {name}: PyTorch did not raise the expected {error}")
        grads = {}
        for input_name, (_, requires_grad) in inputs.items():
            g = env[input_name].grad
            grads[input_name] = None if g is None else tensor_json(g, dtype)
        for step_name in retain:
            g = env[step_name].grad
            grads[step_name] = None if g is None else tensor_json(g, dtype)
        expected["grads"] = grads
        expected["error"] = None
    else:
        where, e = raised
        if error is None or error[1] != where:
            sys.exit(f"case {name}: unexpected PyTorch error at {where}: {e}")
        message = str(e).strip().splitlines()[0]
        expected["error"] = {"kind": error[0], "at": where, "torch": f"{type(e).__name__}: {message}"}
    case = {"name": name, "category": category, "dtype": dtype, "inputs": case_inputs, "program": program,
            "backward": calls}
    if retain:
        case["retain"] = list(retain)
    if ties:
        case["topk_ties"] = True
    if hooks:
        case["hooks"] = hooks
    case["expected"] = expected
    CASES.append(case)


def step(out, op, *args, **attrs):
    s = {"out": out, "op": op, "args": list(args)}
    if attrs:
        s["attrs"] = attrs
    return s


def normal(rng, *shape, scale=1.0):
    return rng.standard_normal(shape) * scale


def away_from_zero(rng, *shape, low=0.2, high=2.0):
    """Random signs, magnitudes in [low, high]: safe for relu, ln of |x|, 1/x."""
    return rng.uniform(low, high, shape) * rng.choice([-1.0, 1.0], shape)


def weighted_loss(program, out, weight_name):
    """loss = sum(out * w): a scalar whose gradient is w, not all ones."""
    program.append(step("l_w", "mul", out, weight_name))
    program.append(step("loss", "sum", "l_w"))
    return "loss"


# --- elementwise unary ------------------------------------------------------

def unary_cases(dtype):
    shapes = {"vec": (5,), "mat": (3, 4), "scalar": ()}
    domains = {o["op"]: o["samples"][0]["inputs"]["x"][1] for o in OPERATIONS if o.get("family") == "elementwise"}
    for op, domain in domains.items():
        for shape_name, shape in shapes.items():
            name = f"unary/{op}/{shape_name}/{dtype}"
            rng = rng_for(name)
            if domain == "any":
                x = normal(rng, *shape, scale=1.5)
            elif domain == "positive":
                x = rng.uniform(0.3, 4.0, shape)
            elif domain == "nonzero":
                x = away_from_zero(rng, *shape)
            else:
                x = normal(rng, *shape, scale=3.0)
                x = np.where(np.abs(x - np.round(x)) < 0.05, x + 0.2, x)
            program = [step("y", op, "x")]
            loss = weighted_loss(program, "y", "w")
            add_case(name, "elementwise", dtype, {"x": (x, True), "w": (normal(rng, *shape), False)},
                     program, [(loss, None, 1)])
    for p in [2.0, 3.0, 1.0, 0.0, 0.5, -0.5, -1.0, -2.0, 1.5, 2.7, -1.3]:
        for shape_name, shape in [("vec", (6,)), ("mat", (2, 3))]:
            name = f"unary/pow_{p:g}/{shape_name}/{dtype}"
            rng = rng_for(name)
            x = rng.uniform(0.3, 3.0, shape) if p != int(p) else away_from_zero(rng, *shape, low=0.3)
            program = [step("y", "pow", "x", exponent=p)]
            loss = weighted_loss(program, "y", "w")
            add_case(name, "elementwise", dtype, {"x": (x, True), "w": (normal(rng, *shape), False)},
                     program, [(loss, None, 1)])
    # Exactly at the kinks and ties.
    name = f"unary/relu_at_zero/{dtype}"
    add_case(name, "elementwise", dtype, {"x": ([-1.0, 0.0, 0.0, 2.0, -0.0], True)},
             [step("y", "relu", "x"), step("loss", "sum", "y")], [("loss", None, 1)])
    for op in ["round", "floor", "ceil"]:
        name = f"unary/{op}_at_halves_and_integers/{dtype}"
        x = [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, -3.0, 0.0, 4.0, 0.49999997, 2.5000002]
        add_case(name, "steps", dtype, {"x": (x, True)},
                 [step("y", op, "x"), step("loss", "sum", "y")], [("loss", None, 1)])
    # clamp exactly at its bounds, and beyond them.
    name = f"unary/clamp_at_edges/{dtype}"
    add_case(name, "steps", dtype, {"x": ([-1.0, -0.5, 0.0, 0.5, 1.0], True)},
             [step("y", "clamp", "x", min=-0.5, max=0.5), step("loss", "sum", "y")], [("loss", None, 1)])
    # A maximum that several entries reach: of the whole tensor, and along a dimension.
    name = f"reduce/max_ties/{dtype}"
    add_case(name, "reduction", dtype, {"x": ([1.0, 3.0, 3.0, 2.0, 3.0], True)},
             [step("y", "max", "x")], [("y", None, 1)])
    name = f"reduce/max_dim_ties/{dtype}"
    add_case(name, "reduction", dtype, {"x": ([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]], True)},
             [step("y", "max_dim", "x", dim=1, keepdim=False), step("loss", "sum", "y")], [("loss", None, 1)])


# --- elementwise binary with broadcasting ------------------------------------

def binary_cases(dtype):
    shape_pairs = [((2, 3), (2, 3)), ((5, 3), (1, 3)), ((3,), (2, 1)), ((), (4,)), ((4,), ()),
                   ((2, 1, 3), (4, 1)), ((3, 1), (1, 4))]
    for op in family("arithmetic"):
        for a_shape, b_shape in shape_pairs:
            label = "x".join(map(str, a_shape)) or "0d"
            label += "_" + ("x".join(map(str, b_shape)) or "0d")
            name = f"broadcast/{op}/{label}/{dtype}"
            rng = rng_for(name)
            a = normal(rng, *a_shape)
            b = away_from_zero(rng, *b_shape, low=0.5) if op == "div" else normal(rng, *b_shape)
            out_shape = np.broadcast_shapes(a_shape, b_shape)
            program = [step("y", op, "a", "b")]
            loss = weighted_loss(program, "y", "w")
            add_case(name, "broadcast", dtype,
                     {"a": (a, True), "b": (b, True), "w": (normal(rng, *out_shape), False)},
                     program, [(loss, None, 1)])
        for side in ["right", "left"]:
            name = f"scalar_operand/{op}/{side}/{dtype}"
            rng = rng_for(name)
            x = away_from_zero(rng, 2, 3, low=0.5)
            c = float(np.round(rng.uniform(-3, 3), 3)) or 1.25
            args = ("x", c) if side == "right" else (c, "x")
            program = [step("y", op, *args)]
            loss = weighted_loss(program, "y", "w")
            add_case(name, "broadcast", dtype, {"x": (x, True), "w": (normal(rng, 2, 3), False)},
                     program, [(loss, None, 1)])
    # One operand does not require grad; the same tensor used twice.
    name = f"broadcast/mul_constant_operand/{dtype}"
    rng = rng_for(name)
    add_case(name, "broadcast", dtype, {"a": (normal(rng, 3, 2), True), "b": (normal(rng, 2), False)},
             [step("y", "mul", "a", "b"), step("loss", "sum", "y")], [("loss", None, 1)])
    name = f"broadcast/x_times_x_plus_x/{dtype}"
    rng = rng_for(name)
    add_case(name, "broadcast", dtype, {"x": (normal(rng, 4), True)},
             [step("y", "mul", "x", "x"), step("z", "add", "y", "x"), step("loss", "sum", "z")],
             [("loss", None, 1)])


# --- reductions -------------------------------------------------------------

def reduction_cases(dtype):
    for op in family("reduction"):
        for shape in [(3, 4), (7,), ()]:
            name = f"reduce/{op}/{'x'.join(map(str, shape)) or '0d'}/{dtype}"
            rng = rng_for(name)
            add_case(name, "reduction", dtype, {"x": (normal(rng, *shape), True)},
                     [step("y", op, "x")], [("y", None, 1)])
        for shape, axis in [((3, 4), 0), ((3, 4), 1), ((2, 3, 4), 1), ((2, 3, 4), 2), ((5,), 0)]:
            for keepdim in [False, True]:
                name = f"reduce/{op}_axis{axis}{'_keepdim' if keepdim else ''}/{'x'.join(map(str, shape))}/{dtype}"
                rng = rng_for(name)
                out_shape = list(shape)
                if keepdim:
                    out_shape[axis] = 1
                else:
                    del out_shape[axis]
                add_case(name, "reduction", dtype, {"x": (normal(rng, *shape), True)},
                         [step("y", f"{op}_axis", "x", axis=axis, keepdim=keepdim)],
                         [("y", normal(rng, *out_shape), 1)])


# --- matrix products ----------------------------------------------------------

def matmul_cases(dtype):
    shapes = {"mm": ((3, 4), (4, 2)), "mv": ((3, 4), (4,)), "vm": ((4,), (4, 3)), "dot": ((5,), (5,)),
              "mm_outer_dims": ((1, 3), (3, 1)), "mm_wide": ((2, 7), (7, 6)),
              # Batches of matrices, their leading dimensions broadcast.
              "bmm": ((2, 3, 4), (2, 4, 2)), "batch_times_matrix": ((2, 3, 4), (4, 2)),
              "broadcast_batches": ((2, 1, 3, 4), (3, 4, 2)), "vector_times_batch": ((4,), (2, 4, 3)),
              "batch_times_vector": ((2, 3, 4), (4,))}
    for label, (a_shape, b_shape) in shapes.items():
        for backward_kind in ["upstream", "sum"]:
            name = f"matmul/{label}/{backward_kind}/{dtype}"
            rng = rng_for(name)
            a, b = normal(rng, *a_shape), normal(rng, *b_shape)
            out_shape = np.matmul(a, b).shape
            program = [step("y", "matmul", "a", "b")]
            if backward_kind == "upstream":
                calls = [("y", normal(rng, *out_shape), 1)]
            else:
                program.append(step("loss", "sum", "y"))
                calls = [("loss", None, 1)]
            add_case(name, "matmul", dtype, {"a": (a, True), "b": (b, True)}, program, calls)
    for a_shape, b_shape, dims in [((2, 3), (3, 4), 1), ((2, 3, 4), (4, 5), 1), ((2, 3, 4), (3, 4, 5), 2),
                                   ((3, 4), (3, 4), 2), ((2, 3), (4,), 0), ((4,), (4, 2), 1)]:
        name = f"tensordot/dims{dims}/{'x'.join(map(str, a_shape))}_{'x'.join(map(str, b_shape))}/{dtype}"
        rng = rng_for(name)
        a, b = normal(rng, *a_shape), normal(rng, *b_shape)
        out_shape = np.tensordot(a, b, axes=dims).shape
        add_case(name, "matmul", dtype, {"a": (a, True), "b": (b, True)},
                 [step("y", "tensordot", "a", "b", dims=dims)], [("y", normal(rng, *out_shape), 1)])


# --- shapes, slicing and indexing ----------------------------------------------

def indexing_cases(dtype):
    specs = [
        ("transpose_2d", (3, 4), "transpose", {"axes": [0, 1]}),
        ("transpose_3d_0_2", (2, 3, 4), "transpose", {"axes": [0, 2]}),
        ("transpose_3d_1_2", (2, 3, 4), "transpose", {"axes": [1, 2]}),
        ("t", (3, 4), "t", {}),
        ("t_1d", (4,), "t", {}),
        ("reshape_to_3x4", (2, 6), "reshape", {"shape": [3, 4]}),
        ("reshape_flat", (2, 3, 2), "reshape", {"shape": [12]}),
        ("reshape_to_3d", (12,), "reshape", {"shape": [2, 3, 2]}),
        ("reshape_to_0d", (1,), "reshape", {"shape": []}),
        ("slice_rows", (5, 3), "slice", {"slices": ["1:3"]}),
        ("slice_step_cols", (3, 5), "slice", {"slices": [":", "::2"]}),
        ("slice_row_tail", (3, 5), "slice", {"slices": ["0", "1:"]}),
        ("slice_negative", (6,), "slice", {"slices": ["-2:"]}),
        ("slice_3d", (3, 4, 5), "slice", {"slices": ["1", ":", "0:2"]}),
        ("slice_3d_steps", (3, 4, 5), "slice", {"slices": ["::2", "1:4:2", "-3:"]}),
        ("at_element", (3, 4), "at", {"index": [1, 2]}),
        ("at_row", (3, 4), "at", {"index": [2]}),
        ("at_1d", (6,), "at", {"index": [5]}),
        ("at_negative", (3, 4), "at", {"index": [-1, -3]}),
        ("index_select_rows_repeated", (4, 3), "index_select", {"axis": 0, "indices": [3, 0, 3, 1]}),
        ("index_select_cols", (3, 5), "index_select", {"axis": 1, "indices": [4, 2]}),
        ("index_select_3d", (2, 3, 4), "index_select", {"axis": 2, "indices": [0, 0, 3]}),
        ("gather_axis0", (3, 4), "gather",
         {"axis": 0, "index": {"shape": [2, 4], "data": [0, 2, 1, 2, 1, 1, 0, 0]}}),
        ("gather_axis1_repeats", (3, 4), "gather",
         {"axis": 1, "index": {"shape": [3, 3], "data": [3, 3, 0, 1, 2, 1, 0, 0, 0]}}),
        ("gather_smaller_index", (4, 5), "gather",
         {"axis": 1, "index": {"shape": [2, 2], "data": [4, 0, 1, 1]}}),
        ("gather_1d", (6,), "gather", {"axis": 0, "index": {"shape": [4], "data": [5, 0, 5, 2]}}),
    ]
    for label, shape, op, attrs in specs:
        name = f"indexing/{label}/{dtype}"
        rng = rng_for(name)
        x = normal(rng, *shape)
        expected = run_step({"x": torch.tensor(x)}, step("y", op, "x", **attrs), torch.float64)[0]
        add_case(name, "indexing", dtype, {"x": (x, True)}, [step("y", op, "x", **attrs)],
                 [("y", normal(rng, *expected.shape), 1)])


# --- comparisons and where ------------------------------------------------------

def comparison_cases(dtype):
    for op in family("comparison"):
        for other in ["tensor", "number"]:
            name = f"compare/{op}/{other}/{dtype}"
            rng = rng_for(name)
            # Half-integers, so that equal values occur and are exact.
            x = np.round(rng.uniform(-2, 2, (3, 4)) * 2) / 2
            inputs = {"x": (x, True), "a": (normal(rng, 3, 4), True), "b": (normal(rng, 4), True)}
            if other == "tensor":
                inputs["y"] = (np.round(rng.uniform(-2, 2, (4,)) * 2) / 2, True)
                rhs = "y"
            else:
                rhs = 0.5
            program = [step("mask", op, "x", rhs), step("picked", "where", "mask", "a", "b"),
                       step("scaled", "mul", "picked", "mask"), step("loss", "sum", "scaled")]
            add_case(name, "steps", dtype, inputs, program, [("loss", None, 1)])
    name = f"where/number_branches/{dtype}"
    rng = rng_for(name)
    add_case(name, "steps", dtype, {"x": (normal(rng, 5), True)},
             [step("mask", "gt", "x", 0.0), step("w", "where", "mask", 1.0, 0.0), step("y", "mul", "w", "x"),
              step("loss", "sum", "y")], [("loss", None, 1)])
    name = f"where/broadcast_branches/{dtype}"
    rng = rng_for(name)
    add_case(name, "steps", dtype,
             {"c": (normal(rng, 3, 1), False), "a": (normal(rng, 1, 4), True), "b": (normal(rng, 4), True)},
             [step("mask", "lt", "c", 0.1), step("y", "where", "mask", "a", "b")],
             [("y", normal(rng, 3, 4), 1)])
    name = f"where/number_and_tensor/{dtype}"
    rng = rng_for(name)
    add_case(name, "steps", dtype, {"x": (normal(rng, 2, 3), True)},
             [step("mask", "ge", "x", -0.2), step("y", "where", "mask", "x", -1.5),
              step("z", "where", "mask", 2.0, "x"), step("s", "add", "y", "z"), step("loss", "sum", "s")],
             [("loss", None, 1)])


# --- topk ---------------------------------------------------------------------

def topk_cases(dtype):
    for shape, k in [((6,), 1), ((6,), 3), ((6,), 6), ((3, 5), 2), ((2, 3, 4), 3)]:
        name = f"topk/distinct/{'x'.join(map(str, shape))}_k{k}/{dtype}"
        rng = rng_for(name)
        x = normal(rng, *shape)
        out_shape = shape[:-1] + (k,)
        add_case(name, "topk", dtype, {"x": (x, True)}, [step("v", "topk", "x", k=k)],
                 [("v", normal(rng, *out_shape), 1)])
    ties = [
        ("1_3_3_2_3_k2", [1, 3, 3, 2, 3], 2),
        ("all_equal_k3", [2, 2, 2, 2], 3),
        ("rows_k2", [[5, 1, 5, 5], [0, 0, 1, 0]], 2),
        ("boundary_split_k3", [4, 1, 2, 2, 2, 0], 3),
        ("k_equals_n", [1, 1, 2, 1], 4),
        ("long_lane_k5", [7, 3, 7, 3, 7, 3, 7, 3, 7, 3, 1, 9], 5),
    ]
    for label, x, k in ties:
        name = f"topk/ties/{label}/{dtype}"
        rng = rng_for(name)
        x = np.asarray(x, dtype=np.float64)
        out_shape = x.shape[:-1] + (k,)
        add_case(name, "topk", dtype, {"x": (x, True)}, [step("v", "topk", "x", k=k)],
                 [("v", normal(rng, *out_shape), 1)], ties=True)
    # The book's example: topk of W @ x, then a loss of the selected values.
    name = f"topk/after_matmul/{dtype}"
    rng = rng_for(name)
    add_case(name, "topk", dtype, {"w": (rng.uniform(0, 1, (6, 6)), True), "x": (rng.uniform(0, 1, 6), True)},
             [step("y", "matmul", "w", "x"), step("v", "topk", "y", k=3), step("sq", "mul", "v", "v"),
              step("loss", "sum", "sq")], [("loss", None, 1)])


# --- backward semantics -----------------------------------------------------------

def backward_cases(dtype):
    name = f"backward/upstream_elementwise/{dtype}"
    rng = rng_for(name)
    a = normal(rng, 2, 3)
    add_case(name, "backward", dtype, {"a": (a, True)}, [step("out", "mul", "a", "a")],
             [("out", a, 1)])
    name = f"backward/upstream_ones/{dtype}"
    add_case(name, "backward", dtype, {"a": ([[1, 2, 3], [4, 5, 6]], True)}, [step("out", "mul", "a", "a")],
             [("out", np.ones((2, 3)), 1)])
    for repeat in [2, 3, 5]:
        name = f"accumulate/repeat{repeat}/{dtype}"
        rng = rng_for(name)
        add_case(name, "accumulation", dtype, {"x": (normal(rng, 4), True), "w": (normal(rng, 4), True)},
                 [step("y", "mul", "x", "w"), step("z", "tanh", "y"), step("loss", "sum", "z")],
                 [("loss", None, repeat)])
    name = f"accumulate/elementwise_roots/{dtype}"
    program, calls = [], []
    for i in range(2):
        for j in range(3):
            program += [step(f"e{i}{j}", "at", "a", index=[i, j]), step(f"sq{i}{j}", "mul", f"e{i}{j}", f"e{i}{j}")]
            calls.append((f"sq{i}{j}", None, 1))
    add_case(name, "accumulation", dtype, {"a": ([[1, 2, 3], [4, 5, 6]], True)}, program, calls)
    name = f"accumulate/two_roots_upstream/{dtype}"
    rng = rng_for(name)
    add_case(name, "accumulation", dtype, {"x": (normal(rng, 3), True)},
             [step("y", "exp", "x"), step("z", "mul", "y", 3.0)],
             [("y", normal(rng, 3), 2), ("z", normal(rng, 3), 1)])
    name = f"backward/retain_grad/{dtype}"
    rng = rng_for(name)
    add_case(name, "backward", dtype, {"x": (normal(rng, 3), True), "w": (normal(rng, 3), True)},
             [step("h", "mul", "x", "w"), step("s", "sigmoid", "h"), step("loss", "mean", "s")],
             [("loss", None, 2)], retain=["h", "s"])
    name = f"backward/unused_and_constant_leaves/{dtype}"
    rng = rng_for(name)
    add_case(name, "backward", dtype,
             {"x": (normal(rng, 3), True), "unused": (normal(rng, 3), True), "c": (normal(rng, 3), False),
              "m": (normal(rng, 3), True)},
             [step("mask", "gt", "m", 0.0), step("y", "mul", "x", "c"), step("z", "mul", "y", "mask"),
              step("loss", "sum", "z")], [("loss", None, 1)])
    name = f"backward/through_floor_only/{dtype}"
    rng = rng_for(name)
    add_case(name, "backward", dtype, {"x": (normal(rng, 4) * 3, True)},
             [step("f", "floor", "x"), step("loss", "sum", "f")], [("loss", None, 1)])
    name = f"backward/one_element_non_0d/{dtype}"
    rng = rng_for(name)
    add_case(name, "backward", dtype, {"x": (normal(rng, 1, 1), True)},
             [step("y", "exp", "x")], [("y", None, 1)])


# --- errors -----------------------------------------------------------------------

def error_cases(dtype):
    specs = [
        ("broadcast_add", {"a": (2, 3), "b": (4,)}, [step("y", "add", "a", "b")], None, ("shape", "y")),
        ("broadcast_mul_3d", {"a": (2, 3, 4), "b": (4, 1)}, [step("y", "mul", "a", "b")], None, ("shape", "y")),
        ("matmul_mm", {"a": (2, 3), "b": (4, 2)}, [step("y", "matmul", "a", "b")], None, ("shape", "y")),
        ("matmul_mv", {"a": (2, 3), "b": (2,)}, [step("y", "matmul", "a", "b")], None, ("shape", "y")),
        ("matmul_dot", {"a": (3,), "b": (4,)}, [step("y", "matmul", "a", "b")], None, ("shape", "y")),
        ("tensordot", {"a": (2, 3), "b": (4, 5)}, [step("y", "tensordot", "a", "b", dims=1)], None,
         ("shape", "y")),
        ("reshape", {"a": (2, 3)}, [step("y", "reshape", "a", shape=[4, 2])], None, ("shape", "y")),
        ("where_broadcast", {"a": (2, 3), "b": (2,)},
         [step("m", "gt", "a", 0.0), step("y", "where", "m", "a", "b")], None, ("shape", "y")),
        ("gather_index_too_big", {"a": (2, 3)},
         [step("y", "gather", "a", axis=0, index={"shape": [2, 4], "data": [0] * 8})], None, ("shape", "y")),
        ("non_scalar_backward", {"a": (2, 3)}, [step("y", "mul", "a", 2.0)], [("y", None, 1)],
         ("non_scalar_backward", "backward")),
        ("upstream_shape", {"a": (2, 3)}, [step("y", "mul", "a", 2.0)], [("y", np.ones(3), 1)],
         ("upstream_shape", "backward")),
        ("upstream_shape_transposed", {"a": (2, 3)}, [step("y", "exp", "a")], [("y", np.ones((3, 2)), 1)],
         ("upstream_shape", "backward")),
        ("topk_k_too_large", {"a": (4,)}, [step("y", "topk", "a", k=5)], None, ("out_of_range", "y")),
        ("topk_0d", {"a": ()}, [step("y", "topk", "a", k=2)], None, ("out_of_range", "y")),
        ("sum_axis", {"a": (2, 3)}, [step("y", "sum_axis", "a", axis=2, keepdim=False)], None,
         ("out_of_range", "y")),
        ("mean_axis", {"a": (4,)}, [step("y", "mean_axis", "a", axis=1, keepdim=True)], None,
         ("out_of_range", "y")),
        ("transpose_axis", {"a": (2, 3)}, [step("y", "transpose", "a", axes=[0, 2])], None,
         ("out_of_range", "y")),
        ("at_index", {"a": (2, 3)}, [step("y", "at", "a", index=[1, 3])], None, ("out_of_range", "y")),
        ("at_too_many_indices", {"a": (2, 3)}, [step("y", "at", "a", index=[1, 0, 0])], None,
         ("out_of_range", "y")),
        ("slice_index", {"a": (4,)}, [step("y", "slice", "a", slices=["4"])], None, ("out_of_range", "y")),
        ("index_select", {"a": (3, 2)}, [step("y", "index_select", "a", axis=0, indices=[0, 3])], None,
         ("out_of_range", "y")),
        ("gather_index_value", {"a": (2, 3)},
         [step("y", "gather", "a", axis=1, index={"shape": [2, 1], "data": [0, 3]})], None,
         ("out_of_range", "y")),
    ]
    for label, shapes, program, calls, error in specs:
        name = f"error/{label}/{dtype}"
        rng = rng_for(name)
        inputs = {k: (normal(rng, *s), True) for k, s in shapes.items()}
        add_case(name, "error", dtype, inputs, program, calls or [], error=error)
    name = f"error/no_grad_backward/{dtype}"
    rng = rng_for(name)
    add_case(name, "error", dtype, {"a": (normal(rng, 3), False)},
             [step("y", "mul", "a", "a"), step("loss", "sum", "y")], [("loss", None, 1)],
             error=("no_grad", "backward"))


# --- composite graphs -----------------------------------------------------------------

def mlp_cases(dtype):
    for seed, activation, hidden in [(0, "tanh", 5), (1, "relu", 5), (2, "sigmoid", 4), (3, "tanh", 8),
                                     (4, "relu", 3)]:
        name = f"composite/mlp_{activation}_h{hidden}_seed{seed}/{dtype}"
        rng = rng_for(name)
        n, d = 8, 3
        inputs = {
            "x": (normal(rng, n, d), False),
            "y": (normal(rng, n, 1), False),
            "w1": (normal(rng, d, hidden, scale=1 / math.sqrt(d)), True),
            "b1": (normal(rng, hidden, scale=0.1), True),
            "w2": (normal(rng, hidden, 1, scale=1 / math.sqrt(hidden)), True),
            "b2": (normal(rng, 1, scale=0.1), True),
        }
        program = [
            step("z1", "matmul", "x", "w1"), step("a1", "add", "z1", "b1"), step("h", activation, "a1"),
            step("z2", "matmul", "h", "w2"), step("pred", "add", "z2", "b2"),
            step("err", "sub", "pred", "y"), step("sq", "pow", "err", exponent=2.0), step("loss", "mean", "sq"),
        ]
        if activation == "relu":
            # Keep pre-activations away from relu's kink.
            a1 = inputs["x"][0] @ inputs["w1"][0] + inputs["b1"][0]
            inputs["b1"] = (inputs["b1"][0] + np.where(np.abs(a1).min(axis=0) < 0.05, 0.1, 0.0), True)
        add_case(name, "composite", dtype, inputs, program, [("loss", None, 1)])
    # Softmax cross-entropy written with the engine's ops.
    for seed in range(3):
        name = f"composite/softmax_cross_entropy_seed{seed}/{dtype}"
        rng = rng_for(name)
        labels = rng.integers(0, 4, 5)
        program = [
            step("logits", "matmul", "x", "w"), step("e", "exp", "logits"),
            step("z", "sum_axis", "e", axis=1, keepdim=True), step("p", "div", "e", "z"),
            step("logp", "ln", "p"),
            step("picked", "gather", "logp", axis=1, index={"shape": [5, 1], "data": [int(v) for v in labels]}),
            step("nll", "neg", "picked"), step("loss", "mean", "nll"),
        ]
        add_case(name, "composite", dtype, {"x": (normal(rng, 5, 3), False), "w": (normal(rng, 3, 4), True)},
                 program, [("loss", None, 1)])
    # Logistic regression with a scalar-on-the-left step.
    name = f"composite/logistic_regression/{dtype}"
    rng = rng_for(name)
    program = [
        step("z", "matmul", "x", "w"), step("p", "sigmoid", "z"), step("q", "sub", 1.0, "p"),
        step("lp", "ln", "p"), step("lq", "ln", "q"), step("a", "mul", "y", "lp"), step("ny", "sub", 1.0, "y"),
        step("b", "mul", "ny", "lq"), step("ab", "add", "a", "b"), step("m", "mean", "ab"), step("loss", "neg", "m"),
    ]
    add_case(name, "composite", dtype,
             {"x": (normal(rng, 6, 3), False), "w": (normal(rng, 3), True),
              "y": (rng.integers(0, 2, 6).astype(float), False)}, program, [("loss", None, 1)])


def rnn_cases(dtype):
    for seed, hidden in [(0, 4), (1, 3), (2, 5)]:
        name = f"composite/tanh_rnn_20_steps_h{hidden}_seed{seed}/{dtype}"
        rng = rng_for(name)
        steps, d = 20, 3
        inputs = {
            "xs": (normal(rng, steps, d), False),
            "wx": (normal(rng, d, hidden, scale=0.5), True),
            "wh": (normal(rng, hidden, hidden, scale=0.4), True),
            "b": (normal(rng, hidden, scale=0.1), True),
            "h0": (normal(rng, hidden, scale=0.5), True),
        }
        program, h = [], "h0"
        for t in range(steps):
            program += [
                step(f"x{t}", "at", "xs", index=[t]), step(f"u{t}", "matmul", f"x{t}", "wx"),
                step(f"v{t}", "matmul", h, "wh"), step(f"s{t}", "add", f"u{t}", f"v{t}"),
                step(f"a{t}", "add", f"s{t}", "b"), step(f"h{t + 1}", "tanh", f"a{t}"),
            ]
            h = f"h{t + 1}"
        program += [step("hsq", "mul", h, h), step("loss", "sum", "hsq")]
        add_case(name, "composite", dtype, inputs, program, [("loss", None, 1)])


def diff_round_cases(dtype):
    """The book's differentiable rounding: x*10; diff = 1.01x - floor(x);
    x - diff + (floor(x) + where(diff >= 0.5, 1, 0)); /10."""
    xs = [[0.99, 1.54, 1.9], [0.12, -0.37, 2.45, 7.71], [-1.26, 3.333, 0.04]]
    for k, x in enumerate(xs):
        for loss in ["sum", "upstream"]:
            name = f"composite/diff_round_{k}_{loss}/{dtype}"
            rng = rng_for(name)
            program = [
                step("xs", "mul", "x", 10.0), step("scaled", "mul", 1.01, "xs"), step("fl", "floor", "xs"),
                step("diff", "sub", "scaled", "fl"), step("mask", "ge", "diff", 0.5),
                step("bump", "where", "mask", 1.0, 0.0), step("fl2", "floor", "xs"), step("up", "add", "fl2", "bump"),
                step("kept", "sub", "xs", "diff"), step("r", "add", "kept", "up"), step("y", "div", "r", 10.0),
            ]
            if loss == "sum":
                program.append(step("loss", "sum", "y"))
                calls = [("loss", None, 1)]
            else:
                calls = [("y", normal(rng, len(x)), 1)]
            add_case(name, "composite", dtype, {"x": (x, True)}, program, calls)


# --- bad values: NaN, infinities, zero-size tensors ---------------------------

NAN, INF = float("nan"), float("inf")


def forward_mode_jvp(env, prefix, step, torch_dtype):
    """A `jvp` step, {"args": [y, x, u]}: J·u of step y with respect to input
    x along u, by PyTorch's true forward mode (torch.func.jvp) over the
    steps that led to y, not by the double-backward trick the engine uses."""
    y_name, x_name, u_name = step["args"]

    def f(x):
        local = {name: t.detach() for name, t in env.items()}
        local[x_name] = x
        for earlier in prefix:
            local[earlier["out"]] = run_step(local, earlier, torch_dtype)[0]
        return local[y_name]

    _, tangent = torch.func.jvp(f, (env[x_name].detach(),), (env[u_name].detach(),))
    return tangent


def jvp_cases(dtype):
    """Jacobian-vector products, checked against PyTorch's forward mode."""
    rng = rng_for(f"jvp_{dtype}")
    inputs = {"W": (normal(rng, 3, 4), False), "x": (normal(rng, 4), True), "u": (normal(rng, 4), False)}
    add_case(f"jvp_tanh_matvec_{dtype}", "jvp", dtype, inputs, [
        step("z", "matmul", "W", "x"), step("y", "tanh", "z"), step("ju", "jvp", "y", "x", "u"),
    ], [])
    inputs = {"x": (away_from_zero(rng, 2, 3), True), "u": (normal(rng, 2, 3), False), "b": (normal(rng, 3), False)}
    add_case(f"jvp_elementwise_broadcast_{dtype}", "jvp", dtype, inputs, [
        step("e", "exp", "x"), step("s", "sigmoid", "x"), step("p", "mul", "e", "s"), step("q", "div", "p", "x"),
        step("y", "add", "q", "b"), step("ju", "jvp", "y", "x", "u"),
    ], [])
    inputs = {"A": (normal(rng, 3, 2), True), "B": (normal(rng, 2, 4), False), "U": (normal(rng, 3, 2), False)}
    add_case(f"jvp_matmul_reduction_{dtype}", "jvp", dtype, inputs, [
        step("m", "matmul", "A", "B"), step("r", "relu", "m"), step("y", "sum_axis", "r", axis=1, keepdim=False),
        step("ju", "jvp", "y", "A", "U"),
    ], [])


def register_hook(env, name, hooks):
    """A case's hook is registered as soon as its tensor exists, so the
    program's `grad` steps (create_graph=True) see it as well as the
    backward calls."""
    if hooks and name in hooks:
        env[name].register_hook(hook_function(hooks[name]))


def hook_function(spec):
    """{"scale": s} multiplies a gradient by s; {"clamp": c} clamps it to [-c, c]."""
    (kind, amount), = spec.items()
    if kind == "scale":
        return lambda g: g * amount
    if kind == "clamp":
        return lambda g: g.clamp(-amount, amount)
    raise ValueError(f"unknown hook {kind}")


def hook_cases(dtype):
    """Gradient hooks that replace the gradient as it passes, on an
    intermediate and on a leaf."""
    rng = rng_for(f"hooks_{dtype}")
    inputs = {"x": (normal(rng, 4), True), "w": (normal(rng, 4), True)}
    program = [step("h", "mul", "x", "w"), step("t", "tanh", "h"), step("y", "mul", "t", "h"),
               step("l", "sum", "y")]
    add_case(f"hook_scales_an_intermediate_{dtype}", "hooks", dtype, inputs, program, [("l", None, 1)],
             hooks={"h": {"scale": 0.5}})
    add_case(f"hook_clamps_an_intermediate_{dtype}", "hooks", dtype, inputs, program, [("l", None, 1)],
             hooks={"h": {"clamp": 0.25}})
    add_case(f"hook_on_a_leaf_twice_{dtype}", "hooks", dtype, inputs, program, [("l", None, 2)],
             hooks={"x": {"scale": 3.0}})
    # Under create_graph=True the hook is part of the recorded gradient: its
    # derivative flows into the second derivative, and it fires again when
    # the second backward reaches its tensor.
    inputs = {"x": (normal(rng, 3), True)}
    second = [step("h", "mul", "x", "x"), step("t", "tanh", "h"), step("s", "sum", "t"),
              step("d", "grad", "s", "x"), step("l", "sum", "d")]
    add_case(f"hook_doubles_under_create_graph_{dtype}", "hooks", dtype, inputs, second, [("l", None, 1)],
             hooks={"h": {"scale": 2.0}})
    inputs = {"x": (normal(rng, 4), True), "w": (normal(rng, 4), True), "v": (normal(rng, 4), False)}
    hvp = [step("h", "mul", "x", "w"), step("t", "tanh", "h"), step("y", "mul", "t", "h"), step("s", "sum", "y"),
           step("d", "grad", "s", "x"), step("p", "mul", "d", "v"), step("l", "sum", "p")]
    add_case(f"hook_clamps_before_a_hessian_vector_product_{dtype}", "hooks", dtype, inputs, hvp,
             [("l", None, 1)], hooks={"h": {"clamp": 0.25}})


def second_order_cases(dtype):
    """Gradients of gradients: `grad` steps record their result, and the
    final backward differentiates through them."""
    rng = rng_for(f"second_order_{dtype}")
    x = normal(rng, 5)
    add_case(f"second_derivative_x3_tanh_{dtype}", "second_order", dtype, {"x": (x, True)}, [
        step("c", "pow", "x", exponent=3.0), step("t", "tanh", "x"), step("y", "mul", "c", "t"),
        step("s", "sum", "y"), step("dy", "grad", "s", "x"), step("s2", "sum", "dy"),
    ], [("s2", None, 1)])
    # elu's slope at 0 is α, its curvature there 0 (PyTorch's backward tests
    # x <= 0, its double backward x < 0); far below 0 its f32 gradient keeps
    # its digits (α·eˣ, not exp_m1's y + 1).
    add_case(f"second_derivative_elu_at_its_kink_{dtype}", "second_order", dtype,
             {"x": (np.array([0.0, -0.5, 0.5, -12.0, 0.0]), True)}, [
        step("y", "elu", "x", alpha=1.3), step("s", "sum", "y"), step("d", "grad", "s", "x"),
        step("s1", "sum", "d"),
    ], [("s1", None, 1)])
    add_case(f"third_derivative_tanh_{dtype}", "second_order", dtype, {"x": (x, True)}, [
        step("t", "tanh", "x"), step("s", "sum", "t"), step("d1", "grad", "s", "x"),
        step("s1", "sum", "d1"), step("d2", "grad", "s1", "x"), step("s2", "sum", "d2"),
    ], [("s2", None, 1)])
    add_case(f"newton_exp_{dtype}", "second_order", dtype, {"x": (np.array(0.3), True)}, [
        step("e", "exp", "x"), step("m", "mul", "x", 2.0), step("f", "sub", "e", "m"),
        step("df", "grad", "f", "x"), step("d2f", "grad", "df", "x"), step("step", "div", "df", "d2f"),
        step("next", "sub", "x", "step"),
    ], [("next", None, 1)])
    inputs = {
        "X": (normal(rng, 4, 3), False), "Y": (normal(rng, 4, 1), False),
        "W1": (normal(rng, 3, 5, scale=0.5), True), "W2": (normal(rng, 5, 1, scale=0.5), True),
        "V1": (normal(rng, 3, 5), False), "V2": (normal(rng, 5, 1), False),
    }
    add_case(f"hessian_vector_product_mlp_{dtype}", "second_order", dtype, inputs, [
        step("h", "matmul", "X", "W1"), step("a", "tanh", "h"), step("o", "matmul", "a", "W2"),
        step("e", "sub", "o", "Y"), step("sq", "mul", "e", "e"), step("l", "mean", "sq"),
        step("g1", "grad", "l", "W1"), step("g2", "grad", "l", "W2"),
        step("p1", "mul", "g1", "V1"), step("p2", "mul", "g2", "V2"),
        step("s1", "sum", "p1"), step("s2", "sum", "p2"), step("along_v", "add", "s1", "s2"),
    ], [("along_v", None, 1)])
    inputs = {"x": (normal(rng, 2, 3), True), "W": (normal(rng, 3, 4, scale=0.5), True),
              "b": (normal(rng, 4), True)}
    add_case(f"gradient_penalty_{dtype}", "second_order", dtype, inputs, [
        step("z", "matmul", "x", "W"), step("zb", "add", "z", "b"), step("a", "sigmoid", "zb"),
        step("f", "sum", "a"), step("dx", "grad", "f", "x"), step("sq", "mul", "dx", "dx"),
        step("n2", "sum", "sq"), step("n", "pow", "n2", exponent=0.5), step("gap", "sub", "n", 1.0),
        step("penalty", "pow", "gap", exponent=2.0),
    ], [("penalty", None, 1)])


def bad_values_cases(dtype):
    """NaN and ±inf through every op and its backward, and tensors with a
    dimension of size 0 through every op PyTorch allows them in. Each case
    calls backward on the op's output with an upstream of ones (or of the
    given values), so each gradient is the op's own local derivative."""
    cat = "bad_values"
    special = [NAN, INF, -INF, 0.0, -0.0, 1.5, -2.0]

    def ones_call(out, shape):
        return [(out, np.ones(shape), 1)]

    # Elementwise unary: NaN in, NaN out; ln(0) = -inf with gradient inf,
    # reciprocal(±0) = ±inf, exp(-inf) = 0, tanh/sigmoid saturate.
    for op in family("elementwise"):
        add_case(f"bad_values/{op}/nan_inf_zero/{dtype}", cat, dtype, {"x": (special, True)},
                 [step("y", op, "x")], ones_call("y", (len(special),)))
    # pow: negative base to a fractional exponent is NaN; 0 to a negative power is inf.
    for p in [2.0, 3.0, 0.5, 1.5, -0.5, -1.0, -2.0, 0.0, 1.0, 2.7]:
        x = [NAN, INF, -INF, 0.0, -0.0, -1.5, -2.0, 2.0]
        add_case(f"bad_values/pow_{p:g}/nan_inf_negative/{dtype}", cat, dtype, {"x": (x, True)},
                 [step("y", "pow", "x", exponent=p)], ones_call("y", (len(x),)))
    # Binary: division by zero gives ±inf (0/0 NaN), inf - inf NaN, 0 * inf NaN.
    a = [1.0, -1.0, 0.0, 1.0, NAN, INF, INF, -INF, 0.0, 2.0, INF]
    b = [0.0, 0.0, 0.0, -0.0, 1.0, INF, -INF, 2.0, INF, NAN, 0.0]
    for op in family("arithmetic"):
        add_case(f"bad_values/{op}/nan_inf_zero/{dtype}", cat, dtype, {"a": (a, True), "b": (b, True)},
                 [step("y", op, "a", "b")], ones_call("y", (len(a),)))
        # Broadcast: a NaN in one operand spreads along the broadcast axis, and
        # its gradient sums NaNs and infinities.
        add_case(f"bad_values/{op}/broadcast/{dtype}", cat, dtype,
                 {"a": ([[1.0, NAN, 0.0], [INF, 2.0, -1.0]], True), "b": ([0.0, INF, -2.0], True)},
                 [step("y", op, "a", "b")], ones_call("y", (2, 3)))
        add_case(f"bad_values/{op}/number_zero_or_nan/{dtype}", cat, dtype, {"a": ([1.0, -1.0, 0.0, INF, NAN], True)},
                 [step("y", op, "a", 0.0)], ones_call("y", (5,)))
    for op in family("arithmetic"):
        add_case(f"bad_values/{op}/number_left/{dtype}", cat, dtype, {"a": ([0.0, -0.0, INF, NAN, 2.0], True)},
                 [step("y", op, 1.0, "a")], ones_call("y", (5,)))
    # A finite upstream times an infinite local derivative, and a NaN upstream.
    add_case(f"bad_values/ln/nan_upstream/{dtype}", cat, dtype, {"x": ([0.0, 1.0, 2.0, INF], True)},
             [step("y", "ln", "x")], [("y", [NAN, 0.0, INF, 0.0], 1)])
    # Comparisons: every comparison with NaN is false except ne.
    for op in family("comparison"):
        add_case(f"bad_values/{op}/nan_inf/{dtype}", cat, dtype,
                 {"a": ([NAN, NAN, INF, -INF, INF, 1.0], False), "b": ([NAN, 1.0, INF, INF, 1.0, NAN], False)},
                 [step("y", op, "a", "b")], [])
    # where: the branch not taken gets gradient 0, even where it holds NaN.
    add_case(f"bad_values/where/nan_branches/{dtype}", cat, dtype,
             {"c": ([NAN, 1.0, -1.0, INF], False), "x": ([NAN, INF, 1.0, 2.0], True), "y": ([1.0, NAN, NAN, -INF], True)},
             [step("m", "gt", "c", 0.0), step("z", "where", "m", "x", "y")], ones_call("z", (4,)))
    # Reductions.
    for op in family("reduction"):
        add_case(f"bad_values/{op}/nan/{dtype}", cat, dtype, {"x": ([1.0, NAN, 2.0], True)},
                 [step("y", op, "x")], [("y", None, 1)])
        add_case(f"bad_values/{op}/inf_minus_inf/{dtype}", cat, dtype, {"x": ([INF, -INF, 2.0], True)},
                 [step("y", op, "x")], [("y", None, 1)])
        add_case(f"bad_values/{op}/inf/{dtype}", cat, dtype, {"x": ([INF, 1.0, 2.0], True)},
                 [step("y", op, "x")], [("y", None, 1)])
        add_case(f"bad_values/{op}/nan_upstream/{dtype}", cat, dtype, {"x": ([1.0, 2.0], True)},
                 [step("y", op, "x")], [("y", NAN, 1)])
    for op in family("axis_reduction"):
        for axis in [0, 1]:
            add_case(f"bad_values/{op}_{axis}/nan_inf/{dtype}", cat, dtype,
                     {"x": ([[1.0, NAN, INF], [2.0, 3.0, -INF]], True)},
                     [step("y", op, "x", axis=axis, keepdim=False)], ones_call("y", (3,) if axis == 0 else (2,)))
    # Overflow: the sum of finite numbers too large for the dtype is inf.
    big = 3e38 if dtype == "f32" else 1.5e308
    add_case(f"bad_values/sum/overflow_to_inf/{dtype}", cat, dtype, {"x": ([big, big, 1.0], True)},
             [step("y", "sum", "x")], [("y", None, 1)])
    add_case(f"bad_values/sum/overflow_to_minus_inf/{dtype}", cat, dtype, {"x": ([-big, -big, -big], True)},
             [step("y", "sum", "x")], [("y", None, 1)])
    add_case(f"bad_values/mul/overflow_to_inf/{dtype}", cat, dtype, {"a": ([big, -big], True), "b": ([10.0, 10.0], True)},
             [step("y", "mul", "a", "b")], ones_call("y", (2,)))
    add_case(f"bad_values/exp/overflow_to_inf/{dtype}", cat, dtype, {"x": ([100.0, 1000.0, -1000.0], True)},
             [step("y", "exp", "x")], ones_call("y", (3,)))
    # matmul and tensordot: a NaN spreads to its row and column, and to both gradients.
    add_case(f"bad_values/matmul/nan_inf/{dtype}", cat, dtype,
             {"a": ([[1.0, NAN], [2.0, 3.0], [INF, 1.0]], True), "b": ([[1.0, 0.0, 2.0], [-1.0, 1.0, 0.0]], True)},
             [step("y", "matmul", "a", "b")], ones_call("y", (3, 3)))
    add_case(f"bad_values/matmul/vec_inf/{dtype}", cat, dtype,
             {"a": ([INF, 1.0], True), "b": ([1.0, -INF], True)},
             [step("y", "matmul", "a", "b")], [("y", None, 1)])
    add_case(f"bad_values/tensordot/nan/{dtype}", cat, dtype,
             {"a": ([[1.0, NAN], [2.0, 3.0]], True), "b": ([[1.0, 2.0], [3.0, 4.0]], True)},
             [step("y", "tensordot", "a", "b", dims=1)], ones_call("y", (2, 2)))
    # Shape ops and indexing move NaN and inf untouched.
    x = [[NAN, INF, 1.0], [-INF, 2.0, NAN]]
    for label, s in [("transpose", step("y", "transpose", "x", axes=[0, 1])), ("t", step("y", "t", "x")),
                     ("reshape", step("y", "reshape", "x", shape=[3, 2])),
                     ("slice", step("y", "slice", "x", slices=[":", "::2"])),
                     ("at", step("y", "at", "x", index=[1, 0])),
                     ("index_select", step("y", "index_select", "x", axis=1, indices=[2, 0, 0])),
                     ("gather", step("y", "gather", "x", axis=1, index={"shape": [2, 2], "data": [0, 1, 2, 2]}))]:
        add_case(f"bad_values/{label}/nan_inf/{dtype}", cat, dtype, {"x": (x, True)},
                 [s, step("s", "mul", "y", 2.0), step("loss", "sum", "s")], [("loss", None, 1)])
    # topk: PyTorch ranks NaN above +inf.
    for k in [1, 2, 3, 5]:
        add_case(f"bad_values/topk_k{k}/nan/{dtype}", cat, dtype, {"x": ([1.0, NAN, 3.0, -INF, INF], True)},
                 [step("v", "topk", "x", k=k), step("loss", "sum", "v")], [("loss", None, 1)])
    add_case(f"bad_values/topk/two_nans/{dtype}", cat, dtype, {"x": ([NAN, 1.0, NAN, INF], True)},
             [step("v", "topk", "x", k=3)], ones_call("v", (3,)), ties=True)
    add_case(f"bad_values/topk/nan_rows/{dtype}", cat, dtype,
             {"x": ([[2.0, NAN, -1.0, 0.5], [INF, -INF, 0.0, 1.0], [NAN, 1.0, 2.0, 3.0]], True)},
             [step("v", "topk", "x", k=2)], ones_call("v", (3, 2)))

    # Zero-size tensors.
    def empty(*shape):
        return np.zeros(shape)

    for op in family("elementwise"):
        add_case(f"bad_values/empty/{op}/{dtype}", cat, dtype, {"x": (empty(0, 3), True)},
                 [step("y", op, "x"), step("loss", "sum", "y")], [("loss", None, 1)])
    add_case(f"bad_values/empty/pow/{dtype}", cat, dtype, {"x": (empty(2, 0), True)},
             [step("y", "pow", "x", exponent=2.0), step("loss", "sum", "y")], [("loss", None, 1)])
    for op in family("arithmetic"):
        add_case(f"bad_values/empty/{op}/{dtype}", cat, dtype, {"a": (empty(0, 3), True), "b": (empty(0, 3), True)},
                 [step("y", op, "a", "b"), step("loss", "sum", "y")], [("loss", None, 1)])
        add_case(f"bad_values/empty/{op}_broadcast/{dtype}", cat, dtype,
                 {"a": (empty(0, 3), True), "b": ([1.0, 2.0, 3.0], True)},
                 [step("y", op, "a", "b"), step("loss", "sum", "y")], [("loss", None, 1)])
        add_case(f"bad_values/empty/{op}_number/{dtype}", cat, dtype, {"a": (empty(0,), True)},
                 [step("y", op, "a", 2.0), step("loss", "sum", "y")], [("loss", None, 1)])
    for op in family("comparison"):
        add_case(f"bad_values/empty/{op}/{dtype}", cat, dtype, {"a": (empty(2, 0), False), "b": (empty(2, 0), False)},
                 [step("y", op, "a", "b")], [])
    # Broadcasting a size-1 axis against a size-0 one: the result is empty and
    # the gradient of the size-1 operand is a sum over nothing, 0.
    add_case(f"bad_values/empty/add_broadcast_1_against_0/{dtype}", cat, dtype,
             {"a": ([[1.0], [2.0]], True), "b": (empty(1, 0), True)},
             [step("y", "add", "a", "b"), step("loss", "sum", "y")], [("loss", None, 1)])
    add_case(f"bad_values/empty/mul_broadcast_0d/{dtype}", cat, dtype,
             {"a": (3.0, True), "b": (empty(0, 2), True)},
             [step("y", "mul", "a", "b"), step("loss", "sum", "y")], [("loss", None, 1)])
    add_case(f"bad_values/empty/sum_axis_3d/{dtype}", cat, dtype, {"x": (empty(2, 0, 3), True)},
             [step("y", "sum_axis", "x", axis=1, keepdim=False)], ones_call("y", (2, 3)))
    add_case(f"bad_values/empty/mean_axis_3d/{dtype}", cat, dtype, {"x": (empty(2, 0, 3), True)},
             [step("y", "mean_axis", "x", axis=1, keepdim=True)], ones_call("y", (2, 1, 3)))
    add_case(f"bad_values/empty/topk_k1_of_empty_lane/{dtype}", cat, dtype, {"x": (empty(3, 0), True)},
             [step("y", "topk", "x", k=1)], [], error=("out_of_range", "y"))
    add_case(f"bad_values/empty/where/{dtype}", cat, dtype,
             {"c": (empty(0,), False), "x": (empty(0,), True), "y": (empty(0,), True)},
             [step("m", "gt", "c", 0.0), step("z", "where", "m", "x", "y"), step("loss", "sum", "z")],
             [("loss", None, 1)])
    # sum of nothing is 0, mean of nothing NaN.
    for shape in [(0,), (2, 0), (0, 3)]:
        label = "x".join(map(str, shape))
        for op in family("reduction"):
            add_case(f"bad_values/empty/{op}/{label}/{dtype}", cat, dtype, {"x": (empty(*shape), True)},
                     [step("y", op, "x")], [("y", None, 1)])
    for op in family("axis_reduction"):
        for axis in [0, 1]:
            for keepdim in [False, True]:
                shape = (2, 0)
                out = [s for i, s in enumerate(shape) if i != axis] if not keepdim else \
                    [1 if i == axis else s for i, s in enumerate(shape)]
                add_case(f"bad_values/empty/{op}_{axis}_keepdim_{keepdim}/{dtype}", cat, dtype,
                         {"x": (empty(*shape), True)},
                         [step("y", op, "x", axis=axis, keepdim=keepdim)], ones_call("y", tuple(out)))
    # matmul with a zero inner dimension is a matrix of zeros; zero outer dims give empty results.
    for a_shape, b_shape in [((2, 0), (0, 3)), ((0, 3), (3, 2)), ((2, 3), (3, 0)), ((0,), (0,)),
                             ((0,), (0, 2)), ((2, 0), (0,)), ((0, 2), (2,))]:
        label = ("x".join(map(str, a_shape))) + "_" + ("x".join(map(str, b_shape)))
        rng = rng_for(f"bad_values/empty/matmul/{label}/{dtype}")
        out_shape = np.matmul(np.zeros(a_shape), np.zeros(b_shape)).shape
        add_case(f"bad_values/empty/matmul/{label}/{dtype}", cat, dtype,
                 {"a": (normal(rng, *a_shape), True), "b": (normal(rng, *b_shape), True)},
                 [step("y", "matmul", "a", "b")], ones_call("y", out_shape))
    add_case(f"bad_values/empty/tensordot/{dtype}", cat, dtype,
             {"a": (empty(2, 0), True), "b": (empty(0, 3), True)},
             [step("y", "tensordot", "a", "b", dims=1)], ones_call("y", (2, 3)))
    add_case(f"bad_values/empty/tensordot_dims0/{dtype}", cat, dtype,
             {"a": (empty(0,), True), "b": ([1.0, 2.0], True)},
             [step("y", "tensordot", "a", "b", dims=0), step("loss", "sum", "y")], [("loss", None, 1)])
    for label, steps_ in [
        ("reshape_0x3_to_3x0", [step("y", "reshape", "x", shape=[3, 0])]),
        ("reshape_0x3_to_0", [step("y", "reshape", "x", shape=[0])]),
        ("transpose", [step("y", "transpose", "x", axes=[0, 1])]),
        ("t", [step("y", "t", "x")]),
        ("slice_rows", [step("y", "slice", "x", slices=["0:0", ":"])]),
        ("index_select_none", [step("y", "index_select", "x", axis=0, indices=[])]),
        ("gather_none", [step("y", "gather", "x", axis=0, index={"shape": [0, 3], "data": []})]),
    ]:
        add_case(f"bad_values/empty/{label}/from_0x3/{dtype}", cat, dtype, {"x": (empty(0, 3), True)},
                 steps_ + [step("loss", "sum", "y")], [("loss", None, 1)])
    x = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    for label, s in [
        ("slice_to_empty_rows", step("y", "slice", "x", slices=["1:1", ":"])),
        ("slice_to_empty_cols", step("y", "slice", "x", slices=[":", "2:2"])),
        # From the end: bounds past the end are an error in the engine (errors.rs).
        ("slice_from_end", step("y", "slice", "x", slices=["2:", ":"])),
        ("index_select_none_axis0", step("y", "index_select", "x", axis=0, indices=[])),
        ("index_select_none_axis1", step("y", "index_select", "x", axis=1, indices=[])),
        ("gather_none", step("y", "gather", "x", axis=1, index={"shape": [2, 0], "data": []})),
        ("topk_k0", step("y", "topk", "x", k=0)),
    ]:
        add_case(f"bad_values/empty/{label}/{dtype}", cat, dtype, {"x": (x, True)},
                 [s, step("loss", "sum", "y")], [("loss", None, 1)])
    add_case(f"bad_values/empty/at_row_of_2x0/{dtype}", cat, dtype, {"x": (empty(2, 0), True)},
             [step("y", "at", "x", index=[1]), step("loss", "sum", "y")], [("loss", None, 1)])
    add_case(f"bad_values/empty/topk_k0_of_empty/{dtype}", cat, dtype, {"x": (empty(3, 0), True)},
             [step("y", "topk", "x", k=0), step("loss", "sum", "y")], [("loss", None, 1)])
    add_case(f"bad_values/empty/topk_k0_of_0x4/{dtype}", cat, dtype, {"x": (empty(0, 4), True)},
             [step("y", "topk", "x", k=2), step("loss", "sum", "y")], [("loss", None, 1)])
    # Accumulating a zero-size gradient twice, and an empty upstream.
    add_case(f"bad_values/empty/accumulate/{dtype}", cat, dtype, {"x": (empty(0, 2), True)},
             [step("y", "mul", "x", 3.0)], [("y", empty(0, 2), 2)])


# --- the listed operations' own cases ------------------------------------------

def sample_data(rng, shape, domain):
    """Inputs of a sample: `domain` as operations.json names it."""
    if domain == "any":
        return normal(rng, *shape, scale=1.5)
    if domain == "positive":
        return rng.uniform(0.3, 4.0, shape)
    if domain == "nonzero":
        return away_from_zero(rng, *shape)
    if domain == "nonint":
        x = normal(rng, *shape, scale=3.0)
        return np.where(np.abs(x - np.round(x)) < 0.05, x + 0.2, x)
    if domain == "probability":
        return rng.uniform(0.05, 0.95, shape)
    if domain == "mask":
        return rng.integers(0, 2, shape).astype(np.float64)
    raise ValueError(f"unknown domain {domain}")


def output_shape(op, names, attrs, inputs, dtype):
    """The shape of the sample's output, by running it once."""
    torch_dtype = DTYPES[dtype][0]
    env = {n: torch.tensor(np.asarray(a, dtype=np.float64), dtype=torch_dtype) for n, (a, _) in inputs.items()}
    value, _ = run_step(env, step("y", op, *names, **attrs), torch_dtype)
    return tuple(value.shape)


def listed_cases(dtype):
    """Every `generated` operation of the list: a value-and-gradient case per
    sample, the same with NaN, inf and -inf among its inputs, and one with a
    zero-size input."""
    for entry in OPERATIONS:
        if not entry.get("generated"):
            continue
        op, differentiable = entry["op"], entry.get("differentiable", True)
        for k, sample in enumerate(entry["samples"]):
            attrs = sample.get("attrs", {})
            names = list(sample["inputs"])
            for variant in ["values", "nan_inf"]:
                name = f"ops/{op}/{k}/{dtype}" if variant == "values" else f"bad_values/{op}/{k}/nan_inf/{dtype}"
                rng = rng_for(name)
                inputs = {}
                for input_name, (shape, domain) in sample["inputs"].items():
                    data = sample_data(rng, shape, domain)
                    if variant == "nan_inf" and domain != "mask":
                        flat = data.reshape(-1)
                        flat[: min(3, flat.size)] = [NAN, INF, -INF][: min(3, flat.size)]
                    inputs[input_name] = (data, differentiable and domain != "mask")
                program = [step("y", op, *names, **attrs)]
                calls = []
                if differentiable:
                    shape = output_shape(op, names, attrs, inputs, dtype)
                    calls = [("y", np.ones(shape) if variant == "nan_inf" else normal(rng, *shape), 1)]
                category = "operations" if variant == "values" else "bad_values"
                add_case(name, category, dtype, inputs, program, calls)
        sample = entry["samples"][0]
        inputs = {n: (np.zeros(entry["empty"][n]) if n in entry["empty"] else sample_data(rng_for(op), s, d),
                      differentiable and d != "mask")
                  for n, (s, d) in sample["inputs"].items()}
        program = [step("y", op, *sample["inputs"], **entry.get("empty_attrs", sample.get("attrs", {})))]
        error = (entry["empty_error"], "y") if "empty_error" in entry else None
        if differentiable:
            program.append(step("loss", "sum", "y"))
        calls = [("loss", None, 1)] if differentiable else []
        add_case(f"bad_values/empty/{op}/{dtype}", "bad_values", dtype, inputs, program, calls, error=error)


def keep_existing(path, cases):
    """The text of each case already in `path` that is still generated, by
    name, in the file's order: such a case is written back as it was, so that
    regenerating on another machine (whose torch may round a few results
    differently in the last bit) only adds cases."""
    if not path.exists():
        return {}
    lines = path.read_text().splitlines()
    texts, start = {}, None
    for n, line in enumerate(lines):
        if line == "    {":
            start = n
        elif start is not None and line.startswith("    }"):
            text = "\n".join(lines[start:n + 1]).rstrip(",")
            texts[json.loads(text)["name"]] = text.strip()
            start = None
    wanted = {c["name"] for c in cases}
    return {name: text for name, text in texts.items() if name in wanted}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--allow-version", action="store_true",
                        help=f"run with a torch other than {PINNED_TORCH} (the outputs will change)")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--keep-existing", action="store_true",
                        help="write the cases already in the output file as they are; compute only new ones")
    args = parser.parse_args()
    version = torch.__version__.split("+")[0]
    if version != PINNED_TORCH and not args.allow_version:
        sys.exit(f"torch {torch.__version__} is not the pinned {PINNED_TORCH}; "
                 "pass --allow-version to regenerate anyway (and expect the outputs to change)")
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    for dtype in DTYPES:
        unary_cases(dtype)
        binary_cases(dtype)
        reduction_cases(dtype)
        matmul_cases(dtype)
        indexing_cases(dtype)
        comparison_cases(dtype)
        topk_cases(dtype)
        backward_cases(dtype)
        error_cases(dtype)
        mlp_cases(dtype)
        rnn_cases(dtype)
        diff_round_cases(dtype)
        second_order_cases(dtype)
        hook_cases(dtype)
        jvp_cases(dtype)
        listed_cases(dtype)
    for dtype in DTYPES:
        bad_values_cases(dtype)
    names = [c["name"] for c in CASES]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        sys.exit(f"duplicate case names: {sorted(duplicates)}")
    document = {
        "about": "Reference results computed by real PyTorch; regenerate with reference/generate.py.",
        "torch_version": torch.__version__,
        "numpy_version": np.__version__,
        "cases": CASES,
    }
    text = dump(document)
    kept = keep_existing(args.output, CASES) if args.keep_existing else {}
    if kept:
        # The cases array holds one case per block of lines opened by "    {":
        # the kept ones in their order in the file, then the new ones.
        head, _, _ = text.partition('  "cases": [\n')
        blocks = list(kept.values()) + [dump(c, ("cases", "*"), 2) for c in CASES if c["name"] not in kept]
        text = head + '  "cases": [\n' + ",\n".join("    " + b for b in blocks) + "\n  ]\n}"
        print(f"kept {len(kept)} cases as they were in {args.output}")
    args.output.write_text(text + "\n")
    json.loads(args.output.read_text())  # the hand-rolled writer must produce valid JSON
    by_category = {}
    for c in CASES:
        by_category[c["category"]] = by_category.get(c["category"], 0) + 1
    print(f"wrote {len(CASES)} cases to {args.output} ({args.output.stat().st_size} bytes): {by_category}")


if __name__ == "__main__":
    main()

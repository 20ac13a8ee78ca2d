#!/usr/bin/env python3
"""Differential fuzzing against PyTorch: writes reference/fuzz.json, random
programs in the language of reference/cases.json (see generate.py) with
what PyTorch computes for them. The reference suite
(crates/autograd/tests/operations/reference_suite.rs) replays every one.

    ~/.cache/autograd-book/venv/bin/python reference/fuzz.py              # the committed programs
    ~/.cache/autograd-book/venv/bin/python reference/fuzz.py --seed 8     # other programs
    cargo test -p autograd --test operations reference_suite

A program is drawn from a seed: a few inputs of random shapes that
broadcast against each other, in f32 or f64, some with exact zeros and
ties; two to seven operations of reference/operations.json, each reading
any earlier tensor (so the programs are DAGs, not only chains), with random
dimensions (negative ones too) and keepdim; then one of: a backward call
with a random upstream gradient, a second derivative (a `grad` step, which
is create_graph=True, then a backward through it), or a JVP by PyTorch's
forward mode; a gradient hook (scaling or clamping) on an intermediate in a
fifth of them. A program PyTorch refuses is drawn again, as is one whose
topk meets equal values (the engine and PyTorch may pick other ones among
them), whose step functions (floor, round, sign, a comparison) read a
computed value, which the two libraries may round to either side of a
jump, or which gives f32's gelu +inf (PyTorch's vectorized kernel answers
NaN there, the engine +inf: a known difference, kept in cases.json).
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch

import generate as gen
from generate import step

OUTPUT = Path(__file__).resolve().parent / "fuzz.json"
DEFAULT_SEED = 2026
DEFAULT_PROGRAMS = 2000

# Elementwise operations defined everywhere, and those that need a positive
# argument (given x·x + 1).
UNARY = ["neg", "exp", "tanh", "sigmoid", "relu", "abs", "sin", "cos", "erf", "square", "silu", "gelu",
         "softplus", "expm1"]
POSITIVE = ["ln", "sqrt", "rsqrt", "log1p", "reciprocal"]
# Step functions: read only inputs, whose values both libraries hold exactly.
STEPS = ["floor", "ceil", "round", "sign"]
BINARY = ["add", "sub", "mul", "div"]


class Program:
    """A program being drawn: its inputs, steps and PyTorch's values so far
    (without gradients, to know the shapes and to reject ties)."""

    def __init__(self, rng, dtype):
        self.rng, self.dtype = rng, dtype
        self.torch_dtype = gen.DTYPES[dtype][0]
        self.inputs, self.steps, self.env, self.leaves = {}, [], {}, set()
        self.differentiable = set()

    def name(self):
        return f"t{len(self.steps) + len(self.inputs)}"

    def add_input(self, data, requires_grad):
        name = f"x{len(self.inputs)}"
        array = np.asarray(data, dtype=np.float64).astype(gen.DTYPES[self.dtype][1])
        self.inputs[name] = (array, requires_grad)
        self.env[name] = torch.tensor(array, dtype=self.torch_dtype)
        self.leaves.add(name)
        if requires_grad:
            self.differentiable.add(name)
        return name

    def try_step(self, op, *args, **attrs):
        """Appends the step if PyTorch runs it; its name, or None."""
        s = step(self.name(), op, *args, **attrs)
        if op in ("grad", "jvp"):
            # Differentiation needs the recorded run: add_case checks it.
            # A gradient has its input's shape, a JVP its output's.
            value = torch.zeros_like(self.env[args[1] if op == "grad" else args[0]])
        else:
            try:
                value, _ = gen.run_step(self.env, s, self.torch_dtype)
            except (RuntimeError, IndexError, ValueError, TypeError):
                return None
        if value.dtype == torch.bool:
            value = value.to(self.torch_dtype)
        self.env[s["out"]] = value
        self.steps.append(s)
        if any(isinstance(a, str) and a in self.differentiable for a in args) and op not in ("gt", "lt"):
            self.differentiable.add(s["out"])
        return s["out"]

    def shape(self, name):
        return tuple(self.env[name].shape)


def draw_values(rng, shape):
    """Normal values, sometimes with exact zeros, ties or halves (the kinks
    and jumps of relu, abs, max, round)."""
    x = rng.standard_normal(shape) * 1.5
    flat = x.reshape(-1)
    if flat.size and rng.random() < 0.3:
        flat[rng.integers(0, flat.size, max(1, flat.size // 4))] = 0.0
    if flat.size > 1 and rng.random() < 0.3:
        flat[rng.integers(0, flat.size, 2)] = flat[rng.integers(0, flat.size)]
    if rng.random() < 0.15:
        flat[:] = np.round(flat * 2) / 2
    return flat.reshape(shape)


def broadcast_variant(rng, shape):
    """A shape that broadcasts against `shape`: a suffix of it, with some
    sizes replaced by 1."""
    keep = rng.integers(0, len(shape) + 1) if rng.random() < 0.4 else len(shape)
    suffix = list(shape[len(shape) - keep:])
    return tuple(1 if rng.random() < 0.3 else d for d in suffix)


def pick(rng, names):
    """A name, the later ones likelier: programs grow as DAGs that mostly
    extend their last values."""
    names = list(names)
    weights = np.arange(1, len(names) + 1, dtype=np.float64) ** 2
    return names[rng.choice(len(names), p=weights / weights.sum())]


def random_dim(rng, ndim):
    d = int(rng.integers(0, ndim))
    return d - ndim if rng.random() < 0.5 else d


def draw_step(p):
    """One random step reading earlier tensors; None if the draw failed."""
    rng = p.rng
    candidates = sorted(p.differentiable, key=lambda n: list(p.env).index(n))
    a = pick(rng, candidates)
    nd = len(p.shape(a))
    kind = rng.choice(["unary", "unary", "binary", "binary", "positive", "reduce", "layout", "matmul", "where",
                       "step", "attr"])
    if kind == "unary":
        op = str(rng.choice(UNARY))
        if op == "gelu" and p.dtype == "f32" and bool(torch.isposinf(p.env[a]).any()):
            return None  # PyTorch's vectorized f32 gelu gives NaN at +inf (the engine +inf)
        return p.try_step(op, a)
    if kind == "positive":
        sq = p.try_step("mul", a, a)
        one = p.try_step("add", sq, 1.0)
        return p.try_step(str(rng.choice(POSITIVE)), one)
    if kind == "attr":
        which = rng.choice(["leaky_relu", "elu", "clamp", "pow"])
        if which == "leaky_relu":
            return p.try_step("leaky_relu", a, slope=0.1)
        if which == "elu":
            return p.try_step("elu", a, alpha=1.3)
        if which == "clamp":
            return p.try_step("clamp", a, min=-0.5, max=0.75)
        return p.try_step("pow", a, exponent=float(rng.choice([2, 3])))
    if kind == "binary":
        op = str(rng.choice(BINARY))
        if rng.random() < 0.2:
            number = float(np.round(rng.standard_normal() * 2, 2)) or 1.0
            return p.try_step(op, a, number) if rng.random() < 0.6 else p.try_step(op, number, a)
        b = pick(rng, candidates) if rng.random() < 0.6 else None
        if b is None:
            b = p.add_input(draw_values(rng, broadcast_variant(rng, p.shape(a))), bool(rng.random() < 0.7))
        if op == "div":
            sq = p.try_step("mul", b, b)
            b = p.try_step("add", sq, 1.0)
        return p.try_step(op, a, b) if rng.random() < 0.7 else p.try_step(op, b, a)
    if kind == "step":
        leaves = [n for n in p.leaves if n in p.differentiable]
        x = str(rng.choice(sorted(leaves)))
        op = str(rng.choice(STEPS))
        y = p.try_step(op, x)
        return p.try_step("mul", y, x) if y else None
    if kind == "where":
        leaves = sorted(n for n in p.leaves if p.shape(n) == p.shape(a))
        if not leaves:
            return None
        mask = p.try_step("gt", str(rng.choice(leaves)), 0.0)
        other = pick(rng, candidates)
        return p.try_step("where", mask, a, other) if rng.random() < 0.5 else p.try_step("where", mask, other, 0.5)
    if kind == "matmul":
        if nd == 0:
            return None
        n = p.shape(a)[-1]
        shape = (n,) if rng.random() < 0.3 else (n, int(rng.integers(1, 4)))
        w = p.add_input(draw_values(rng, shape), bool(rng.random() < 0.7))
        return p.try_step("matmul", a, w)
    if kind == "reduce":
        if nd == 0:
            return p.try_step("exp", a)
        which = rng.choice(["sum_axis", "mean_axis", "amax", "amin", "logsumexp", "max_dim", "min_dim", "sum",
                            "mean", "softmax", "log_softmax"])
        keepdim = bool(rng.random() < 0.5)
        if which in ("sum", "mean"):
            return p.try_step(which, a)
        if which in ("softmax", "log_softmax"):
            return p.try_step(which, a, dim=random_dim(rng, nd))
        if which in ("max_dim", "min_dim"):
            return p.try_step(which, a, dim=random_dim(rng, nd), keepdim=keepdim)
        if nd > 1 and rng.random() < 0.3:
            axes = sorted({random_dim(rng, nd) % nd for _ in range(2)})
            axis = [d - nd if rng.random() < 0.5 else d for d in axes]
        else:
            axis = random_dim(rng, nd)
        return p.try_step(str(which), a, axis=axis, keepdim=keepdim)
    # Layout and selection.
    which = rng.choice(["transpose", "reshape", "unsqueeze", "squeeze", "narrow", "index_select", "topk", "cat",
                        "expand"])
    shape = p.shape(a)
    if which == "transpose" and nd >= 2:
        return p.try_step("transpose", a, axes=[random_dim(rng, nd), random_dim(rng, nd)])
    if which == "reshape":
        return p.try_step("reshape", a, shape=[-1])
    if which == "unsqueeze":
        return p.try_step("unsqueeze", a, dim=random_dim(rng, nd + 1))
    if which == "squeeze":
        return p.try_step("squeeze", a)
    if which == "expand":
        return p.try_step("expand", a, shape=[2] + [-1] * nd)
    if nd == 0:
        return None
    d = random_dim(rng, nd)
    size = shape[d]
    if which == "narrow" and size > 1:
        start = int(rng.integers(0, size - 1))
        return p.try_step("narrow", a, dim=d, start=start, length=int(rng.integers(1, size - start + 1)))
    if which == "index_select":
        return p.try_step("index_select", a, axis=d, indices=[int(i) for i in rng.integers(0, size, 3)])
    if which == "topk":
        lanes = p.env[a].reshape(-1, shape[-1])
        if any(len(set(lane.tolist())) < len(lane) for lane in lanes):
            return None  # ties: the two libraries may pick other ones
        return p.try_step("topk", a, k=int(rng.integers(1, shape[-1] + 1)))
    if which == "cat":
        b = pick(rng, candidates)
        return p.try_step("cat", a, b, dim=d)
    return None


def draw_program(rng, index):
    dtype = "f32" if rng.random() < 0.5 else "f64"
    p = Program(rng, dtype)
    rank = int(rng.choice([0, 1, 1, 2, 2, 2, 3]))
    base = tuple(int(s) for s in rng.integers(1, 5, rank))
    p.add_input(draw_values(rng, base), True)
    if rng.random() < 0.5:
        p.add_input(draw_values(rng, broadcast_variant(rng, base)), True)
    target = int(rng.integers(2, 8))
    attempts = 0
    while len(p.steps) < target and attempts < 40:
        attempts += 1
        draw_step(p)
    if not p.steps:
        return None
    y = p.steps[-1]["out"]
    if y not in p.differentiable:
        return None
    hooks = None
    intermediates = [s["out"] for s in p.steps if s["out"] in p.differentiable and s["out"] != y]
    if intermediates and rng.random() < 0.2:
        spec = {"scale": float(rng.choice([0.5, 2.0, -1.0]))} if rng.random() < 0.5 else {"clamp": 0.25}
        hooks = {str(rng.choice(intermediates)): spec}
    used = [n for n in p.inputs if p.inputs[n][1] and depends_on(p, y, n)]
    mode = rng.choice(["first", "first", "second", "jvp"])
    calls = []
    if mode in ("second", "jvp") and not used:
        mode = "first"
    if mode == "first":
        calls = [(y, rng.standard_normal(p.shape(y)), 1)]
    elif mode == "second":
        x = str(rng.choice(used))
        s = p.try_step("sum", y) if p.shape(y) else y
        d = p.try_step("grad", s, x) if s else None
        if d is None:
            return None
        v = p.add_input(draw_values(rng, p.shape(x)), False)
        weighted = p.try_step("mul", d, v)
        first = p.try_step("sum", weighted)
        sq = p.try_step("mul", x, x)
        keep = p.try_step("sum", sq)
        total = p.try_step("add", first, keep)
        calls = [(total, None, 1)]
    else:
        x = str(rng.choice(used))
        u = p.add_input(draw_values(rng, p.shape(x)), False)
        if p.try_step("jvp", y, x, u) is None:
            return None
        hooks = None  # a JVP runs no backward for a hook to see
    name = f"fuzz/{index:04d}/{mode}/{dtype}"
    before = len(gen.CASES)
    try:
        gen.add_case(name, "fuzz", dtype, p.inputs, p.steps, calls, hooks=hooks)
    except SystemExit:
        # PyTorch raised where the program did not expect it.
        del gen.CASES[before:]
        return None
    return gen.CASES[-1]


def depends_on(p, out, name):
    """Whether step `out` reads input `name`, through any path."""
    producers = {s["out"]: s for s in p.steps}
    pending, seen = [out], set()
    while pending:
        n = pending.pop()
        if n == name:
            return True
        if n in seen or n not in producers:
            continue
        seen.add(n)
        pending.extend(a for a in producers[n]["args"] if isinstance(a, str))
    return False


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--programs", type=int, default=DEFAULT_PROGRAMS)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--allow-version", action="store_true")
    args = parser.parse_args()
    version = torch.__version__.split("+")[0]
    if version != gen.PINNED_TORCH and not args.allow_version:
        sys.exit(f"torch {torch.__version__} is not the pinned {gen.PINNED_TORCH}; pass --allow-version")
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    rng = np.random.default_rng(args.seed)
    cases, draws = [], 0
    while len(cases) < args.programs:
        draws += 1
        case = draw_program(rng, len(cases))
        if case is not None:
            cases.append(case)
    header = {
        "about": f"Random programs drawn by reference/fuzz.py with --seed {args.seed}, and what PyTorch computes "
                 "for them; regenerate with reference/fuzz.py.",
        "torch_version": torch.__version__,
        "numpy_version": np.__version__,
    }
    head = ",\n".join(f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in header.items())
    lines = ",\n".join("    " + gen.dump(c, ("fuzz",)) for c in cases)
    args.output.write_text("{\n" + head + ',\n  "cases": [\n' + lines + "\n  ]\n}\n")
    json.loads(args.output.read_text())
    modes = {}
    for c in cases:
        mode = c["name"].split("/")[2]
        modes[mode] = modes.get(mode, 0) + 1
    print(f"wrote {len(cases)} programs ({draws - len(cases)} draws rejected) to {args.output} "
          f"({args.output.stat().st_size} bytes): {modes}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The workloads of crates/autograd/benches/workloads.rs, in PyTorch and micrograd.

    python3 bench/peers.py [--budget SECONDS] [--only a,b] [--json]

Each workload is warmed up (at least 2 runs and a fifth of the budget), then
run as many times as fit in the budget (at least MIN_RUNS); each run is timed on its own and the median, minimum and
maximum are reported. A peer that is not importable is reported as
"not installed" (never as a time of zero); a workload that fails (micrograd's
recursive backward on a deep chain) is reported with the error it raised.

PyTorch runs on the CPU with 2 threads (torch.set_num_threads(2)). The
shapes, operations and losses are the Rust benchmark's: see that file.
"""

import argparse
import json
import math
import platform
import statistics
import sys
import time
import traceback

MIN_RUNS = 3
MAX_RUNS = 500


class SplitMix:
    """The Rust side's SplitMix64, so inputs have the same distribution
    (the values themselves are not compared)."""

    MASK = (1 << 64) - 1

    def __init__(self, seed):
        self.state = seed & self.MASK

    def next_u64(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & self.MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & self.MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & self.MASK
        return z ^ (z >> 31)

    def uniform(self, lo, hi):
        return lo + (hi - lo) * ((self.next_u64() >> 11) / float(1 << 53))


def measure(run, budget, min_runs=MIN_RUNS):
    # Warm-up: at least 2 runs and a fifth of the budget; its median sets
    # the number of timed runs.
    warm = []
    start = time.perf_counter()
    while len(warm) < 2 or (time.perf_counter() - start < budget / 5 and len(warm) < MAX_RUNS):
        t = time.perf_counter()
        run()
        warm.append(time.perf_counter() - t)
    per_run = max(statistics.median(warm), 1e-9)
    runs = max(min_runs, min(MAX_RUNS, int(budget / per_run)))
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        run()
        times.append(time.perf_counter() - t)
    return {
        "runs": runs,
        "median_s": statistics.median(times),
        "min_s": min(times),
        "max_s": max(times),
    }


def failed(exc):
    return {"error": f"{type(exc).__name__}: {exc}"}


# ---------------------------------------------------------------------------
# PyTorch
# ---------------------------------------------------------------------------

def torch_workloads(torch, gen):
    F = torch.nn.functional

    def uniform(shape, scale):
        return (torch.rand(shape, generator=gen) * 2 - 1) * scale

    # Tensor MLP 784-256-256-10, batch 128: x @ W + b, ReLU, linear out, MSE.
    sizes = [784, 256, 256, 10]
    params = []
    for i in range(3):
        s = 1 / math.sqrt(sizes[i])
        params.append(uniform((sizes[i], sizes[i + 1]), s).requires_grad_())
        params.append(uniform((sizes[i + 1],), s).requires_grad_())
    x = uniform((128, 784), 1.0)
    t = uniform((128, 10), 1.0)

    def mlp_step():
        for p in params:
            p.grad = None  # zeroed gradients, as optimizer.zero_grad()
        w1, b1, w2, b2, w3, b3 = params
        h1 = torch.relu(x @ w1 + b1)
        h2 = torch.relu(h1 @ w2 + b2)
        y = h2 @ w3 + b3
        loss = F.mse_loss(y, t)
        loss.backward()
        return [p.grad for p in params]

    def mlp_forward():
        with torch.no_grad():
            w1, b1, w2, b2, w3, b3 = params
            h1 = torch.relu(x @ w1 + b1)
            h2 = torch.relu(h1 @ w2 + b2)
            return F.mse_loss(h2 @ w3 + b3, t)

    # The step's eight matrix products alone, on operands computed once.
    with torch.no_grad():
        w1, b1, w2, b2, w3, b3 = [p.detach() for p in params]
        h1 = torch.relu(x @ w1 + b1)
        h2 = torch.relu(h1 @ w2 + b2)
        d = h2 @ w3 + b3 - t
        dy = 2 * d / d.numel()
        dz2 = (dy @ w3.t()) * (h2 > 0)
        dz1 = (dz2 @ w2.t()) * (h1 > 0)

    def mlp_products():
        with torch.no_grad():
            return (x @ w1, h1 @ w2, h2 @ w3, h2.t() @ dy, dy @ w3.t(), h1.t() @ dz2, dz2 @ w2.t(), x.t() @ dz1)

    # tanh RNN, hidden 128, input 128, batch 32, 100 steps, loss mean(h_T²).
    s = 1 / math.sqrt(128)
    wx = uniform((128, 128), s).requires_grad_()
    wh = uniform((128, 128), s).requires_grad_()
    b = uniform((128,), s).requires_grad_()
    xs = [uniform((32, 128), 1.0) for _ in range(100)]
    h0 = torch.zeros(32, 128)

    def rnn_step():
        for p in (wx, wh, b):
            p.grad = None
        h = h0
        for xt in xs:
            h = torch.tanh(xt @ wx + h @ wh + b)
        (h * h).mean().backward()
        return wx.grad, wh.grad, b.grad

    # The same recurrence with torch.nn.RNN (one fused module; info only).
    rnn = torch.nn.RNN(128, 128, nonlinearity="tanh")
    xseq = torch.stack(xs)

    def nn_rnn_step():
        rnn.zero_grad(set_to_none=True)
        _, h = rnn(xseq)
        (h * h).mean().backward()
        return [p.grad for p in rnn.parameters()]

    # topk of 1,000,000 f32, k = 1000.
    big = uniform((1_000_000,), 1.0).requires_grad_()

    def topk_step():
        big.grad = None
        values, _ = big.topk(1000)
        values.sum().backward()
        return big.grad

    # Chain h = w·h of 0-d tensors.
    def chain(steps):
        def run():
            w = torch.tensor(0.9999999, requires_grad=True)
            h = torch.tensor(1.0)
            for _ in range(steps):
                h = w * h
            h.backward()
            return w.grad

        return run

    return [
        ("tensor_mlp", mlp_step, 1, {}),
        ("tensor_mlp_forward", mlp_forward, 1, {"info": True}),
        ("mlp_products", mlp_products, 1, {}),
        ("rnn", rnn_step, 1, {}),
        ("rnn_nn_module", nn_rnn_step, 1, {"info": True}),
        ("topk", topk_step, 1, {}),
        ("chain_100k", chain(100_000), 100_000, {}),
    ]


def run_torch(budget, only):
    try:
        import torch
    except ImportError as e:
        return {"installed": False, "reason": f"not installed ({e})"}
    torch.set_num_threads(2)
    gen = torch.Generator().manual_seed(6)
    out = {
        "installed": True,
        "version": torch.__version__,
        "threads": torch.get_num_threads(),
        "workloads": {},
    }
    for name, fn, steps, extra in torch_workloads(torch, gen):
        if not selected(name, only):
            continue
        try:
            r = measure(fn, budget)
        except Exception as e:  # report, never hide
            r = failed(e)
        r.update(steps=steps, **extra)
        out["workloads"][name] = r
        log(f"torch {name}: {summary(r)}")
    return out


# ---------------------------------------------------------------------------
# micrograd
# ---------------------------------------------------------------------------

def run_micrograd(budget, only):
    try:
        import random

        from micrograd.engine import Value
        from micrograd.nn import MLP
    except ImportError as e:
        return {"installed": False, "reason": f"not installed ({e})"}
    try:
        from importlib.metadata import version

        mg_version = version("micrograd")
    except Exception:
        mg_version = "unknown"
    out = {
        "installed": True,
        "version": mg_version,
        "recursion_limit": sys.getrecursionlimit(),
        "workloads": {},
    }

    # Scalar MLP 2-16-16-1 (ReLU hidden, linear out: micrograd's MLP) over
    # 100 points, loss = sum of squared errors, one forward+backward step.
    random.seed(6)
    model = MLP(2, [16, 16, 1])
    rng = SplitMix(6)
    points = [[rng.uniform(-2, 2), rng.uniform(-2, 2)] for _ in range(100)]
    targets = [1.0 if p[0] * p[1] > 0 else -1.0 for p in points]

    def mlp_step():
        model.zero_grad()
        loss = sum((model(p) - t) ** 2 for p, t in zip(points, targets))
        loss.backward()
        return [p.grad for p in model.parameters()]

    def chain(steps):
        def run():
            w = Value(0.9999999)
            h = Value(1.0)
            for _ in range(steps):
                h = w * h
            h.backward()
            return w.grad

        return run

    jobs = [
        ("scalar_mlp", mlp_step, 1, {}),
        ("chain_1m", chain(1_000_000), 1_000_000, {"once": True}),
        ("chain_100k", chain(100_000), 100_000, {"once": True}),
        # The deepest chain its recursive topological sort survives at the
        # default recursion limit: gives a per-step time (info only).
        ("chain_500", chain(500), 500, {"info": True}),
    ]
    for name, fn, steps, extra in jobs:
        if not selected(name, only):
            continue
        once = extra.pop("once", False)
        try:
            if once:
                t = time.perf_counter()
                fn()
                d = time.perf_counter() - t
                r = {"runs": 1, "median_s": d, "min_s": d, "max_s": d}
            else:
                r = measure(fn, budget)
        except RecursionError as e:
            r = failed(e)
            r["error"] += f" (backward's recursive topological sort, recursion limit {sys.getrecursionlimit()})"
        except Exception as e:
            r = failed(e)
        r.update(steps=steps, **extra)
        out["workloads"][name] = r
        log(f"micrograd {name}: {summary(r)}")
    return out


# ---------------------------------------------------------------------------

def selected(name, only):
    return not only or any(o in name for o in only)


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def summary(r):
    if "error" in r:
        return r["error"]
    return f"median {r['median_s'] * 1e3:.3f} ms (min {r['min_s'] * 1e3:.3f}, max {r['max_s'] * 1e3:.3f}, {r['runs']} runs)"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--budget", type=float, default=2.0, help="seconds per workload (default 2)")
    ap.add_argument("--only", default="", help="comma-separated name fragments")
    ap.add_argument("--peers", default="torch,micrograd", help="which peers to run")
    ap.add_argument("--json", action="store_true", help="print JSON (the default output is also JSON)")
    args = ap.parse_args()
    only = [o for o in args.only.split(",") if o]
    peers = args.peers.split(",")
    result = {"python": platform.python_version()}
    if "torch" in peers:
        result["torch"] = run_torch(args.budget, only)
    if "micrograd" in peers:
        result["micrograd"] = run_micrograd(args.budget, only)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    try:
        main()
    except Exception:
        traceback.print_exc()
        sys.exit(1)

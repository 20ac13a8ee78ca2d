#!/usr/bin/env python3
"""Runs this engine's benchmarks and the peers' in one run, and prints the table.

    python3 bench/compare.py --python ~/.cache/autograd-book/venv/bin/python

1. `cargo bench -p autograd --bench workloads -- --json` (this engine);
2. the same binary with `--only scalar_chain_1m --peak-mem` in a process of
   its own (peak resident memory of the 1,000,000-step chain);
3. `bench/peers.py` under the given Python (PyTorch with 2 threads, micrograd).

Then one table: workload, this engine's median, the peer's median, the ratio
of medians (engine / peer: below 1 means this engine is faster), the ratio of
minimums (less sensitive to a busy machine), and the workload's target with
met / not met. A peer that is not installed is shown as "not installed", one
that fails as its error; neither is ever counted as a time.

The sides run one after the other, not at once (the machine has 2 cores), so
a busy neighbour can still skew one side. `--rounds N` alternates them N
times (engine, peers, engine, peers, …) and takes each ratio as the median
over the rounds, which a passing neighbour moves far less; the engine's own
floor (hand-written gradients) is always timed interleaved, in one process.
Benchmarks are never tests: nothing here fails because the machine is slow.
The exit status is 0 whether or not targets are met (1 only if a side
could not run at all).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_json(cmd, env=None):
    print("+ " + " ".join(cmd), file=sys.stderr, flush=True)
    proc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[0]} exited with status {proc.returncode}")
    # The JSON document is the last thing printed on stdout.
    text = proc.stdout.strip()
    start = text.find("{")
    return json.loads(text[start:])


def cargo_bench(args, extra):
    cmd = ["cargo", "bench", "-q", "-p", "autograd", "--bench", "workloads", "--", *extra]
    env = dict(os.environ)
    if args.target_dir:
        env["CARGO_TARGET_DIR"] = args.target_dir
    return run_json(cmd, env)


def human(s):
    if s is None:
        return "—"
    if s >= 1:
        return f"{s:.3f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.3f} ms"
    if s >= 1e-6:
        return f"{s * 1e6:.3f} µs"
    return f"{s * 1e9:.1f} ns"


def ratio_text(r):
    if r is None:
        return "—"
    if r < 1:
        return f"{r:.3g} ({1 / r:.3g}× faster)"
    return f"{r:.3g} ({r:.3g}× slower)"


class Row:
    def __init__(self, workload, engine, peer_name, peer, per_step=False, target=None, info=False):
        """engine/peer: result dicts (median_s, min_s, steps) or a peer status
        string; target: (bound on engine/peer time ratio, text)."""
        self.workload = workload
        self.peer_name = peer_name
        self.info = info
        self.target = target
        self.engine_text = self.peer_text = "—"
        self.ratio = self.ratio_min = None
        if engine is None:
            self.engine_text = "not run"
            return
        e_med, e_min = self._times(engine, per_step)
        self.engine_text = human(e_med) + (" /step" if per_step else "")
        if isinstance(peer, str):
            self.peer_text = peer
            return
        if peer is None:
            self.peer_text = "not run"
            return
        if "error" in peer:
            self.peer_text = "FAILED: " + peer["error"]
            return
        p_med, p_min = self._times(peer, per_step)
        self.peer_text = human(p_med) + (" /step" if per_step else "")
        self.ratio = e_med / p_med
        self.ratio_min = e_min / p_min

    @staticmethod
    def _times(r, per_step):
        n = r.get("steps", 1) if per_step else 1
        return r["median_s"] / n, r["min_s"] / n

    def verdict(self):
        if self.info:
            return "(info)"
        if self.target is None:
            return ""
        bound, text = self.target
        if self.ratio is None:
            return f"{text}: not measured"
        return f"{text}: {'met' if self.ratio <= bound else 'NOT MET'}"


class PairRow(Row):
    """The engine against its floor, timed in alternation in one process
    (see `measure_pair` in workloads.rs): the ratio is the median of the
    per-round ratios, the fairest figure a noisy machine allows."""

    def __init__(self, workload, pair, peer_name, target):
        self.workload, self.peer_name, self.info, self.target = workload, peer_name, False, target
        self.engine_text = self.peer_text = "not run"
        self.ratio = self.ratio_min = None
        if pair is None:
            return
        self.engine_text = human(pair["a_median_s"])
        self.peer_text = human(pair["b_median_s"]) + f" ({pair['rounds']} alternating rounds)"
        self.ratio = pair["ratio_median"]
        self.ratio_min = pair["a_min_s"] / pair["b_min_s"]


def peer_result(peers, peer, name):
    side = peers.get(peer)
    if side is None:
        return "not run"
    if not side.get("installed"):
        return side.get("reason", "not installed")
    return side["workloads"].get(name, "not run")


def main():
    ap = argparse.ArgumentParser(description="this engine against PyTorch, micrograd and hand-written gradients")
    ap.add_argument("--python", default=sys.executable, help="the Python that has torch and micrograd")
    ap.add_argument("--budget", type=float, default=2.0, help="seconds per workload and side (default 2)")
    ap.add_argument("--target-dir", default=os.environ.get("CARGO_TARGET_DIR"), help="CARGO_TARGET_DIR for cargo bench")
    ap.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    ap.add_argument("--save", help="write both sides' raw results to this JSON file")
    ap.add_argument("--rounds", type=int, default=1,
                    help="alternate the two sides this many times; ratios are then medians over the rounds")
    args = ap.parse_args()

    rounds = [measure_round(args) for _ in range(max(1, args.rounds))]
    peak = cargo_bench(args, ["--only", "scalar_chain_1m", "--peak-mem", "--json"])["peak_mem"]
    peak_reserved = cargo_bench(args, ["--only", "scalar_chain_1m_reserved", "--peak-mem", "--json"])["peak_mem"]
    per_round = [build_rows(engine, peers) for engine, peers in rounds]
    engine, peers = rounds[-1]
    rows = per_round[-1]
    for i, row in enumerate(rows):
        ratios = [r[i].ratio for r in per_round if r[i].ratio is not None]
        row.round_ratios = ratios
        if len(ratios) > 1:
            row.ratio = statistics.median(ratios)
    print_table(args, rows, peak, peak_reserved)
    t = peers.get("torch", {})
    print(f"\nengine: matrix product {engine.get('matrix_product')}; "
          f"MLP gradients engine vs hand max |Δ| = {engine.get('mlp_grad_check_max_abs_diff'):.3g}")
    print(f"torch: {t.get('version', t.get('reason'))}, threads {t.get('threads', '—')}; "
          f"micrograd: {peers.get('micrograd', {}).get('version', peers.get('micrograd', {}).get('reason'))}")
    if len(rounds) > 1:
        print(f"{len(rounds)} rounds, each this engine then the peers; times shown are the last round's, "
              "ratios the median over rounds of each round's ratio of medians:")
        for row in rows:
            if row.target and len(row.round_ratios) > 1:
                print(f"  {row.workload} vs {row.peer_name}: " + ", ".join(f"{r:.3g}" for r in row.round_ratios))
    else:
        print("medians of one run, sides run one after the other; machine load shifts both")
    if args.save:
        Path(args.save).write_text(json.dumps(
            {"rounds": [{"engine": e_, "peers": p_} for e_, p_ in rounds],
             "peak_mem": peak, "peak_mem_reserved": peak_reserved}, indent=1))


def measure_round(args):
    """This engine's workloads, then the peers'."""
    engine = cargo_bench(args, ["--json", "--budget", str(args.budget)])
    try:
        peers = run_json([args.python, str(ROOT / "bench" / "peers.py"), "--budget", str(args.budget)])
    except (RuntimeError, OSError) as e:
        print(f"peers could not run: {e}", file=sys.stderr)
        peers = {"torch": {"installed": False, "reason": f"not run ({e})"},
                 "micrograd": {"installed": False, "reason": f"not run ({e})"}}
    return engine, peers


def build_rows(engine, peers):
    """The table's rows for one round's results."""
    ours = {w["name"]: w for w in engine["workloads"]}
    e = ours.get

    def pair(a, b):
        return next((p for p in engine.get("pairs", []) if p["a"] == a and p["b"] == b), None)
    rows = [
        Row("scalar MLP 2-16-16-1 ×100 pts", e("scalar_mlp"), "micrograd",
            peer_result(peers, "micrograd", "scalar_mlp"), target=(1 / 1000, "≥ 1000× faster")),
        Row("chain 1M, per step", e("scalar_chain_1m"), "torch 0-d (100k)",
            peer_result(peers, "torch", "chain_100k"), per_step=True, target=(1 / 100, "≥ 100× faster")),
        Row("chain 1M", e("scalar_chain_1m"), "micrograd (1M)",
            peer_result(peers, "micrograd", "chain_1m")),
        Row("chain 1M vs 100k", e("scalar_chain_1m"), "micrograd (100k)",
            peer_result(peers, "micrograd", "chain_100k")),
        Row("chain, per step", e("scalar_chain_1m"), "micrograd (500)",
            peer_result(peers, "micrograd", "chain_500"), per_step=True, info=True),
        Row("chain 1M on Tape::with_capacity, per step", e("scalar_chain_1m_reserved"), "torch 0-d (100k)",
            peer_result(peers, "torch", "chain_100k"), per_step=True, info=True),
        PairRow("tensor MLP train step (interleaved)", pair("tensor_mlp", "tensor_mlp_hand"), "hand-written",
                target=(1.10, "≤ 1.10× hand")),
        Row("tensor MLP train step (one after the other)", e("tensor_mlp"), "hand-written",
            ours.get("tensor_mlp_hand", "not run"), info=True),
        Row("tensor MLP train step", e("tensor_mlp"), "torch",
            peer_result(peers, "torch", "tensor_mlp"), target=(0.75, "≤ 0.75× torch")),
        Row("hand-written MLP step", e("tensor_mlp_hand"), "torch",
            peer_result(peers, "torch", "tensor_mlp"), info=True),
        Row("the MLP step's 8 products alone", e("mlp_products"), "torch",
            peer_result(peers, "torch", "mlp_products"), target=(1 / 0.7, "≥ 70% of torch's rate")),
        Row("tanh RNN 100 steps", e("rnn"), "torch",
            peer_result(peers, "torch", "rnn"), target=(0.9, "≤ 0.9× torch")),
        Row("tanh RNN 100 steps", e("rnn"), "torch nn.RNN",
            peer_result(peers, "torch", "rnn_nn_module"), info=True),
        Row("topk 1M, k=1000", e("topk"), "torch",
            peer_result(peers, "torch", "topk"), target=(1.0, "≤ 1× torch")),
        Row("tensor 0-d chain 100k, per step", e("tensor_chain_100k"), "torch 0-d (100k)",
            peer_result(peers, "torch", "chain_100k"), per_step=True, info=True),
    ]

    return rows


def print_table(args, rows, peak, peak_reserved):
    head = ["workload", "this engine", "peer", "peer time", "engine/peer (medians)", "of mins", "target"]
    body = [[r.workload, r.engine_text, r.peer_name, r.peer_text, ratio_text(r.ratio),
             "—" if r.ratio_min is None else f"{r.ratio_min:.3g}", r.verdict()] for r in rows]
    for label, p, info in [("chain 1M peak memory (VmHWM)", peak, False),
                           ("chain 1M on with_capacity, peak memory", peak_reserved, True)]:
        mem = p.get("vmhwm_bytes")
        mem_mb = None if mem is None else mem / 1e6
        verdict = "(info)" if info else "< 150 MB: " + (
            "not measured" if mem_mb is None else ("met" if mem_mb < 150 else "NOT MET"))
        body.append([label, "—" if mem_mb is None else f"{mem_mb:.1f} MB", "", "", "", "", verdict])

    if args.markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "|".join("---" for _ in head) + "|")
        for line in body:
            print("| " + " | ".join(c.replace("|", "\\|") for c in line) + " |")
    else:
        widths = [max(len(str(line[i])) for line in [head, *body]) for i in range(len(head))]
        widths[3] = min(widths[3], 40)
        for line in [head, *body]:
            cells = [str(c) if i != 3 or len(str(c)) <= 40 else str(c)[:37] + "..." for i, c in enumerate(line)]
            print("  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip())


if __name__ == "__main__":
    main()

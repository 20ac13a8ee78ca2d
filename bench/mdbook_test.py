#!/usr/bin/env python3
"""What `mdbook test` costs on this book, for comparison with `cargo xtask verify`.

    python3 bench/mdbook_test.py [--runs N]

`mdbook test` runs the book's preprocessors for its `test` renderer, then
`rustdoc --test` on each chapter. On this book it tests nothing, on
purpose: the `verified-output` preprocessor marks every Rust block `ignore`
for that renderer (mdbook passes rustdoc no `--extern`, so the blocks, which
`use autograd::…`, could not link), and rustdoc reports them as ignored.
Raw rustdoc, without the preprocessor, would skip them too: it takes a code
block whose info string has an attribute it does not know
(`rust,name=square`) for no test at all.

So this script gives rustdoc what mdbook would have to, to time what
testing with rustdoc would cost: each chapter with its Rust info strings cut
down to the attributes rustdoc knows (`no_run`, `should_panic`, `ignore`),
and the two `--extern` flags naming the very `autograd` and `ndarray` rlibs
cargo built. Otherwise the command is mdbook's
(`rustdoc <chapter> --test --edition 2024 -L <deps>`).

It prints each chapter's time and rustdoc's test summary, and the total per
run. rustdoc keeps nothing between runs, so every run costs the same: there
is no warm case. Nothing here fails because the machine is slow.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def rlibs():
    """The rlibs of autograd and ndarray as cargo builds them for the chapters."""
    cmd = ["cargo", "build", "-q", "-p", "autograd", "--message-format=json"]
    out = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=True).stdout
    found = {}
    for line in out.splitlines():
        message = json.loads(line)
        if message.get("reason") != "compiler-artifact":
            continue
        name = message["target"]["name"]
        if name in ("autograd", "ndarray"):
            found[name] = next(f for f in message["filenames"] if f.endswith(".rlib"))
    missing = {"autograd", "ndarray"} - found.keys()
    if missing:
        sys.exit(f"cargo did not report an rlib for {', '.join(sorted(missing))}")
    return found


RUSTDOC_KNOWS = {"no_run", "should_panic", "ignore", "compile_fail", "edition2024"}


def for_rustdoc(text):
    """The chapter with each Rust fence's attributes cut to those rustdoc knows,
    and each listing of the engine ignored."""
    def fence(match):
        ticks, info = match.group(1), match.group(2)
        words = [w.strip() for w in info.split(",")]
        if words[0] != "rust":
            return match.group(0)
        if "listing" in words:
            # The engine's own source, held by the crate's tests, not a program.
            return ticks + "rust,ignore"
        kept = [w.split("=")[0] for w in words[1:] if w.split("=")[0] in RUSTDOC_KNOWS]
        return ticks + ",".join(["rust", *kept])
    return re.sub(r"^(\s*```+)([^\n`]*)$", fence, text, flags=re.M)


def chapters():
    """The chapters in SUMMARY.md's order."""
    summary = (ROOT / "book" / "SUMMARY.md").read_text()
    return [ROOT / "book" / m for m in re.findall(r"\]\(([^)]+\.md)\)", summary)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=2, help="how many times to test the whole book (default 2)")
    args = ap.parse_args()

    libs = rlibs()
    # Their dependencies are where cargo keeps every dependency (`deps/`).
    deps = str(Path(libs["ndarray"]).parent)
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    scratch = target / "mdbook-test"
    scratch.mkdir(parents=True, exist_ok=True)
    totals = []
    for run in range(1, args.runs + 1):
        start = time.perf_counter()
        failed = []
        for chapter in chapters():
            copy = scratch / chapter.name
            copy.write_text(for_rustdoc(chapter.read_text()))
            cmd = ["rustdoc", copy.name, "--test", "--edition", "2024", "-L", deps,
                   "--extern", f"autograd={libs['autograd']}", "--extern", f"ndarray={libs['ndarray']}"]
            t = time.perf_counter()
            proc = subprocess.run(cmd, cwd=scratch, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            summary = [line for line in proc.stdout.splitlines() if line.startswith("test result:")]
            print(f"run {run}  {chapter.name:<28} {time.perf_counter() - t:6.1f} s  "
                  f"{summary[-1] if summary else '(no test summary)'}")
            if proc.returncode != 0:
                failed.append(chapter.name)
        total = time.perf_counter() - start
        totals.append(total)
        print(f"run {run}: {total:.1f} s for the whole book" + (f"; rustdoc failed on {', '.join(failed)}" if failed else ""))
    print(f"rustdoc --test (what `mdbook test` runs), per run: " + ", ".join(f"{t:.1f} s" for t in totals))


if __name__ == "__main__":
    main()

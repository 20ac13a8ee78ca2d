# The PyTorch twins' runner, run by `cargo xtask verify` (xtask/src/python.rs)
# as `python -c <this file> <jobs.json> <results.json>`.
#
# Why one process that forks, rather than one interpreter per run: importing
# torch takes seconds (over ten on a loaded machine), far more than any twin's
# own work. This process imports torch once (that is the probe: it prints
# torch's version), then forks a child per run, so each run starts from the
# same freshly imported state, in a scratch directory of its own, with stdin
# closed, under the time limit, and its own work is what the limit measures.
# The child runs the block's code with the chapter as its file name and its
# chapter line numbers, so a traceback points into the book.
import json
import os
import shutil
import signal
import sys
import tempfile
import time
import traceback

try:
    import torch
except BaseException as error:  # also SystemExit or KeyboardInterrupt from a broken install
    print(f"import torch failed: {type(error).__name__}: {error}", file=sys.stderr)
    sys.exit(3)
try:
    # What the twins import besides torch, imported once here too: a child
    # that imports torch.func itself spends seconds of its time limit on it.
    import torch.func  # noqa: F401
except ImportError:
    pass  # a torch without it: the twin that needs it will say so

jobs_path, results_path = sys.argv[1], sys.argv[2]
with open(jobs_path, encoding="utf-8") as f:
    jobs = json.load(f)
print(torch.__version__, flush=True)
sys.stderr.flush()


def run_once(job, captures):
    """Runs one job in a forked child; returns its status and output."""
    scratch = tempfile.mkdtemp(prefix="twin-", dir=job["scratch_root"])
    out_path = os.path.join(captures, "stdout")
    err_path = os.path.join(captures, "stderr")
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            os.chdir(scratch)
            null = os.open(os.devnull, os.O_RDONLY)
            os.dup2(null, 0)
            os.dup2(os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), 1)
            os.dup2(os.open(err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), 2)
            sys.stdin = open(os.devnull, encoding="utf-8")
            source = "\n" * (job["first_line"] - 1) + job["code"]
            exec(compile(source, job["file"], "exec"), {"__name__": "__main__"})
        except SystemExit as exit:
            code = exit.code if isinstance(exit.code, int) else (0 if exit.code is None else 1)
        except BaseException:
            traceback.print_exc()
            code = 1
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code)
    deadline = time.monotonic() + job["timeout_s"]
    status = None
    while status is None:
        done, raw = os.waitpid(pid, os.WNOHANG)
        if done:
            status = raw
        elif time.monotonic() >= deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            break
        else:
            time.sleep(0.005)
    shutil.rmtree(scratch, ignore_errors=True)

    def read(path):
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    result = {"stdout": read(out_path), "stderr": read(err_path)}
    if status is None:
        result["status"] = "killed"
    elif os.WIFEXITED(status):
        result["status"] = "exited"
        result["code"] = os.WEXITSTATUS(status)
    else:
        result["status"] = f"signal {os.WTERMSIG(status)}"
    return result


results = []
with tempfile.TemporaryDirectory(prefix="twin-captures-") as captures:
    for job in jobs:
        results.append([run_once(job, captures) for _ in range(2)])
with open(results_path, "w", encoding="utf-8") as f:
    json.dump({"torch": torch.__version__, "runs": results}, f)

//! PyTorch twins: finding a Python that can `import torch`, and running every
//! twin of the book with it, twice, under the time limit.
//!
//! All twins run in one call of `twin_runner.py`, which imports torch once
//! and forks a child per run (the file says why). This module finds the
//! interpreter, hands the runner its jobs as JSON, and turns its results into
//! per-twin verdicts with the same rules as Rust blocks ([`crate::run`]).
//!
//! Which Python: `$AUTOGRAD_BOOK_PYTHON` when set (and then only that one: an
//! explicit choice that fails must be reported, not papered over), else the
//! virtual environment `.ci/run` installs torch into,
//! `${XDG_CACHE_HOME:-~/.cache}/autograd-book/venv/bin/python`, else
//! `python3`; the first that imports torch is used.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::cache::{Fingerprint, VerdictCache};
use crate::extract::{BlockId, BlockKind, Chapter, PythonBlock};
use crate::layout::Layout;
use crate::{run, snapshot};

const RUNNER: &str = include_str!("twin_runner.py");

/// The runner's exit code when `import torch` fails.
const NO_TORCH_EXIT_CODE: i32 = 3;

/// Time allowed for starting Python and importing torch, on top of the runs'
/// own limits: torch takes seconds to import, and over ten on a busy machine.
const IMPORT_ALLOWANCE: Duration = Duration::from_secs(300);

/// The environment variable that names the Python to use.
pub const PYTHON_VARIABLE: &str = "AUTOGRAD_BOOK_PYTHON";

/// One twin to run.
#[derive(Debug, Clone, Serialize)]
pub struct TwinJob {
    /// The chapter as shown in messages; the file name in tracebacks.
    pub file: String,
    pub code: String,
    /// The chapter line of the code's first line.
    pub first_line: usize,
    pub timeout_s: f64,
    pub scratch_root: PathBuf,
}

/// What became of the twins.
#[derive(Debug)]
pub enum TwinRuns {
    /// Torch imported: its version, and each job's output or failure, in job order.
    Ran {
        torch: String,
        outputs: Vec<Result<String, String>>,
    },
    /// No Python could import torch; why, for the report.
    NotRun(String),
}

#[derive(Deserialize)]
struct RunnerResults {
    torch: String,
    runs: Vec<[RunResult; 2]>,
}

#[derive(Deserialize)]
struct RunResult {
    status: String,
    #[serde(default)]
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// The Pythons to try, in order, each with how the report names it.
/// `explicit` (from [`crate::verify::Options`]) overrides everything.
pub fn candidates(explicit: Option<&Path>) -> Vec<(PathBuf, String)> {
    if let Some(path) = explicit {
        return vec![(path.to_path_buf(), path.display().to_string())];
    }
    if let Some(path) = std::env::var_os(PYTHON_VARIABLE).filter(|p| !p.is_empty()) {
        let shown = format!("${PYTHON_VARIABLE} ({})", Path::new(&path).display());
        return vec![(PathBuf::from(path), shown)];
    }
    let mut found = Vec::new();
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cache")));
    if let Some(cache) = cache {
        let venv = cache.join("autograd-book/venv/bin/python");
        if venv.exists() {
            let shown = venv.display().to_string();
            found.push((venv, shown));
        }
    }
    found.push((PathBuf::from("python3"), "python3".to_string()));
    found
}

/// Which Python and torch the twins would run with, for the verdict cache
/// ([`crate::cache`]), found without starting Python: the first candidate
/// that exists, its size and modification time, and the `torch-*.dist-info`
/// directories of its environment (so a torch upgrade shows). `None` when the
/// first existing candidate is not a path (a bare `python3` from `PATH`) or no
/// torch is installed beside it: then nothing is cached.
pub fn identity(candidates: &[(PathBuf, String)]) -> Option<String> {
    let (python, _) = candidates
        .iter()
        .find(|(python, _)| python.is_absolute() && python.exists())?;
    let metadata = std::fs::metadata(python).ok()?;
    let modified = metadata.modified().ok()?;
    // <env>/bin/python → <env>/lib/python3.*/site-packages/torch-*.dist-info
    let env = python.parent()?.parent()?;
    let mut torch = Vec::new();
    for lib in std::fs::read_dir(env.join("lib")).ok()?.flatten() {
        let Ok(packages) = std::fs::read_dir(lib.path().join("site-packages")) else {
            continue;
        };
        for entry in packages.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with("torch-") && name.ends_with(".dist-info") {
                torch.push(name);
            }
        }
    }
    if torch.is_empty() {
        return None;
    }
    torch.sort();
    Some(format!(
        "{} {} {modified:?} {}",
        python.display(),
        metadata.len(),
        torch.join(" ")
    ))
}

/// The book's twins after the twin stage.
#[derive(Debug, Default)]
pub struct BookTwins {
    /// The Python and torch the twins run with ([`identity`]), when known:
    /// what their fingerprints record.
    pub python: Option<String>,
    /// Torch's public version, when the twins ran.
    pub torch: Option<String>,
    /// Why they were not run, when no Python could import torch.
    pub not_run: Option<String>,
    /// Each twin that was run, by its Rust block, with its output or why it
    /// failed. A twin not here was not run: unchanged since it passed, or
    /// not run for [`BookTwins::not_run`].
    pub ran: BTreeMap<BlockId, Result<String, String>>,
    /// The twins not run because nothing they depend on changed since they passed.
    pub unchanged: BTreeSet<BlockId>,
}

/// The twin stage: every twin of the book that is not unchanged since it
/// passed, run in one go with the first Python that imports torch. With no
/// twin to run, no Python is started at all.
pub fn run_book_twins(
    layout: &Layout,
    timeout: Duration,
    explicit_python: Option<&Path>,
    chapters: &[Chapter],
    cache: &VerdictCache,
) -> Result<BookTwins> {
    let candidates = candidates(explicit_python);
    let mut twins = BookTwins {
        // No identity, no fingerprints: nothing to compute for an inactive cache.
        python: cache.is_active().then(|| identity(&candidates)).flatten(),
        ..BookTwins::default()
    };
    let scratch_root = std::path::absolute(layout.scratch())?;
    let mut ids = Vec::new();
    let mut jobs = Vec::new();
    for chapter in chapters {
        for block in &chapter.blocks {
            let BlockKind::Python(PythonBlock {
                twin: Some(name),
                code,
                first_code_line,
                ..
            }) = &block.kind
            else {
                continue;
            };
            let id = chapter.block_id(name);
            let snapshot = layout
                .snapshots_dir
                .join(snapshot::twin_file_name(&id.crate_name, name));
            let fingerprint = twins
                .python
                .as_deref()
                .map(|python| fingerprint(python, &chapter.display_path, code, timeout, &snapshot));
            if cache.is_fresh(&cache_id(&id), fingerprint.as_ref()) {
                twins.unchanged.insert(id);
                continue;
            }
            ids.push(id);
            jobs.push(TwinJob {
                file: chapter.display_path.display().to_string(),
                code: code.clone(),
                first_line: *first_code_line,
                timeout_s: timeout.as_secs_f64(),
                scratch_root: scratch_root.clone(),
            });
        }
    }
    if jobs.is_empty() {
        return Ok(twins);
    }
    match run_twins(&jobs, &candidates, &layout.scratch(), timeout)? {
        TwinRuns::Ran { torch, outputs } => {
            println!("verify: ran {} PyTorch twin(s) with torch {torch}", jobs.len());
            twins.torch = Some(public_version(&torch).to_string());
            twins.ran = ids.into_iter().zip(outputs).collect();
        }
        TwinRuns::NotRun(why) => twins.not_run = Some(why),
    }
    Ok(twins)
}

/// How the verdict cache names a twin.
pub fn cache_id(id: &BlockId) -> String {
    format!("twin {id}")
}

/// What a twin's verdict depends on ([`crate::cache`]): its chapter, its
/// code, its time limit, the Python and torch it runs with, and its
/// snapshot's bytes. Not its place in the chapter.
pub fn fingerprint(python: &str, chapter: &Path, code: &str, timeout: Duration, snapshot: &Path) -> Fingerprint {
    Fingerprint::new("twin")
        .text(&chapter.display().to_string())
        .text(code)
        .text(&format!("{timeout:?}"))
        .text(python)
        .file_contents(snapshot)
}

/// Runs every job twice with the first candidate that imports torch.
/// `scratch` holds the runner's job and result files. `Err` is kept for
/// the verifier's own failures (cannot write a file).
pub fn run_twins(
    jobs: &[TwinJob],
    candidates: &[(PathBuf, String)],
    scratch: &Path,
    timeout: Duration,
) -> Result<TwinRuns> {
    std::fs::create_dir_all(scratch).with_context(|| format!("cannot create {}", scratch.display()))?;
    let dir = tempfile::Builder::new()
        .prefix("twins-")
        .tempdir_in(scratch)
        .with_context(|| format!("cannot create a directory in {}", scratch.display()))?;
    let jobs_path = dir.path().join("jobs.json");
    let results_path = dir.path().join("results.json");
    std::fs::write(&jobs_path, serde_json::to_string(jobs)?)
        .with_context(|| format!("cannot write {}", jobs_path.display()))?;
    let runs_limit = (timeout + Duration::from_secs(1)) * 2 * u32::try_from(jobs.len()).unwrap_or(u32::MAX);
    let mut reasons = Vec::new();
    for (python, shown) in candidates {
        let mut command = runner_command(python, &jobs_path, &results_path, dir.path());
        let outcome = match run::run_command(&mut command, IMPORT_ALLOWANCE + runs_limit) {
            Ok(outcome) => outcome,
            Err(error) => {
                reasons.push(format!("{shown}: cannot run it ({})", error.root_cause()));
                continue;
            }
        };
        let reason = match outcome.status {
            None => format!(
                "did not finish within {} (an import that hangs?)",
                run::describe(IMPORT_ALLOWANCE + runs_limit)
            ),
            Some(status) if status.code() == Some(NO_TORCH_EXIT_CODE) => {
                last_line(&outcome.stderr).unwrap_or("import torch failed").to_string()
            }
            Some(status) if !status.success() => match last_line(&outcome.stderr) {
                Some(line) => format!("failed ({status}): {line}"),
                None => format!("failed ({status}) before importing torch"),
            },
            Some(_) => match read_results(&results_path, jobs.len()) {
                Ok(results) => {
                    return Ok(TwinRuns::Ran {
                        torch: results.torch,
                        outputs: results.runs.into_iter().map(verdict_of_two).collect(),
                    });
                }
                Err(error) => format!("its results are unreadable: {error:#}"),
            },
        };
        reasons.push(format!("{shown}: {reason}"));
    }
    Ok(TwinRuns::NotRun(format!(
        "no Python could import torch ({})",
        reasons.join("; ")
    )))
}

/// `twin_runner.py` under `python`, on the jobs file, in `dir`.
fn runner_command(python: &Path, jobs: &Path, results: &Path, dir: &Path) -> Command {
    let mut command = Command::new(python);
    command
        .arg("-c")
        .arg(RUNNER)
        .arg(jobs)
        .arg(results)
        .current_dir(dir)
        // One thread: reductions then add in one order, run after run.
        .env("OMP_NUM_THREADS", "1")
        .env("MKL_NUM_THREADS", "1")
        .env("PYTHONHASHSEED", "0")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONIOENCODING", "utf-8");
    command
}

fn last_line(text: &str) -> Option<&str> {
    text.lines().rev().map(str::trim).find(|line| !line.is_empty())
}

fn read_results(path: &Path, jobs: usize) -> Result<RunnerResults> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let results: RunnerResults = serde_json::from_str(&text).context("not the runner's JSON")?;
    anyhow::ensure!(
        results.runs.len() == jobs,
        "{} results for {jobs} twins",
        results.runs.len()
    );
    Ok(results)
}

fn verdict_of_two([first, second]: [RunResult; 2]) -> Result<String, String> {
    run::same_twice(output_of(first), output_of(second))
}

fn output_of(run: RunResult) -> Result<String, String> {
    match (run.status.as_str(), run.code) {
        ("exited", Some(0)) => Ok(run.stdout),
        ("killed", _) => Err(
            "did not finish within the time limit and was killed (an endless loop? raise the \
                              limit with --timeout-ms)"
                .into(),
        ),
        (status, code) => {
            let how = code.map_or(status.to_string(), |code| format!("exit code {code}"));
            Err(format!("failed ({how}); stderr:\n{}", run.stderr.trim_end()))
        }
    }
}

/// `2.15.0` for `2.15.0+cu132`: the local build tag (CPU, CUDA) does not
/// change what a twin prints, so snapshots record the public version only.
pub fn public_version(version: &str) -> &str {
    version.split('+').next().unwrap_or(version)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_version_drops_the_build_tag() {
        assert_eq!(public_version("2.15.0+cu132"), "2.15.0");
        assert_eq!(public_version("2.15.0"), "2.15.0");
    }

    #[test]
    fn an_explicit_python_is_the_only_candidate() {
        let found = candidates(Some(Path::new("/bin/false")));
        assert_eq!(found, vec![(PathBuf::from("/bin/false"), "/bin/false".to_string())]);
    }

    #[test]
    fn a_python_that_cannot_start_is_a_reason_not_an_error() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let job = TwinJob {
            file: "book/ch01.md".into(),
            code: "print(1)\n".into(),
            first_line: 2,
            timeout_s: 1.0,
            scratch_root: dir.path().to_path_buf(),
        };
        let candidates = vec![
            (PathBuf::from("/bin/false"), "/bin/false".to_string()),
            (dir.path().join("no-such-python"), "missing".to_string()),
        ];
        let TwinRuns::NotRun(why) = run_twins(&[job], &candidates, dir.path(), Duration::from_secs(1))? else {
            panic!("/bin/false ran the twins");
        };
        assert!(why.starts_with("no Python could import torch (/bin/false: failed (exit status: 1) before importing torch; missing: cannot run it"), "{why}");
        Ok(())
    }
}

//! The workspace-tests stage: `cargo test --workspace --no-fail-fast`, the
//! engine's and the verifier's own tests, every test binary run even when
//! one fails, their output going on to the terminal as it comes; the
//! report counts the tests that passed and names the ones that failed.
//! Skipped while nothing they can depend on has changed since they passed
//! ([`cache::workspace_fingerprint`]). The tests skipped for want of a tool
//! are written down as they skip ([`tools`]), for the report to name.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use anyhow::{Context, Result};

use crate::build;
use crate::cache::{self, VerdictCache};
use crate::layout::Layout;
use crate::tools;

/// How the verdict cache names this stage.
const CACHE_ID: &str = "workspace tests";

/// What the workspace's tests did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TestRun {
    /// Whether `cargo test` succeeded (or passed before, unchanged since).
    pub passed: bool,
    /// What ran: `None` when the tests were not re-run.
    pub counted: Option<Counted>,
    /// The tests that skipped for want of a tool: (tool, test). Empty when
    /// the tests were not re-run.
    pub skipped: Vec<(String, String)>,
}

/// The tests of one run, as libtest reported them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counted {
    pub passed: usize,
    /// The failed tests' names (`graph::tests::x`, `src/lib.rs - f (line 3)`).
    pub failed: Vec<String>,
}

impl TestRun {
    /// How many failures the report counts for the tests: each failed test,
    /// or one for a run that failed without naming a test (a build error, a
    /// crashed binary: cargo's output above says which).
    pub fn failures(&self) -> usize {
        match &self.counted {
            _ if self.passed => 0,
            Some(counted) if !counted.failed.is_empty() => counted.failed.len(),
            _ => 1,
        }
    }
}

impl Counted {
    /// Adds what one line of libtest's output reports: `test x ... ok`
    /// counts nothing (the summary line does), `test x ... FAILED` names a
    /// failure, `test result: … N passed; …` adds N.
    fn read(&mut self, line: &str) {
        if let Some(name) = line
            .strip_prefix("test ")
            .and_then(|rest| rest.strip_suffix(" ... FAILED"))
        {
            self.failed.push(name.to_string());
        } else if let Some(result) = line.strip_prefix("test result: ") {
            let passed = result
                .split(['.', ';'])
                .find_map(|part| part.trim().strip_suffix(" passed"))
                .and_then(|n| n.parse::<usize>().ok());
            self.passed += passed.unwrap_or(0);
        }
    }
}

/// Runs the workspace's tests (or finds them unchanged since they passed),
/// their output passed on as it comes.
pub fn run(layout: &Layout, cache: &mut VerdictCache) -> Result<TestRun> {
    // Hashing the repository is only worth it when the result is kept.
    let fingerprint = || {
        cache
            .is_active()
            .then(|| cache::workspace_fingerprint(&layout.root))
            .flatten()
    };
    let before = fingerprint();
    if cache.is_fresh(CACHE_ID, before.as_ref()) {
        println!(
            "verify: the workspace's tests passed before, and no file of the repository, nor the \
             toolchain, has changed since: not re-run (--no-cache runs them)"
        );
        return Ok(TestRun {
            passed: true,
            counted: None,
            skipped: Vec::new(),
        });
    }
    let run = start(layout, Echo::Live)?.finish()?;
    // Remembered only if nothing changed while they ran.
    let after = fingerprint();
    match (run.passed, before, after) {
        (true, Some(before), Some(after)) if before.same_as(&after) => cache.record_pass(CACHE_ID, Some(&after)),
        _ => cache.forget(CACHE_ID),
    }
    Ok(run)
}

/// Where the output of `cargo test` goes while it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Echo {
    /// On to the terminal as it comes.
    Live,
    /// Kept, and printed when the run is finished: the tests run beside
    /// the rest of verify, whose own lines must not be cut up by theirs.
    Kept,
}

/// The thread that reads `cargo test`'s output: what it counted, and what
/// it kept.
type Reader = std::thread::JoinHandle<Result<(Counted, String)>>;

/// `cargo test --workspace` under way.
pub struct Running {
    /// `cargo test` and the thread that reads its output. Taken by
    /// [`Running::finish`]; killed if the run is dropped before.
    under_way: Option<(std::process::Child, Reader)>,
    skips: std::path::PathBuf,
    echo: Echo,
}

/// Starts the workspace's tests.
pub fn start(layout: &Layout, echo: Echo) -> Result<Running> {
    println!("verify: running the workspace's tests (cargo test --workspace --no-fail-fast)");
    let skips = layout.target_dir.join("xtask/skipped-tests.txt");
    match std::fs::remove_file(&skips) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
            return Err(error).with_context(|| format!("cannot remove {}", skips.display()));
        }
        _ => {}
    }
    let mut child = Command::new(build::cargo())
        .current_dir(&layout.root)
        .args(["test", "--workspace", "--no-fail-fast", "--manifest-path"])
        .arg(layout.root.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&layout.target_dir)
        .env(tools::SKIPS_VARIABLE, &skips)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("cannot run cargo test")?;
    let stdout = child.stdout.take().context("cargo test's output")?;
    let stderr = child.stderr.take().context("cargo test's errors")?;
    // Passed on through this process's own printing, which a test of the
    // verifier captures (a child's inherited streams it would not).
    let reader = std::thread::spawn(move || {
        let kept = std::sync::Mutex::new(String::new());
        let keep = |line: &str| {
            if let Ok(mut kept) = kept.lock() {
                kept.push_str(line);
                kept.push('\n');
            }
        };
        let mut counted = Counted::default();
        std::thread::scope(|scope| -> Result<()> {
            scope.spawn(|| {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    match echo {
                        Echo::Live => eprintln!("{line}"),
                        Echo::Kept => keep(&line),
                    }
                }
            });
            for line in BufReader::new(stdout).lines() {
                let line = line.context("cannot read cargo test's output")?;
                match echo {
                    Echo::Live => println!("{line}"),
                    Echo::Kept => keep(&line),
                }
                counted.read(&line);
            }
            Ok(())
        })?;
        Ok((counted, kept.into_inner().unwrap_or_default()))
    });
    Ok(Running {
        under_way: Some((child, reader)),
        skips,
        echo,
    })
}

impl Running {
    /// Waits for the tests to finish; prints their output if it was kept.
    pub fn finish(mut self) -> Result<TestRun> {
        let (mut child, reader) = self.under_way.take().context("the tests were finished before")?;
        let status = child.wait().context("cargo test did not finish");
        let read = reader.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        let status = status?;
        let (counted, kept) = read?;
        if self.echo == Echo::Kept {
            print!("{kept}");
        }
        println!(
            "verify: workspace tests {}",
            if status.success() { "passed" } else { "FAILED" }
        );
        Ok(TestRun {
            passed: status.success(),
            counted: Some(counted),
            skipped: tools::read_skips(&self.skips),
        })
    }
}

impl Drop for Running {
    /// A verify that stops on an error before the tests are finished does
    /// not leave them running.
    fn drop(&mut self) {
        if let Some((child, _)) = &mut self.under_way {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libtests_lines_are_counted_and_failures_named() {
        let mut counted = Counted::default();
        for line in [
            "running 3 tests",
            "test a::b ... ok",
            "test a::c ... FAILED",
            "test src/lib.rs - f (line 3) ... FAILED",
            "test result: FAILED. 84 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.3s",
            "test result: ok. 5 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.1s",
            "    a::c",
        ] {
            counted.read(line);
        }
        assert_eq!(counted.passed, 89);
        assert_eq!(counted.failed, ["a::c", "src/lib.rs - f (line 3)"]);
        let run = TestRun {
            passed: false,
            counted: Some(counted),
            skipped: Vec::new(),
        };
        assert_eq!(run.failures(), 2);
        // A build error names no test, and is one failure.
        let broken = TestRun {
            passed: false,
            counted: Some(Counted::default()),
            skipped: Vec::new(),
        };
        assert_eq!(broken.failures(), 1);
    }
}

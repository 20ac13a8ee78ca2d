//! The workspace-tests stage: `cargo test --workspace`, the engine's and the
//! verifier's own tests, with their output going straight to the terminal.
//! Skipped while nothing they can depend on has changed since they passed
//! ([`cache::workspace_fingerprint`]). The tests skipped for want of a tool
//! are written down as they skip ([`tools`]), for the report to name.

use std::process::Command;

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
    pub passed: bool,
    /// The tests that skipped for want of a tool: (tool, test). Empty when
    /// the tests were not re-run.
    pub skipped: Vec<(String, String)>,
}

/// Runs the workspace's tests (or finds them unchanged since they passed).
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
            skipped: Vec::new(),
        });
    }
    println!("verify: running the workspace's tests (cargo test --workspace)");
    let skips = layout.target_dir.join("xtask/skipped-tests.txt");
    match std::fs::remove_file(&skips) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
            return Err(error).with_context(|| format!("cannot remove {}", skips.display()));
        }
        _ => {}
    }
    let status = Command::new(build::cargo())
        .current_dir(&layout.root)
        .args(["test", "--workspace", "--manifest-path"])
        .arg(layout.root.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&layout.target_dir)
        .env(tools::SKIPS_VARIABLE, &skips)
        .status()
        .context("cannot run cargo test")?;
    // Remembered only if nothing changed while they ran.
    let after = fingerprint();
    match (status.success(), before, after) {
        (true, Some(before), Some(after)) if before.same_as(&after) => cache.record_pass(CACHE_ID, Some(&after)),
        _ => cache.forget(CACHE_ID),
    }
    println!(
        "verify: workspace tests {}",
        if status.success() { "passed" } else { "FAILED" }
    );
    Ok(TestRun {
        passed: status.success(),
        skipped: tools::read_skips(&skips),
    })
}

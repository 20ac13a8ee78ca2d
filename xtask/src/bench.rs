//! `cargo xtask bench`: this engine and its peers in one run, one table.
//!
//! The work is `bench/compare.py` (the Rust benchmark binary, then
//! `bench/peers.py` under a Python with torch and micrograd); this command
//! only picks that Python the way the verifier picks one for the twins
//! ([`crate::python::candidates`]), so one command does it all.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

/// Runs `bench/compare.py` with `args`; true when it succeeded. A missing
/// peer is not a failure (the table says "not installed").
pub fn command(root: &Path, args: &[String]) -> Result<bool> {
    let candidates = crate::python::candidates(None);
    let python = candidates
        .iter()
        .find(|(python, _)| imports(python, "torch"))
        .or_else(|| candidates.iter().find(|(python, _)| imports(python, "json")))
        .map(|(python, shown)| (python.clone(), shown.clone()));
    let Some((python, shown)) = python else {
        bail!(
            "no Python found (tried {}): install python3, and torch and micrograd for the peers \
             (`.ci/run` puts them in ~/.cache/autograd-book/venv)",
            candidates.iter().map(|c| c.1.as_str()).collect::<Vec<_>>().join(", ")
        );
    };
    eprintln!("bench: peers run with {shown}");
    let script: PathBuf = root.join("bench/compare.py");
    let status = Command::new(&python)
        .arg(&script)
        .arg("--python")
        .arg(&python)
        .args(args)
        .current_dir(root)
        .stdin(Stdio::null())
        .status()
        .with_context(|| format!("cannot run {} {}", python.display(), script.display()))?;
    Ok(status.success())
}

/// Whether `python -c "import <module>"` succeeds.
fn imports(python: &Path, module: &str) -> bool {
    Command::new(python)
        .args(["-c", &format!("import {module}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

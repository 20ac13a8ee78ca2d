//! `cargo xtask new`: a chapter crate copied out of the repository builds and
//! runs on its own and prints what the book shows.
//!
//! The build has a target directory of its own (`copy-out` beside the
//! workspace's, kept between runs so only the first build compiles the
//! engine and ndarray), and is offline: everything it needs is already in
//! cargo's cache, because the workspace was built first.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, ensure};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask is inside the workspace")
}

/// `$CARGO_TARGET_DIR/copy-out`, else `<workspace>/target/copy-out`.
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|dir| if dir.is_absolute() { dir } else { root().join(dir) })
        .unwrap_or_else(|| root().join("target"))
        .join("copy-out")
}

#[test]
fn a_copied_chapter_crate_builds_and_runs_outside_the_repository() -> Result<()> {
    let temp = tempfile::tempdir()?;
    let dir = temp.path().join("my-scalars");
    let copied = xtask::copy_out::new_crate(root(), "02", &dir)?;
    assert_eq!(copied.chapter, "ch02-scalars");
    assert_eq!(copied.package, "my-scalars");
    assert!(copied.bins.iter().any(|bin| bin == "square"), "{:?}", copied.bins);
    let first = copied.bins.first().context("a program")?;
    assert!(copied.next_steps(&dir).contains(&format!("&& cargo run --bin {first}")));

    let manifest = std::fs::read_to_string(dir.join("Cargo.toml"))?;
    assert!(manifest.contains("edition = \"2024\""), "{manifest}");
    assert!(manifest.contains("\n[workspace]\n"), "{manifest}");
    assert!(!manifest.contains(".workspace"), "nothing inherited: {manifest}");

    // The code a reader starts from is formatted as rustfmt formats it.
    let fmt = Command::new(env!("CARGO"))
        .args(["fmt", "--check"])
        .current_dir(&dir)
        .output()
        .context("cannot run cargo fmt")?;
    ensure!(
        fmt.status.success(),
        "the copy is not rustfmt-clean:\n{}",
        String::from_utf8_lossy(&fmt.stdout)
    );
    let square = std::fs::read_to_string(dir.join("src/bin/square.rs"))?;
    assert!(square.contains("fn main() {\n    "), "{square}");

    // The directory is now not empty: a second copy into it is refused.
    let again = xtask::copy_out::new_crate(root(), "ch02-scalars", &dir).unwrap_err();
    assert!(again.to_string().contains("not empty"), "{again}");

    let output = Command::new(env!("CARGO"))
        .args(["run", "--offline", "--quiet", "--bin", "square"])
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", target_dir())
        .output()
        .context("cannot run cargo")?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    ensure!(
        output.status.success(),
        "cargo run in the copy failed ({}):\n{}\n{stdout}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );

    // The snapshot's body, after its `---` header, is what the book shows.
    let snapshot = std::fs::read_to_string(root().join("tests/snapshots/ch02-scalars__square.snap"))?;
    let body = snapshot
        .strip_prefix("---\n")
        .and_then(|rest| rest.split_once("\n---\n"))
        .map(|(_, body)| body)
        .context("the snapshot has no `---` header")?;
    assert_eq!(stdout.trim_end(), body.trim_end());
    Ok(())
}

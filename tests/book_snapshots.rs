//! The book's verified outputs, `tests/snapshots/`, as insta sees them.
//!
//! This file is a test target of the `xtask` package (its `Cargo.toml` says
//! so) on purpose. cargo-insta (`cargo insta review`, `cargo insta
//! pending-snapshots`) looks for snapshots under each package's directory
//! and under the directory of each of the package's targets; the book's
//! snapshots belong to no package, and with this target `tests/` is such a
//! directory. So a changed output that `cargo xtask verify` leaves pending
//! is one `cargo insta review` shows and can accept.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, ensure};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask/ is inside the workspace")
}

#[test]
fn every_snapshot_belongs_to_a_block_of_the_book_and_every_block_has_one() -> Result<()> {
    let root = root();
    let snapshots = root.join("tests/snapshots");
    let chapters = xtask::extract::read_book(root, &root.join("book"))?;
    let mut expected = BTreeSet::new();
    for chapter in &chapters {
        for block in &chapter.blocks {
            match &block.kind {
                xtask::extract::BlockKind::Rust(rust) if rust.mode.runs() => {
                    // Read as insta reads it: the book shows this text.
                    xtask::snapshot::read_output(&snapshots, &chapter.crate_name, &rust.name)?;
                    expected.insert(xtask::snapshot::file_name(&chapter.crate_name, &rust.name));
                }
                xtask::extract::BlockKind::Python(python) => {
                    if let Some(name) = &python.twin {
                        let twin = xtask::snapshot::read_twin(&snapshots, &chapter.crate_name, name)?;
                        ensure!(
                            twin.is_some(),
                            "the twin of `{name}` in {} has no snapshot",
                            chapter.display_path.display()
                        );
                        expected.insert(xtask::snapshot::twin_file_name(&chapter.crate_name, name));
                    }
                }
                _ => {}
            }
        }
    }
    let mut found = BTreeSet::new();
    for entry in std::fs::read_dir(&snapshots).with_context(|| format!("cannot list {}", snapshots.display()))? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if name.ends_with(".snap") {
            found.insert(name);
        }
    }
    let orphans: Vec<_> = found.difference(&expected).collect();
    let missing: Vec<_> = expected.difference(&found).collect();
    ensure!(
        orphans.is_empty() && missing.is_empty(),
        "snapshots of no block: {orphans:?}; blocks without a snapshot: {missing:?} \
         (`cargo xtask verify --update` makes them agree)"
    );
    Ok(())
}

/// cargo-insta's rule (`find_snapshot_roots` in its `cargo.rs`): a package's
/// snapshots are under its manifest's directory or under the directory of
/// one of its targets other than a build script.
#[test]
fn cargo_insta_looks_in_the_snapshots_directory() -> Result<()> {
    let output = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--no-deps",
            "--offline",
            "--format-version",
            "1",
            "--manifest-path",
        ])
        .arg(root().join("Cargo.toml"))
        .output()
        .context("cannot run cargo metadata")?;
    ensure!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    let mut roots: Vec<PathBuf> = Vec::new();
    for package in metadata["packages"].as_array().context("packages")? {
        let manifest = PathBuf::from(package["manifest_path"].as_str().context("manifest_path")?);
        roots.extend(manifest.parent().map(Path::to_path_buf));
        for target in package["targets"].as_array().context("targets")? {
            let build_script = target["kind"]
                .as_array()
                .is_some_and(|kinds| kinds.iter().any(|k| k == "custom-build"));
            let source = PathBuf::from(target["src_path"].as_str().context("src_path")?);
            if !build_script && let Some(dir) = source.parent() {
                roots.push(dir.to_path_buf());
            }
        }
    }
    let snapshots = root().join("tests/snapshots").canonicalize()?;
    ensure!(
        roots
            .iter()
            .filter_map(|root| root.canonicalize().ok())
            .any(|root| snapshots.starts_with(root)),
        "cargo-insta would not look in {}: it looks under {roots:#?}",
        snapshots.display()
    );
    Ok(())
}

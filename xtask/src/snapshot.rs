//! Stage 5, snapshot: each runnable block's output, one insta snapshot per
//! block, `tests/snapshots/<chapter>__<block>.snap`. A PyTorch twin's output
//! is `<chapter>__<rust-block>.py.snap`: block names are kebab-case, so no
//! Rust block's snapshot can end in `.py.snap`. Every snapshot records the
//! code that printed it as its `expression` (`cargo insta review` shows
//! it), so the book build can tell that a committed output still belongs
//! to the code the page shows ([`read_block`]), and, without torch, the
//! verifier that a twin's does; a twin's also names the torch version in its
//! description.
//!
//! Why not `insta::assert_snapshot!`: it is made for `cargo test`. It takes
//! its update policy from process-wide environment variables (`INSTA_UPDATE`,
//! `CI`) and caches it, reports a mismatch by panicking and printing, and
//! records the Rust file of the assertion as the snapshot's `source`, where
//! the reader needs the chapter. Driving it from a binary would mean setting
//! environment variables and catching panics per block. So this module
//! writes the `.snap` format itself (a small YAML header and the contents)
//! and uses insta's public API for everything else: [`insta::Snapshot::from_file`]
//! reads existing snapshots and [`TextSnapshotContents`] normalizes and
//! compares them exactly as insta does. A round-trip test below holds the
//! written files to what insta reads. Changed outputs are left as pending
//! `.snap.new` files, so `cargo insta review` can accept them too.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow};
use insta::internals::{SnapshotContents, TextSnapshotContents};
use insta::{Snapshot, TextSnapshotKind};
use similar::TextDiff;

use crate::extract::{BlockKind, Chapter, PythonBlock};

/// What `record` may write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WritePolicy {
    /// In CI: write nothing; a new or changed output only fails.
    Nothing,
    /// Locally: leave a changed output as a pending `.snap.new` for review.
    Pending,
    /// `--update`: accept every output.
    Accept,
}

/// Where a block's snapshot lives and what its metadata says. The metadata
/// names the chapter and the block, not the block's line: a snapshot changes
/// when its output does, not when prose is inserted above its block.
pub struct SnapshotId<'a> {
    pub crate_name: &'a str,
    pub block_name: &'a str,
    /// The chapter, relative to the workspace root.
    pub chapter: &'a Path,
    /// The block's line now, for a pending snapshot (`cargo insta review`
    /// shows it); never written into an accepted one.
    pub line: usize,
    /// The code that printed the output: a Rust block's with its hidden
    /// lines, a twin's as written.
    pub code: &'a str,
    /// Set for a PyTorch twin; `block_name` is then its Rust block's name.
    pub twin: Option<Twin<'a>>,
}

/// What a twin's snapshot records besides its output and code.
pub struct Twin<'a> {
    /// The public torch version it ran with (`2.15.0`).
    pub torch: &'a str,
}

impl SnapshotId<'_> {
    pub fn file_name(&self) -> String {
        match self.twin {
            None => file_name(self.crate_name, self.block_name),
            Some(_) => twin_file_name(self.crate_name, self.block_name),
        }
    }

    fn description(&self) -> String {
        match &self.twin {
            None => format!("block `{}`", self.block_name),
            Some(twin) => format!(
                "PyTorch twin of block `{}`, run with torch {}",
                self.block_name, twin.torch
            ),
        }
    }

    fn expression(&self) -> &str {
        self.code
    }
}

pub fn file_name(crate_name: &str, block_name: &str) -> String {
    format!("{crate_name}__{block_name}.snap")
}

/// The snapshot of the twin of Rust block `block_name`.
pub fn twin_file_name(crate_name: &str, block_name: &str) -> String {
    format!("{crate_name}__{block_name}.py.snap")
}

/// What became of a block's output.
#[derive(Debug, PartialEq, Eq)]
pub enum Recorded {
    /// The snapshot already held it.
    Unchanged,
    /// `--update` wrote it.
    Accepted(PathBuf),
    /// The output was the snapshot's, but its metadata (a twin's code or
    /// torch version) was out of date: a local run rewrites it, as it
    /// rewrites a stale chapter crate. CI fails instead.
    Refreshed(PathBuf),
    /// New or changed: the message says how, with a diff.
    Failed(String),
}

impl Recorded {
    /// Says what was written, if anything was: the one line a run prints
    /// for a snapshot (`shown` makes a path as messages show it).
    pub fn announce(&self, shown: impl Fn(&Path) -> PathBuf) {
        match self {
            Recorded::Accepted(path) => println!("accepted {}", shown(path).display()),
            Recorded::Refreshed(path) => {
                println!(
                    "refreshed {} (same output, metadata brought up to date)",
                    shown(path).display()
                );
            }
            Recorded::Unchanged | Recorded::Failed(_) => {}
        }
    }
}

/// Compares a block's output with its snapshot and writes what the policy allows.
pub fn record(dir: &Path, id: &SnapshotId, output: &str, policy: WritePolicy) -> Result<Recorded> {
    let path = dir.join(id.file_name());
    let pending = path.with_extension("snap.new");
    let new = TextSnapshotContents::new(output.to_string(), TextSnapshotKind::File);
    let mut difference = difference(&path, read_existing(&path)?, id, &new);
    // The same output and metadata, but not as insta writes them (an older
    // verifier's quoting): `cargo insta accept` would rewrite the file.
    if matches!(difference, Difference::None) && fs::read(&path)? != as_insta_saves(&path, &text_of(id, &new, false))? {
        difference = Difference::Metadata(format!(
            "snapshot {} is not in the form insta writes; `cargo xtask verify --update` rewrites it",
            path.display()
        ));
    }
    let failure = match difference {
        Difference::None => None,
        Difference::Metadata(_) if policy == WritePolicy::Pending => {
            write(&path, id, &new, false)?;
            remove_if_present(&pending)?;
            return Ok(Recorded::Refreshed(path));
        }
        Difference::Metadata(failure) | Difference::Output(failure) => Some(failure),
    };
    match (policy, failure) {
        (WritePolicy::Accept, Some(_)) => {
            write(&path, id, &new, false)?;
            remove_if_present(&pending)?;
            Ok(Recorded::Accepted(path))
        }
        (WritePolicy::Pending, Some(failure)) => {
            write(&pending, id, &new, true)?;
            Ok(Recorded::Failed(format!(
                "{failure}\npending snapshot written to {}: accept with `cargo xtask verify --update` or `cargo insta review`",
                pending.display()
            )))
        }
        (WritePolicy::Nothing, Some(failure)) => Ok(Recorded::Failed(failure)),
        (WritePolicy::Accept | WritePolicy::Pending, None) => {
            // A pending snapshot for an output that now matches is stale.
            remove_if_present(&pending)?;
            Ok(Recorded::Unchanged)
        }
        (WritePolicy::Nothing, None) => Ok(Recorded::Unchanged),
    }
}

/// How an output differs from its snapshot, with the message that says so.
enum Difference {
    None,
    /// The same output; the metadata is out of date.
    Metadata(String),
    /// Another output, or none committed yet.
    Output(String),
}

fn difference(path: &Path, old: Option<Existing>, id: &SnapshotId, new: &TextSnapshotContents) -> Difference {
    let Some(old) = old else {
        return Difference::Output(format!(
            "new output, no snapshot {} yet:\n{}",
            path.display(),
            indent(&new.to_string())
        ));
    };
    if !old.contents.matches_latest(new) {
        // Normalized contents lack their final newline; restore it, or
        // every diff would end in "\ No newline at end of file".
        let (old, new) = (format!("{}\n", old.contents), format!("{new}\n"));
        let diff = TextDiff::from_lines(&old, &new)
            .unified_diff()
            .header("snapshot", "output")
            .to_string();
        return Difference::Output(format!("output differs from snapshot {}:\n{diff}", path.display()));
    }
    let same_metadata = old.source == id.chapter.to_string_lossy()
        && old.description == id.description()
        && old.expression == id.expression();
    if same_metadata {
        return Difference::None;
    }
    Difference::Metadata(format!(
        "snapshot {} has out-of-date metadata ({}); `cargo xtask verify --update` refreshes it",
        path.display(),
        if id.twin.is_some() {
            "the twin's code changed, or torch's version did"
        } else {
            "the block's code changed, and printed the same"
        }
    ))
}

/// The text of a block's snapshot.
pub fn read_output(dir: &Path, crate_name: &str, block_name: &str) -> Result<String> {
    read_block(dir, crate_name, block_name).map(|snapshot| snapshot.output)
}

/// A Rust block's committed snapshot: its output, and the code that printed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockSnapshot {
    pub output: String,
    /// Empty in a snapshot written before snapshots recorded their code.
    pub code: String,
}

/// A Rust block's snapshot, for the rendered book.
pub fn read_block(dir: &Path, crate_name: &str, block_name: &str) -> Result<BlockSnapshot> {
    let path = dir.join(file_name(crate_name, block_name));
    let existing = read_existing(&path)?.ok_or_else(|| {
        anyhow!(
            "no snapshot {} for block `{block_name}`: run `cargo xtask verify` (with --update to accept its output)",
            path.display()
        )
    })?;
    Ok(BlockSnapshot {
        output: existing.contents.to_string(),
        code: existing.expression,
    })
}

/// A twin's committed snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwinSnapshot {
    pub output: String,
    /// The twin's code when its output was accepted.
    pub code: String,
    /// The torch version its description names (`2.15.0`).
    pub torch: Option<String>,
}

/// A twin's committed snapshot, or `None` when there is none.
pub fn read_twin(dir: &Path, crate_name: &str, block_name: &str) -> Result<Option<TwinSnapshot>> {
    let path = dir.join(twin_file_name(crate_name, block_name));
    Ok(read_existing(&path)?.map(|existing| TwinSnapshot {
        output: existing.contents.to_string(),
        torch: existing
            .description
            .rsplit_once("run with torch ")
            .map(|(_, version)| version.trim().to_string()),
        code: existing.expression,
    }))
}

/// The snapshots (and pending ones) in `dir` that no block of the book
/// makes any more. Only a snapshot the verifier made is ever an orphan (its
/// insta metadata names a chapter of the book and a block), so a snapshot of
/// some other test, or a file that merely ends in `.snap`, is never deleted;
/// and a chapter with an invalid block has none: a typo in an info string
/// must not delete committed outputs.
pub fn orphans(dir: &Path, chapters: &[Chapter]) -> Result<Vec<PathBuf>> {
    let mut expected = HashSet::new();
    for chapter in chapters {
        for block in &chapter.blocks {
            match &block.kind {
                BlockKind::Rust(rust) if rust.mode.runs() => {
                    expected.insert(file_name(&chapter.crate_name, &rust.name));
                }
                BlockKind::Python(PythonBlock { twin: Some(name), .. }) => {
                    expected.insert(twin_file_name(&chapter.crate_name, name));
                }
                _ => {}
            }
        }
    }
    let protected: HashSet<String> = chapters
        .iter()
        .filter(|c| c.has_invalid_blocks())
        .map(|c| c.crate_name.clone())
        .collect();
    orphans_among(dir, &expected, &protected)
}

/// The chapter crate a snapshot or picture file belongs to: what its name
/// has before `__`.
pub fn crate_of(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_string_lossy();
    name.split_once("__").map(|(chapter, _)| chapter.to_string())
}

/// The snapshots in `dir` the verifier made whose file name is not in
/// `expected`, outside the chapters in `protected`.
fn orphans_among(dir: &Path, expected: &HashSet<String>, protected: &HashSet<String>) -> Result<Vec<PathBuf>> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(|| format!("cannot list {}", dir.display())),
    };
    let mut found = Vec::new();
    for entry in entries {
        let path = entry?.path();
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if let Some(stem) = name.strip_suffix(".svg") {
            // A graph block's picture goes with its snapshot.
            let chapter = stem.split("__").next().unwrap_or_default();
            if !expected.contains(&format!("{stem}.snap"))
                && !protected.contains(chapter)
                && crate::graph::is_committed_picture(&path)
            {
                found.push(path);
            }
            continue;
        }
        let Some(snap_name) = name.strip_suffix(".snap").or_else(|| name.strip_suffix(".snap.new")) else {
            continue;
        };
        let chapter = snap_name.split("__").next().unwrap_or_default();
        if !expected.contains(&format!("{snap_name}.snap")) && !protected.contains(chapter) && made_by_verifier(&path) {
            found.push(path);
        }
    }
    found.sort();
    Ok(found)
}

/// Whether a snapshot file is one the verifier wrote: insta reads it, and its
/// metadata names a book chapter and a block, as [`write`] records them.
fn made_by_verifier(path: &Path) -> bool {
    match read_existing(path) {
        Ok(Some(existing)) => {
            existing.source.ends_with(".md")
                && (existing.description.starts_with("block `")
                    || existing.description.starts_with("PyTorch twin of block `"))
        }
        _ => false,
    }
}

pub fn delete(path: &Path) -> Result<()> {
    fs::remove_file(path).with_context(|| format!("cannot delete {}", path.display()))
}

struct Existing {
    source: String,
    description: String,
    /// The code that printed it.
    expression: String,
    contents: TextSnapshotContents,
}

fn read_existing(path: &Path) -> Result<Option<Existing>> {
    let start = match fs::File::open(path) {
        Ok(file) => {
            let mut start = Vec::new();
            std::io::Read::read_to_end(&mut std::io::Read::take(file, 3), &mut start)
                .with_context(|| format!("cannot read snapshot {}", path.display()))?;
            start
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("cannot read snapshot {}", path.display())),
    };
    // insta reads a file without its `---` header as a legacy snapshot, and
    // says so on stderr each time; none of the verifier's files is one.
    if start != b"---" {
        return Err(anyhow!(
            "snapshot {} is not in insta's format: it does not start with a `---` metadata header",
            path.display()
        ));
    }
    let snapshot = Snapshot::from_file(path).map_err(|e| anyhow!("cannot read snapshot {}: {e}", path.display()))?;
    let SnapshotContents::Text(contents) = snapshot.contents() else {
        return Err(anyhow!(
            "snapshot {} is binary; the book's snapshots are text",
            path.display()
        ));
    };
    let metadata = snapshot.metadata();
    Ok(Some(Existing {
        source: metadata.source().unwrap_or_default().to_string(),
        description: metadata.description().unwrap_or_default().to_string(),
        expression: metadata.expression().unwrap_or_default().to_string(),
        contents: contents.clone(),
    }))
}

/// Writes a snapshot in insta's format. A pending snapshot also records the
/// block's line as `assertion_line`, which `cargo insta review` shows; insta
/// leaves it out of accepted snapshots, and so do we. An accepted snapshot
/// is written by insta itself, the metadata read back and saved as `cargo
/// insta accept` saves it, so that accepting with either tool writes the
/// same bytes.
fn write(path: &Path, id: &SnapshotId, contents: &TextSnapshotContents, pending: bool) -> Result<()> {
    let text = text_of(id, contents, pending);
    let bytes = if pending {
        text.into_bytes()
    } else {
        as_insta_saves(path, &text)?
    };
    // Atomically: an interrupted update leaves the old snapshot or the new one.
    crate::atomic::write(path, &bytes)
}

/// A snapshot's text as the verifier writes it, before insta saves it.
fn text_of(id: &SnapshotId, contents: &TextSnapshotContents, pending: bool) -> String {
    // JSON strings are valid YAML double-quoted scalars: safe for any path.
    let quote = |s: &str| serde_json::to_string(s).expect("a string serializes");
    let mut text = format!("---\nsource: {}\n", quote(&id.chapter.to_string_lossy()));
    if pending {
        text.push_str(&format!("assertion_line: {}\n", id.line));
    }
    text.push_str(&format!("description: {}\n", quote(&id.description())));
    text.push_str(&format!("expression: {}\n", quote(id.expression())));
    text.push_str(&format!("---\n{contents}\n"));
    text
}

/// The bytes insta writes for the snapshot `text`, through a scratch file
/// beside `path` (insta reads and saves only files).
fn as_insta_saves(path: &Path, text: &str) -> Result<Vec<u8>> {
    let dir = path.parent().context("a snapshot path has a directory")?;
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let scratch = tempfile::Builder::new()
        .prefix(".insta-")
        .suffix(".snap")
        .tempfile_in(dir)
        .with_context(|| format!("cannot write a scratch file in {}", dir.display()))?;
    fs::write(scratch.path(), text).with_context(|| format!("cannot write {}", scratch.path().display()))?;
    let snapshot =
        Snapshot::from_file(scratch.path()).map_err(|e| anyhow!("insta cannot read what was written: {e}"))?;
    snapshot
        .save(scratch.path())
        .map_err(|e| anyhow!("insta cannot save {}: {e}", scratch.path().display()))?;
    fs::read(scratch.path()).with_context(|| format!("cannot read {}", scratch.path().display()))
}

fn remove_if_present(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("cannot delete {}", path.display()))
        }
        _ => Ok(()),
    }
}

fn indent(text: &str) -> String {
    text.lines().map(|line| format!("    {line}\n")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id<'a>(line: usize) -> SnapshotId<'a> {
        SnapshotId {
            crate_name: "ch01-x",
            block_name: "a-b",
            chapter: Path::new("book/ch01-x.md"),
            line,
            code: "",
            twin: None,
        }
    }

    fn failure_of(recorded: Recorded) -> String {
        match recorded {
            Recorded::Failed(message) => message,
            other => panic!("expected a failure, got {other:?}"),
        }
    }

    #[test]
    fn insta_reads_what_we_write() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let output = "  leading spaces\n\"quotes\" and: colons # hash\n\n";
        assert!(matches!(
            record(dir.path(), &id(7), output, WritePolicy::Accept)?,
            Recorded::Accepted(_)
        ));
        let snapshot = Snapshot::from_file(&dir.path().join("ch01-x__a-b.snap")).map_err(|e| anyhow!("{e}"))?;
        assert_eq!(snapshot.metadata().source(), Some("book/ch01-x.md"));
        assert_eq!(snapshot.metadata().description(), Some("block `a-b`"));
        assert_eq!(snapshot.snapshot_name(), Some("a-b"));
        assert_eq!(
            read_output(dir.path(), "ch01-x", "a-b")?,
            "  leading spaces\n\"quotes\" and: colons # hash"
        );
        assert_eq!(
            record(dir.path(), &id(7), output, WritePolicy::Nothing)?,
            Recorded::Unchanged
        );
        Ok(())
    }

    #[test]
    fn twin_snapshots_keep_their_code_and_torch_version() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let code = "x = torch.tensor([1.0])\nprint(f\"{x!r}: \\\"q\\\"\")\n";
        let twin = |torch| SnapshotId {
            code,
            twin: Some(Twin { torch }),
            ..id(9)
        };
        assert!(matches!(
            record(dir.path(), &twin("2.15.0"), "tensor([1.])\n", WritePolicy::Accept)?,
            Recorded::Accepted(path) if path.ends_with("ch01-x__a-b.py.snap")
        ));
        let snapshot = Snapshot::from_file(&dir.path().join("ch01-x__a-b.py.snap")).map_err(|e| anyhow!("{e}"))?;
        assert_eq!(snapshot.metadata().expression(), Some(code));
        assert_eq!(
            read_twin(dir.path(), "ch01-x", "a-b")?,
            Some(TwinSnapshot {
                output: "tensor([1.])".to_string(),
                code: code.to_string(),
                torch: Some("2.15.0".to_string()),
            })
        );
        assert_eq!(read_twin(dir.path(), "ch01-x", "other")?, None);
        let failure = failure_of(record(
            dir.path(),
            &twin("2.16.0"),
            "tensor([1.])\n",
            WritePolicy::Nothing,
        )?);
        assert!(failure.contains("or torch's version did"), "{failure}");
        Ok(())
    }

    #[test]
    fn changes_fail_and_are_written_by_policy() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let snap = dir.path().join("ch01-x__a-b.snap");
        let pending = dir.path().join("ch01-x__a-b.snap.new");

        let failure = failure_of(record(dir.path(), &id(7), "1\n", WritePolicy::Nothing)?);
        assert!(failure.contains("new output"), "{failure}");
        assert!(!snap.exists() && !pending.exists());

        let failure = failure_of(record(dir.path(), &id(7), "1\n", WritePolicy::Pending)?);
        assert!(failure.contains("cargo insta review"), "{failure}");
        assert!(pending.exists() && !snap.exists());
        let pending_snapshot = Snapshot::from_file(&pending).map_err(|e| anyhow!("{e}"))?;
        assert_eq!(pending_snapshot.metadata().assertion_line(), Some(7));

        assert_eq!(
            record(dir.path(), &id(7), "1\n", WritePolicy::Accept)?,
            Recorded::Accepted(snap.clone())
        );
        assert!(snap.exists() && !pending.exists());
        assert_eq!(
            record(dir.path(), &id(7), "1\n", WritePolicy::Accept)?,
            Recorded::Unchanged
        );

        let failure = failure_of(record(dir.path(), &id(7), "2\n", WritePolicy::Nothing)?);
        assert!(failure.contains("-1\n+2"), "{failure}");
        // A block that moved has the same snapshot: no line is recorded in it.
        let before = fs::read(&snap)?;
        assert_eq!(
            record(dir.path(), &id(90), "1\n", WritePolicy::Nothing)?,
            Recorded::Unchanged
        );
        assert_eq!(
            record(dir.path(), &id(90), "1\n", WritePolicy::Pending)?,
            Recorded::Unchanged
        );
        assert_eq!(fs::read(&snap)?, before);
        let failure = failure_of(record(dir.path(), &id(90), "2\n", WritePolicy::Pending)?);
        assert!(failure.contains("-1\n+2"), "{failure}");
        Ok(())
    }

    #[test]
    fn out_of_date_metadata_is_refreshed_locally_and_fails_in_ci() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let snap = dir.path().join("ch01-x__a-b.py.snap");
        let twin = |torch| SnapshotId {
            code: "print(1)\n",
            twin: Some(Twin { torch }),
            ..id(3)
        };
        record(dir.path(), &twin("2.15.0"), "1\n", WritePolicy::Accept)?;
        let failure = failure_of(record(dir.path(), &twin("2.16.0"), "1\n", WritePolicy::Nothing)?);
        assert!(failure.contains("out-of-date metadata"), "{failure}");
        assert_eq!(
            record(dir.path(), &twin("2.16.0"), "1\n", WritePolicy::Pending)?,
            Recorded::Refreshed(snap.clone())
        );
        let refreshed = Snapshot::from_file(&snap).map_err(|e| anyhow!("{e}"))?;
        let description = refreshed.metadata().description().unwrap_or_default().to_string();
        assert_eq!(description, "PyTorch twin of block `a-b`, run with torch 2.16.0");
        let failure = failure_of(record(dir.path(), &twin("2.16.0"), "2\n", WritePolicy::Pending)?);
        assert!(
            failure.contains("-1\n+2"),
            "a changed output is never refreshed: {failure}"
        );
        Ok(())
    }

    #[test]
    fn orphans_are_snapshots_without_blocks() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let ours = "---\nsource: \"book/ch01-x.md\"\ndescription: \"block `gone` at book/ch01-x.md:3\"\n---\n1\n";
        for name in [
            "ch01-x__a.snap",
            "ch01-x__gone.snap",
            "ch01-x__gone.snap.new",
            "ch02-y__b.snap",
            "notes.txt",
        ] {
            fs::write(dir.path().join(name), ours)?;
        }
        // Not the verifier's: another test's snapshot, and a file that only
        // has the name of one. Neither is ever an orphan.
        fs::write(
            dir.path().join("ch01-x__other-test.snap"),
            "---\nsource: src/lib.rs\nexpression: x\n---\n1\n",
        )?;
        fs::write(dir.path().join("ch01-x__not-insta.snap"), "my notes\n")?;
        let expected = HashSet::from(["ch01-x__a.snap".to_string()]);
        let found = orphans_among(dir.path(), &expected, &HashSet::from(["ch02-y".to_string()]))?;
        let names: Vec<_> = found
            .iter()
            .map(|p| p.file_name().unwrap_or_default().to_string_lossy())
            .collect();
        assert_eq!(names, ["ch01-x__gone.snap", "ch01-x__gone.snap.new"]);
        Ok(())
    }
}

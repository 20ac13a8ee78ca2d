//! Verdicts remembered between runs, so that a warm `cargo xtask verify`
//! re-runs only what changed.
//!
//! A block, a twin or the workspace's tests that passed is recorded with a
//! *fingerprint* of everything its verdict depends on; the next run skips it
//! only when the fingerprint is the same. What goes into each fingerprint:
//!
//! - a Rust block: its executable's identity (path, size, modification time:
//!   cargo rewrites the file whenever the block, the engine or a dependency
//!   changes), how it is run (mode, time limit, the `AUTOGRAD_KERNEL` it
//!   forces) and its snapshot's bytes;
//! - a PyTorch twin: its code, its time limit, its snapshot's bytes and the
//!   Python it would run with (interpreter and installed torch version); a
//!   Python found only on `PATH` is never trusted, so its twins always run;
//! - the workspace's tests: the bytes of every file of the repository (as
//!   `git ls-files` lists them, untracked ones included), the toolchain
//!   (`rustc -vV`), `PATH` and `AUTOGRAD_KERNEL`.
//!
//! A failure erases the record, so a failing block runs again every time.
//! A Rust block whose runs printed different things is remembered apart, by
//! its executable's identity: until the executable changes, it fails
//! without being trusted again, even if its runs happen to agree.
//! `CI=true` and `--no-cache` use no cache at all: a fresh clone proves
//! everything from scratch. The file lives in the target directory
//! (`target/xtask/verified.json`): `cargo clean` forgets it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::UNIX_EPOCH;

use anyhow::Result;
use serde::{Deserialize, Serialize};

use crate::hash::Fnv1a;

/// The cache file's format; a file of another version is ignored.
const VERSION: u32 = 2;

#[derive(Serialize, Deserialize, Default)]
struct Stored {
    version: u32,
    /// What passed, by id (`block ch02-scalars/square`), with its fingerprint.
    passed: BTreeMap<String, String>,
    /// The blocks seen printing two different outputs, by id, with their
    /// executable's identity then.
    #[serde(default)]
    unstable: BTreeMap<String, String>,
}

/// The remembered passes of one run: loaded at the start, saved at the end.
pub struct VerdictCache {
    /// `None`: caching is off; nothing is read or written.
    path: Option<PathBuf>,
    stored: Stored,
}

impl VerdictCache {
    /// The cache under `target_dir`, or an inactive one when `enabled` is
    /// false. A missing, unreadable or outdated file is an empty cache.
    pub fn load(target_dir: &Path, enabled: bool) -> Self {
        if !enabled {
            return VerdictCache {
                path: None,
                stored: Stored::default(),
            };
        }
        let path = target_dir.join("xtask/verified.json");
        let stored = std::fs::read(&path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Stored>(&bytes).ok())
            .filter(|stored| stored.version == VERSION)
            .unwrap_or_default();
        VerdictCache {
            path: Some(path),
            stored,
        }
    }

    /// Whether the cache is in use: when it is not, no fingerprint is needed.
    pub fn is_active(&self) -> bool {
        self.path.is_some()
    }

    /// Whether `id` passed before with exactly this fingerprint.
    pub fn is_fresh(&self, id: &str, fingerprint: Option<&Fingerprint>) -> bool {
        match (&self.path, fingerprint) {
            (Some(_), Some(fingerprint)) => self.stored.passed.get(id) == Some(&fingerprint.hex()),
            _ => false,
        }
    }

    /// Remembers that `id` passed with this fingerprint (`None`: it cannot be
    /// fingerprinted, so it is forgotten instead).
    pub fn record_pass(&mut self, id: &str, fingerprint: Option<&Fingerprint>) {
        match fingerprint {
            Some(fingerprint) if self.path.is_some() => {
                self.stored.passed.insert(id.to_string(), fingerprint.hex());
            }
            _ => self.forget(id),
        }
    }

    /// Forgets `id`: it failed, or could not be checked.
    pub fn forget(&mut self, id: &str) {
        self.stored.passed.remove(id);
    }

    /// Remembers that block `id`, built as `executable`, printed two
    /// different outputs: it is never trusted again until it is rebuilt.
    pub fn mark_unstable(&mut self, id: &str, executable: &Path) {
        self.forget(id);
        if let (Some(_), Some(identity)) = (&self.path, Self::identity(executable)) {
            self.stored.unstable.insert(id.to_string(), identity);
        }
    }

    /// Whether block `id` printed two different outputs before, built as
    /// `executable` is now.
    pub fn was_unstable(&self, id: &str, executable: &Path) -> bool {
        self.path.is_some()
            && Self::identity(executable).is_some_and(|identity| self.stored.unstable.get(id) == Some(&identity))
    }

    /// Forgets that block `id` was unstable: it has been rebuilt since.
    pub fn clear_unstable(&mut self, id: &str) {
        self.stored.unstable.remove(id);
    }

    fn identity(executable: &Path) -> Option<String> {
        Fingerprint::new("executable")
            .file_identity(executable)
            .map(|f| f.hex())
    }

    /// Writes the cache back (atomically); an inactive cache writes nothing.
    pub fn save(&mut self) -> Result<()> {
        let Some(path) = &self.path else { return Ok(()) };
        self.stored.version = VERSION;
        crate::atomic::write(path, serde_json::to_string_pretty(&self.stored)?.as_bytes())
    }
}

/// A hash ([`crate::hash`]) of everything a verdict depends on, fed piece
/// by piece. Each piece is length-prefixed, so `("ab", "c")` and `("a", "bc")`
/// differ.
#[derive(Clone)]
pub struct Fingerprint(Fnv1a);

impl Fingerprint {
    /// A fingerprint of a kind of thing (`"block"`, `"twin"`, …).
    pub fn new(kind: &str) -> Self {
        Fingerprint(Fnv1a::default()).bytes(kind.as_bytes())
    }

    /// Adds bytes.
    pub fn bytes(mut self, bytes: &[u8]) -> Self {
        self.0.write(&(bytes.len() as u64).to_le_bytes());
        self.0.write(bytes);
        self
    }

    /// Adds text.
    pub fn text(self, text: &str) -> Self {
        self.bytes(text.as_bytes())
    }

    /// Adds a file's bytes, or the fact that it does not exist.
    pub fn file_contents(self, path: &Path) -> Self {
        match std::fs::read(path) {
            Ok(bytes) => self.text("file").bytes(&bytes),
            Err(_) => self.text("no file"),
        }
    }

    /// Adds a file's identity: its path, size and modification time (for
    /// large files that only change by being rewritten, like executables).
    /// `None` when the file cannot be read: then nothing can be trusted.
    pub fn file_identity(self, path: &Path) -> Option<Self> {
        let metadata = std::fs::metadata(path).ok()?;
        let modified = metadata.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
        Some(
            self.text(&path.display().to_string())
                .bytes(&metadata.len().to_le_bytes())
                .bytes(&modified.as_nanos().to_le_bytes()),
        )
    }

    /// Adds every file under `dir`, in a stable order, with its path
    /// relative to `dir`; a missing directory adds that fact.
    pub fn tree(mut self, dir: &Path) -> Self {
        let mut files = Vec::new();
        let mut pending = vec![dir.to_path_buf()];
        while let Some(current) = pending.pop() {
            let Ok(entries) = std::fs::read_dir(&current) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    pending.push(path);
                } else {
                    files.push(path);
                }
            }
        }
        files.sort();
        self = self.text(&format!("{} files", files.len()));
        for file in files {
            let relative = file.strip_prefix(dir).unwrap_or(&file).to_string_lossy().into_owned();
            self = self.text(&relative).file_contents(&file);
        }
        self
    }

    /// Whether two fingerprints are of the same inputs.
    pub fn same_as(&self, other: &Fingerprint) -> bool {
        self.0 == other.0
    }

    fn hex(&self) -> String {
        self.0.hex()
    }
}

/// A fingerprint of what the workspace's tests can depend on: every file of
/// the repository, the toolchain and `PATH`. `None` outside a git checkout
/// (then the tests always run).
pub fn workspace_fingerprint(root: &Path) -> Option<Fingerprint> {
    let listed = Command::new("git")
        .current_dir(root)
        .args(["ls-files", "-z", "--cached", "--others", "--exclude-standard"])
        .output()
        .ok()
        .filter(|out| out.status.success())?;
    let mut files: Vec<&[u8]> = listed.stdout.split(|&b| b == 0).filter(|f| !f.is_empty()).collect();
    files.sort_unstable();
    files.dedup();
    let toolchain = Command::new(std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into()))
        .arg("-vV")
        .output()
        .ok()
        .filter(|out| out.status.success())?;
    let mut fingerprint = Fingerprint::new("workspace tests")
        .bytes(&toolchain.stdout)
        .text(&std::env::var("PATH").unwrap_or_default())
        .text(&std::env::var("AUTOGRAD_KERNEL").unwrap_or_default())
        .text(&crate::tools::availability());
    for file in files {
        let relative = String::from_utf8_lossy(file);
        fingerprint = fingerprint.text(&relative).file_contents(&root.join(&*relative));
    }
    Some(fingerprint)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pass_is_fresh_only_with_the_same_fingerprint_and_a_failure_forgets_it() {
        let dir = tempfile::tempdir().unwrap();
        let a = Fingerprint::new("block").text("one");
        let b = Fingerprint::new("block").text("two");
        let mut cache = VerdictCache::load(dir.path(), true);
        assert!(!cache.is_fresh("x", Some(&a)));
        cache.record_pass("x", Some(&a));
        cache.save().unwrap();
        let mut cache = VerdictCache::load(dir.path(), true);
        assert!(cache.is_fresh("x", Some(&a)));
        assert!(!cache.is_fresh("x", Some(&b)));
        assert!(
            !cache.is_fresh("x", None),
            "what cannot be fingerprinted is never fresh"
        );
        cache.forget("x");
        assert!(!cache.is_fresh("x", Some(&a)));
    }

    #[test]
    fn an_inactive_cache_remembers_nothing_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let a = Fingerprint::new("block");
        let mut cache = VerdictCache::load(dir.path(), false);
        cache.record_pass("x", Some(&a));
        assert!(!cache.is_fresh("x", Some(&a)));
        cache.save().unwrap();
        assert!(!dir.path().join("xtask").exists());
    }

    #[test]
    fn pieces_are_length_prefixed() {
        let ab_c = Fingerprint::new("k").text("ab").text("c").hex();
        let a_bc = Fingerprint::new("k").text("a").text("bc").hex();
        assert_ne!(ab_c, a_bc);
    }

    #[test]
    fn a_corrupt_cache_file_is_an_empty_cache() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("xtask")).unwrap();
        std::fs::write(dir.path().join("xtask/verified.json"), "{ not json").unwrap();
        let cache = VerdictCache::load(dir.path(), true);
        assert!(!cache.is_fresh("x", Some(&Fingerprint::new("block"))));
    }
}

//! What the fixture-book tests share: a temporary workspace laid out like the
//! project's, with one of `tests/fixtures/<case>/` as its book.
//!
//! The fixtures' blocks are plain Rust: the workspace's `autograd` and
//! `ndarray` are empty stand-ins, so each build compiles a few tiny binaries
//! and nothing else. Each workspace also has its own target directory. A
//! shared one would save nothing (there are no dependencies to share) and
//! would let tests running in parallel overwrite each other's binaries,
//! which cargo copies to one place per name.

// Each test file uses its own part of this module.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

use std::time::Duration;

use anyhow::{Context, Result};
use tempfile::TempDir;
use xtask::layout::Layout;
use xtask::report::Report;
pub use xtask::tools::{Tool, needed_by_test};
use xtask::verify::Options;

pub struct Fixture {
    // Held for its `Drop`: the workspace is deleted when the test ends.
    _dir: TempDir,
    pub layout: Layout,
}

impl Fixture {
    /// A workspace laid out like the project's, with the fixture `case` as its book.
    pub fn new(case: &str) -> Result<Self> {
        let dir = tempfile::tempdir()?;
        let root = dir.path().to_path_buf();
        write(
            &root.join("Cargo.toml"),
            "[workspace]\nresolver = \"3\"\nmembers = [\"crates/*\"]\n\n\
             [workspace.package]\nedition = \"2024\"\nlicense = \"MIT OR Apache-2.0\"\n\n\
             [workspace.dependencies]\nndarray = { path = \"stubs/ndarray\" }\n",
        )?;
        // Chapter crates depend on the engine and on ndarray: empty stand-ins here.
        for (dir, name) in [("crates/autograd", "autograd"), ("stubs/ndarray", "ndarray")] {
            write(
                &root.join(dir).join("Cargo.toml"),
                &format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2024\"\n"),
            )?;
            write(&root.join(dir).join("src/lib.rs"), "//! A stand-in.\n")?;
        }
        write(
            &root.join("book.toml"),
            "[book]\nsrc = \"book\"\n\n[build]\nbuild-dir = \"target/book\"\ncreate-missing = false\n\n\
             [preprocessor.verified-output]\ncommand = \"false\"\nbefore = [\"links\"]\n",
        )?;
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(case);
        fs::create_dir_all(root.join("book"))?;
        for entry in fs::read_dir(&source).with_context(|| format!("no fixture {}", source.display()))? {
            let path = entry?.path();
            // A fixture's own engine (`engine/`) replaces the stand-in.
            if path.is_dir() && path.file_name().is_some_and(|name| name == "engine") {
                for file in xtask::layout::files_under(&path)? {
                    let copy = root.join("crates/autograd").join(file.strip_prefix(&path)?);
                    write(&copy, &fs::read_to_string(&file)?)?;
                }
                continue;
            }
            let copy = root.join("book").join(path.file_name().unwrap_or_default());
            fs::copy(&path, &copy).with_context(|| format!("cannot copy {} to {}", path.display(), copy.display()))?;
        }
        let layout = Layout {
            book_dir: root.join("book"),
            crates_dir: root.join("crates"),
            snapshots_dir: root.join("tests/snapshots"),
            target_dir: root.join("target"),
            root,
        };
        Ok(Fixture { _dir: dir, layout })
    }

    /// A path inside the workspace.
    pub fn path(&self, relative: &str) -> PathBuf {
        self.layout.root.join(relative)
    }
}

/// The verifier's options for a test: quiet, a 10 s limit, no cache, the
/// default Python; each test changes what it is about.
pub fn options(update: bool, ci: bool) -> Options {
    Options {
        update,
        force: false,
        ci,
        timeout: Duration::from_secs(10),
        // Nested cargo output would only clutter the tests' own.
        show_cargo_progress: false,
        python: None,
        use_cache: false,
        // Fixture workspaces have no tests of their own.
        workspace_tests: false,
        book_check: true,
    }
}

/// Writes a file, creating its directory.
pub fn write(path: &Path, contents: &str) -> Result<()> {
    fs::create_dir_all(path.parent().context("a path with a parent")?)?;
    fs::write(path, contents).with_context(|| format!("cannot write {}", path.display()))
}

/// The message of the failure reported at `location` (`file:line`).
pub fn failure_at(report: &Report, location: &str) -> String {
    match report.failures().iter().find(|(at, _)| at == location) {
        Some((_, message)) => message.clone(),
        None => panic!("no failure at {location}; the report:\n{}", report.summary()),
    }
}

pub fn assert_contains(text: &str, expected: &str) {
    assert!(text.contains(expected), "expected {expected:?} in:\n{text}");
}

/// A `python3` that imports a stand-in `torch` (version `0.0.0+fixture`), so
/// the twin tests run the real runner without PyTorch. `None` where there
/// is no `python3` (outside CI; in CI that fails: [`needed_by_test`]).
pub fn python_with_stand_in_torch(dir: &Path) -> Result<Option<PathBuf>> {
    if !needed_by_test(Tool::Python) {
        return Ok(None);
    }
    write(
        &dir.join("stand-in/torch/__init__.py"),
        "__version__ = \"0.0.0+fixture\"\n",
    )?;
    let wrapper = dir.join("python-with-torch");
    write(
        &wrapper,
        &format!(
            "#!/bin/sh\nPYTHONPATH='{}' exec python3 \"$@\"\n",
            dir.join("stand-in").display()
        ),
    )?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&wrapper, fs::Permissions::from_mode(0o755))?;
    }
    Ok(Some(wrapper))
}

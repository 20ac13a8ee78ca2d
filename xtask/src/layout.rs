//! Where things are, and what they are called: the repository's layout, the
//! paths messages show, and the rule that names a chapter's crate and
//! snapshots after its file.
//!
//! Every path comes from a [`Layout`], never from the current directory, so
//! the tests can verify small fixture books in temporary workspaces.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// Where the book, the chapter crates, the snapshots and the build live.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The workspace root: its `Cargo.toml` lists the chapter crates as members.
    pub root: PathBuf,
    pub book_dir: PathBuf,
    pub crates_dir: PathBuf,
    pub snapshots_dir: PathBuf,
    pub target_dir: PathBuf,
}

impl Layout {
    /// The project's layout under `root`. The target directory is
    /// `CARGO_TARGET_DIR` when set (as cargo itself does), else `root/target`.
    pub fn of_workspace(root: &Path) -> Result<Self> {
        let target_dir = match std::env::var_os("CARGO_TARGET_DIR") {
            Some(dir) => std::path::absolute(dir).context("cannot resolve CARGO_TARGET_DIR")?,
            None => root.join("target"),
        };
        Ok(Layout {
            root: root.to_path_buf(),
            book_dir: root.join("book"),
            crates_dir: root.join("crates"),
            snapshots_dir: root.join("tests/snapshots"),
            target_dir,
        })
    }

    /// `path` as messages show it: relative to the root when inside it.
    pub fn shown(&self, path: &Path) -> PathBuf {
        display_path(&self.root, path)
    }

    /// The crates directory relative to the root, as the compiler names the
    /// files in it.
    pub fn crates_rel(&self) -> PathBuf {
        self.shown(&self.crates_dir)
    }

    /// Where runs write their temporary files and directories.
    pub fn scratch(&self) -> PathBuf {
        self.target_dir.join("xtask/scratch")
    }
}

/// The repository `cargo xtask` works on: the parent of the `xtask` package
/// that cargo ran (`cargo run` tells the program its package's directory in
/// `CARGO_MANIFEST_DIR`, at run time), else the first directory from `cwd`
/// upwards with a `book.toml` and a `Cargo.toml`. Never the path compiled
/// into the program: with a target directory shared by two checkouts, that
/// would be whichever built it last.
pub fn workspace_root(manifest_dir: Option<&Path>, cwd: &Path) -> Result<PathBuf> {
    let is_root = |dir: &Path| dir.join("book.toml").is_file() && dir.join("Cargo.toml").is_file();
    if let Some(root) = manifest_dir.and_then(Path::parent).filter(|dir| is_root(dir)) {
        return Ok(root.to_path_buf());
    }
    cwd.ancestors()
        .find(|dir| is_root(dir))
        .map(Path::to_path_buf)
        .with_context(|| {
            format!(
                "{} is not inside the book's repository (no directory above it has a book.toml and a \
             Cargo.toml): run `cargo xtask` in the repository",
                cwd.display()
            )
        })
}

/// Every file under `dir`, at any depth, sorted: the one walk of a
/// directory the verifier's stages share.
pub fn files_under(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(&current).with_context(|| format!("cannot list {}", current.display()))? {
            let entry = entry.with_context(|| format!("cannot list {}", current.display()))?;
            if entry.file_type()?.is_dir() {
                pending.push(entry.path());
            } else {
                found.push(entry.path());
            }
        }
    }
    found.sort();
    Ok(found)
}

/// `path` relative to `root` when it is inside it, for messages.
pub fn display_path(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

/// The name of a chapter's crate, and the prefix of its snapshots: the
/// chapter's file stem (`ch02-scalars` for `book/ch02-scalars.md`).
pub fn chapter_crate_name(chapter: &Path) -> String {
    chapter.file_stem().unwrap_or_default().to_string_lossy().into_owned()
}

/// Whether `name` can name a chapter crate or a block: lowercase letters,
/// digits and `-`, starting with a letter.
pub fn is_kebab(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_is_the_checkout_cargo_ran_not_the_one_compiled_in() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        for checkout in [&a, &b] {
            std::fs::create_dir_all(checkout.join("xtask"))?;
            std::fs::create_dir_all(checkout.join("book/sub"))?;
            std::fs::write(checkout.join("book.toml"), "")?;
            std::fs::write(checkout.join("Cargo.toml"), "")?;
        }
        // `cargo run` in checkout a, from anywhere.
        assert_eq!(workspace_root(Some(&a.join("xtask")), &b.join("book/sub"))?, a);
        // The program run directly: the checkout it is run in.
        assert_eq!(workspace_root(None, &b.join("book/sub"))?, b);
        // A manifest directory that is no book's is not trusted.
        assert_eq!(workspace_root(Some(dir.path()), &b)?, b);
        let error = workspace_root(None, dir.path()).unwrap_err();
        assert!(
            error.to_string().contains("not inside the book's repository"),
            "{error}"
        );
        Ok(())
    }

    #[test]
    fn chapters_name_their_crates() {
        assert_eq!(chapter_crate_name(Path::new("book/ch02-scalars.md")), "ch02-scalars");
        assert!(is_kebab("ch02-scalars") && !is_kebab("Ch_3") && !is_kebab("2x"));
    }
}

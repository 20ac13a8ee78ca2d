//! The code the built book hands its reader, offline: in `downloads/` of the
//! built book, one archive per chapter crate (`ch02-scalars.tar.gz`: the
//! chapter's programs with the engine, as [`copy_out::chapter_crate`] makes
//! them), and one of the whole workspace (`autograd-book.tar.gz`: the book,
//! the engine, every chapter crate and the verifier, every file the
//! repository holds, so that `cargo xtask verify` and `cargo xtask new` run
//! in it). Each unpacks into a directory named after it. The introduction
//! links them all, and each chapter links its own above its first program
//! ([`crate::render`]); the book's link check finds a link to an archive
//! that is not there.
//!
//! gzip-compressed tar, which `tar -xzf` unpacks on Linux, macOS and
//! Windows 10 and later; the same files make the same bytes (fixed times,
//! owners and modes), so an unchanged archive never looks new.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::copy_out;
use crate::extract;

/// The directory of the built book that holds the archives.
pub const DIR: &str = "downloads";

/// The name of the whole workspace's archive, and of its directory.
pub const WORKSPACE: &str = "autograd-book";

/// The file name of an archive: `ch02-scalars.tar.gz`.
pub fn file_name(name: &str) -> String {
    format!("{name}.tar.gz")
}

/// Writes every archive into `html_dir/downloads/` and returns their paths:
/// one per chapter crate, then the workspace's.
pub fn write_all(root: &Path, html_dir: &Path) -> Result<Vec<PathBuf>> {
    // Builds are no part of the repository, wherever they are.
    let builds = [
        crate::layout::Layout::of_workspace(root)?.target_dir,
        html_dir.to_path_buf(),
    ];
    let book = extract::read_book(root, &root.join("book"))?;
    let dir = html_dir.join(DIR);
    fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut written = Vec::new();
    for name in copy_out::chapter_crates(&book) {
        let (_, files) = copy_out::chapter_crate(root, &book, &name, &name)?;
        let files = files
            .into_iter()
            .map(|(path, text)| (path, text.into_bytes(), false))
            .collect();
        written.push(write_archive(&dir, &name, files)?);
    }
    written.push(write_archive(&dir, WORKSPACE, workspace_files(root, &builds)?)?);
    Ok(written)
}

/// A file in an archive: its path, its bytes, whether it is a program.
type Entry = (PathBuf, Vec<u8>, bool);

/// `dir/<name>.tar.gz`, holding `files` under `<name>/`.
fn write_archive(dir: &Path, name: &str, files: Vec<Entry>) -> Result<PathBuf> {
    let path = dir.join(file_name(name));
    let encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut archive = tar::Builder::new(encoder);
    for (file, bytes, executable) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(if executable { 0o755 } else { 0o644 });
        header.set_mtime(0);
        let inside = Path::new(name).join(&file);
        archive
            .append_data(&mut header, &inside, bytes.as_slice())
            .with_context(|| format!("cannot add {} to {}", inside.display(), path.display()))?;
    }
    let bytes = archive.into_inner()?.finish()?;
    fs::write(&path, &bytes).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path)
}

/// Every file of the repository at `root`: what `.gitignore` does not
/// exclude, outside `.git`, `target` and the directories `builds`, in a
/// fixed order.
pub fn workspace_files(root: &Path, builds: &[PathBuf]) -> Result<Vec<Entry>> {
    let ignore = fs::read_to_string(root.join(".gitignore")).unwrap_or_default();
    let mut rules = Ignored::parse(&ignore)?;
    rules.paths = [".git", "target"]
        .iter()
        .map(PathBuf::from)
        .chain(
            builds
                .iter()
                .filter_map(|dir| dir.strip_prefix(root).ok().map(Path::to_path_buf)),
        )
        .collect();
    let mut files = Vec::new();
    walk(root, Path::new(""), &rules, &mut files)?;
    Ok(files)
}

fn walk(root: &Path, relative: &Path, rules: &Ignored, files: &mut Vec<Entry>) -> Result<()> {
    let dir = root.join(relative);
    let mut entries = fs::read_dir(&dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .collect::<std::io::Result<Vec<_>>>()?;
    entries.sort_by_key(fs::DirEntry::file_name);
    for entry in entries {
        let path = relative.join(entry.file_name());
        let kind = entry.file_type()?;
        if rules.excludes(&path, kind.is_dir()) {
            continue;
        }
        if kind.is_dir() {
            walk(root, &path, rules, files)?;
        } else if kind.is_file() {
            let bytes = fs::read(entry.path()).with_context(|| format!("cannot read {}", path.display()))?;
            files.push((path, bytes, is_executable(&entry.metadata()?)));
        }
    }
    Ok(())
}

#[cfg(unix)]
fn is_executable(metadata: &fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    metadata.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn is_executable(_: &fs::Metadata) -> bool {
    false
}

/// The rules of a `.gitignore` this repository uses: a name or a `*`
/// pattern matched against each path's last component (`*.snap.new`), a
/// leading `/` anchoring it to the root (`/target`), a trailing `/` making it
/// match directories only (`__pycache__/`). Any other rule is an error, so
/// that no file slips into an archive that git would leave out, or the
/// reverse. Besides, whole paths from the root.
struct Ignored {
    rules: Vec<Rule>,
    paths: Vec<PathBuf>,
}

struct Rule {
    pattern: String,
    anchored: bool,
    directory_only: bool,
}

impl Ignored {
    fn parse(text: &str) -> Result<Self> {
        let mut rules = Vec::new();
        for (number, line) in text.lines().enumerate() {
            let line = line.trim_end();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let anchored = line.starts_with('/');
            let directory_only = line.ends_with('/');
            let pattern = line.trim_start_matches('/').trim_end_matches('/');
            if pattern.is_empty() || pattern.contains(['/', '!', '?', '[', '\\']) || pattern.contains("**") {
                bail!(
                    ".gitignore:{}: `{line}` is a rule the workspace archive cannot follow \
                     (xtask/src/downloads.rs knows names, `*`, a leading and a trailing `/`)",
                    number + 1
                );
            }
            rules.push(Rule {
                pattern: pattern.to_string(),
                anchored,
                directory_only,
            });
        }
        Ok(Ignored {
            rules,
            paths: Vec::new(),
        })
    }

    fn excludes(&self, path: &Path, is_dir: bool) -> bool {
        let name = path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
        let at_root = path.components().count() == 1;
        self.paths.iter().any(|excluded| excluded == path)
            || self.rules.iter().any(|rule| {
                (!rule.anchored || at_root) && (!rule.directory_only || is_dir) && glob_matches(&rule.pattern, &name)
            })
    }
}

/// Whether `name` matches `pattern`, in which `*` stands for any run of characters.
fn glob_matches(pattern: &str, name: &str) -> bool {
    let Some((first, rest)) = pattern.split_once('*') else {
        return pattern == name;
    };
    let Some(mut remaining) = name.strip_prefix(first) else {
        return false;
    };
    let mut parts: Vec<&str> = rest.split('*').collect();
    let last = parts.pop().unwrap_or_default();
    for part in parts {
        match remaining.find(part) {
            Some(at) => remaining = &remaining[at + part.len()..],
            None => return false,
        }
    }
    remaining.len() >= last.len() && remaining.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gitignore_rules_match_as_git_matches_them() -> Result<()> {
        let rules = Ignored::parse("# generated\n/target\n*.snap.new\n__pycache__/\n\n")?;
        assert!(rules.excludes(Path::new("target"), true));
        assert!(!rules.excludes(Path::new("xtask/target"), true), "anchored to the root");
        assert!(rules.excludes(Path::new("tests/snapshots/a__b.snap.new"), false));
        assert!(!rules.excludes(Path::new("tests/snapshots/a__b.snap"), false));
        assert!(rules.excludes(Path::new("xtask/src/__pycache__"), true));
        assert!(
            !rules.excludes(Path::new("xtask/src/__pycache__"), false),
            "directories only"
        );
        assert!(glob_matches("*", "anything"));
        assert!(glob_matches("a*b*c", "aXbYc"));
        assert!(!glob_matches("a*b*c", "aXcYb"));
        assert!(!glob_matches("*.snap.new", ".snap.ne"));
        let error = Ignored::parse("/target\nsrc/*.rs\n")
            .err()
            .context("a rule it cannot follow")?;
        assert!(
            error.to_string().starts_with(".gitignore:2: `src/*.rs` is a rule"),
            "{error}"
        );
        Ok(())
    }

    #[test]
    fn an_archive_unpacks_into_its_directory_with_its_modes_and_the_same_bytes_each_time() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let files = || {
            vec![
                (PathBuf::from("Cargo.toml"), b"[package]\n".to_vec(), false),
                (PathBuf::from(".ci/run"), b"#!/bin/sh\n".to_vec(), true),
            ]
        };
        let path = write_archive(dir.path(), "ch01-x", files())?;
        assert_eq!(path, dir.path().join("ch01-x.tar.gz"));
        let first = fs::read(&path)?;
        write_archive(dir.path(), "ch01-x", files())?;
        assert_eq!(first, fs::read(&path)?, "the same files, the same bytes");

        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(first.as_slice()));
        let mut seen = Vec::new();
        for entry in archive.entries()? {
            let mut entry = entry?;
            let mut text = String::new();
            std::io::Read::read_to_string(&mut entry, &mut text)?;
            seen.push((entry.path()?.display().to_string(), entry.header().mode()?, text));
        }
        assert_eq!(
            seen,
            [
                ("ch01-x/Cargo.toml".to_string(), 0o644, "[package]\n".to_string()),
                ("ch01-x/.ci/run".to_string(), 0o755, "#!/bin/sh\n".to_string()),
            ]
        );
        Ok(())
    }
}

//! `cargo xtask new <chapter> <dir>`: a chapter's crate copied out of the
//! repository as a standalone crate, the start of a reader's own experiments.
//!
//! The chapter crates under `crates/` belong to the workspace (they inherit
//! its `ndarray` and find the engine at `../autograd`), so a
//! plain `cp -r` does not build elsewhere. The copy gets a manifest of its
//! own: an explicit edition, the engine by absolute path, `ndarray` as the
//! workspace names it, the workspace's `[profile.dev*]` sections (so the
//! blocks run as fast as in the book), short binary names (the block names)
//! and an empty `[workspace]` table, so that it never joins a workspace
//! above the directory it is written to. The workspace's `rustfmt.toml` goes
//! with it: the code is formatted with those settings.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::extract::{self, Chapter};
use crate::generate::{GeneratedCrate, HEADER_MARK};

/// What [`new_crate`] wrote.
#[derive(Debug)]
pub struct Copied {
    /// The chapter crate it was copied from (`ch02-scalars`).
    pub chapter: String,
    /// The new crate's package name.
    pub package: String,
    /// Its binaries' names, in the chapter's order: the block names.
    pub bins: Vec<String>,
}

impl Copied {
    /// What to type next, for `dir`.
    pub fn next_steps(&self, dir: &Path) -> String {
        let first = self.bins.first().map_or("", String::as_str);
        format!(
            "new: wrote {} (package `{}`, {} program(s) from {})\n\
             next:\n  cd {} && cargo run --bin {first}\n\
             programs: {}",
            dir.display(),
            self.package,
            self.bins.len(),
            self.chapter,
            shell_word(&dir.display().to_string()),
            self.bins.join(", ")
        )
    }
}

/// Writes the standalone copy of `chapter` (a crate name such as
/// `ch02-scalars`, or a chapter number: `2`, `02`) into `dir`, which must
/// not exist or be empty. `root` is the workspace root. The chapter's
/// programs are its compiled blocks, read from the book, and their files
/// the ones its committed crate holds.
pub fn new_crate(root: &Path, chapter: &str, dir: &Path) -> Result<Copied> {
    let book = extract::read_book(root, &root.join("book"))?;
    let with_crates: Vec<&Chapter> = book.iter().filter(|c| c.compiled_blocks().next().is_some()).collect();
    let names: Vec<String> = with_crates.iter().map(|c| c.crate_name.clone()).collect();
    let name = resolve_chapter(&names, chapter)?;
    let chapter = with_crates
        .iter()
        .find(|c| c.crate_name == name)
        .context("a chapter just resolved")?;
    let source = root.join("crates").join(&name);
    let bins: Vec<Bin> = chapter
        .compiled_blocks()
        .map(|(_, rust)| Bin {
            path: GeneratedCrate::bin_path(&rust.name),
            short_name: rust.name.clone(),
        })
        .collect();
    ensure_empty(dir)?;
    let package = package_name(dir);
    let engine = root
        .join("crates/autograd")
        .canonicalize()
        .with_context(|| format!("cannot find the engine at {}", root.join("crates/autograd").display()))?;
    let root_manifest = fs::read_to_string(root.join("Cargo.toml"))
        .with_context(|| format!("cannot read {}", root.join("Cargo.toml").display()))?;
    let ndarray = workspace_dependency(&root_manifest, "ndarray")
        .context("the workspace's Cargo.toml has no `ndarray` in [workspace.dependencies]")?;

    let mut files: Vec<(PathBuf, String)> = Vec::new();
    for bin in &bins {
        let from = source.join(&bin.path);
        let text = fs::read_to_string(&from).with_context(|| {
            format!(
                "cannot read {} (run `cargo xtask verify` to generate the chapter's crate)",
                from.display()
            )
        })?;
        files.push((bin.path.clone(), own_header(&text)));
    }
    files.push((
        PathBuf::from("Cargo.toml"),
        manifest(&package, &name, &engine, &ndarray, &profiles(&root_manifest), &bins),
    ));
    files.push((PathBuf::from(".gitignore"), "/target\n".into()));
    // The code is formatted with the workspace's rustfmt settings: with them,
    // `cargo fmt` in the copy leaves it as it is.
    if let Ok(settings) = fs::read_to_string(root.join("rustfmt.toml")) {
        files.push((PathBuf::from("rustfmt.toml"), settings));
    }
    for (path, text) in &files {
        let path = dir.join(path);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        }
        fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(Copied {
        chapter: name,
        package,
        bins: bins.into_iter().map(|b| b.short_name).collect(),
    })
}

/// Refuses a `dir` that exists and is not empty.
fn ensure_empty(dir: &Path) -> Result<()> {
    if dir.exists() {
        let mut entries =
            fs::read_dir(dir).with_context(|| format!("{} exists and cannot be listed", dir.display()))?;
        if entries.next().is_some() {
            bail!("{} exists and is not empty: give a new directory", dir.display());
        }
    }
    Ok(())
}

/// The crate `wanted` names: a crate name, or a chapter number (`2`, `02`)
/// that matches `chNN-…`. Anything else is an error that lists the names.
pub fn resolve_chapter(available: &[String], wanted: &str) -> Result<String> {
    if available.iter().any(|name| name == wanted) {
        return Ok(wanted.to_string());
    }
    if let Ok(number) = wanted.parse::<u32>() {
        let prefix = format!("ch{number:02}-");
        if let Some(name) = available.iter().find(|name| name.starts_with(&prefix)) {
            return Ok(name.clone());
        }
    }
    bail!(
        "no chapter crate `{wanted}`; the chapters are (by name, or chNN by its number NN):\n  {}",
        available.join("\n  ")
    )
}

/// One `[[bin]]` of a chapter crate.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Bin {
    /// `src/bin/square.rs`
    path: PathBuf,
    /// `square`: the block's name, the file's stem.
    short_name: String,
}

/// The right-hand side of `name = …` in `[workspace.dependencies]`, as
/// written (`{ version = "0.17", features = [...] }`), for one-line entries.
fn workspace_dependency(root_manifest: &str, name: &str) -> Option<String> {
    let mut in_section = false;
    for line in root_manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_section = line == "[workspace.dependencies]";
        } else if in_section
            && let Some(rest) = line.strip_prefix(name)
            && let Some(value) = rest.trim_start().strip_prefix('=')
        {
            return Some(value.trim().to_string());
        }
    }
    None
}

/// The workspace manifest's `[profile.dev…]` sections as written, with the
/// comments inside them.
fn profiles(root_manifest: &str) -> String {
    let mut out = String::new();
    let mut keep = false;
    for line in root_manifest.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            keep = trimmed.starts_with("[profile.dev");
        }
        if keep {
            out.push_str(line);
            out.push('\n');
        }
    }
    out.trim_end().to_string() + "\n"
}

/// The copy's manifest.
fn manifest(package: &str, chapter: &str, engine: &Path, ndarray: &str, profiles: &str, bins: &[Bin]) -> String {
    let mut text = format!(
        "# Copied from the book's chapter crate `{chapter}` by `cargo xtask new`: yours to edit.\n\
         [package]\n\
         name = \"{package}\"\n\
         version = \"0.1.0\"\n\
         edition = \"2024\"\n\
         publish = false\n\
         # Only the binaries listed below; delete this line to have cargo find\n\
         # every file in src/bin/ by itself.\n\
         autobins = false\n\
         \n\
         [dependencies]\n\
         # The engine, in the book's repository.\n\
         autograd = {{ path = {} }}\n\
         ndarray = {ndarray}\n\
         \n\
         # Not part of any workspace above this directory.\n\
         [workspace]\n\
         \n\
         # As in the book's workspace: the blocks run at the speed the book's\n\
         # checks ran them.\n\
         {profiles}",
        toml_string(&engine.display().to_string())
    );
    for bin in bins {
        text.push_str(&format!(
            "\n[[bin]]\nname = {}\npath = {}\n",
            toml_string(&bin.short_name),
            toml_string(&bin.path.display().to_string().replace('\\', "/"))
        ));
    }
    text
}

/// A generated binary's first line (`// book/…, block `x`: generated from
/// the book: edit the chapter, not this file.`) rewritten: the copy is the
/// reader's to edit.
fn own_header(text: &str) -> String {
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
    // Whatever follows the mark (a checksum, say) is the generator's business.
    match first.find(&format!(": {HEADER_MARK}")) {
        Some(end) => format!("{}: copied from the book; yours to edit.\n{rest}", &first[..end]),
        None => text.to_string(),
    }
}

/// A Cargo package name from the directory's file name: letters, digits,
/// `-` and `_`, not starting with a digit, not the name of a dependency.
fn package_name(dir: &Path) -> String {
    let raw = dir
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut name: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    name = name.trim_matches('-').to_string();
    if name.is_empty() {
        name = "autograd-experiments".into();
    } else if name.starts_with(|c: char| c.is_ascii_digit()) {
        name = format!("my-{name}");
    }
    if matches!(name.as_str(), "autograd" | "ndarray" | "num-traits" | "test") {
        name.push_str("-copy");
    }
    name
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `s` quoted for a POSIX shell when it needs it.
fn shell_word(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "/._-~+:=,@".contains(c)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chapters_resolve_by_name_or_number() {
        let names = vec![
            "ch02-scalars".to_string(),
            "ch10-pytorch-map".into(),
            "introduction".into(),
        ];
        assert_eq!(resolve_chapter(&names, "ch02-scalars").unwrap(), "ch02-scalars");
        assert_eq!(resolve_chapter(&names, "2").unwrap(), "ch02-scalars");
        assert_eq!(resolve_chapter(&names, "02").unwrap(), "ch02-scalars");
        assert_eq!(resolve_chapter(&names, "10").unwrap(), "ch10-pytorch-map");
        assert_eq!(resolve_chapter(&names, "introduction").unwrap(), "introduction");
        let error = resolve_chapter(&names, "ch99").unwrap_err().to_string();
        assert!(error.contains("no chapter crate `ch99`"), "{error}");
        assert!(
            error.contains("\n  ch02-scalars\n  ch10-pytorch-map\n  introduction"),
            "{error}"
        );
    }

    #[test]
    fn reads_dependencies_and_profiles() {
        let root = "[workspace.package]\nndarray = \"no\"\n[workspace.dependencies]\n\
                    ndarray = { version = \"0.17\", features = [\"x\"] }\n\n\
                    # keep\n[profile.dev.package.\"*\"]\nopt-level = 3\n\n[profile.bench]\ndebug = true\n";
        assert_eq!(
            workspace_dependency(root, "ndarray").unwrap(),
            "{ version = \"0.17\", features = [\"x\"] }"
        );
        assert_eq!(profiles(root), "[profile.dev.package.\"*\"]\nopt-level = 3\n");
    }

    #[test]
    fn names_and_headers() {
        assert_eq!(package_name(Path::new("/tmp/My Autograd!")), "my-autograd");
        assert_eq!(package_name(Path::new("2024-notes")), "my-2024-notes");
        assert_eq!(package_name(Path::new("autograd")), "autograd-copy");
        assert_eq!(package_name(Path::new("/")), "autograd-experiments");
        assert_eq!(
            own_header(&format!(
                "// book/ch.md, block `a`: {HEADER_MARK}. fnv1a=80a5\nfn main() {{}}\n"
            )),
            "// book/ch.md, block `a`: copied from the book; yours to edit.\nfn main() {}\n"
        );
        assert_eq!(toml_string("C:\\a \"b\""), "\"C:\\\\a \\\"b\\\"\"");
        assert_eq!(shell_word("/tmp/x"), "/tmp/x");
        assert_eq!(shell_word("/tmp/a b"), "'/tmp/a b'");
    }
}

//! A chapter's code as a standalone crate, the start of a reader's own
//! experiments: `cargo xtask new <chapter> <dir>` writes it into a
//! directory, and the built book offers it as a download
//! ([`crate::downloads`]). Both are the same files ([`chapter_crate`]).
//!
//! The chapter crates under `crates/` belong to the workspace (they inherit
//! its `ndarray` and find the engine at `../autograd`), so a plain `cp -r`
//! does not build elsewhere. The copy carries the engine with it, in
//! `autograd/`, under a manifest of its own: nothing inherited from the
//! workspace, and no dev-dependencies or benches, which need the
//! repository. So it builds wherever it is unpacked. Its own manifest names
//! the edition, the engine by the relative path `autograd`, `ndarray` as the
//! workspace names it, the workspace's `[profile.dev*]` sections (so the
//! blocks run as fast as in the book), the chapter's first program as
//! `default-run` (so a bare `cargo run` runs it), and an empty `[workspace]`
//! table, so that it never joins a workspace above it. Its programs are
//! `src/bin/<block>.rs`, found by cargo's own rule, so a file the reader
//! adds there is a program too. The workspace's `rustfmt.toml` and licences
//! go with it.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail, ensure};

use crate::extract::{self, Chapter, Mode};
use crate::generate::{self, GeneratedCrate};
use crate::rustfmt::EDITION;

/// What a copy holds, for the words that go with it.
#[derive(Debug)]
pub struct Copied {
    /// The chapter crate it was copied from (`ch02-scalars`).
    pub chapter: String,
    /// The new crate's package name.
    pub package: String,
    /// Its programs' names, in the chapter's order: the block names.
    pub bins: Vec<String>,
    /// The program a bare `cargo run` runs: the chapter's first that runs.
    pub default_run: Option<String>,
    /// A starting point ([`new_stage_crate`]): its engine is the book's as
    /// of the start of the chapter.
    pub starts_chapter: bool,
    /// An exercise ([`crate::exercise`]): the functions left to write.
    pub exercises: Vec<crate::exercise::Exercise>,
}

impl Copied {
    /// What to type next, for `dir`.
    pub fn next_steps(&self, dir: &Path) -> String {
        let run = match &self.default_run {
            Some(_) => "cargo run".to_string(),
            None => format!("cargo run --bin {}", self.bins.first().map_or("", String::as_str)),
        };
        if !self.exercises.is_empty() {
            let functions: Vec<String> = self
                .exercises
                .iter()
                .map(|e| format!("  {} ({}, \"{}\")", e.name, e.shown_at, e.section))
                .collect();
            return format!(
                "new: wrote {} (package `{}`: the engine as {} ends it, in autograd/, with {} function(s) \
                 left for you to write, and tests in tests/exercise/: the chapter's {} program(s), \
                 PyTorch's cases and gradient checks of the functions)\n\
                 next: cd {} && cargo test --test exercise\n  \
                 a failing test says what differs from the book or from PyTorch, and which functions to \
                 read; a function still to write panics with `todo!`, naming the listing to read\n\
                 to write:\n{}",
                dir.display(),
                self.package,
                self.chapter,
                self.exercises.len(),
                self.bins.len(),
                shell_word(&dir.display().to_string()),
                functions.join("\n")
            );
        }
        if self.starts_chapter {
            return format!(
                "new: wrote {} (package `{}`: {} program(s) from {}, and in autograd/ the engine as the book \
                 has built it by the start of {})\n\
                 next: type the chapter's listings into autograd/, each where its caption says, then\n  \
                 cd {} && {run}\n\
                 programs: {}",
                dir.display(),
                self.package,
                self.bins.len(),
                self.chapter,
                self.chapter,
                shell_word(&dir.display().to_string()),
                self.bins.join(", ")
            );
        }
        format!(
            "new: wrote {} (package `{}`: {} program(s) from {}, and the engine in autograd/)\n\
             next:\n  cd {} && {run}\n\
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

/// A crate as files: paths relative to its directory, and their text.
pub type Files = Vec<(PathBuf, String)>;

/// Writes the standalone copy of `chapter` (a crate name such as
/// `ch02-scalars`, or a chapter number: `2`, `02`) into `dir`, which must
/// not exist or be empty. `root` is the workspace root. The package is
/// named after `dir`.
pub fn new_crate(root: &Path, chapter: &str, dir: &Path) -> Result<Copied> {
    let book = extract::read_book(root, &root.join("book"))?;
    let name = resolve_chapter(&chapter_crates(&book), chapter)?;
    ensure_outside(root, dir)?;
    ensure_empty(dir)?;
    let (copied, files) = chapter_crate(root, &book, &name, &package_name(dir))?;
    write_files(dir, &files)?;
    Ok(copied)
}

/// Writes the reader's starting point for `chapter` into `dir`: the copy
/// [`new_crate`] writes, with the engine as the book has shown it by the
/// start of the chapter (the stage of the chapter before it) in place of
/// the finished one. Its engine builds as it is; the chapter's programs
/// build once the reader has typed the chapter's listings into it.
pub fn new_stage_crate(root: &Path, chapter: &str, dir: &Path) -> Result<Copied> {
    let book = extract::read_book(root, &root.join("book"))?;
    let name = resolve_chapter(&chapter_crates(&book), chapter)?;
    ensure_outside(root, dir)?;
    ensure_empty(dir)?;
    let (mut copied, files) = chapter_crate(root, &book, &name, &package_name(dir))?;
    copied.starts_chapter = true;
    let index = book
        .iter()
        .position(|c| c.crate_name == name)
        .context("the chapter is in the book")?;
    let showings = crate::stages::Showings::read(root, &book)?;
    let stage = showings.files_at(crate::stages::Position {
        chapter: index,
        line: 0,
    });
    let text =
        |lines: &[crate::stages::StageLine]| -> String { lines.iter().map(|l| format!("{}\n", l.text)).collect() };
    let mut files: Files = files
        .into_iter()
        .filter(|(path, _)| !path.starts_with("autograd"))
        .collect();
    let manifest = match stage.get(Path::new("Cargo.toml")) {
        Some(lines) => text(lines),
        None => format!("[package]\nname = \"autograd\"\nversion = \"0.1.0\"\nedition = \"{EDITION}\"\n"),
    };
    files.push((PathBuf::from("autograd/Cargo.toml"), manifest));
    if !stage.contains_key(Path::new("src/lib.rs")) {
        let first = &book[index].display_path;
        let lib = format!(
            "//! The engine, built from the book: {} starts it here.\n",
            first.display()
        );
        files.push((PathBuf::from("autograd/src/lib.rs"), lib));
    }
    for (path, lines) in &stage {
        if path.starts_with("src") {
            files.push((Path::new("autograd").join(path), text(lines)));
        }
    }
    // The lock of the finished engine names dependencies the stage may not
    // have yet: cargo writes the stage's own on its first build.
    files.retain(|(path, _)| path != Path::new("Cargo.lock"));
    write_files(dir, &files)?;
    Ok(copied)
}

/// Writes the copy [`new_crate`] writes, with `engine` (paths under
/// `autograd/`, and the tests beside them) in place of the finished engine,
/// and `dev_dependencies` added to its manifest: a chapter's exercise
/// ([`crate::exercise`]).
pub fn new_crate_with_engine(
    root: &Path,
    chapter: &str,
    dir: &Path,
    engine: Files,
    dev_dependencies: &str,
    exercises: Vec<crate::exercise::Exercise>,
) -> Result<Copied> {
    let book = extract::read_book(root, &root.join("book"))?;
    ensure_outside(root, dir)?;
    ensure_empty(dir)?;
    let (mut copied, files) = chapter_crate(root, &book, chapter, &package_name(dir))?;
    copied.exercises = exercises;
    let mut files: Files = files
        .into_iter()
        .filter(|(path, _)| !path.starts_with("autograd") && path != Path::new("Cargo.lock"))
        .map(|(path, text)| match path == Path::new("Cargo.toml") {
            true => (path, text + dev_dependencies),
            false => (path, text),
        })
        .collect();
    files.extend(engine);
    write_files(dir, &files)?;
    Ok(copied)
}

/// The names of the chapters that have a crate: a compiled block.
pub fn chapter_crates(book: &[Chapter]) -> Vec<String> {
    book.iter()
        .filter(|c| c.compiled_blocks().next().is_some())
        .map(|c| c.crate_name.clone())
        .collect()
}

/// The files of the standalone copy of the chapter crate `name`, its package
/// named `package`. Its programs come from the chapter's blocks, as the
/// committed chapter crate's do ([`generate::program_text`]).
pub fn chapter_crate(root: &Path, book: &[Chapter], name: &str, package: &str) -> Result<(Copied, Files)> {
    let chapter = book
        .iter()
        .find(|c| c.crate_name == name)
        .with_context(|| format!("no chapter has the crate `{name}`"))?;
    let root_manifest = read(&root.join("Cargo.toml"))?;
    let ndarray = workspace_dependency(&root_manifest, "ndarray")
        .context("the workspace's Cargo.toml has no `ndarray` in [workspace.dependencies]")?;

    let mut files = Files::new();
    let mut bins = Vec::new();
    let mut default_run = None;
    for (_, rust) in chapter.compiled_blocks() {
        let header = format!(
            "// {}, block `{}`: copied from the book; yours to edit.\n",
            chapter.display_path.display(),
            rust.name
        );
        let program = generate::program_text(&rust.code);
        files.push((GeneratedCrate::bin_path(&rust.name), header + &program));
        if default_run.is_none() && rust.mode == Mode::Run {
            default_run = Some(rust.name.clone());
        }
        bins.push(rust.name.clone());
    }
    let manifest = manifest(
        package,
        name,
        default_run.as_deref(),
        &ndarray,
        &profiles(&root_manifest),
    );
    files.push((PathBuf::from("Cargo.toml"), manifest));
    let readme = readme(package, &chapter.display_path, default_run.as_deref(), &bins);
    files.push((PathBuf::from("README.md"), readme));
    files.push((PathBuf::from(".gitignore"), "/target\n".into()));
    let engine = engine(root, &root_manifest)?;
    files.extend(engine.files);
    // The versions the book was verified with: the workspace's lock, cut
    // down to what the copy uses.
    let members = [
        Member {
            name: package.to_string(),
            version: COPY_VERSION.to_string(),
            dependencies: vec!["autograd".to_string(), "ndarray".to_string()],
        },
        Member {
            name: "autograd".to_string(),
            version: engine.version,
            dependencies: engine.dependencies,
        },
    ];
    let lock = root.join("Cargo.lock");
    if lock.is_file() {
        files.push((PathBuf::from("Cargo.lock"), lockfile(&read(&lock)?, &members)?));
    }
    // The code is formatted with the workspace's rustfmt settings: with them,
    // `cargo fmt` in the copy leaves it as it is.
    for shared in ["rustfmt.toml", "LICENSE-MIT", "LICENSE-APACHE"] {
        let path = root.join(shared);
        if path.is_file() {
            files.push((PathBuf::from(shared), read(&path)?));
        }
    }
    let copied = Copied {
        chapter: name.to_string(),
        package: package.to_string(),
        bins,
        default_run,
        starts_chapter: false,
        exercises: Vec::new(),
    };
    Ok((copied, files))
}

/// The version of a copy's own package.
const COPY_VERSION: &str = "0.1.0";

/// The engine as a copy carries it.
struct Engine {
    /// In `autograd/`: its sources, and a manifest with what it inherits
    /// from the workspace written out.
    files: Files,
    version: String,
    /// The names of its dependencies.
    dependencies: Vec<String>,
}

/// A package of a copy, as its lock file records it.
struct Member {
    name: String,
    version: String,
    dependencies: Vec<String>,
}

fn engine(root: &Path, root_manifest: &str) -> Result<Engine> {
    let dir = root.join("crates/autograd");
    let manifest: toml::Table = read(&dir.join("Cargo.toml"))?
        .parse()
        .context("cannot parse crates/autograd/Cargo.toml")?;
    let workspace: toml::Table = root_manifest
        .parse()
        .context("cannot parse the workspace's Cargo.toml")?;
    // `key.workspace = true` becomes the workspace's value of `key`.
    let section = |name: &str| -> Result<String> {
        let mut text = format!("[{name}]\n");
        let mut entries: Vec<_> = manifest
            .get(name)
            .and_then(toml::Value::as_table)
            .into_iter()
            .flatten()
            .collect();
        // A package's name and version first, as manifests are written.
        entries.sort_by_key(|(key, _)| (key.as_str() != "name", key.as_str() != "version", key.as_str()));
        for (key, value) in entries {
            let value = if value.get("workspace").and_then(toml::Value::as_bool) == Some(true) {
                workspace
                    .get("workspace")
                    .and_then(|w| w.get(name))
                    .and_then(|s| s.get(key))
                    .with_context(|| format!("[workspace.{name}] has no `{key}`, which crates/autograd inherits"))?
            } else {
                value
            };
            text.push_str(&format!("{key} = {value}\n"));
        }
        Ok(text)
    };
    let text = format!(
        "# The book's engine, copied from its repository's crates/autograd.\n{}\n{}",
        section("package")?,
        section("dependencies")?
    );
    let mut files = vec![(PathBuf::from("autograd/Cargo.toml"), text)];
    for path in crate::layout::files_under(&dir.join("src"))? {
        let relative = path.strip_prefix(&dir).context("a file under the engine's src/")?;
        files.push((Path::new("autograd").join(relative), read(&path)?));
    }
    let dependencies = manifest
        .get("dependencies")
        .and_then(toml::Value::as_table)
        .map(|table| table.keys().cloned().collect())
        .unwrap_or_default();
    let version = manifest
        .get("package")
        .and_then(|p| p.get("version"))
        .and_then(toml::Value::as_str)
        .context("crates/autograd/Cargo.toml has no version")?
        .to_string();
    Ok(Engine {
        files,
        version,
        dependencies,
    })
}

/// The workspace's `Cargo.lock` cut down to a copy whose own packages are
/// `members` (each with the names of its dependencies): their entries, and
/// the locked entries they reach, as cargo writes them, so that `cargo build
/// --locked` accepts it.
fn lockfile(workspace_lock: &str, members: &[Member]) -> Result<String> {
    let (head, body) = workspace_lock
        .split_once("\n[[package]]\n")
        .context("Cargo.lock has no [[package]]")?;
    let entries: Vec<&str> = body.split("\n[[package]]\n").collect();
    let parsed: toml::Table = workspace_lock.parse().context("cannot parse Cargo.lock")?;
    let packages = parsed
        .get("package")
        .and_then(toml::Value::as_array)
        .context("Cargo.lock has no packages")?;
    let field =
        |package: &toml::Value, key: &str| package.get(key).and_then(toml::Value::as_str).unwrap_or("").to_string();
    // A dependency is written `name`, or `name version` where several
    // versions are locked.
    let find = |dependency: &str| {
        let mut words = dependency.split(' ');
        let (name, version) = (words.next().unwrap_or(""), words.next());
        packages
            .iter()
            .position(|p| field(p, "name") == name && version.is_none_or(|v| field(p, "version") == v))
    };
    let mut reached = vec![false; packages.len()];
    let mut todo: Vec<String> = members.iter().flat_map(|m| m.dependencies.clone()).collect();
    let member_names: Vec<&str> = members.iter().map(|m| m.name.as_str()).collect();
    while let Some(dependency) = todo.pop() {
        if member_names.contains(&dependency.as_str()) {
            continue;
        }
        let index = find(&dependency).with_context(|| format!("Cargo.lock locks no `{dependency}`"))?;
        if std::mem::replace(&mut reached[index], true) {
            continue;
        }
        let deps = packages[index].get("dependencies").and_then(toml::Value::as_array);
        todo.extend(
            deps.into_iter()
                .flatten()
                .filter_map(toml::Value::as_str)
                .map(String::from),
        );
    }
    ensure!(
        entries.len() == packages.len(),
        "Cargo.lock: {} [[package]] headers for {} packages",
        entries.len(),
        packages.len()
    );
    let mut kept: Vec<(String, String, String)> = packages
        .iter()
        .zip(&entries)
        .zip(&reached)
        .filter(|(_, reached)| **reached)
        .map(|((package, entry), _)| {
            (
                field(package, "name"),
                field(package, "version"),
                entry.trim_end().to_string(),
            )
        })
        .collect();
    for member in members {
        let mut dependencies = member.dependencies.clone();
        dependencies.sort();
        let list: String = dependencies.iter().map(|d| format!(" \"{d}\",\n")).collect();
        let (name, version) = (&member.name, &member.version);
        kept.push((
            name.clone(),
            version.clone(),
            format!("name = \"{name}\"\nversion = \"{version}\"\ndependencies = [\n{list}]"),
        ));
    }
    kept.sort();
    let body: Vec<String> = kept.into_iter().map(|(_, _, entry)| entry).collect();
    Ok(format!("{head}\n[[package]]\n{}\n", body.join("\n\n[[package]]\n")))
}

fn read(path: &Path) -> Result<String> {
    fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

/// Writes `files` under `dir`.
pub fn write_files(dir: &Path, files: &Files) -> Result<()> {
    for (path, text) in files {
        let path = dir.join(path);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        }
        fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

/// Refuses a `dir` inside the repository at `root`: the copy's own
/// `[workspace]` below the repository's would make every cargo command in
/// the repository fail with "multiple workspace roots found".
fn ensure_outside(root: &Path, dir: &Path) -> Result<()> {
    let root = root
        .canonicalize()
        .with_context(|| format!("cannot resolve {}", root.display()))?;
    let absolute = std::path::absolute(dir).with_context(|| format!("cannot resolve {}", dir.display()))?;
    // The nearest part of the path that exists, resolved (symbolic links
    // included), and the rest as written.
    let existing = absolute.ancestors().find(|a| a.exists()).unwrap_or(&absolute);
    let rest = absolute.strip_prefix(existing).unwrap_or(Path::new(""));
    let resolved = existing
        .canonicalize()
        .unwrap_or_else(|_| existing.to_path_buf())
        .join(rest);
    if resolved.starts_with(&root) {
        bail!(
            "{} is inside the book's repository ({}): the copy is a workspace of its own, and one below the \
             repository's makes every cargo command there fail (\"multiple workspace roots found\"); give a \
             directory outside it, such as ~/my-autograd",
            dir.display(),
            root.display()
        );
    }
    Ok(())
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
    // `3`, `03` or `ch03`.
    if let Ok(number) = wanted.strip_prefix("ch").unwrap_or(wanted).parse::<u32>() {
        let prefix = format!("ch{number:02}-");
        if let Some(name) = available.iter().find(|name| name.starts_with(&prefix)) {
            return Ok(name.clone());
        }
    }
    bail!(
        "no chapter crate `{wanted}`; the chapters are (by name, by chNN or by its number NN):\n  {}",
        available.join("\n  ")
    )
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

/// The workspace manifest's `[profile.dev]` and `[profile.dev.package…]`
/// sections, without their comments (they speak of the workspace's tools).
fn profiles(root_manifest: &str) -> String {
    let mut out = String::new();
    let mut keep = false;
    for line in root_manifest.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            keep = trimmed == "[profile.dev]" || trimmed.starts_with("[profile.dev.package.");
        }
        if keep && !trimmed.is_empty() && !trimmed.starts_with('#') {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// The copy's manifest.
fn manifest(package: &str, chapter: &str, default_run: Option<&str>, ndarray: &str, profiles: &str) -> String {
    let default_run = default_run.map_or_else(String::new, |name| {
        format!(
            "# A bare `cargo run` runs this program; `cargo run --bin <name>` any in src/bin/.\n\
             default-run = {}\n",
            toml_string(name)
        )
    });
    format!(
        "# Copied from the book's chapter crate `{chapter}`: yours to edit.\n\
         [package]\n\
         name = {}\n\
         version = \"{COPY_VERSION}\"\n\
         edition = \"{EDITION}\"\n\
         publish = false\n\
         {default_run}\
         \n\
         [dependencies]\n\
         # The engine, in the directory beside this file.\n\
         autograd = {{ path = \"autograd\" }}\n\
         ndarray = {ndarray}\n\
         \n\
         # Not part of any workspace above this directory.\n\
         [workspace]\n\
         \n\
         # As in the book's workspace: the numeric crates optimized, the rest a\n\
         # little, so the programs run as fast as the book's checks ran them.\n\
         {profiles}",
        toml_string(package)
    )
}

/// The copy's README: what it holds and what to type.
fn readme(package: &str, chapter: &Path, default_run: Option<&str>, bins: &[String]) -> String {
    let run = default_run.map_or_else(String::new, |first| {
        format!("    cargo run                # the chapter's first program, `{first}`\n")
    });
    format!(
        "# {package}\n\n\
         The programs of a chapter of the book *Autograd from scratch, in Rust*\n\
         (`{}`), each one of its blocks as the book's verifier compiled\n\
         and ran it, and the engine they use, in `autograd/`. All of it is yours\n\
         to edit.\n\n\
         {run}    cargo run --bin <name>   # any of them: {}\n\n\
         A file you add to `src/bin/` is a program of its own.\n",
        chapter.display(),
        bins.join(", ")
    )
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
                    # keep\n[profile.dev.package.\"*\"]\nopt-level = 3\n\n[profile.dev.build-override]\n\
                    debug = 1\n# the dev profile\n[profile.dev]\nopt-level = 1\n[profile.bench]\ndebug = true\n";
        assert_eq!(
            workspace_dependency(root, "ndarray").unwrap(),
            "{ version = \"0.17\", features = [\"x\"] }"
        );
        assert_eq!(
            profiles(root),
            "[profile.dev.package.\"*\"]\nopt-level = 3\n[profile.dev]\nopt-level = 1\n"
        );
    }

    #[test]
    fn the_engine_inherits_nothing_and_carries_no_tests() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let root = dir.path();
        let workspace = "[workspace]\nmembers = [\"crates/*\"]\n\n[workspace.package]\nedition = \"2024\"\n\
                         license = \"MIT\"\n\n[workspace.dependencies]\n\
                         ndarray = { version = \"0.17\", features = [\"x\"] }\n";
        let manifest = "[package]\nname = \"autograd\"\nversion = \"0.1.0\"\nedition.workspace = true\n\
                      license.workspace = true\n\n[dependencies]\nndarray.workspace = true\nlibm = \"0.2\"\n\n\
                      [dev-dependencies]\nproptest = \"1\"\n\n[[bench]]\nname = \"w\"\nharness = false\n";
        write_files(
            root,
            &vec![
                (PathBuf::from("crates/autograd/Cargo.toml"), manifest.to_string()),
                (PathBuf::from("crates/autograd/src/lib.rs"), "pub mod a;\n".into()),
                (PathBuf::from("crates/autograd/src/a/b.rs"), "// b\n".into()),
                (PathBuf::from("crates/autograd/tests/t.rs"), "// a test\n".into()),
            ],
        )?;
        let engine = engine(root, workspace)?;
        assert_eq!(engine.dependencies, ["libm", "ndarray"]);
        assert_eq!(engine.version, "0.1.0");
        let files = engine.files;
        let paths: Vec<_> = files.iter().map(|(p, _)| p.display().to_string()).collect();
        assert_eq!(
            paths,
            ["autograd/Cargo.toml", "autograd/src/a/b.rs", "autograd/src/lib.rs"]
        );
        assert_eq!(
            files[0].1,
            "# The book's engine, copied from its repository's crates/autograd.\n[package]\n\
             name = \"autograd\"\nversion = \"0.1.0\"\nedition = \"2024\"\nlicense = \"MIT\"\n\n\
             [dependencies]\nlibm = \"0.2\"\nndarray = { features = [\"x\"], version = \"0.17\" }\n"
        );
        let missing = super::engine(root, "[workspace]\n")
            .err()
            .context("no edition")?
            .to_string();
        assert!(
            missing.contains("[workspace.package] has no `edition`, which crates/autograd inherits"),
            "{missing}"
        );
        Ok(())
    }

    #[test]
    fn names_and_headers() {
        assert_eq!(package_name(Path::new("/tmp/My Autograd!")), "my-autograd");
        assert_eq!(package_name(Path::new("2024-notes")), "my-2024-notes");
        assert_eq!(package_name(Path::new("autograd")), "autograd-copy");
        assert_eq!(package_name(Path::new("/")), "autograd-experiments");
        assert_eq!(toml_string("C:\\a \"b\""), "\"C:\\\\a \\\"b\\\"\"");
        assert_eq!(shell_word("/tmp/x"), "/tmp/x");
        assert_eq!(shell_word("/tmp/a b"), "'/tmp/a b'");
    }
}

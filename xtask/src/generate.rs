//! Stage 2, generate: one crate per chapter under `crates/`, one binary per
//! compiled Rust block, and the check that the committed crates are what the
//! book generates.
//!
//! The crates are committed because readers copy them as starting points, so
//! they must never drift from the book: like rust-analyzer's generated files,
//! a local `verify` rewrites a file that differs and says so, and a CI run,
//! which writes nothing, fails on it. They are formatted as `cargo fmt` would
//! format them ([`crate::rustfmt`]), and they name no chapter line: inserting
//! prose above a block changes none of them. Every generated file starts with
//! a header naming its source and [`HEADER_MARK`];
//! the verifier only ever rewrites or deletes files that carry it. The header
//! ends with a hash of the rest of the file (`fnv1a=<hex>`): a file whose body
//! no longer matches its hash was edited by hand, and the verifier neither
//! rewrites nor deletes it unless told to (`--force`), so no edit is lost in
//! silence. Every file is written atomically ([`crate::atomic`]).

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::extract::{Chapter, RustBlock};
use crate::layout::Layout;
use crate::report::Problem;
use crate::rustfmt::{EDITION, Rustfmt};
use crate::{atomic, hash};

/// The phrase that marks a file as generated, and so as the verifier's to
/// rewrite or delete.
pub const HEADER_MARK: &str = "generated from the book: edit the chapter, not this file";

/// A chapter crate as the book generates it.
#[derive(Debug, Clone)]
pub struct GeneratedCrate {
    pub name: String,
    /// Files relative to the crate directory, with their contents.
    pub files: BTreeMap<PathBuf, String>,
    /// For each block name, how its binary's lines map to the chapter's.
    pub line_maps: BTreeMap<String, LineMap>,
    /// Blocks whose code is not as rustfmt writes it, each with the code as
    /// rustfmt would write it. Their files are generated unformatted, so that
    /// every line still maps to its chapter line; the block fails.
    pub unformatted: BTreeMap<String, String>,
}

impl GeneratedCrate {
    /// The Cargo target name of a block's binary. Binary names share one
    /// output directory across the workspace, so they carry the chapter's name.
    pub fn bin_name(crate_name: &str, block_name: &str) -> String {
        format!("{crate_name}-{block_name}")
    }

    /// The file a block's binary is generated into, relative to the crate.
    pub fn bin_path(block_name: &str) -> PathBuf {
        PathBuf::from(format!("src/bin/{block_name}.rs"))
    }
}

/// Where a block's code sits in its generated file and in its chapter.
#[derive(Debug, Clone)]
pub struct LineMap {
    /// Path of the generated file relative to the workspace root, as the compiler names it.
    pub generated_file: PathBuf,
    /// 1-based line of the generated file holding the block's first line.
    first_generated_line: usize,
    line_count: usize,
    /// Chapter line of the block's first code line.
    first_markdown_line: usize,
    /// Chapter line of the opening fence: where generated lines that have no
    /// chapter line (the header, the `fn main` wrapper) are reported.
    fence_line: usize,
}

impl LineMap {
    /// The chapter line of a line of the generated file.
    pub fn markdown_line(&self, generated_line: usize) -> usize {
        match generated_line.checked_sub(self.first_generated_line) {
            Some(offset) if offset < self.line_count => self.first_markdown_line + offset,
            _ => self.fence_line,
        }
    }

    /// The chapter line of the block's opening fence.
    pub fn fence_line(&self) -> usize {
        self.fence_line
    }
}

/// The crates of the book's chapters, one per chapter with a compiled Rust
/// block, their binaries formatted by rustfmt (one call for the whole book).
///
/// `crates_rel` is the crates directory relative to the workspace root, used
/// to name generated files the way the compiler reports them.
pub fn generate(
    chapters: &[Chapter],
    crates_rel: &Path,
    rustfmt: &Rustfmt,
    scratch: &Path,
) -> Result<Vec<GeneratedCrate>> {
    let binaries: Vec<Vec<Binary>> = chapters
        .iter()
        .map(|chapter| {
            chapter
                .compiled_blocks()
                .map(|(block, rust)| binary(chapter, block.line, rust, crates_rel))
                .collect()
        })
        .collect();
    let sources: Vec<String> = binaries.iter().flatten().map(|b| b.code.clone()).collect();
    let mut formatted = rustfmt.format_all(&sources, scratch)?.into_iter();
    let mut crates = Vec::new();
    for (chapter, binaries) in chapters.iter().zip(binaries) {
        if binaries.is_empty() {
            continue;
        }
        let mut krate = GeneratedCrate {
            name: chapter.crate_name.clone(),
            files: BTreeMap::new(),
            line_maps: BTreeMap::new(),
            unformatted: BTreeMap::new(),
        };
        let mut manifest = manifest_head(chapter);
        for binary in binaries {
            let name = &binary.block_name;
            // `None`: rustfmt cannot parse it; the compiler will say why.
            if let Some(formatted) = formatted.next().flatten()
                && formatted != binary.code
            {
                krate.unformatted.insert(name.clone(), binary.unwrapped(&formatted));
            }
            let path = GeneratedCrate::bin_path(name);
            // `test = false`: a block has no tests, and `cargo test` would
            // otherwise compile every block a second time as a test harness.
            manifest.push_str(&format!(
                "\n[[bin]]\nname = \"{}\"\npath = \"{}\"\ntest = false\n",
                GeneratedCrate::bin_name(&krate.name, name),
                path.display()
            ));
            let header = format!(
                "// {}, block `{name}`: {HEADER_MARK}.\n",
                chapter.display_path.display()
            );
            krate.files.insert(path, seal(&(header + &binary.code)));
            krate.line_maps.insert(name.clone(), binary.line_map);
        }
        krate.files.insert(PathBuf::from("Cargo.toml"), seal(&manifest));
        crates.push(krate);
    }
    Ok(crates)
}

/// The manifest of a chapter's crate, up to its `[[bin]]` tables.
fn manifest_head(chapter: &Chapter) -> String {
    format!(
        "# {}: {HEADER_MARK}.\n\
         [package]\n\
         name = \"{}\"\n\
         version = \"0.0.0\"\n\
         edition = \"{EDITION}\"\n\
         license.workspace = true\n\
         publish = false\n\
         # Only the binaries listed below: a file under src/bin/ that no block\n\
         # generates any more must not be built.\n\
         autobins = false\n\
         \n\
         [dependencies]\n\
         autograd = {{ path = \"../autograd\" }}\n\
         # The tensor chapters build their inputs as ndarray arrays.\n\
         ndarray.workspace = true\n",
        chapter.display_path.display(),
        chapter.crate_name
    )
}

/// A block's binary before formatting: its code below the header line.
struct Binary {
    block_name: String,
    code: String,
    /// Whether the block was wrapped in `fn main() { … }`.
    wrapped: bool,
    line_map: LineMap,
}

impl Binary {
    /// The block's code as rustfmt writes it, from rustfmt's version of the
    /// whole binary: for messages, so only as exact as a message needs.
    fn unwrapped(&self, formatted: &str) -> String {
        if !self.wrapped {
            return formatted.to_string();
        }
        let mut lines: Vec<&str> = formatted.lines().collect();
        if lines.first().is_some_and(|line| line.starts_with("fn main()")) {
            lines.remove(0);
        }
        if lines.last() == Some(&"}") {
            lines.pop();
        }
        lines
            .iter()
            .map(|line| format!("{}\n", line.strip_prefix(INDENT).unwrap_or(line)))
            .collect()
    }
}

/// One level of rustfmt's indentation.
const INDENT: &str = "    ";

/// A block's program as the verifier compiles it, below its generated
/// header: the code with its hidden lines, and a block without `fn main`
/// wrapped in one, as rustdoc does, its lines indented as rustfmt indents a
/// function's body; the lines that continue a multi-line string literal are
/// not, since that would change the string, and so what the block prints.
/// It is also what a block's copy button copies ([`crate::render`]).
pub fn program_text(code: &str) -> String {
    if !is_wrapped(code) {
        return code.to_string();
    }
    let mut program = String::from("fn main() {\n");
    let inside_literals = literal_continuation_lines(code);
    for (i, line) in code.lines().enumerate() {
        if !line.is_empty() && !inside_literals.contains(&i) {
            program.push_str(INDENT);
        }
        program.push_str(line);
        program.push('\n');
    }
    program.push_str("}\n");
    program
}

/// Whether a block's code is wrapped in a `fn main` of the verifier's.
fn is_wrapped(code: &str) -> bool {
    !code.contains("fn main")
}

/// The binary for one block.
fn binary(chapter: &Chapter, fence_line: usize, rust: &RustBlock, crates_rel: &Path) -> Binary {
    let wrapped = is_wrapped(&rust.code);
    let code = program_text(&rust.code);
    let path = GeneratedCrate::bin_path(&rust.name);
    let line_map = LineMap {
        generated_file: crates_rel.join(&chapter.crate_name).join(path),
        // After the header line, and the `fn main` line when wrapped.
        first_generated_line: 2 + usize::from(wrapped),
        line_count: rust.code.lines().count(),
        first_markdown_line: rust.first_code_line,
        fence_line,
    };
    Binary {
        block_name: rust.name.clone(),
        code,
        wrapped,
        line_map,
    }
}

/// The lines of `code` (0-based) that continue a literal begun on an earlier
/// line: a multi-line string, raw string or byte string. Found with
/// proc-macro2's tokenizer, which knows Rust's literals; code it cannot
/// tokenize (unbalanced brackets) is taken to have none, and the compiler
/// will report it.
fn literal_continuation_lines(code: &str) -> HashSet<usize> {
    fn walk(stream: proc_macro2::TokenStream, lines: &mut HashSet<usize>) {
        for tree in stream {
            match tree {
                proc_macro2::TokenTree::Group(group) => walk(group.stream(), lines),
                proc_macro2::TokenTree::Literal(literal) => {
                    let span = literal.span();
                    // 1-based lines: the literal continues on lines start+1..=end,
                    // which are 0-based start..end.
                    lines.extend(span.start().line..span.end().line);
                }
                _ => {}
            }
        }
    }
    let mut lines = HashSet::new();
    if let Ok(stream) = code.parse::<proc_macro2::TokenStream>() {
        walk(stream, &mut lines);
    }
    lines
}

/// Prefix of the hash that ends a generated file's header line.
const HASH_MARK: &str = " fnv1a=";

/// Ends the first line of a generated file with the hash of the lines after it.
fn seal(text: &str) -> String {
    let (header, body) = text.split_once('\n').unwrap_or((text, ""));
    format!("{header}{HASH_MARK}{}\n{body}", hash::of(body.as_bytes()))
}

/// Whether a file in a chapter crate was changed by hand since the verifier
/// wrote it: its header is gone, or its body no longer matches the hash its
/// header records. A header without a hash (written before hashes were) can
/// vouch for nothing, and is taken as generated.
pub fn is_hand_edited(bytes: &[u8]) -> bool {
    let (header, body) = match bytes.iter().position(|&b| b == b'\n') {
        Some(end) => (&bytes[..end], &bytes[end + 1..]),
        None => (bytes, &b""[..]),
    };
    let header = String::from_utf8_lossy(header);
    if !header.contains(HEADER_MARK) {
        return true;
    }
    match header.rsplit_once(HASH_MARK) {
        Some((_, hash)) => hash.trim_end() != hash::of(body),
        None => false,
    }
}

/// Where a generated file says it came from (`book/ch02-scalars.md, block
/// `x``), read from its header, for the message that asks to move an edit
/// into the chapter.
pub fn source_of(path: &Path) -> Option<String> {
    let bytes = fs::read(path).ok()?;
    let first = bytes.split(|&b| b == b'\n').next()?;
    let header = String::from_utf8_lossy(first);
    let (before, _) = header.split_once(&format!(": {HEADER_MARK}"))?;
    Some(before.trim_start_matches(['/', '#', ' ']).to_string())
}

/// A difference between a committed chapter crate and what the book generates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drift {
    pub crate_name: String,
    /// Path relative to the crates directory.
    pub path: PathBuf,
    pub kind: DriftKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DriftKind {
    Missing,
    Differs,
    /// A generated file that no block of the book generates any more.
    Orphan,
    /// A file the book generates, changed by hand since it was written:
    /// rewritten only when forced.
    HandEdited,
    /// An orphan changed by hand since it was written: deleted only when forced.
    HandEditedOrphan,
}

impl DriftKind {
    pub fn is_hand_edited(self) -> bool {
        matches!(self, DriftKind::HandEdited | DriftKind::HandEditedOrphan)
    }

    pub fn is_orphan(self) -> bool {
        matches!(self, DriftKind::Orphan | DriftKind::HandEditedOrphan)
    }
}

impl Drift {
    pub fn describe(&self) -> &'static str {
        match self.kind {
            DriftKind::Missing => "is missing: the book generates it",
            DriftKind::Differs => "differs from what the book generates",
            DriftKind::Orphan => "was generated from a block or chapter that no longer exists",
            DriftKind::HandEdited => "was edited by hand: it no longer matches the hash in its generated header",
            DriftKind::HandEditedOrphan => {
                "was generated from a block or chapter that no longer exists, and edited by hand since"
            }
        }
    }
}

/// What a run may do to the chapter crates.
#[derive(Debug, Clone, Copy)]
pub struct SyncPolicy {
    /// Rewrite files that differ from what the book generates (a local run
    /// or `--update`; a CI run writes nothing).
    pub write: bool,
    /// Collect the orphans for deletion (`--update`, at the end of a run
    /// without failures).
    pub delete_orphans: bool,
    /// Touch files edited by hand too (`--force`).
    pub force: bool,
}

/// What [`sync`] left to do.
#[derive(Debug, Default)]
pub struct Synced {
    /// Crates still out of date: they are not built.
    pub stale: HashSet<String>,
    /// Generated files no block generates any more, that `--update` may
    /// delete once the run has shown no failure.
    pub orphans: Vec<Drift>,
    /// What could not be brought in line, and why.
    pub problems: Vec<Problem>,
}

/// Brings the chapter crates in line with the book as far as `policy`
/// allows, and reports what could not be.
///
/// Like rust-analyzer's generated code, a local run rewrites a file that
/// differs from what the book generates, and says so: the author commits it
/// with the chapter. A CI run writes nothing, so there a difference fails.
/// A file edited by hand is rewritten only with `--force`, and deleting a
/// file that no block generates any more is left to `--update`, at the end
/// of a run without failures. A chapter with an invalid block keeps its
/// files: a typo in an info string must not delete committed work.
pub fn sync(layout: &Layout, policy: SyncPolicy, chapters: &[Chapter], generated: &[GeneratedCrate]) -> Result<Synced> {
    let with_invalid_blocks: HashSet<String> = chapters
        .iter()
        .filter(|c| c.has_invalid_blocks())
        .map(|c| c.crate_name.clone())
        .collect();
    let drifts = check(&layout.crates_dir, generated, &with_invalid_blocks)?;
    let may_write = |drift: &Drift| policy.write && (policy.force || !drift.kind.is_hand_edited());
    let (orphans, others): (Vec<&Drift>, Vec<&Drift>) = drifts.iter().partition(|d| d.kind.is_orphan());
    let writable: Vec<Drift> = others.iter().copied().filter(|d| may_write(d)).cloned().collect();
    apply(&layout.crates_dir, generated, &writable)?;
    let mut synced = Synced::default();
    let crates_rel = layout.crates_rel();
    for drift in others {
        let location = crates_rel.join(&drift.path).display().to_string();
        let source = generated_from(layout, chapters, drift);
        if writable.contains(drift) {
            println!("regenerated {location} from {source}: commit it with the chapter");
            continue;
        }
        synced.stale.insert(drift.crate_name.clone());
        let message = if drift.kind.is_hand_edited() {
            format!(
                "{}; the verifier will not overwrite it: move the edit into the chapter at {source} or pass \
                 --force to discard it",
                drift.describe()
            )
        } else {
            format!(
                "{}; `cargo xtask verify` rewrites it (this run writes nothing: CI is set)",
                drift.describe()
            )
        };
        synced.problems.push(Problem { location, message });
    }
    // A crate none of whose files the book generates: its chapter is gone,
    // or out of SUMMARY.md. One message for it, not one per file.
    let mut whole_crates: BTreeMap<&str, usize> = BTreeMap::new();
    for drift in orphans {
        if policy.delete_orphans && (policy.force || !drift.kind.is_hand_edited()) {
            synced.orphans.push(drift.clone());
            continue;
        }
        if !drift.kind.is_hand_edited() && !generated.iter().any(|k| k.name == drift.crate_name) {
            *whole_crates.entry(drift.crate_name.as_str()).or_default() += 1;
            continue;
        }
        let message = if drift.kind.is_hand_edited() {
            format!(
                "{}; the verifier will not delete it: move the edit into the chapter it came from, or pass \
                 --force with --update to delete it",
                drift.describe()
            )
        } else {
            format!("{}; `cargo xtask verify --update` deletes it", drift.describe())
        };
        let location = crates_rel.join(&drift.path).display().to_string();
        synced.problems.push(Problem { location, message });
    }
    for (crate_name, files) in whole_crates {
        synced.problems.push(Problem {
            location: crates_rel.join(crate_name).display().to_string(),
            message: format!("its {files} file(s): {}", gone_chapter(layout, crate_name)),
        });
    }
    Ok(synced)
}

/// Why nothing makes a chapter's files any more, for one message about all
/// of them: its chapter is out of `SUMMARY.md`, or gone.
pub fn gone_chapter(layout: &Layout, crate_name: &str) -> String {
    let chapter = layout.book_dir.join(format!("{crate_name}.md"));
    if chapter.is_file() {
        format!(
            "{} is not listed in SUMMARY.md, so no block generates these any more; list it again, or \
             `cargo xtask verify --update` deletes them",
            layout.shown(&chapter).display()
        )
    } else {
        format!(
            "their chapter {} no longer exists; `cargo xtask verify --update` deletes them",
            layout.shown(&chapter).display()
        )
    }
}

/// Where a generated file comes from, as messages name it: the block's
/// chapter line (`book/ch02-scalars.md:12 (block `square`)`), or the chapter.
fn generated_from(layout: &Layout, chapters: &[Chapter], drift: &Drift) -> String {
    let Some(chapter) = chapters.iter().find(|c| c.crate_name == drift.crate_name) else {
        return source_of(&layout.crates_dir.join(&drift.path)).unwrap_or_else(|| "the chapter".into());
    };
    let in_crate = drift.path.strip_prefix(&chapter.crate_name).unwrap_or(&drift.path);
    match chapter
        .compiled_blocks()
        .find(|(_, rust)| GeneratedCrate::bin_path(&rust.name) == in_crate)
    {
        Some((block, rust)) => format!(
            "{}:{} (block `{}`)",
            chapter.display_path.display(),
            block.line,
            rust.name
        ),
        None => chapter.display_path.display().to_string(),
    }
}

/// Compares the crates directory with the generated crates.
///
/// Orphans are only looked for in crates not named in `keep`: a chapter with
/// an invalid block still has that block's committed file, and deleting it
/// over a typo in an info string would lose work.
pub fn check(crates_dir: &Path, expected: &[GeneratedCrate], keep: &HashSet<String>) -> Result<Vec<Drift>> {
    let mut drifts = Vec::new();
    for krate in expected {
        let dir = crates_dir.join(&krate.name);
        let manifest = dir.join("Cargo.toml");
        if manifest.exists() && !is_generated(&manifest)? {
            bail!(
                "{} exists and was not generated from the book: rename the chapter `{}.md` \
                 so its crate does not collide with it",
                manifest.display(),
                krate.name
            );
        }
        for (path, contents) in &krate.files {
            let kind = match fs::read(dir.join(path)) {
                Ok(bytes) if bytes == contents.as_bytes() => continue,
                Ok(bytes) if is_hand_edited(&bytes) => DriftKind::HandEdited,
                Ok(_) => DriftKind::Differs,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => DriftKind::Missing,
                Err(e) => return Err(e).with_context(|| format!("cannot read {}", dir.join(path).display())),
            };
            drifts.push(Drift {
                crate_name: krate.name.clone(),
                path: Path::new(&krate.name).join(path),
                kind,
            });
        }
    }
    for (crate_name, path) in generated_files(crates_dir)? {
        let expected_here = expected
            .iter()
            .find(|k| k.name == crate_name)
            .is_some_and(|k| k.files.contains_key(path.strip_prefix(&crate_name).unwrap_or(&path)));
        if !expected_here && !keep.contains(&crate_name) {
            let bytes = fs::read(crates_dir.join(&path))
                .with_context(|| format!("cannot read {}", crates_dir.join(&path).display()))?;
            let kind = if is_hand_edited(&bytes) {
                DriftKind::HandEditedOrphan
            } else {
                DriftKind::Orphan
            };
            drifts.push(Drift { crate_name, path, kind });
        }
    }
    Ok(drifts)
}

/// Makes the crates directory match: writes missing and differing files,
/// deletes orphans (and directories they leave empty). Every drift given is
/// applied, hand-edited files included: the caller filters out what it may
/// not touch. Files are written atomically.
pub fn apply(crates_dir: &Path, expected: &[GeneratedCrate], drifts: &[Drift]) -> Result<()> {
    for drift in drifts {
        let path = crates_dir.join(&drift.path);
        match drift.kind {
            DriftKind::Missing | DriftKind::Differs | DriftKind::HandEdited => {
                let krate = expected.iter().find(|k| k.name == drift.crate_name);
                let relative = drift.path.strip_prefix(&drift.crate_name).unwrap_or(&drift.path);
                let Some(contents) = krate.and_then(|k| k.files.get(relative)) else {
                    bail!("internal error: no generated contents for {}", path.display());
                };
                atomic::write(&path, contents.as_bytes())?;
            }
            DriftKind::Orphan | DriftKind::HandEditedOrphan => {
                fs::remove_file(&path).with_context(|| format!("cannot delete {}", path.display()))?;
                remove_empty_parents(crates_dir, &path);
            }
        }
    }
    Ok(())
}

/// Removes the directories above `path` that are now empty, up to `crates_dir`.
fn remove_empty_parents(crates_dir: &Path, path: &Path) {
    let mut dir = path.parent();
    while let Some(d) = dir {
        // `remove_dir` fails on a directory that still has files: that is the
        // stop condition, not an error.
        if d == crates_dir || fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}

/// Every generated file under the crates directory, as (crate name, path
/// relative to the crates directory). Only directories whose `Cargo.toml` is
/// generated are chapter crates; only files carrying the header are listed.
fn generated_files(crates_dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    let mut found = Vec::new();
    let entries = match fs::read_dir(crates_dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(found),
        Err(e) => return Err(e).with_context(|| format!("cannot list {}", crates_dir.display())),
    };
    for entry in entries {
        let dir = entry?.path();
        let manifest = dir.join("Cargo.toml");
        if !manifest.is_file() || !is_generated(&manifest)? {
            continue;
        }
        let crate_name = dir.file_name().unwrap_or_default().to_string_lossy().into_owned();
        let mut pending = vec![dir.clone()];
        while let Some(current) = pending.pop() {
            for entry in fs::read_dir(&current).with_context(|| format!("cannot list {}", current.display()))? {
                let path = entry?.path();
                if path.is_dir() {
                    pending.push(path);
                } else if is_generated(&path)? {
                    let relative = path.strip_prefix(crates_dir).unwrap_or(&path).to_path_buf();
                    found.push((crate_name.clone(), relative));
                }
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Whether a file's first line carries the generated-file header.
fn is_generated(path: &Path) -> Result<bool> {
    let bytes = fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let first_line = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    Ok(String::from_utf8_lossy(first_line).contains(HEADER_MARK))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::blocks;

    fn chapter(markdown: &str) -> Chapter {
        Chapter {
            display_path: PathBuf::from("book/ch01-test.md"),
            source: PathBuf::from("ch01-test.md"),
            crate_name: "ch01-test".into(),
            blocks: blocks(markdown),
        }
    }

    fn generate_one(ch: &Chapter) -> Option<GeneratedCrate> {
        let scratch = tempfile::tempdir().expect("a temporary directory");
        let rustfmt = Rustfmt::for_workspace(scratch.path());
        let mut crates =
            generate(std::slice::from_ref(ch), Path::new("crates"), &rustfmt, scratch.path()).expect("rustfmt runs");
        crates.pop()
    }

    #[test]
    fn wraps_blocks_without_main_and_maps_lines() {
        let ch = chapter("# T\n\n```rust,name=add\n# let a = 1;\nprintln!(\"{}\", a + 1);\n```\n");
        let krate = generate_one(&ch).expect("a compiled block");
        let source = &krate.files[Path::new("src/bin/add.rs")];
        let (header, body) = source.split_once('\n').expect("a header line");
        let (header, hash) = header.rsplit_once(HASH_MARK).expect("a hash in the header");
        assert_eq!(hash, hash::of(body.as_bytes()));
        assert_eq!(
            &format!("{header}\n{body}"),
            &format!(
                "// book/ch01-test.md, block `add`: {HEADER_MARK}.\nfn main() {{\n    let a = 1;\n    println!(\"{{}}\", a + 1);\n}}\n"
            )
        );
        assert!(krate.unformatted.is_empty(), "{:?}", krate.unformatted);
        let map = &krate.line_maps["add"];
        assert_eq!(map.generated_file, Path::new("crates/ch01-test/src/bin/add.rs"));
        assert_eq!(map.markdown_line(3), 4);
        assert_eq!(map.markdown_line(4), 5);
        assert_eq!(map.markdown_line(2), 3, "the wrapper maps to the fence");
        assert!(krate.files[Path::new("Cargo.toml")].contains("name = \"ch01-test-add\"\npath = \"src/bin/add.rs\""));
    }

    #[test]
    fn no_chapter_line_is_written_into_a_generated_file() {
        let ch = chapter("```rust,name=a\nprintln!(\"a\");\n```\n");
        let moved = chapter("Two lines\nof prose.\n\n```rust,name=a\nprintln!(\"a\");\n```\n");
        let (krate, moved) = (
            generate_one(&ch).expect("a block"),
            generate_one(&moved).expect("a block"),
        );
        assert_eq!(krate.files, moved.files);
        assert_eq!(krate.line_maps["a"].markdown_line(3), 2);
        assert_eq!(moved.line_maps["a"].markdown_line(3), 5);
    }

    #[test]
    fn multi_line_strings_keep_their_lines_and_unformatted_code_is_found() {
        let ch = chapter(
            "```rust,name=s\nlet text = \"one\ntwo\n  three\";\nprintln!(\"{text}\");\n```\n\n\
             ```rust,name=u\nlet x=1;\nprintln!(\"{x}\");\n```\n",
        );
        let krate = generate_one(&ch).expect("compiled blocks");
        assert_eq!(
            krate.files[Path::new("src/bin/s.rs")]
                .split_once('\n')
                .expect("a header")
                .1,
            "fn main() {\n    let text = \"one\ntwo\n  three\";\n    println!(\"{text}\");\n}\n"
        );
        assert!(!krate.unformatted.contains_key("s"), "{:?}", krate.unformatted);
        assert_eq!(krate.unformatted["u"], "let x = 1;\nprintln!(\"{x}\");\n");
        // An unformatted block is generated as written, so its lines map exactly.
        assert!(krate.files[Path::new("src/bin/u.rs")].contains("\n    let x=1;\n"));
    }

    #[test]
    fn keeps_a_main_and_skips_ignored_blocks() {
        let ch = chapter("```rust,name=m\nfn main() {}\n```\n\n```rust,name=i,ignore=later\nnope\n```\n");
        let krate = generate_one(&ch).expect("a compiled block");
        assert!(!krate.files[Path::new("src/bin/m.rs")].contains("fn main() {\nfn main"));
        assert!(!krate.files.contains_key(Path::new("src/bin/i.rs")));
        assert!(generate_one(&chapter("```text\nx\n```\n")).is_none());
    }

    #[test]
    fn check_and_apply_round_trip() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let crates = dir.path();
        let ch = chapter("```rust,name=a\nfn main() {}\n```\n");
        let expected = vec![generate_one(&ch).expect("a compiled block")];
        let none = HashSet::new();
        let drifts = check(crates, &expected, &none)?;
        assert_eq!(drifts.len(), 2);
        assert!(drifts.iter().all(|d| d.kind == DriftKind::Missing));
        apply(crates, &expected, &drifts)?;
        assert!(check(crates, &expected, &none)?.is_empty());

        // A hand-written file in a generated crate is never touched; a
        // generated one that the book no longer makes is an orphan.
        fs::write(crates.join("ch01-test/src/notes.txt"), "mine")?;
        fs::write(
            crates.join("ch01-test/src/bin/old.rs"),
            format!("// x: {HEADER_MARK}.\n"),
        )?;
        let drifts = check(crates, &expected, &none)?;
        assert_eq!(
            drifts,
            vec![Drift {
                crate_name: "ch01-test".into(),
                path: PathBuf::from("ch01-test/src/bin/old.rs"),
                kind: DriftKind::Orphan
            }]
        );
        assert!(check(crates, &expected, &HashSet::from(["ch01-test".to_string()]))?.is_empty());
        apply(crates, &expected, &drifts)?;
        assert!(crates.join("ch01-test/src/notes.txt").exists());

        // The whole crate of a removed chapter goes, directories included.
        let drifts = check(crates, &[], &none)?;
        assert_eq!(drifts.len(), 2);
        apply(crates, &[], &drifts)?;
        assert!(!crates.join("ch01-test/src/bin").exists());
        Ok(())
    }
}

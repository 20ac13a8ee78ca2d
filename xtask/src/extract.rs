//! Stage 1, extract: find every chapter listed in `SUMMARY.md` and every code
//! block in it, and give each block a verdict-to-be (its [`BlockKind`]).
//!
//! Markdown is parsed with pulldown-cmark (the parser mdBook itself uses), so
//! a block the verifier sees is exactly a block the reader sees. Nothing is
//! skipped in silence: a block this module cannot classify becomes
//! [`BlockKind::Invalid`] with a message, and the verifier reports it at its
//! file and line.

use std::collections::HashSet;
use std::ops::Range;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};

use crate::layout::{chapter_crate_name, display_path, is_kebab};

/// A chapter of the book and its code blocks.
#[derive(Debug)]
pub struct Chapter {
    /// Path shown in messages, relative to the workspace root (`book/ch02-scalars.md`).
    pub display_path: PathBuf,
    /// Path relative to the book's source directory, as `SUMMARY.md` links
    /// it (`ch02-scalars.md`).
    pub source: PathBuf,
    /// Name of the generated crate and prefix of its snapshots: the file stem.
    pub crate_name: String,
    pub blocks: Vec<Block>,
}

/// A block of the book, by the names that identify it everywhere: its
/// chapter's crate and, for a Rust block, its name; a twin is known by its
/// Rust block's.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlockId {
    pub crate_name: String,
    pub block: String,
}

impl std::fmt::Display for BlockId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.crate_name, self.block)
    }
}

impl Chapter {
    /// The chapter's page in the rendered book, relative to its root
    /// (`ch02-scalars.html`; a `README.md` is its directory's `index.html`,
    /// as mdBook renders it).
    pub fn page(&self) -> PathBuf {
        if self.source.file_name().is_some_and(|name| name == "README.md") {
            self.source.with_file_name("index.html")
        } else {
            self.source.with_extension("html")
        }
    }

    /// The id of this chapter's block `name`.
    pub fn block_id(&self, name: &str) -> BlockId {
        BlockId {
            crate_name: self.crate_name.clone(),
            block: name.to_string(),
        }
    }

    /// The Rust blocks that are compiled, that is, all except `ignore`d ones.
    pub fn compiled_blocks(&self) -> impl Iterator<Item = (&Block, &RustBlock)> {
        self.blocks.iter().filter_map(|block| match &block.kind {
            BlockKind::Rust(rust) if rust.mode.is_compiled() => Some((block, rust)),
            _ => None,
        })
    }

    /// True when some block of this chapter could not be classified. `--update`
    /// then leaves the chapter's generated files and snapshots alone: a typo
    /// in an info string must not delete a block's committed output.
    pub fn has_invalid_blocks(&self) -> bool {
        self.blocks.iter().any(|b| matches!(b.kind, BlockKind::Invalid(_)))
    }
}

/// One code block, at a line of its chapter.
#[derive(Debug)]
pub struct Block {
    /// 1-based line of the opening fence.
    pub line: usize,
    /// Byte range in the chapter, from the opening fence to the end of the
    /// closing fence: where the book's preprocessor rewrites it.
    pub range: Range<usize>,
    pub kind: BlockKind,
}

#[derive(Debug)]
pub enum BlockKind {
    Rust(RustBlock),
    /// A block shown to the reader as it is and never run: program output
    /// (`text`), configuration (`toml`), shell commands (`console`, `sh`).
    Shown(&'static str),
    /// A `python` block: a PyTorch twin of a Rust block (`python,twin=<name>`),
    /// run with torch and cross-checked against it, or, without `twin=`, a
    /// block only shown.
    Python(PythonBlock),
    /// A listing of the engine's own source (`rust,listing`): mdBook include
    /// lines, shown as the code they name, never compiled as a block.
    Listing(Listing),
    /// An earlier version of an anchored region of the engine
    /// (`rust,listing,version-of=<path>:<anchor>`): the code the stages have
    /// in its place until a later chapter shows the region itself.
    Version(Version),
    /// A block that breaks a rule; the message says which.
    Invalid(String),
}

#[derive(Debug)]
pub struct Listing {
    pub includes: Vec<crate::listing::Include>,
    /// `collapsed`: shown folded, code to copy rather than to read.
    pub collapsed: bool,
    /// `exercise`: its functions are the reader's to write in the chapter's
    /// exercise ([`crate::exercise`]).
    pub exercise: bool,
}

#[derive(Debug)]
pub struct Version {
    /// The region it is a version of.
    pub of: crate::listing::Include,
    pub code: String,
    /// The chapter line of its first code line.
    pub first_code_line: usize,
}

#[derive(Debug)]
pub struct RustBlock {
    pub name: String,
    pub mode: Mode,
    /// The code as the compiler sees it: hidden lines revealed, `##` unescaped.
    /// Line `i` (0-based) of it is line `first_code_line + i` of the chapter.
    pub code: String,
    pub first_code_line: usize,
    /// `graph`: the block prints a graph's DOT text (`to_dot()`) and nothing
    /// else; the book shows the picture Graphviz draws from the snapshot.
    pub graph: bool,
    /// `quiz`: the book hides the verified output behind a "Reveal" control.
    pub quiz: bool,
}

#[derive(Debug)]
pub struct PythonBlock {
    /// The Rust block of the same chapter whose output this one must match.
    /// `None`: shown only, never run.
    pub twin: Option<String>,
    /// `differs`: PyTorch prints other numbers than the Rust block on purpose
    /// (a tie broken the other way, an error the engine does not raise); the
    /// cross-check then requires that they differ, so that the prose saying
    /// so fails when they stop differing.
    pub differs: bool,
    /// The code as written (Python has no hidden lines).
    pub code: String,
    /// Line of the chapter that is line 1 of `code`.
    pub first_code_line: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// Compile, run, snapshot stdout.
    Run,
    /// Compile, run, require a panic, snapshot stdout and the panic message.
    ShouldPanic,
    /// Compile only.
    NoRun,
    /// Neither compiled nor run, for the given reason.
    Ignore(String),
}

impl Mode {
    pub fn runs(&self) -> bool {
        matches!(self, Mode::Run | Mode::ShouldPanic)
    }

    /// Whether the block is compiled: it has a program in the chapter's crate.
    pub fn is_compiled(&self) -> bool {
        !matches!(self, Mode::Ignore(_))
    }
}

/// Languages shown but not run, with the name used in reports.
const SHOWN_LANGUAGES: [&str; 4] = ["text", "toml", "console", "sh"];

/// Reads `SUMMARY.md` and every chapter it lists.
///
/// `book_dir` is where `SUMMARY.md` lives; `root` is what paths in messages
/// are made relative to. Errors here (an unreadable or missing file) stop the
/// verifier: without the chapter list there is nothing to verify.
pub fn read_book(root: &Path, book_dir: &Path) -> Result<Vec<Chapter>> {
    let summary_path = book_dir.join("SUMMARY.md");
    let summary = read_markdown(&summary_path)?;
    let summary_display = display_path(root, &summary_path);
    let mut chapters = Vec::new();
    let mut crate_names = HashSet::new();
    for (line, target) in summary_links(&summary) {
        let path = book_dir.join(&target);
        let display = display_path(root, &path);
        if !path.is_file() {
            bail!(
                "{}:{line}: chapter `{target}` does not exist ({} not found)",
                summary_display.display(),
                display.display()
            );
        }
        let markdown = read_markdown(&path)?;
        let mut blocks = blocks(&markdown);
        check_listings(root, &display, &mut blocks);
        let stem = chapter_crate_name(&path);
        // The file stem names the chapter's crate and snapshots, so it must be
        // a package name, and unique; a chapter without Rust blocks has neither.
        if blocks.iter().any(|b| matches!(b.kind, BlockKind::Rust(_))) {
            check_crate_name(&stem)
                .with_context(|| format!("{}:{line}: chapter `{target}`", summary_display.display()))?;
            if !crate_names.insert(stem.clone()) {
                bail!(
                    "{}:{line}: chapter `{target}` is listed twice, or shares its file name \
                     `{stem}` with another chapter (file names name the chapter crates)",
                    summary_display.display()
                );
            }
        }
        chapters.push(Chapter {
            display_path: display,
            source: PathBuf::from(&target),
            crate_name: stem,
            blocks,
        });
    }
    Ok(chapters)
}

/// The markdown files under `book_dir` that `SUMMARY.md` does not list
/// (SUMMARY.md itself aside), as paths from `root`, sorted: mdBook would
/// leave each out of the book without a word, and so would the verifier.
pub fn unlisted_chapters(root: &Path, book_dir: &Path, chapters: &[Chapter]) -> Result<Vec<PathBuf>> {
    let mut unlisted: Vec<PathBuf> = crate::layout::files_under(book_dir)?
        .into_iter()
        .filter(|path| path.extension().is_some_and(|e| e == "md") && path != &book_dir.join("SUMMARY.md"))
        .map(|path| display_path(root, &path))
        .filter(|shown| !chapters.iter().any(|c| &c.display_path == shown))
        .collect();
    unlisted.sort();
    Ok(unlisted)
}

fn read_markdown(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    markdown_of(path, bytes)
}

/// A chapter's bytes as text, or an error at the file, line and column of
/// the first byte that is not UTF-8.
pub fn markdown_of(path: &Path, bytes: Vec<u8>) -> Result<String> {
    String::from_utf8(bytes).map_err(|error| {
        let bytes = error.as_bytes();
        let at = error.utf8_error().valid_up_to();
        let line = 1 + bytes[..at].iter().filter(|&&b| b == b'\n').count();
        let line_start = bytes[..at].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        anyhow::anyhow!(
            "{}:{line}: not valid UTF-8 (byte 0x{:02x} at byte {} of the line): save the chapter as UTF-8",
            path.display(),
            bytes[at],
            at - line_start + 1
        )
    })
}

/// Checks that a chapter's file stem can name its crate.
fn check_crate_name(stem: &str) -> Result<()> {
    if !is_kebab(stem) {
        bail!(
            "the file name `{stem}` cannot name a crate: use lowercase letters, digits and `-`, \
             starting with a letter (for example `ch02-scalars.md`)"
        );
    }
    Ok(())
}

/// The chapter files `SUMMARY.md` links to, with the line of each link.
/// Draft chapters (`[Title]()`) and external links are not chapters.
fn summary_links(summary: &str) -> Vec<(usize, String)> {
    let lines = LineIndex::new(summary);
    Parser::new(summary)
        .into_offset_iter()
        .filter_map(|(event, range)| match event {
            Event::Start(Tag::Link { dest_url, .. }) if !dest_url.is_empty() && !dest_url.contains("://") => {
                Some((lines.line_of(range.start), dest_url.to_string()))
            }
            _ => None,
        })
        .collect()
}

/// Every code block of a chapter, classified. Also used by the book's
/// preprocessor, which must agree with the verifier on every block.
pub fn blocks(markdown: &str) -> Vec<Block> {
    let mut names = HashSet::new();
    let mut found: Vec<Block> = scan(markdown)
        .into_iter()
        .map(|raw| {
            let mut kind = classify(&raw);
            if let BlockKind::Rust(rust) = &kind
                && !names.insert(rust.name.clone())
            {
                kind = BlockKind::Invalid(format!(
                    "duplicate block name `{}`: names must be unique within a chapter",
                    rust.name
                ));
            }
            Block {
                line: raw.line,
                range: raw.range,
                kind,
            }
        })
        .collect();
    check_twins(&mut found);
    found
}

/// A code block as found in the markdown, before classification.
#[derive(Debug)]
struct RawBlock {
    /// 1-based line of the opening fence (or first line, when indented).
    line: usize,
    /// Byte range in the markdown, from the fence to the end of the closing fence.
    range: Range<usize>,
    /// `None` for an indented code block.
    info: Option<String>,
    content: String,
    terminated: bool,
    /// A line inside the block that opens another fenced block: the line's
    /// number and text. The block's own closing fence is then very likely
    /// missing, and the block swallowed the prose and blocks up to the
    /// next bare fence.
    inner_opening: Option<(usize, String)>,
}

/// Every code block of `markdown`, in order.
fn scan(markdown: &str) -> Vec<RawBlock> {
    let lines = LineIndex::new(markdown);
    let mut found = Vec::new();
    let mut current: Option<RawBlock> = None;
    for (event, range) in Parser::new(markdown).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let info = match kind {
                    CodeBlockKind::Fenced(info) => Some(info.to_string()),
                    CodeBlockKind::Indented => None,
                };
                let terminated = info.is_none() || has_closing_fence(&markdown[range.clone()]);
                let line = lines.line_of(range.start);
                let inner_opening = info
                    .as_ref()
                    .and_then(|_| inner_opening_fence(&markdown[range.clone()]))
                    .map(|(offset, text)| (line + offset, text));
                current = Some(RawBlock {
                    line,
                    range,
                    info,
                    content: String::new(),
                    terminated,
                    inner_opening,
                });
            }
            Event::Text(text) => {
                if let Some(block) = &mut current {
                    block.content.push_str(&text);
                }
            }
            Event::End(TagEnd::CodeBlock) => found.extend(current.take()),
            _ => {}
        }
    }
    found
}

/// Whether a fenced block's source (from its opening fence on) ends with a
/// closing fence. pulldown-cmark, following CommonMark, lets an unclosed
/// fence run to the end of the document (or of its list item or quote);
/// for a book that silently swallows the rest of the chapter, so it is an error.
fn has_closing_fence(source: &str) -> bool {
    let mut lines = source.trim_end_matches(['\n', '\r']).lines();
    let opening = lines.next().unwrap_or_default().trim_start();
    let fence_char = opening.chars().next().unwrap_or('`');
    let fence_len = opening.chars().take_while(|&c| c == fence_char).count();
    let Some(last) = lines.last() else { return false };
    // A closing fence inside a quote or list item carries the container's prefix.
    let last = last
        .trim_start_matches(|c: char| c.is_whitespace() || c == '>')
        .trim_end();
    last.len() >= fence_len && last.chars().all(|c| c == fence_char)
}

/// The first line inside a fenced block (its source from the opening fence
/// on) that looks like the opening fence of another block: a fence of the
/// same character, at least as long, followed by an info string. CommonMark
/// cannot close a block with such a line, so it is the block's content; and
/// since a block cannot contain a fence as long as its own (the first bare
/// one would close it), it is almost surely the next block of the chapter,
/// after a closing fence that was forgotten. Returns the line's offset from
/// the opening fence and its text.
fn inner_opening_fence(source: &str) -> Option<(usize, String)> {
    let mut lines = source.lines();
    let opening = lines.next()?.trim_start();
    let fence_char = opening.chars().next()?;
    let fence_len = opening.chars().take_while(|&c| c == fence_char).count();
    lines.enumerate().find_map(|(i, line)| {
        let trimmed = line.trim_start_matches(|c: char| c.is_whitespace() || c == '>');
        let run = trimmed.chars().take_while(|&c| c == fence_char).count();
        let info = trimmed[run * fence_char.len_utf8()..].trim();
        (run >= fence_len && !info.is_empty()).then(|| (i + 1, line.trim().to_string()))
    })
}

/// Gives a block its kind from its info string.
fn classify(raw: &RawBlock) -> BlockKind {
    match classify_inner(raw) {
        Ok(kind) => kind,
        Err(message) => BlockKind::Invalid(message),
    }
}

fn classify_inner(raw: &RawBlock) -> Result<BlockKind, String> {
    if let Some((line, text)) = &raw.inner_opening {
        return Err(format!(
            "this block's closing fence is missing: line {line} (\"{text}\") opens another block inside \
             it, so this one ran on over the prose and blocks up to the next bare fence; close it \
             before line {line}"
        ));
    }
    if !raw.terminated {
        return Err("unterminated code fence: this block runs to the end of the chapter \
                    (or of its list item); close it with a matching fence"
            .into());
    }
    let Some(info) = &raw.info else {
        return Err("indented code block: use a fenced block with a language \
                    (`text` for program output)"
            .into());
    };
    let mut parts = info.split(',').map(str::trim);
    let language = parts.next().unwrap_or_default();
    let attributes: Vec<&str> = parts.collect();
    match language {
        "" => Err("code block without a language: say `rust,name=...`, or `text` for output".into()),
        // A manifest's listing is `toml,listing`.
        "rust" | "toml" if attributes.contains(&"listing") => match attributes[..] {
            ["listing"] | ["listing", "collapsed"] | ["listing", "exercise"] => crate::listing::parse(&raw.content)
                .map(|includes| {
                    BlockKind::Listing(Listing {
                        includes,
                        collapsed: attributes.contains(&"collapsed"),
                        exercise: attributes.contains(&"exercise"),
                    })
                }),
            ["listing", of] if of.starts_with("version-of=") => {
                let of = crate::listing::parse(&format!("{{{{#include {}}}}}", &of["version-of=".len()..]))?;
                Ok(BlockKind::Version(Version {
                    of: of.into_iter().next().ok_or("`version-of=` names no region")?,
                    code: raw.content.clone(),
                    first_code_line: raw.line + 1,
                }))
            }
            _ => Err(format!(
                "a `{language},listing` block takes no other attribute but `collapsed` (shown folded), \
                 `exercise` (its functions are the reader's to write) or \
                 `version-of=<path>:<anchor>` (an earlier version of that region): it shows the engine's \
                 source, and is never run"
            )),
        },
        "rust" if raw.content.contains("{{#include") => Err("an include line in a Rust block: a block that \
            shows the engine's source is a `rust,listing` block, and holds only its include lines"
            .into()),
        "rust" => rust_block(raw, &attributes).map(BlockKind::Rust),
        "python" => python_block(raw, &attributes).map(BlockKind::Python),
        _ => match SHOWN_LANGUAGES.iter().find(|&&shown| shown == language) {
            Some(shown) => no_attributes(language, &attributes).map(|()| BlockKind::Shown(shown)),
            None => Err(format!(
                "unknown language `{language}`: the verifier knows rust, python, {}",
                SHOWN_LANGUAGES.join(", ")
            )),
        },
    }
}

fn no_attributes(language: &str, attributes: &[&str]) -> Result<(), String> {
    match attributes.first() {
        None => Ok(()),
        Some(attribute) => Err(format!("unknown attribute `{attribute}` on a `{language}` block")),
    }
}

fn python_block(raw: &RawBlock, attributes: &[&str]) -> Result<PythonBlock, String> {
    let mut twin = None;
    let mut differs = false;
    for &attribute in attributes {
        if attribute.trim() == "differs" {
            differs = true;
            continue;
        }
        match attribute.split_once('=').map(|(k, v)| (k.trim(), v.trim())) {
            Some(("twin", name)) if !name.is_empty() => {
                if twin.replace(name.to_string()).is_some() {
                    return Err("`twin` given twice".into());
                }
            }
            Some(("twin", _)) => return Err("`twin` needs the name of a Rust block: `twin=<name>`".into()),
            _ => {
                return Err(format!(
                    "unknown attribute `{attribute}` on a `python` block (known: twin=<rust-block-name>, differs)"
                ));
            }
        }
    }
    if differs && twin.is_none() {
        return Err("`differs` needs `twin=<rust-block-name>`: it says where PyTorch parts from that block".into());
    }
    Ok(PythonBlock {
        twin,
        differs,
        code: raw.content.clone(),
        first_code_line: raw.line + 1,
    })
}

/// Checks every listing's includes against the files they name: a listing
/// that shows nothing (a missing file or anchor, an anchor left open) is
/// invalid, at its line. `chapter` is the chapter's path from `root`.
pub fn check_listings(root: &Path, chapter: &Path, blocks: &mut [Block]) {
    for block in blocks {
        let BlockKind::Listing(listing) = &block.kind else {
            continue;
        };
        let problem = listing
            .includes
            .iter()
            .find_map(|include| crate::listing::resolve(root, chapter, include).err());
        if let Some(message) = problem {
            block.kind = BlockKind::Invalid(message);
        }
    }
}

/// Checks every twin against the chapter's Rust blocks: it must name a Rust
/// block that runs (only a run has an output to cross-check), and a Rust block
/// has at most one twin (its snapshot is named after the Rust block).
fn check_twins(blocks: &mut [Block]) {
    let rust_modes: Vec<(String, Mode)> = blocks
        .iter()
        .filter_map(|b| match &b.kind {
            BlockKind::Rust(rust) => Some((rust.name.clone(), rust.mode.clone())),
            _ => None,
        })
        .collect();
    let mut twinned: Vec<(String, usize)> = Vec::new();
    for block in blocks.iter_mut() {
        let BlockKind::Python(PythonBlock { twin: Some(name), .. }) = &block.kind else {
            continue;
        };
        let problem = match rust_modes.iter().find(|(rust, _)| rust == name) {
            None => Some(format!(
                "`twin={name}` names no Rust block of this chapter (a twin's Rust block is \
                 ```rust,name={name}``` in the same file)"
            )),
            Some((_, mode)) if *mode != Mode::Run => Some(format!(
                "`twin={name}` names a Rust block that is not run ({}), so it has no output \
                 to cross-check",
                match mode {
                    Mode::ShouldPanic => "should_panic".to_string(),
                    Mode::NoRun => "no_run".to_string(),
                    Mode::Ignore(reason) => format!("ignore={reason}"),
                    Mode::Run => unreachable!("excluded by the guard"),
                }
            )),
            Some(_) => match twinned.iter().find(|(rust, _)| rust == name) {
                Some((_, line)) => Some(format!(
                    "block `{name}` already has a twin at line {line}: a Rust block has at most one"
                )),
                None => {
                    twinned.push((name.clone(), block.line));
                    None
                }
            },
        };
        if let Some(message) = problem {
            block.kind = BlockKind::Invalid(message);
        }
    }
}

fn rust_block(raw: &RawBlock, attributes: &[&str]) -> Result<RustBlock, String> {
    let RustAttributes {
        name,
        mode,
        graph,
        quiz,
    } = RustAttributes::parse(attributes)?;
    let name = name.ok_or("Rust block without a name: add `name=<kebab-case-name>` to its info string")?;
    if !is_kebab(name) {
        return Err(format!(
            "block name `{name}` must be kebab-case: lowercase letters, digits and `-`, \
             starting with a letter"
        ));
    }
    let mode = mode.unwrap_or(Mode::Run);
    if (graph || quiz) && mode != Mode::Run {
        return Err("`graph` and `quiz` show a block's output, so the block must run \
                    (no should_panic, no_run or ignore)"
            .into());
    }
    Ok(RustBlock {
        name: name.to_string(),
        mode,
        code: raw.content.lines().map(compiled_line).map(|line| line + "\n").collect(),
        first_code_line: raw.line + 1,
        graph,
        quiz,
    })
}

/// What a Rust block's info string says after `rust`.
#[derive(Default)]
struct RustAttributes<'a> {
    name: Option<&'a str>,
    mode: Option<Mode>,
    graph: bool,
    quiz: bool,
}

impl<'a> RustAttributes<'a> {
    /// Each attribute at most once, and at most one mode.
    fn parse(attributes: &[&'a str]) -> Result<Self, String> {
        let mut found = RustAttributes::default();
        for &attribute in attributes {
            let (key, value) = match attribute.split_once('=') {
                Some((key, value)) => (key.trim(), Some(value.trim())),
                None => (attribute, None),
            };
            let flag = match (key, value) {
                ("graph", None) => Some(&mut found.graph),
                ("quiz", None) => Some(&mut found.quiz),
                _ => None,
            };
            if let Some(flag) = flag {
                if std::mem::replace(flag, true) {
                    return Err(format!("`{key}` given twice"));
                }
                continue;
            }
            let mode = match (key, value) {
                ("name", Some(value)) => {
                    if found.name.replace(value).is_some() {
                        return Err("`name` given twice".into());
                    }
                    continue;
                }
                ("should_panic", None) => Mode::ShouldPanic,
                ("no_run", None) => Mode::NoRun,
                ("ignore", Some(reason)) if !reason.is_empty() => Mode::Ignore(reason.to_string()),
                ("ignore", _) => return Err("`ignore` needs a reason: `ignore=<why>`".into()),
                _ => {
                    return Err(format!(
                        "unknown attribute `{attribute}` on a Rust block \
                         (known: name=, should_panic, no_run, ignore=<reason>, graph, quiz)"
                    ));
                }
            };
            if found.mode.replace(mode).is_some() {
                return Err("more than one of should_panic, no_run, ignore".into());
            }
        }
        Ok(found)
    }
}

/// What the compiler sees for one line of a Rust block, by mdBook's rule
/// (`hide_lines_rust` in mdbook-html): after optional indentation, `#`
/// followed by a space or the end of the line hides the line from the reader
/// (the compiler gets it without the `# `), and `##` stands for a literal `#`.
/// The text mdBook puts on the page, visible or hidden, is then exactly this
/// line, so the page and the compiled code never disagree.
fn compiled_line(line: &str) -> String {
    let body = line.trim_start();
    let indent = &line[..line.len() - body.len()];
    match body.strip_prefix('#') {
        Some(rest) if rest.starts_with('#') => format!("{indent}{rest}"),
        Some("") => indent.to_string(),
        Some(rest) if rest.starts_with(' ') => format!("{indent}{}", &rest[1..]),
        _ => line.to_string(),
    }
}

/// Maps byte offsets to 1-based line numbers.
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { starts }
    }

    fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&start| start <= offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(markdown: &str) -> Vec<(usize, BlockKind)> {
        blocks(markdown).into_iter().map(|b| (b.line, b.kind)).collect()
    }

    fn invalid(markdown: &str) -> String {
        match kinds(markdown).pop() {
            Some((_, BlockKind::Invalid(message))) => message,
            other => panic!("expected an invalid block, got {other:?}"),
        }
    }

    #[test]
    fn rust_block_with_name_and_mode() {
        let found = kinds("# T\n\n```rust,name=sum,should_panic\nlet x = 1;\n```\n");
        let [(3, BlockKind::Rust(rust))] = &found[..] else {
            panic!("{found:?}")
        };
        assert_eq!(rust.name, "sum");
        assert_eq!(rust.mode, Mode::ShouldPanic);
        assert_eq!(rust.code, "let x = 1;\n");
        assert_eq!(rust.first_code_line, 4);
    }

    #[test]
    fn hidden_lines_follow_mdbook() {
        assert_eq!(compiled_line("# use std::fmt;"), "use std::fmt;");
        assert_eq!(compiled_line("    # let y = 2;"), "    let y = 2;");
        assert_eq!(compiled_line("#"), "");
        assert_eq!(compiled_line("## not hidden"), "# not hidden");
        assert_eq!(compiled_line("#[derive(Debug)]"), "#[derive(Debug)]");
        assert_eq!(compiled_line("#![allow(unused)]"), "#![allow(unused)]");
        assert_eq!(compiled_line("let x = 1; # comment"), "let x = 1; # comment");
    }

    #[test]
    fn other_languages_get_verdicts() {
        let found = kinds("```text\n1\n```\n\n```toml\n```\n\n```console\n$ ls\n```\n\n```python\n```\n");
        assert!(matches!(found[0], (1, BlockKind::Shown("text"))));
        assert!(matches!(found[1], (5, BlockKind::Shown("toml"))));
        assert!(matches!(found[2], (8, BlockKind::Shown("console"))));
        assert!(matches!(&found[3], (12, BlockKind::Python(p)) if p.twin.is_none()));
    }

    #[test]
    fn rule_breaking_blocks_are_invalid() {
        assert!(invalid("```rust\nfn main() {}\n```\n").contains("without a name"));
        assert!(invalid("```rust,name=a,editable\n```\n").contains("unknown attribute `editable`"));
        assert!(invalid("```rust,name=a,ignore\n```\n").contains("needs a reason"));
        assert!(invalid("```rust,name=a,no_run,should_panic\n```\n").contains("more than one"));
        assert!(invalid("```rust,name=Bad_Name\n```\n").contains("kebab-case"));
        assert!(invalid("```haskell\n```\n").contains("unknown language `haskell`"));
        assert!(invalid("```\nx\n```\n").contains("without a language"));
        assert!(invalid("text\n\n    indented\n").contains("indented code block"));
        assert!(invalid("```text,x\n```\n").contains("unknown attribute `x`"));
        assert!(invalid("```rust,name=a\n```\n```rust,name=a\n```\n").contains("duplicate block name"));
    }

    #[test]
    fn twins_name_a_run_rust_block_of_their_chapter() {
        let found = kinds("```python,twin=a\nprint(1)\n```\n\n```rust,name=a\nprintln!(\"1\");\n```\n");
        let [(1, BlockKind::Python(python)), (5, BlockKind::Rust(_))] = &found[..] else {
            panic!("{found:?}")
        };
        assert_eq!(python.twin.as_deref(), Some("a"));
        assert_eq!((python.code.as_str(), python.first_code_line), ("print(1)\n", 2));

        assert!(invalid("```rust,name=a\n```\n```python,twin=b\n```\n").contains("`twin=b` names no Rust block"));
        assert!(invalid("```rust,name=a,no_run\n```\n```python,twin=a\n```\n").contains("not run (no_run)"));
        assert!(
            invalid("```rust,name=a\n```\n```python,twin=a\n```\n```python,twin=a\n```\n")
                .contains("already has a twin at line 3")
        );
        assert!(invalid("```python,twin=a,x=1\n```\n").contains("unknown attribute `x=1` on a `python` block"));
        assert!(invalid("```python,twin=\n```\n").contains("`twin` needs the name"));
        assert!(invalid("```python,differs\n```\n").contains("`differs` needs `twin=<rust-block-name>`"));
        let found = kinds("```rust,name=a\nprintln!(\"1\");\n```\n```python,twin=a,differs\nprint(2)\n```\n");
        assert!(matches!(&found[1], (_, BlockKind::Python(p)) if p.differs));
    }

    #[test]
    fn unterminated_fences_are_invalid_at_their_opening_line() {
        let found = kinds("a\n\n```rust,name=a\nfn main() {}\n");
        assert!(matches!(&found[..], [(3, BlockKind::Invalid(m))] if m.contains("unterminated")));
        let found = kinds("```text\n");
        assert!(matches!(&found[..], [(1, BlockKind::Invalid(m))] if m.contains("unterminated")));
        // A fence closed by a shorter fence is not closed.
        assert!(invalid("````text\nx\n```\n").contains("unterminated"));
    }

    #[test]
    fn a_missing_closing_fence_mid_chapter_names_the_block_it_swallowed() {
        let markdown = "```rust,name=a\nlet x = 1;\n\nProse.\n\n```rust,name=b\nlet y = 2;\n```\n\n```text\nz\n```\n";
        let found = kinds(markdown);
        let [(1, BlockKind::Invalid(message)), (10, BlockKind::Shown("text"))] = &found[..] else {
            panic!("{found:?}")
        };
        assert!(
            message.contains("closing fence is missing: line 6 (\"```rust,name=b\")"),
            "{message}"
        );
        // A longer outer fence may show a block's source: that is no mistake.
        let shown = kinds("````text\n```rust,name=b\nx\n```\n````\n");
        assert!(matches!(&shown[..], [(1, BlockKind::Shown("text"))]), "{shown:?}");
    }

    #[test]
    fn fences_in_lists_and_quotes_are_terminated() {
        let found = kinds("- item\n\n  ```text\n  x\n  ```\n\n> ```text\n> y\n> ```\n");
        assert!(matches!(
            found[..],
            [(3, BlockKind::Shown("text")), (7, BlockKind::Shown("text"))]
        ));
    }

    #[test]
    fn read_book_names_summary_lines_in_its_errors() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let book = dir.path().join("book");
        std::fs::create_dir_all(&book)?;
        std::fs::write(book.join("README.md"), "# Intro, no code: any file name will do\n")?;
        std::fs::write(book.join("Ch_3.md"), "```rust,name=a\nfn main() {}\n```\n")?;
        let error_of = |summary: &str| -> Result<String> {
            std::fs::write(book.join("SUMMARY.md"), summary)?;
            Ok(format!(
                "{:#}",
                read_book(dir.path(), &book).expect_err("a broken summary")
            ))
        };
        assert_eq!(
            error_of("# S\n\n[Intro](README.md)\n- [Two](ch02.md)\n")?,
            "book/SUMMARY.md:4: chapter `ch02.md` does not exist (book/ch02.md not found)"
        );
        assert!(
            error_of("[Intro](README.md)\n\n- [Three](Ch_3.md)\n")?
                .starts_with("book/SUMMARY.md:3: chapter `Ch_3.md`: the file name `Ch_3` cannot name a crate")
        );
        std::fs::write(book.join("SUMMARY.md"), "[Intro](README.md)\n")?;
        assert_eq!(
            read_book(dir.path(), &book)?[0].display_path,
            Path::new("book/README.md")
        );
        Ok(())
    }

    #[test]
    fn summary_links_skip_drafts_and_urls() {
        let links = summary_links(
            "# Summary\n\n[Intro](introduction.md)\n\n- [Draft]()\n- [Web](https://x.org)\n- [Two](ch02.md)\n",
        );
        assert_eq!(
            links,
            vec![(3, "introduction.md".to_string()), (7, "ch02.md".to_string())]
        );
    }
}

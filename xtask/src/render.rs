//! A chapter as the reader sees it: the markdown mdBook renders, with each
//! runnable block followed by its verified output, read from its insta
//! snapshot (the one source of truth: the book never holds a second copy
//! that could drift), and its formulas as MathML ([`crate::math`]).
//!
//! A Rust block's info string is reduced to `rust`, so mdBook highlights it
//! and applies its hidden-line rule; a PyTorch twin's to `python`, with its
//! own verified output. A twin that directly follows its Rust block (nothing
//! but blank lines between them, outside any list or quote) is shown with it
//! as a pair of tabs, "Rust" and "PyTorch" (`xtask/assets/twins.js`). The
//! pair is plain markdown inside two `div`s: without JavaScript both are
//! shown, one after the other, each under its label. A twin elsewhere is
//! shown where it stands. A `graph` block's output is drawn as a picture
//! ([`crate::graph`]), a `quiz` block's is hidden behind a reveal.
//!
//! Every problem of a chapter is collected, each at its line, not only the
//! first: an author fixes them all in one go.
//!
//! `cargo xtask serve` renders a preview ([`render_preview`]): what the
//! last verify run found wrong is shown in the page, at its block (a block that
//! ran but whose output is not accepted yet shows that new output), and the
//! chapter's other problems in a panel at its top, so nothing stops the
//! build.

use std::collections::BTreeMap;
use std::path::Path;

use crate::extract::{self, Block, BlockKind, Listing, Mode, PythonBlock, RustBlock};
use crate::graph::{self, GraphError};
use crate::listing;
use crate::stages::{Position, Showings};
use crate::{generate, math, snapshot};

/// What a chapter that cannot be shown as published makes of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strictness {
    /// The published book: a block without a verified output, or one the
    /// verifier cannot classify, is an error.
    Publish,
    /// The verifier's own build of the book, to find what else the book
    /// build rejects: what the blocks' verdicts already report (no output
    /// yet, an invalid block, no Graphviz) is passed over.
    Check,
    /// `cargo xtask book --preview`: an output that is not the verified
    /// output of the code the page shows (one recorded for other code, or
    /// none yet) is shown marked not verified, and the build goes on.
    Unverified,
}

/// How an output under a block is labelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Label {
    /// The block's verified output.
    Verified,
    /// A preview's: what the block printed, not accepted yet.
    New,
    /// The snapshot of other code than the block's, or none: not verified.
    Stale,
}

/// What the last verify run found wrong in a chapter, for its preview.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Findings {
    /// The failed blocks, by the line of their opening fence.
    pub blocks: BTreeMap<usize, BlockFinding>,
    /// Every other problem of the chapter, and the book's own, each with
    /// its location (`book/ch01-x.md:7`, or a stage's name).
    pub others: Vec<(String, String)>,
}

/// A block that failed, as its preview shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockFinding {
    /// Where the failure points: `book/ch01-x.md:12`.
    pub location: String,
    pub message: String,
    /// What the block printed, when it ran but its output is not accepted.
    pub new_output: Option<String>,
}

/// A problem of a chapter, at its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChapterError {
    pub line: usize,
    pub message: String,
}

/// `markdown` as the book shows it, or every problem found in it.
///
/// `chapter` is the chapter's path from `root`, as shown in messages; its
/// file stem names its snapshots, as it names its crate.
pub fn render_chapter(
    root: &Path,
    snapshots_dir: &Path,
    chapter: &Path,
    markdown: &str,
    strictness: Strictness,
    showings: Option<&Showings>,
) -> Result<String, Vec<ChapterError>> {
    render(root, snapshots_dir, chapter, markdown, strictness, showings)
}

/// `markdown` as `cargo xtask serve` shows it: with the verified outputs,
/// and what verify found wrong (`findings`) where it is. The chapter's own
/// problems (a formula that does not parse, a missing anchor) are shown in
/// its top panel with the findings, and returned for the terminal.
pub fn render_preview(
    root: &Path,
    snapshots_dir: &Path,
    chapter: &Path,
    markdown: &str,
    findings: &Findings,
    showings: Option<&Showings>,
) -> (String, Vec<ChapterError>) {
    // What the blocks' verdicts report is passed over, as for verify's own build.
    let mut renderer = ChapterRenderer::new(root, snapshots_dir, chapter, markdown, Strictness::Check);
    renderer.findings = Some(findings);
    renderer.showings = showings;
    let formulas = math::check(markdown);
    let with_outputs = renderer.with_outputs();
    let mut errors = renderer.errors;
    errors.extend(formulas.iter().map(|bad| ChapterError {
        line: bad.line,
        message: bad.to_string(),
    }));
    errors.sort_by_key(|e| e.line);
    // With a formula that does not parse, the formulas are shown as written.
    let body = if formulas.is_empty() {
        math::render(&with_outputs).unwrap_or(with_outputs)
    } else {
        with_outputs
    };
    let mut problems = findings.others.clone();
    problems.extend(
        errors
            .iter()
            .map(|e| (format!("{}:{}", chapter.display(), e.line), e.message.clone())),
    );
    let shown = if problems.is_empty() {
        body
    } else {
        format!("{}\n\n{body}", problems_panel(&problems))
    };
    (shown, errors)
}

fn render(
    root: &Path,
    snapshots_dir: &Path,
    chapter: &Path,
    markdown: &str,
    strictness: Strictness,
    showings: Option<&Showings>,
) -> Result<String, Vec<ChapterError>> {
    let mut renderer = ChapterRenderer::new(root, snapshots_dir, chapter, markdown, strictness);
    renderer.showings = showings;
    // Formulas are checked on the markdown as written, so their lines are
    // the chapter's; they are rendered last, once the outputs are in (what
    // is inserted is code, HTML or SVG, never math).
    renderer
        .errors
        .extend(math::check(markdown).into_iter().map(|bad| ChapterError {
            line: bad.line,
            message: bad.to_string(),
        }));
    let with_outputs = renderer.with_outputs();
    if !renderer.errors.is_empty() {
        renderer.errors.sort_by_key(|e| e.line);
        return Err(renderer.errors);
    }
    // Every formula of the chapter parsed above; one that fails now came
    // from an inserted output, which would be a bug of this module.
    math::render(&with_outputs).map_err(|bad| {
        bad.into_iter()
            .map(|bad| ChapterError {
                line: 1,
                message: format!("(a verifier bug) an inserted output holds a formula: {bad}"),
            })
            .collect()
    })
}

struct ChapterRenderer<'a> {
    root: &'a Path,
    chapter: &'a Path,
    snapshots_dir: &'a Path,
    crate_name: String,
    markdown: &'a str,
    strictness: Strictness,
    /// What verify found wrong, for a preview.
    findings: Option<&'a Findings>,
    /// Whether the link to the chapter's download is on the page yet: it
    /// goes above the first program.
    download_linked: bool,
    errors: Vec<ChapterError>,
    /// The book's listings of the engine, to show a region as the chapter's
    /// stage has it (`None`: every include as mdBook shows it).
    showings: Option<&'a Showings>,
}

impl<'a> ChapterRenderer<'a> {
    fn new(
        root: &'a Path,
        snapshots_dir: &'a Path,
        chapter: &'a Path,
        markdown: &'a str,
        strictness: Strictness,
    ) -> Self {
        ChapterRenderer {
            root,
            chapter,
            snapshots_dir,
            crate_name: crate::layout::chapter_crate_name(chapter),
            markdown,
            strictness,
            findings: None,
            download_linked: false,
            errors: Vec::new(),
            showings: None,
        }
    }

    /// The markdown with every block rewritten as shown.
    fn with_outputs(&mut self) -> String {
        let markdown = self.markdown;
        let blocks = extract::blocks(markdown);
        let mut out = String::with_capacity(markdown.len() * 2);
        let mut cursor = 0;
        let mut k = 0;
        while k < blocks.len() {
            let block = &blocks[k];
            k += 1;
            let prefix = container_prefix(markdown, block.range.start);
            let rendered = match &block.kind {
                BlockKind::Invalid(message) => {
                    self.publish_error(block.line, message.clone());
                    continue;
                }
                BlockKind::Shown(_) | BlockKind::Python(PythonBlock { twin: None, .. }) => continue,
                BlockKind::Listing(listing) => self.listing(block, listing, &prefix),
                BlockKind::Version(version) => self.version(block, version, &prefix),
                BlockKind::Rust(rust) => {
                    let text = self.rust_block(block, rust, &prefix);
                    // Its twin, when it follows at once, makes a pair of tabs.
                    let next = blocks.get(k).filter(|next| {
                        prefix.is_empty()
                            && markdown[block.range.end..next.range.start].trim().is_empty()
                            && matches!(&next.kind, BlockKind::Python(PythonBlock { twin: Some(name), .. }) if *name == rust.name)
                    });
                    if let Some(twin) = next {
                        k += 1;
                        let python = self.twin_block(twin, &rust.name, "", rust.quiz);
                        out.push_str(&markdown[cursor..block.range.start]);
                        out.push_str(&twin_pair(&text, &python));
                        cursor = twin.range.end;
                        continue;
                    }
                    text
                }
                BlockKind::Python(PythonBlock { twin: Some(name), .. }) => self.twin_block(block, name, &prefix, false),
            };
            out.push_str(&markdown[cursor..block.range.start]);
            out.push_str(&rendered);
            cursor = block.range.end;
        }
        out.push_str(&markdown[cursor..]);
        out
    }

    fn error(&mut self, line: usize, message: String) {
        self.errors.push(ChapterError { line, message });
    }

    /// A problem of the published book only: the blocks' verdicts report it
    /// to the verifier ([`Strictness::Check`]).
    fn publish_error(&mut self, line: usize, message: String) {
        if self.strictness == Strictness::Publish {
            self.error(line, message);
        }
    }

    /// A listing as shown: a caption naming the file and where in it the
    /// code goes, then the code. An include whose region the chapter's
    /// stage has otherwise than the source (a nested region a later chapter
    /// adds, an earlier version in place of a part) is written out as the
    /// stage has it; the others are left for mdBook's `links`
    /// preprocessor (this one runs before it) to replace with the code.
    fn listing(&mut self, block: &Block, listing: &Listing, prefix: &str) -> String {
        let includes = &listing.includes;
        let mut places: Vec<String> = Vec::new();
        let mut language = "rust";
        let mut body = String::new();
        let index = self.showings.and_then(|showings| showings.chapter_index(self.chapter));
        for (offset, include) in includes.iter().enumerate() {
            let at = index.map(|chapter| Position {
                chapter,
                line: block.line + 1 + offset,
            });
            let staged = self.showings.zip(at);
            match listing::resolve(self.root, self.chapter, include) {
                Ok(shown) => {
                    if shown.file.extension().is_some_and(|e| e == "toml") {
                        language = "toml";
                    }
                    let mut place = format!("<code>{}</code>", shown.file.display());
                    if let Some(within) = &shown.within {
                        place.push_str(&format!(", inside <code>{}</code>", literal(within)));
                    }
                    if let Some(item) = &shown.within_item {
                        place.push_str(&format!(" of <code>{}</code>", literal(item)));
                    }
                    if let Some(above) = self.showings.and_then(|s| s.added_after(self.chapter, include)) {
                        place.push_str(&format!(", added after <code>{}</code>", literal(&above)));
                    }
                    if let Some(earlier) = staged.and_then(|(s, at)| s.replaces(self.chapter, include, at)) {
                        place.push_str(&format!(", replacing the version of {}", chapter_link(earlier)));
                    }
                    // Shown again: the reader has typed it already.
                    let first = staged.and_then(|(s, at)| {
                        let (chapter, line) = s.first_shown(self.chapter, include)?;
                        let before = chapter != self.chapter || line < at.line;
                        before.then_some(chapter)
                    });
                    if let Some(first) = first {
                        let when = if first == self.chapter {
                            "above".to_string()
                        } else {
                            chapter_link(first)
                        };
                        place.push_str(&format!(", as {when} wrote it: already in your engine"));
                    }
                    if !places.contains(&place) {
                        places.push(place);
                    }
                }
                Err(message) => self.publish_error(block.line, message),
            }
            match staged.and_then(|(s, at)| s.listing_at(self.chapter, include, at)) {
                // mdBook's `links` must not read the code as a directive.
                Some(code) => body.push_str(&code.replace("{{#", "\\{{#")),
                None => body.push_str(&format!("{{{{#include {}:{}}}}}\n", include.path, include.anchor)),
            }
        }
        let id = includes
            .first()
            .map_or_else(String::new, |include| format!(" id=\"listing-{}\"", include.anchor));
        let mut code = fenced(block, self.markdown, language, &body, prefix);
        // A replacement shows, folded below it, what it changes.
        for (offset, include) in includes.iter().enumerate() {
            let at = index.map(|chapter| Position {
                chapter,
                line: block.line + 1 + offset,
            });
            let replaced = self.showings.zip(at).and_then(|(s, at)| {
                let earlier = s.replaces(self.chapter, include, at)?;
                Some((earlier, s.replacement(self.chapter, include, at)?))
            });
            if let Some((earlier, (old, new))) = replaced {
                code.push_str(&changes(block, self.markdown, earlier, &old, &new, prefix));
            }
        }
        if listing.collapsed {
            // Code to copy as it is: folded, its caption the fold's summary.
            return format!(
                "<details class=\"listing-collapsed\"{id}><summary class=\"listing-caption\">From {}: to copy as it \
                 is</summary>\n{prefix}\n{prefix}{code}\n{prefix}\n{prefix}</details>",
                places.join("; ")
            );
        }
        format!(
            "<p class=\"listing-caption\"{id}>From {}</p>\n{prefix}\n{prefix}{code}",
            places.join("; ")
        )
    }

    /// An earlier version of a region, as shown: its caption says which file
    /// it goes in and which listing replaces it.
    fn version(&mut self, block: &Block, version: &crate::extract::Version, prefix: &str) -> String {
        let mut caption = match listing::resolve(self.root, self.chapter, &version.of) {
            Ok(shown) => match &shown.within {
                Some(within) => format!(
                    "<code>{}</code>, inside <code>{}</code>",
                    shown.file.display(),
                    literal(within)
                ),
                None => format!("<code>{}</code>", shown.file.display()),
            },
            Err(message) => {
                self.publish_error(block.line, message);
                String::new()
            }
        };
        if let Some((chapter, _)) = self.showings.and_then(|s| s.first_shown(self.chapter, &version.of)) {
            let when = if chapter == self.chapter {
                "later in this chapter".to_string()
            } else {
                chapter_link(chapter)
            };
            caption.push_str(&format!(": a first version, which {when} replaces"));
        }
        format!(
            "<p class=\"listing-caption\">From {caption}</p>\n{prefix}\n{prefix}{}",
            reduced_block(self.markdown, block, "rust")
        )
    }

    /// A Rust block as shown: its code, and below it its verified output.
    /// Above a compiled block, the program its copy button copies; above
    /// the chapter's first, the link to the chapter's download.
    fn rust_block(&mut self, block: &Block, rust: &RustBlock, prefix: &str) -> String {
        let mut text = String::new();
        if rust.mode.is_compiled() {
            if !std::mem::replace(&mut self.download_linked, true) {
                text.push_str(&download_link(&self.crate_name, prefix));
            }
            text.push_str(&program_element(&rust.name, &rust.code, prefix));
        }
        text.push_str(&reduced_block(self.markdown, block, "rust"));
        if !rust.mode.runs() {
            return text;
        }
        if let Some(finding) = self.finding(block) {
            // A preview: what it printed, if it ran, and why that is not verified.
            if let Some(output) = &finding.new_output {
                text.push_str(&self.shown_output(block, rust, output, Label::New, prefix));
            }
            text.push_str(&failure_panel(block, finding, prefix));
            return text;
        }
        let snapshot = match snapshot::read_block(self.snapshots_dir, &self.crate_name, &rust.name) {
            Ok(snapshot) => snapshot,
            Err(error) => {
                self.publish_error(
                    block.line,
                    format!("block `{}` has no verified output: {error:#}", rust.name),
                );
                text.push_str(&output_block("(no verified output yet)", false, Label::Stale, prefix));
                return text;
            }
        };
        let label = self.label(block, &format!("block `{}`", rust.name), &snapshot.code, &rust.code);
        let shown = self.shown_output(block, rust, &snapshot.output, label, prefix);
        text.push_str(&if rust.quiz { quiz_block(&shown, prefix) } else { shown });
        text
    }

    /// How a committed output is labelled under a block whose code is
    /// `code`, the snapshot having recorded `recorded`: other code than the
    /// page shows printed it, so the published book refuses it (verify, which
    /// runs the block, says what it prints now), and a preview marks it.
    fn label(&mut self, block: &Block, what: &str, recorded: &str, code: &str) -> Label {
        if recorded == code {
            return Label::Verified;
        }
        self.publish_error(
            block.line,
            format!(
                "{what}: its code changed since its output was verified (its snapshot records the code \
                 that printed it): run `cargo xtask verify`, with `--update` to accept a new output; \
                 `cargo xtask book --preview` builds the page with the output marked not verified"
            ),
        );
        Label::Stale
    }

    /// A block's output as shown under it: a `graph` block's as a picture,
    /// any other's as text, under its label.
    fn shown_output(&mut self, block: &Block, rust: &RustBlock, output: &str, label: Label, prefix: &str) -> String {
        if !rust.graph {
            return output_block(output, rust.mode == Mode::ShouldPanic, label, prefix);
        }
        let path = graph::picture_path(self.snapshots_dir, &self.crate_name, &rust.name);
        match graph::picture(&path, output) {
            Ok(svg) => graph_block(&svg, output, label, prefix),
            Err(error) => {
                // Without Graphviz the verifier says so once, in a note.
                let message = format!("graph block `{}`: {error}", rust.name);
                match error {
                    GraphError::NoGraphviz(_) => self.publish_error(block.line, message),
                    _ => self.error(block.line, message),
                }
                output_block(output, false, label, prefix)
            }
        }
    }

    /// What verify found wrong with `block`, in a preview.
    fn finding(&self, block: &Block) -> Option<&'a BlockFinding> {
        self.findings.and_then(|f| f.blocks.get(&block.line))
    }

    /// A twin as shown: its code, as `python`, and its verified output.
    fn twin_block(&mut self, block: &Block, rust_name: &str, prefix: &str, quiz: bool) -> String {
        let mut text = reduced_block(self.markdown, block, "python");
        let mut label = Label::Verified;
        let output = match snapshot::read_twin(self.snapshots_dir, &self.crate_name, rust_name) {
            Ok(Some(twin)) => {
                if let BlockKind::Python(python) = &block.kind {
                    label = self.label(
                        block,
                        &format!("the PyTorch twin of `{rust_name}`"),
                        &twin.code,
                        &python.code,
                    );
                }
                twin.output
            }
            Ok(None) => {
                label = Label::Stale;
                let path = self
                    .snapshots_dir
                    .join(snapshot::twin_file_name(&self.crate_name, rust_name));
                self.publish_error(
                    block.line,
                    format!(
                        "the PyTorch twin of `{rust_name}` has no verified output (no snapshot {}): run \
                         `cargo xtask verify --update` with torch installed",
                        path.display()
                    ),
                );
                "(no verified output yet)".to_string()
            }
            Err(error) => {
                label = Label::Stale;
                self.publish_error(block.line, format!("{error:#}"));
                "(no verified output yet)".to_string()
            }
        };
        // A quiz's twin, in the tab beside it, must not give the answer away.
        let shown = output_block(&output, false, label, prefix);
        text.push_str(&if quiz { quiz_block(&shown, prefix) } else { shown });
        if let Some(finding) = self.finding(block) {
            text.push_str(&failure_panel(block, finding, prefix));
        }
        text
    }
}

/// The paragraph above a chapter's first program: its download, a crate
/// with the engine that builds where it is unpacked ([`crate::downloads`]).
fn download_link(crate_name: &str, prefix: &str) -> String {
    let archive = crate::downloads::file_name(crate_name);
    format!(
        "<p class=\"chapter-download\">This chapter’s programs, with the engine, as a crate that builds where \
         you unpack it: <a href=\"{}/{archive}\" download><code>{archive}</code></a> (then <code>cargo \
         run</code>).</p>\n{prefix}\n{prefix}",
        crate::downloads::DIR
    )
}

/// A hidden element before a compiled block, holding its program as the
/// verifier compiles it ([`generate::program_text`]): `copy.js` hands it to
/// mdBook's copy button. One line, its text escaped so that neither
/// markdown, mdBook's `{{#…}}` directives nor a formula's `$` can touch it.
fn program_element(block_name: &str, code: &str, prefix: &str) -> String {
    format!(
        "<div class=\"block-program\" hidden data-block=\"{}\" data-program=\"{}\"></div>\n{prefix}\n{prefix}",
        attribute_escape(block_name),
        attribute_escape(&generate::program_text(code))
    )
}

/// `text` as the value of a double-quoted HTML attribute on one line, as
/// [`literal`] as the rest.
fn attribute_escape(text: &str) -> String {
    literal(text)
        .replace('"', "&quot;")
        .replace('\n', "&#10;")
        .replace('\r', "&#13;")
}

/// `text` as HTML text that nothing after this preprocessor reads as
/// anything but text: markup and entities escaped (markdown leaves raw HTML
/// alone, so it must be done here), and the characters of mdBook's `{{#…}}`
/// directives (its `links` preprocessor runs after this one) and of a
/// formula's `$` ([`math::render`] runs on the result) written as
/// character references, which the browser shows as the characters.
fn literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push_str(&directive_safe_char(c)),
        }
    }
    out
}

/// Markup inserted as it is (a picture's SVG), with the characters of
/// mdBook's directives and of formulas written as character references.
fn directive_safe(markup: &str) -> String {
    markup.chars().map(directive_safe_char).collect()
}

fn directive_safe_char(c: char) -> String {
    match c {
        '{' => "&#123;".into(),
        '}' => "&#125;".into(),
        '$' => "&#36;".into(),
        c => c.to_string(),
    }
}

/// The indentation or `>` markers of the line a block starts on: inside a
/// list item or a quote, inserted lines need them to stay inside it.
fn container_prefix(markdown: &str, start: usize) -> String {
    let line_start = markdown[..start].rfind('\n').map_or(0, |i| i + 1);
    markdown[line_start..start]
        .chars()
        .map(|c| if c == '>' || c.is_whitespace() { c } else { ' ' })
        .collect()
}

/// A block's source with its info string reduced to `language`.
/// A block's fence around `body` (lines ending in `\n`), each line under the
/// container's `prefix` (a blockquote's `> `).
fn fenced(block: &Block, markdown: &str, language: &str, body: &str, prefix: &str) -> String {
    let opening = &markdown[block.range.start..];
    let fence_len = opening.len() - opening.trim_start_matches(['`', '~']).len();
    let fence = &opening[..fence_len];
    let lines: String = body.lines().map(|line| format!("{prefix}{line}\n")).collect();
    format!("{fence}{language}\n{lines}{prefix}{fence}")
}

/// What a replacement changes, as a folded `diff` block: the lines of the
/// earlier version it removes (`-`) and the lines it adds (`+`), in context.
fn changes(block: &Block, markdown: &str, earlier: &Path, old: &[String], new: &[String], prefix: &str) -> String {
    let old = old.join("\n") + "\n";
    let new = new.join("\n") + "\n";
    let diff = similar::TextDiff::from_lines(&old, &new);
    let mut body = String::new();
    for change in diff.iter_all_changes() {
        let sign = match change.tag() {
            similar::ChangeTag::Delete => '-',
            similar::ChangeTag::Insert => '+',
            similar::ChangeTag::Equal => ' ',
        };
        body.push(sign);
        body.push_str(change.value());
    }
    format!(
        "\n{prefix}\n{prefix}<details class=\"listing-changes\"><summary>What it changes in the version of {}</summary>\n\
         {prefix}\n{prefix}{}\n{prefix}\n{prefix}</details>",
        chapter_link(earlier),
        fenced(block, markdown, "diff", &body, prefix)
    )
}

/// A link to another chapter of the book (they share one directory).
fn chapter_link(other: &Path) -> String {
    let name = other
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = other
        .file_stem()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // `ch05-recursion` is "chapter 5".
    let number = stem
        .strip_prefix("ch")
        .and_then(|rest| rest.split_once('-'))
        .and_then(|(digits, _)| digits.parse::<u32>().ok());
    let stem = number.map_or(stem, |n| format!("chapter {n}"));
    format!("<a href=\"{}\">{stem}</a>", name.replace(".md", ".html"))
}

fn reduced_block(markdown: &str, block: &Block, language: &str) -> String {
    let start = block.range.start;
    let opening_end = markdown[start..].find('\n').map_or(block.range.end, |i| start + i);
    let opening = &markdown[start..opening_end];
    let fence_len = opening.len() - opening.trim_start_matches(['`', '~']).len();
    format!(
        "{}{language}{}",
        &opening[..fence_len],
        &markdown[opening_end..block.range.end]
    )
}

/// A Rust block and its twin, each with its output, as two labelled panels;
/// `twins.js` turns them into tabs.
fn twin_pair(rust: &str, python: &str) -> String {
    let panel = |tab: &str, body: &str| {
        format!(
            "<div class=\"twin-panel\" data-twin-tab=\"{tab}\">\n\n<p class=\"twin-label\">{tab}</p>\n\n{body}\n\n</div>\n"
        )
    };
    format!(
        "<div class=\"twin-pair\">\n{}{}</div>",
        panel("Rust", rust),
        panel("PyTorch", python)
    )
}

/// A `graph` block's output as shown: the picture Graphviz drew from the
/// verified DOT text, and the text itself, folded, under it.
fn graph_block(svg: &str, dot_text: &str, label: Label, prefix: &str) -> String {
    let mut text = format!("\n{prefix}\n{prefix}<div class=\"graph-picture\">\n");
    for line in svg.lines() {
        text.push_str(&format!("{prefix}{}\n", directive_safe(line)));
    }
    text.push_str(&format!(
        "{prefix}</div>\n{prefix}\n{prefix}<details class=\"graph-dot\">\n{prefix}<summary>The DOT text it printed</summary>\n"
    ));
    text.push_str(&output_block(dot_text, false, label, prefix));
    text.push_str(&format!("\n{prefix}\n{prefix}</details>"));
    text
}

/// Why a block is not verified, in a preview: where, and the message.
/// Its `id` names the block's line (`not-verified-12`), for a link to it.
fn failure_panel(block: &Block, finding: &BlockFinding, prefix: &str) -> String {
    let (summary, details) = finding.message.split_once('\n').unwrap_or((&finding.message, ""));
    let mut text = format!(
        "\n{prefix}\n{prefix}<div class=\"verify-failure\" id=\"not-verified-{}\">\n{prefix}<p><b>Not verified</b> at <code>{}</code>: {}</p>\n",
        block.line,
        literal(&finding.location),
        literal(summary)
    );
    if !details.trim().is_empty() {
        text.push_str(&format!(
            "{prefix}<pre>{}</pre>\n",
            literal(details.trim_end()).replace('\n', "&#10;")
        ));
    }
    text.push_str(&format!("{prefix}</div>"));
    text
}

/// The panel at the top of a preview's chapter: every problem that is no
/// block's (a number of the prose, a stale crate), with its location.
fn problems_panel(problems: &[(String, String)]) -> String {
    let mut text = format!(
        "<div class=\"verify-failure verify-problems\">\n<p><b>{} problem(s) found by verify</b></p>\n<ul>\n",
        problems.len()
    );
    for (location, message) in problems {
        text.push_str(&format!(
            "<li><code>{}</code>: {}</li>\n",
            literal(location),
            literal(message.trim_end()).replace('\n', "<br>")
        ));
    }
    text.push_str("</ul>\n</div>");
    text
}

/// A quiz: what is normally shown under the block, behind a `<details>`
/// control (it works without JavaScript), the answer being the snapshot.
fn quiz_block(shown: &str, prefix: &str) -> String {
    // The form asks first (`quiz.js` shows it and checks the answer); without
    // JavaScript it stays hidden, and the reveal below is the quiz.
    let ask = "<div class=\"quiz-ask\" hidden><label>Your prediction, the numbers it prints in order: \
               <input type=\"text\" class=\"quiz-answer\"></label> <button type=\"button\" class=\"quiz-check\">Check</button>\
               <p class=\"quiz-verdict\" aria-live=\"polite\"></p></div>";
    format!(
        "\n{prefix}\n{prefix}{ask}\n{prefix}<details class=\"quiz\">\n{prefix}<summary>Predict the output, then reveal it</summary>\n{shown}\n{prefix}\n{prefix}</details>"
    )
}

/// What is shown under a block: a label and the output, as text that
/// nothing reads as anything else ([`literal`]): an output that prints
/// HTML, markdown, an mdBook directive (`{{#include …}}`, `{{#title …}}`)
/// or a formula is shown as the characters it printed. It is the HTML a
/// `text` fence renders to, written out: a `<pre>` block may hold blank
/// lines. Its `label` says whether it is the block's verified output, or,
/// in a preview, a new one or one not verified against the block's code.
fn output_block(output: &str, panics: bool, label: Label, prefix: &str) -> String {
    let what = match (panics, output.is_empty()) {
        (_, true) => "Output: (nothing)",
        (true, false) => "Output (it panics):",
        (false, false) => "Output:",
    };
    let (class, before) = match label {
        Label::Verified => ("verified-output", ""),
        Label::New => ("verified-output new-output", "New, not yet accepted. "),
        Label::Stale => (
            "verified-output new-output",
            "Not verified: the code above is not the code that printed this. ",
        ),
    };
    let mut text = format!("\n{prefix}\n{prefix}<p class=\"{class}\">{before}{what}</p>\n{prefix}\n");
    if !output.is_empty() {
        text.push_str(&format!("{prefix}<pre><code class=\"language-text\">"));
        for line in output.lines() {
            text.push_str(&format!("{}\n{prefix}", literal(line)));
        }
        text.push_str("</code></pre>");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::{SnapshotId, WritePolicy};

    fn render(snapshots: &Path, chapter: &Path, markdown: &str) -> Result<String, Vec<ChapterError>> {
        render_chapter(Path::new("."), snapshots, chapter, markdown, Strictness::Publish, None)
    }

    /// `rendered` without the download link and the programs above blocks
    /// (`outputs_follow_runnable_blocks` shows them), each a line and a blank one.
    fn without_programs(rendered: &str) -> String {
        let mut kept = String::new();
        let mut lines = rendered.split_inclusive('\n');
        while let Some(line) = lines.next() {
            if line.starts_with("<p class=\"chapter-download\">") || line.starts_with("<div class=\"block-program\"") {
                lines.next();
            } else {
                kept.push_str(line);
            }
        }
        kept
    }

    #[test]
    fn a_program_is_one_line_that_no_directive_markdown_or_formula_can_touch() {
        let code = "let s = \"{{#include ../README.md}} $x$ <b>&\";\nprintln!(\"{s}\");\n";
        let element = program_element("b", code, "");
        // One line, then the blank one that ends an HTML block.
        assert_eq!(element.matches('\n').count(), 2, "{element}");
        let first = element.lines().next().unwrap_or_default();
        for forbidden in ["{", "}", "$", "<b>", "\"{"] {
            assert!(
                !first.split("data-program=").nth(1).unwrap_or("").contains(forbidden),
                "{first}"
            );
        }
        assert!(
            first.contains(
                "let s = &quot;&#123;&#123;#include ../README.md&#125;&#125; &#36;x&#36; &lt;b&gt;&amp;&quot;;"
            ),
            "{first}"
        );
        assert!(element.ends_with("></div>\n\n"), "{element}");
    }

    #[test]
    fn outputs_follow_runnable_blocks() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let id = SnapshotId {
            crate_name: "ch01-x",
            block_name: "hi",
            chapter: Path::new("book/ch01-x.md"),
            line: 3,
            code: "fn hidden() {}\nprintln!(\"hi\");\n",
            twin: None,
        };
        snapshot::record(dir.path(), &id, "hello ``` world\n", WritePolicy::Accept)?;
        let markdown = "# X\n\n```rust,name=hi\n# fn hidden() {}\nprintln!(\"hi\");\n```\n\n```rust,name=nr,no_run\nloop {}\n```\n\n```text\nplain\n```\n";
        let rendered =
            render(dir.path(), Path::new("book/ch01-x.md"), markdown).map_err(|e| anyhow::anyhow!("{e:?}"))?;
        // Above the chapter's first program, its download; above each
        // compiled block, the program its copy button copies.
        let download = "<p class=\"chapter-download\">This chapter’s programs, with the engine, as a crate that \
                        builds where you unpack it: <a href=\"downloads/ch01-x.tar.gz\" download>\
                        <code>ch01-x.tar.gz</code></a> (then <code>cargo run</code>).</p>\n\n";
        assert_eq!(
            rendered,
            format!(
                "# X\n\n{download}<div class=\"block-program\" hidden data-block=\"hi\" data-program=\"\
                 fn main() &#123;&#10;    fn hidden() &#123;&#125;&#10;    println!(&quot;hi&quot;);&#10;&#125;&#10;\
                 \"></div>\n\n```rust\n# fn hidden() {{}}\nprintln!(\"hi\");\n```\n\n\
                 <p class=\"verified-output\">Output:</p>\n\n\
                 <pre><code class=\"language-text\">hello ``` world\n</code></pre>\n\n\
                 <div class=\"block-program\" hidden data-block=\"nr\" data-program=\"\
                 fn main() &#123;&#10;    loop &#123;&#125;&#10;&#125;&#10;\"></div>\n\n\
                 ```rust\nloop {{}}\n```\n\n```text\nplain\n```\n"
            )
        );
        Ok(())
    }

    #[test]
    fn a_twin_after_its_rust_block_makes_a_pair_of_tabs() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let chapter = Path::new("book/ch01-x.md");
        let rust = SnapshotId {
            crate_name: "ch01-x",
            block_name: "hi",
            chapter,
            line: 1,
            code: "println!(\"1.5\");\n",
            twin: None,
        };
        snapshot::record(dir.path(), &rust, "1.5\n", WritePolicy::Accept)?;
        let twin = SnapshotId {
            line: 5,
            code: "print(1.5)\n",
            twin: Some(snapshot::Twin { torch: "2.15.0" }),
            ..rust
        };
        snapshot::record(dir.path(), &twin, "1.5000\n", WritePolicy::Accept)?;
        let markdown = "```rust,name=hi\nprintln!(\"1.5\");\n```\n\n```python,twin=hi\nprint(1.5)\n```\n\nAfter.\n";
        let rendered = render(dir.path(), chapter, markdown).map_err(|e| anyhow::anyhow!("{e:?}"))?;
        assert_eq!(
            without_programs(&rendered),
            "<div class=\"twin-pair\">\n\
             <div class=\"twin-panel\" data-twin-tab=\"Rust\">\n\n<p class=\"twin-label\">Rust</p>\n\n\
             ```rust\nprintln!(\"1.5\");\n```\n\n<p class=\"verified-output\">Output:</p>\n\n\
             <pre><code class=\"language-text\">1.5\n</code></pre>\n\n</div>\n\
             <div class=\"twin-panel\" data-twin-tab=\"PyTorch\">\n\n<p class=\"twin-label\">PyTorch</p>\n\n\
             ```python\nprint(1.5)\n```\n\n<p class=\"verified-output\">Output:</p>\n\n\
             <pre><code class=\"language-text\">1.5000\n</code></pre>\n\n</div>\n\
             </div>\n\nAfter.\n"
        );
        // Apart from its Rust block, a twin is shown where it stands.
        let apart = "```python,twin=hi\nprint(1.5)\n```\n\nText.\n\n```rust,name=hi\nprintln!(\"1.5\");\n```\n";
        let rendered = without_programs(&render(dir.path(), chapter, apart).map_err(|e| anyhow::anyhow!("{e:?}"))?);
        assert!(!rendered.contains("twin-pair"), "{rendered}");
        assert!(
            rendered.starts_with(
                "```python\nprint(1.5)\n```\n\n<p class=\"verified-output\">Output:</p>\n\n\
                 <pre><code class=\"language-text\">1.5000\n</code></pre>"
            ),
            "{rendered}"
        );
        Ok(())
    }

    #[test]
    fn quizzes_hide_the_output_graphs_draw_it_and_math_becomes_mathml() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let chapter = Path::new("book/ch01-x.md");
        let id = |block_name, line, code| SnapshotId {
            crate_name: "ch01-x",
            block_name,
            chapter,
            line,
            code,
            twin: None,
        };
        snapshot::record(
            dir.path(),
            &id("q", 3, "println!(\"42\");\n"),
            "42\n",
            WritePolicy::Accept,
        )?;
        let tape = autograd::scalar::Tape::new();
        let x = tape.var(1.0);
        let dot = (x * x - 10.0).powi(2).to_dot();
        snapshot::record(dir.path(), &id("g", 7, "fn main() {}\n"), &dot, WritePolicy::Accept)?;
        // The committed picture is shown, as in a book built without Graphviz.
        let picture = "<svg>the graph</svg>";
        graph::commit(&graph::picture_path(dir.path(), "ch01-x", "g"), &dot, picture)?;
        let markdown =
            "Let $x^2$.\n\n```rust,name=q,quiz\nprintln!(\"42\");\n```\n\n```rust,name=g,graph\nfn main() {}\n```\n";
        let rendered = render(dir.path(), chapter, markdown).map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let quiz = rendered.find("<details class=\"quiz\">").expect("a quiz");
        let answer = rendered
            .find("<pre><code class=\"language-text\">42\n</code></pre>")
            .expect("the answer");
        let end = rendered[quiz..].find("</details>").expect("closed") + quiz;
        assert!(quiz < answer && answer < end, "{rendered}");
        assert!(
            rendered.contains(&format!("<div class=\"graph-picture\">\n{picture}\n</div>")),
            "{rendered}"
        );
        assert!(rendered.starts_with("Let <math"), "{rendered}");

        let errors =
            render(dir.path(), chapter, "# X\n\nBad: $\\frac{1}$\n\nand $\\sqrt$\n").expect_err("bad formulas");
        assert_eq!(
            errors.iter().map(|e| e.line).collect::<Vec<_>>(),
            [3, 5],
            "every one, at its line"
        );
        assert!(
            errors[0].message.starts_with("formula `\\frac{1}` does not parse"),
            "{errors:?}"
        );
        Ok(())
    }

    #[test]
    fn a_preview_shows_each_finding_where_it_is_and_never_fails() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let chapter = Path::new("book/ch01-x.md");
        let id = SnapshotId {
            crate_name: "ch01-x",
            block_name: "ok",
            chapter,
            line: 9,
            code: "println!(\"verified\");\n",
            twin: None,
        };
        snapshot::record(dir.path(), &id, "verified\n", WritePolicy::Accept)?;
        let markdown = "# X\n\n```rust,name=changed\nprintln!(\"new\");\n```\n\nBad: $\\frac{1}$\n\n```rust,name=ok\nprintln!(\"verified\");\n```\n";
        let mut findings = Findings::default();
        findings.blocks.insert(
            3,
            BlockFinding {
                location: "book/ch01-x.md:3".into(),
                message: "block `changed`: output differs\n-old <1>\n+new".into(),
                new_output: Some("new\n".into()),
            },
        );
        findings
            .others
            .push(("cargo build".into(), "a dependency failed".into()));
        let (shown, errors) = render_preview(Path::new("."), dir.path(), chapter, markdown, &findings, None);
        // The formula is the chapter's own problem: returned, and listed on the page.
        assert_eq!(errors.iter().map(|e| e.line).collect::<Vec<_>>(), [7], "{errors:?}");
        assert!(
            shown.starts_with("<div class=\"verify-failure verify-problems\">"),
            "{shown}"
        );
        assert_contains(&shown, "<li><code>cargo build</code>: a dependency failed</li>");
        assert_contains(
            &shown,
            "<li><code>book/ch01-x.md:7</code>: formula `\\frac&#123;1&#125;` does not parse",
        );
        // The failed block: its new output, then why it is not verified, escaped.
        let new = shown.find("New, not yet accepted. Output:").expect("the new output");
        let panel = shown
            .find("<div class=\"verify-failure\" id=\"not-verified-3\">")
            .expect("the panel");
        assert!(new < panel, "{shown}");
        assert_contains(
            &shown,
            "<b>Not verified</b> at <code>book/ch01-x.md:3</code>: block `changed`: output differs</p>\n<pre>-old &lt;1&gt;&#10;+new</pre>",
        );
        // The block that passed shows its verified output, as published.
        assert_contains(
            &shown,
            "<p class=\"verified-output\">Output:</p>\n\n<pre><code class=\"language-text\">verified\n</code></pre>",
        );
        Ok(())
    }

    fn assert_contains(text: &str, expected: &str) {
        assert!(text.contains(expected), "expected {expected:?} in:\n{text}");
    }

    #[test]
    fn missing_snapshots_and_invalid_blocks_fail_the_published_book_only() {
        let dir = tempfile::tempdir().expect("a directory");
        let chapter = Path::new("book/ch01-x.md");
        let markdown = "```rust,name=hi\nfn main() {}\n```\n\n```rust\n```\n\nBad: $\\frac{1}$\n";
        let errors = render(dir.path(), chapter, markdown).expect_err("no snapshot, no name");
        let found: Vec<(usize, &str)> = errors.iter().map(|e| (e.line, e.message.as_str())).collect();
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(
            found[0].0 == 1 && found[0].1.starts_with("block `hi` has no verified output"),
            "{found:?}"
        );
        assert!(
            found[1].0 == 5 && found[1].1.starts_with("Rust block without a name"),
            "{found:?}"
        );
        assert_eq!(found[2].0, 8, "{found:?}");
        // The verifier's own build passes over what block verdicts report.
        let errors = render_chapter(Path::new("."), dir.path(), chapter, markdown, Strictness::Check, None)
            .expect_err("the formula");
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].line, 8);
    }
}

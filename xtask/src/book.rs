//! `cargo xtask book`: the rendered book, with mdBook as a library, and the
//! `verified-output` preprocessor that shows each runnable block's verified
//! output under it, read from its insta snapshot (the one source of truth:
//! the book never holds a second copy that could drift).
//!
//! `book.toml` declares the same preprocessor as a command
//! (`cargo xtask preprocess`) so stock `mdbook build` and `mdbook serve`
//! work too; `cargo xtask book` registers it in-process under the same name,
//! which replaces the command.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use mdbook_driver::MDBook;
use mdbook_preprocessor::book::{Book, BookItem};
use mdbook_preprocessor::{Preprocessor, PreprocessorContext};

use crate::extract::{self, BlockKind, Mode, PythonBlock};
use crate::{graph, links, math, snapshot};

/// Builds the book at `root` (where `book.toml` is) and returns the path of
/// its `index.html`.
pub fn build(root: &Path) -> Result<PathBuf> {
    let mut book = MDBook::load(root).with_context(|| format!("cannot load the book at {}", root.display()))?;
    book.with_preprocessor(VerifiedOutput);
    book.build().context("cannot build the book")?;
    let html = book.build_dir_for("html");
    let broken = links::check(&html)?;
    if !broken.is_empty() {
        let list: Vec<String> = broken.iter().map(|link| format!("  {link}")).collect();
        bail!(
            "the rendered book has {} broken internal link(s):\n{}",
            broken.len(),
            list.join("\n")
        );
    }
    Ok(html.join("index.html"))
}

/// Opens a file in the desktop's browser.
pub fn open(path: &Path) -> Result<()> {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    let status = std::process::Command::new(opener)
        .arg(path)
        .status()
        .with_context(|| format!("cannot run `{opener}` to open {}", path.display()))?;
    if !status.success() && !cfg!(windows) {
        // explorer.exe reports failure even when it opened the file.
        bail!("`{opener} {}` failed ({status})", path.display());
    }
    Ok(())
}

/// The mdBook preprocessor protocol over stdin and stdout, for `mdbook build`:
/// `preprocess supports <renderer>` answers by exit status, plain
/// `preprocess` reads `[context, book]` as JSON and writes the book back.
pub fn preprocess_command(args: &[String]) -> Result<()> {
    match args {
        // The outputs are plain markdown: every renderer can show them.
        [supports, _renderer] if supports == "supports" => Ok(()),
        [] => {
            let mut input = Vec::new();
            std::io::stdin()
                .read_to_end(&mut input)
                .context("cannot read mdBook's input")?;
            let (ctx, book) = mdbook_preprocessor::parse_input(&input[..])?;
            let book = VerifiedOutput.run(&ctx, book)?;
            let mut stdout = std::io::stdout().lock();
            serde_json::to_writer(&mut stdout, &book).context("cannot write the book for mdBook")?;
            stdout.flush().context("cannot write the book for mdBook")
        }
        _ => bail!("usage: cargo xtask preprocess [supports <renderer>]"),
    }
}

/// Shows, under every runnable Rust block, its verified output.
pub struct VerifiedOutput;

impl VerifiedOutput {
    const NAME: &str = "verified-output";
}

impl Preprocessor for VerifiedOutput {
    fn name(&self) -> &str {
        Self::NAME
    }

    fn run(&self, ctx: &PreprocessorContext, mut book: Book) -> Result<Book> {
        let key = format!("preprocessor.{}.snapshots", Self::NAME);
        let snapshots = ctx
            .config
            .get::<PathBuf>(&key)?
            .unwrap_or_else(|| PathBuf::from("tests/snapshots"));
        let snapshots_dir = ctx.root.join(snapshots);
        let src = &ctx.config.book.src;
        let mut first_error = None;
        book.for_each_mut(|item| {
            let BookItem::Chapter(chapter) = item else { return };
            let Some(source) = &chapter.source_path else { return };
            if first_error.is_some() {
                return;
            }
            match render_chapter(&snapshots_dir, &src.join(source), &chapter.content) {
                Ok(content) => chapter.content = content,
                Err(e) => first_error = Some(e),
            }
        });
        first_error.map_or(Ok(book), Err)
    }
}

/// A chapter's markdown with each Rust block's info string reduced to `rust`
/// (so mdBook highlights it and applies its hidden-line rule) and each
/// runnable block followed by its output; likewise each PyTorch twin, reduced
/// to `python`, with its own verified output.
///
/// A twin that directly follows its Rust block (nothing but blank lines
/// between them, outside any list or quote) is shown with it as a pair of
/// tabs, "Rust" and "PyTorch" (`xtask/assets/twins.js`). The pair is plain
/// markdown inside two `div`s: without JavaScript both are shown, one after
/// the other, each under its label. A twin elsewhere is shown where it stands.
///
/// `chapter` is the chapter's path as shown in messages; its file stem names
/// its snapshots, as it names its crate.
pub fn render_chapter(snapshots_dir: &Path, chapter: &Path, markdown: &str) -> Result<String> {
    let crate_name = chapter.file_stem().unwrap_or_default().to_string_lossy();
    if let Some(bad) = math::check(markdown).first() {
        bail!("{}:{}: {bad}", chapter.display(), bad.line);
    }
    let blocks = extract::blocks(markdown);
    let mut out = String::with_capacity(markdown.len() * 2);
    let mut cursor = 0;
    let mut k = 0;
    while k < blocks.len() {
        let block = &blocks[k];
        k += 1;
        let prefix = container_prefix(markdown, block.range.start);
        let rendered = match &block.kind {
            BlockKind::Invalid(message) => bail!("{}:{}: {message}", chapter.display(), block.line),
            BlockKind::Shown(_) | BlockKind::Python(PythonBlock { twin: None, .. }) => continue,
            BlockKind::Rust(rust) => {
                let mut text = reduced_block(markdown, block, "rust");
                if rust.mode.runs() {
                    let output = snapshot::read_output(snapshots_dir, &crate_name, &rust.name).with_context(|| {
                        format!(
                            "{}:{}: block `{}` has no verified output",
                            chapter.display(),
                            block.line,
                            rust.name
                        )
                    })?;
                    let shown = if rust.graph {
                        graph_block(&output, &prefix).with_context(|| {
                            format!("{}:{}: graph block `{}`", chapter.display(), block.line, rust.name)
                        })?
                    } else {
                        output_block(&output, rust.mode == Mode::ShouldPanic, &prefix)
                    };
                    text.push_str(&if rust.quiz { quiz_block(&shown, &prefix) } else { shown });
                }
                // Its twin, when it follows at once, makes a pair of tabs.
                let next = blocks.get(k).filter(|next| {
                    prefix.is_empty()
                        && markdown[block.range.end..next.range.start].trim().is_empty()
                        && matches!(&next.kind, BlockKind::Python(PythonBlock { twin: Some(name), .. }) if *name == rust.name)
                });
                if let Some(twin) = next {
                    k += 1;
                    let python = twin_block(
                        snapshots_dir,
                        chapter,
                        &crate_name,
                        markdown,
                        twin,
                        &rust.name,
                        "",
                        rust.quiz,
                    )?;
                    out.push_str(&markdown[cursor..block.range.start]);
                    out.push_str(&twin_pair(&text, &python));
                    cursor = twin.range.end;
                    continue;
                }
                text
            }
            BlockKind::Python(PythonBlock { twin: Some(name), .. }) => twin_block(
                snapshots_dir,
                chapter,
                &crate_name,
                markdown,
                block,
                name,
                &prefix,
                false,
            )?,
        };
        out.push_str(&markdown[cursor..block.range.start]);
        out.push_str(&rendered);
        cursor = block.range.end;
    }
    out.push_str(&markdown[cursor..]);
    // Formulas last: what was inserted above is code, HTML or SVG, never math.
    math::render(&out).map_err(|bad| anyhow::anyhow!("{}: {}", chapter.display(), bad[0]))
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
fn reduced_block(markdown: &str, block: &extract::Block, language: &str) -> String {
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

/// A twin as shown: its code, as `python`, and its verified output.
#[allow(clippy::too_many_arguments)]
fn twin_block(
    snapshots_dir: &Path,
    chapter: &Path,
    crate_name: &str,
    markdown: &str,
    block: &extract::Block,
    rust_name: &str,
    prefix: &str,
    quiz: bool,
) -> Result<String> {
    let Some((output, _)) = snapshot::read_twin(snapshots_dir, crate_name, rust_name)? else {
        bail!(
            "{}:{}: the PyTorch twin of `{rust_name}` has no verified output (no snapshot {}): run \
             `cargo xtask verify --update` with torch installed",
            chapter.display(),
            block.line,
            snapshots_dir
                .join(snapshot::twin_file_name(crate_name, rust_name))
                .display()
        );
    };
    let mut text = reduced_block(markdown, block, "python");
    // A quiz's twin, in the tab beside it, must not give the answer away.
    let shown = output_block(&output, false, prefix);
    text.push_str(&if quiz { quiz_block(&shown, prefix) } else { shown });
    Ok(text)
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

/// A `graph` block's output as shown: the picture Graphviz draws from the
/// verified DOT text, and the text itself, folded, under it.
fn graph_block(dot_text: &str, prefix: &str) -> Result<String> {
    let svg = graph::svg(dot_text)?;
    let mut text = format!("\n{prefix}\n{prefix}<div class=\"graph-picture\">\n");
    for line in svg.lines() {
        text.push_str(&format!("{prefix}{line}\n"));
    }
    text.push_str(&format!(
        "{prefix}</div>\n{prefix}\n{prefix}<details class=\"graph-dot\">\n{prefix}<summary>The DOT text it printed</summary>\n"
    ));
    text.push_str(&output_block(dot_text, false, prefix));
    text.push_str(&format!("\n{prefix}\n{prefix}</details>"));
    Ok(text)
}

/// A quiz: what is normally shown under the block, behind a `<details>`
/// control (it works without JavaScript), the answer being the snapshot.
fn quiz_block(shown: &str, prefix: &str) -> String {
    format!(
        "\n{prefix}\n{prefix}<details class=\"quiz\">\n{prefix}<summary>Predict the output, then reveal it</summary>\n{shown}\n{prefix}\n{prefix}</details>"
    )
}

/// The markdown shown under a block: a label and the output in a `text`
/// fence long enough that no backticks in the output can close it.
fn output_block(output: &str, panics: bool, prefix: &str) -> String {
    let label = match (panics, output.is_empty()) {
        (_, true) => "Output: (nothing)",
        (true, false) => "Output (it panics):",
        (false, false) => "Output:",
    };
    let mut text = format!("\n{prefix}\n{prefix}<p class=\"verified-output\">{label}</p>\n{prefix}\n");
    if !output.is_empty() {
        let longest_run = output.split(|c| c != '`').map(str::len).max().unwrap_or(0);
        let fence = "`".repeat(longest_run.max(2) + 1);
        text.push_str(&format!("{prefix}{fence}text\n"));
        for line in output.lines() {
            text.push_str(&format!("{prefix}{line}\n"));
        }
        text.push_str(&format!("{prefix}{fence}"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::{SnapshotId, WritePolicy};

    #[test]
    fn outputs_follow_runnable_blocks() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let id = SnapshotId {
            crate_name: "ch01-x",
            block_name: "hi",
            chapter: Path::new("book/ch01-x.md"),
            line: 3,
            twin: None,
        };
        snapshot::record(dir.path(), &id, "hello ``` world\n", WritePolicy::Accept)?;
        let markdown = "# X\n\n```rust,name=hi\n# fn hidden() {}\nprintln!(\"hi\");\n```\n\n```rust,name=nr,no_run\nloop {}\n```\n\n```text\nplain\n```\n";
        let rendered = render_chapter(dir.path(), Path::new("book/ch01-x.md"), markdown)?;
        assert_eq!(
            rendered,
            "# X\n\n```rust\n# fn hidden() {}\nprintln!(\"hi\");\n```\n\n<p class=\"verified-output\">Output:</p>\n\n\
             ````text\nhello ``` world\n````\n\n```rust\nloop {}\n```\n\n```text\nplain\n```\n"
        );
        Ok(())
    }

    #[test]
    fn a_twin_after_its_rust_block_makes_a_pair_of_tabs() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let chapter = Path::new("book/ch01-x.md");
        let rust = SnapshotId {
            crate_name: "ch01-x",
            block_name: "hi",
            chapter,
            line: 1,
            twin: None,
        };
        snapshot::record(dir.path(), &rust, "1.5\n", WritePolicy::Accept)?;
        let code = "print(1.5)\n";
        let twin = SnapshotId {
            line: 5,
            twin: Some(snapshot::Twin { torch: "2.15.0", code }),
            ..rust
        };
        snapshot::record(dir.path(), &twin, "1.5000\n", WritePolicy::Accept)?;
        let markdown = "```rust,name=hi\nprintln!(\"1.5\");\n```\n\n```python,twin=hi\nprint(1.5)\n```\n\nAfter.\n";
        let rendered = render_chapter(dir.path(), chapter, markdown)?;
        assert_eq!(
            rendered,
            "<div class=\"twin-pair\">\n\
             <div class=\"twin-panel\" data-twin-tab=\"Rust\">\n\n<p class=\"twin-label\">Rust</p>\n\n\
             ```rust\nprintln!(\"1.5\");\n```\n\n<p class=\"verified-output\">Output:</p>\n\n```text\n1.5\n```\n\n</div>\n\
             <div class=\"twin-panel\" data-twin-tab=\"PyTorch\">\n\n<p class=\"twin-label\">PyTorch</p>\n\n\
             ```python\nprint(1.5)\n```\n\n<p class=\"verified-output\">Output:</p>\n\n```text\n1.5000\n```\n\n</div>\n\
             </div>\n\nAfter.\n"
        );
        // Apart from its Rust block, a twin is shown where it stands.
        let apart = "```python,twin=hi\nprint(1.5)\n```\n\nText.\n\n```rust,name=hi\nprintln!(\"1.5\");\n```\n";
        let rendered = render_chapter(dir.path(), chapter, apart)?;
        assert!(!rendered.contains("twin-pair"), "{rendered}");
        assert!(
            rendered.starts_with(
                "```python\nprint(1.5)\n```\n\n<p class=\"verified-output\">Output:</p>\n\n```text\n1.5000\n```"
            ),
            "{rendered}"
        );
        Ok(())
    }

    #[test]
    fn quizzes_hide_the_output_graphs_draw_it_and_math_becomes_mathml() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let chapter = Path::new("book/ch01-x.md");
        let id = |block_name, line| SnapshotId {
            crate_name: "ch01-x",
            block_name,
            chapter,
            line,
            twin: None,
        };
        snapshot::record(dir.path(), &id("q", 3), "42\n", WritePolicy::Accept)?;
        let tape = autograd::scalar::Tape::new();
        let x = tape.var(1.0);
        let dot = (x * x - 10.0).powi(2).to_dot();
        snapshot::record(dir.path(), &id("g", 7), &dot, WritePolicy::Accept)?;
        let markdown =
            "Let $x^2$.\n\n```rust,name=q,quiz\nprintln!(\"42\");\n```\n\n```rust,name=g,graph\nfn main() {}\n```\n";
        let rendered = render_chapter(dir.path(), chapter, markdown)?;
        let quiz = rendered.find("<details class=\"quiz\">").expect("a quiz");
        let answer = rendered.find("```text\n42\n```").expect("the answer");
        let end = rendered[quiz..].find("</details>").expect("closed") + quiz;
        assert!(quiz < answer && answer < end, "{rendered}");
        assert!(rendered.contains("<div class=\"graph-picture\">\n<svg"), "{rendered}");
        assert!(rendered.starts_with("Let <math"), "{rendered}");

        let error = render_chapter(dir.path(), chapter, "# X\n\nBad: $\\frac{1}$\n").expect_err("bad formula");
        assert!(
            error
                .to_string()
                .starts_with("book/ch01-x.md:3: formula `\\frac{1}` does not parse"),
            "{error}"
        );
        Ok(())
    }

    #[test]
    fn missing_snapshots_and_invalid_blocks_fail_the_build() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let error = render_chapter(
            dir.path(),
            Path::new("book/ch01-x.md"),
            "```rust,name=hi\nfn main() {}\n```\n",
        )
        .expect_err("no snapshot");
        assert!(
            format!("{error:#}").contains("book/ch01-x.md:1: block `hi` has no verified output"),
            "{error:#}"
        );
        let error = render_chapter(dir.path(), Path::new("book/ch01-x.md"), "\n```rust\n```\n").expect_err("no name");
        assert!(
            error
                .to_string()
                .starts_with("book/ch01-x.md:2: Rust block without a name"),
            "{error}"
        );
        Ok(())
    }
}

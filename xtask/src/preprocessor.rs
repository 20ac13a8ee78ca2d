//! The `verified-output` preprocessor: each chapter as [`crate::render`]
//! shows it, for mdBook.
//!
//! `book.toml` declares it as a command (`cargo xtask preprocess`), so that
//! stock `mdbook build` and `mdbook serve` work too; `cargo xtask book`
//! registers it in-process under the same name, which replaces the command.
//!
//! For `mdbook test`, whose renderer is `test`, it marks every Rust block
//! and every listing `ignore` instead: rustdoc, which mdbook runs on each
//! chapter, is given no `--extern` for the engine, so no block could compile
//! there, and a listing is a piece of the engine, not a program. The blocks
//! are tested by `cargo xtask verify`, which also checks what they print;
//! the listings, by the engine's own tests.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result, bail};
use mdbook_preprocessor::book::{Book, BookItem};
use mdbook_preprocessor::{Preprocessor, PreprocessorContext};

use crate::extract;
use crate::render::{self, Findings, Strictness};
use crate::report::Problem;

/// Shows, under every runnable Rust block, its verified output.
pub struct VerifiedOutput {
    strictness: Strictness,
    /// Every problem of every chapter, each at its line, for the caller to
    /// report: an mdBook error can only carry text.
    problems: Arc<Mutex<Vec<Problem>>>,
    /// For `cargo xtask serve`: what verify found wrong, by chapter (as
    /// shown, `book/ch01-x.md`), shown in the pages. Set only by [`Self::preview`].
    findings: Option<BTreeMap<PathBuf, Findings>>,
    /// In a preview, what is shown in a chapter that verify found nothing
    /// wrong with: the book's own problems.
    book_findings: Findings,
}

impl VerifiedOutput {
    const NAME: &str = "verified-output";

    pub fn new(strictness: Strictness) -> Self {
        VerifiedOutput {
            strictness,
            problems: Arc::default(),
            findings: None,
            book_findings: Findings::default(),
        }
    }

    /// The preprocessor of `cargo xtask serve`: outputs as verified, and
    /// what verify found wrong in each chapter (and in the book, `book`)
    /// shown where it is. Nothing stops the build.
    pub fn preview(findings: BTreeMap<PathBuf, Findings>, book: Findings) -> Self {
        VerifiedOutput {
            strictness: Strictness::Check,
            problems: Arc::default(),
            findings: Some(findings),
            book_findings: book,
        }
    }

    /// Where the problems of the chapters are put, as they are found.
    pub fn problems(&self) -> Arc<Mutex<Vec<Problem>>> {
        Arc::clone(&self.problems)
    }
}

impl Preprocessor for VerifiedOutput {
    fn name(&self) -> &str {
        Self::NAME
    }

    fn run(&self, ctx: &PreprocessorContext, mut book: Book) -> Result<Book> {
        if ctx.renderer == "test" {
            book.for_each_mut(|item| {
                if let BookItem::Chapter(chapter) = item {
                    chapter.content = ignore_rust_blocks(&chapter.content);
                }
            });
            eprintln!(
                "verified-output: every Rust block is marked `ignore` for `mdbook test`: rustdoc cannot \
                 link the engine here; `cargo xtask verify` builds, runs and checks them"
            );
            return Ok(book);
        }
        let key = format!("preprocessor.{}.snapshots", Self::NAME);
        let snapshots = ctx
            .config
            .get::<PathBuf>(&key)?
            .unwrap_or_else(|| PathBuf::from("tests/snapshots"));
        let snapshots_dir = ctx.root.join(snapshots);
        let src = &ctx.config.book.src;
        let mut problems = Vec::new();
        // Where the book shows each region of the engine, so that a listing
        // shows a region as its chapter's stage has it. A book that cannot
        // be read here is reported by the verifier; its listings are then
        // shown as mdBook includes them.
        let showings = crate::extract::read_book(&ctx.root, &ctx.root.join(src))
            .and_then(|chapters| crate::stages::Showings::read(&ctx.root, &chapters))
            .ok();
        book.for_each_mut(|item| {
            let BookItem::Chapter(chapter) = item else { return };
            let Some(source) = &chapter.source_path else { return };
            let shown = src.join(source);
            if let Some(findings) = &self.findings {
                let findings = findings.get(&shown).unwrap_or(&self.book_findings);
                let (content, errors) = render::render_preview(
                    &ctx.root,
                    &snapshots_dir,
                    &shown,
                    &chapter.content,
                    findings,
                    showings.as_ref(),
                );
                chapter.content = content;
                problems.extend(errors.into_iter().map(|error| Problem {
                    location: format!("{}:{}", shown.display(), error.line),
                    message: error.message,
                }));
                return;
            }
            match render::render_chapter(
                &ctx.root,
                &snapshots_dir,
                &shown,
                &chapter.content,
                self.strictness,
                showings.as_ref(),
            ) {
                Ok(content) => chapter.content = content,
                Err(errors) => problems.extend(errors.into_iter().map(|error| Problem {
                    location: format!("{}:{}", shown.display(), error.line),
                    message: error.message,
                })),
            }
        });
        if problems.is_empty() {
            return Ok(book);
        }
        if self.findings.is_some() || self.strictness == Strictness::Check {
            // A preview shows its problems in the pages, and verify's own
            // build goes on to check the links too: the problems are reported
            // all the same.
            if let Ok(mut shared) = self.problems.lock() {
                shared.extend(problems);
            }
            return Ok(book);
        }
        let mut message = format!("{} problem(s) in the chapters:", problems.len());
        for problem in &problems {
            message.push_str(&format!(
                "\n{}: {}",
                problem.location,
                problem.message.replace('\n', "\n    ")
            ));
        }
        if let Ok(mut shared) = self.problems.lock() {
            shared.extend(problems);
        }
        bail!(message)
    }
}

/// The chapter with the info string of each block in Rust (runnable blocks,
/// listings of the engine, and blocks the verifier rejects alike) replaced by
/// `rust,ignore`.
fn ignore_rust_blocks(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut cursor = 0;
    for block in extract::blocks(markdown) {
        let start = block.range.start;
        let opening_end = markdown[start..].find('\n').map_or(block.range.end, |i| start + i);
        let opening = &markdown[start..opening_end];
        let fence_len = opening.len() - opening.trim_start_matches(['`', '~']).len();
        let language = opening[fence_len..].split(',').next().unwrap_or("").trim();
        if language != "rust" {
            continue;
        }
        out.push_str(&markdown[cursor..start]);
        out.push_str(&opening[..fence_len]);
        out.push_str("rust,ignore");
        cursor = opening_end;
    }
    out.push_str(&markdown[cursor..]);
    out
}

/// The mdBook preprocessor protocol over stdin and stdout, for `mdbook build`:
/// `preprocess supports <renderer>` answers by exit status, plain
/// `preprocess` reads `[context, book]` as JSON and writes the book back.
pub fn command(args: &[String]) -> Result<()> {
    match args {
        // The outputs are plain markdown: every renderer can show them.
        [supports, _renderer] if supports == "supports" => Ok(()),
        [] => {
            let mut input = Vec::new();
            std::io::stdin()
                .read_to_end(&mut input)
                .context("cannot read mdBook's input")?;
            let (ctx, book) = mdbook_preprocessor::parse_input(&input[..])?;
            let book = VerifiedOutput::new(Strictness::Publish).run(&ctx, book)?;
            let mut stdout = std::io::stdout().lock();
            serde_json::to_writer(&mut stdout, &book).context("cannot write the book for mdBook")?;
            stdout.flush().context("cannot write the book for mdBook")
        }
        _ => bail!("usage: cargo xtask preprocess [supports <renderer>]"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn for_mdbook_test_every_rust_block_is_ignored() {
        let markdown = "# T\n\n```rust,name=a\nfn main() {}\n```\n\n````rust,name=b,no_run\nx\n````\n\n\
                        ```text\n1\n```\n\n```rust,listing\n{{#include ../src/lib.rs:f}}\n```\n";
        assert_eq!(
            ignore_rust_blocks(markdown),
            "# T\n\n```rust,ignore\nfn main() {}\n```\n\n````rust,ignore\nx\n````\n\n```text\n1\n```\n\n\
             ```rust,ignore\n{{#include ../src/lib.rs:f}}\n```\n"
        );
    }
}

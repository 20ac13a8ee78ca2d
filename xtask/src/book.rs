//! `cargo xtask book`: the rendered book, built with mdBook as a library and
//! the [`VerifiedOutput`] preprocessor, and everything the build can reject,
//! each at its chapter's line.
//!
//! The same build runs inside `cargo xtask verify` ([`check`]), into a
//! scratch directory, so that verify rejects whatever the book would: a
//! formula that does not parse, a graph that does not draw, a link or an
//! anchor that leads nowhere, and any warning mdBook logs (it logs them with
//! `tracing`, which nothing else would print: an HTML tag it cannot balance,
//! a footnote defined twice).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result, bail};
use mdbook_driver::MDBook;
use pulldown_cmark::{Event, Parser, Tag};

use crate::cache::{Fingerprint, VerdictCache};
use crate::layout::Layout;
use crate::links;
use crate::preprocessor::VerifiedOutput;
use crate::render::Strictness;
use crate::report::Problem;

/// Builds the book at `root` (where `book.toml` is) and returns the path of
/// its `index.html`; any problem fails the build, and all are listed. A
/// block whose committed output was printed by other code than the page
/// shows is one: a snapshot records the code that printed it.
pub fn build(root: &Path) -> Result<PathBuf> {
    build_as(root, Strictness::Publish)
}

/// `cargo xtask book --preview`: [`build`], but an output that is not the
/// verified output of its block's code (or is missing) is shown marked not
/// verified instead of failing the build.
pub fn build_unverified(root: &Path) -> Result<PathBuf> {
    build_as(root, Strictness::Unverified)
}

fn build_as(root: &Path, strictness: Strictness) -> Result<PathBuf> {
    let (index, problems) = build_into(root, None, VerifiedOutput::new(strictness))?;
    if !problems.is_empty() {
        let mut list = String::new();
        for problem in &problems {
            let _ = write!(
                list,
                "\n{}: {}",
                problem.location,
                problem.message.trim_end().replace('\n', "\n    ")
            );
        }
        bail!("the book has {} problem(s):{list}", problems.len());
    }
    Ok(index)
}

/// What the book build would reject, building it into `build_dir`. Missing
/// outputs and invalid blocks are left to the blocks' verdicts.
pub fn check(root: &Path, build_dir: &Path) -> Result<Vec<Problem>> {
    build_into(root, Some(build_dir), VerifiedOutput::new(Strictness::Check)).map(|(_, problems)| problems)
}

/// The book as `cargo xtask serve` shows it, built into `build_dir` with
/// `preview` ([`VerifiedOutput::preview`]): every problem is shown in the
/// pages and returned too, and none stops the build.
pub fn build_preview(root: &Path, build_dir: &Path, preview: VerifiedOutput) -> Result<(PathBuf, Vec<Problem>)> {
    build_into(root, Some(build_dir), preview)
}

/// The book stage of `cargo xtask verify`: [`check`] into
/// `target/xtask/book-check`, skipped while nothing the build reads has
/// changed since it last passed (the fingerprint below).
pub fn check_cached(layout: &Layout, cache: &mut VerdictCache) -> Result<Vec<Problem>> {
    const CACHE_ID: &str = "book build";
    let fingerprint = cache.is_active().then(|| {
        Fingerprint::new(CACHE_ID)
            .file_contents(&layout.root.join("book.toml"))
            .tree(&layout.book_dir)
            .tree(&layout.snapshots_dir)
            .tree(&layout.root.join("xtask/assets"))
            .text(&format!("graphviz: {}", crate::graph::is_installed()))
    });
    if cache.is_fresh(CACHE_ID, fingerprint.as_ref()) {
        return Ok(Vec::new());
    }
    let problems = check(&layout.root, &layout.target_dir.join("xtask/book-check"))?;
    if problems.is_empty() {
        cache.record_pass(CACHE_ID, fingerprint.as_ref());
    } else {
        cache.forget(CACHE_ID);
    }
    Ok(problems)
}

/// Builds the book, into `build_dir` or where `book.toml` says, and returns
/// its index and its problems. `Err` only when the book cannot be built for
/// a reason that is no chapter's (no `book.toml`, an unwritable directory).
fn build_into(root: &Path, build_dir: Option<&Path>, preprocessor: VerifiedOutput) -> Result<(PathBuf, Vec<Problem>)> {
    let mut book = MDBook::load(root).with_context(|| format!("cannot load the book at {}", root.display()))?;
    if let Some(dir) = build_dir {
        book.config.build.build_dir = dir.to_path_buf();
    }
    let chapter_problems = preprocessor.problems();
    book.with_preprocessor(preprocessor);
    let unlisted = unlisted(root, &book.source_dir())?;
    let warnings = Warnings::default();
    let built = tracing::subscriber::with_default(warnings.clone(), || book.build());
    let mut problems = chapter_problems
        .lock()
        .map(|mut p| std::mem::take(&mut *p))
        .unwrap_or_default();
    problems.extend(unlisted);
    problems.extend(warnings.take().into_iter().map(|warning| Problem {
        location: "mdBook".into(),
        message: format!("warning: {warning}"),
    }));
    let html = book.build_dir_for("html");
    match built {
        // The chapters' problems stopped the build: they say why, and that
        // the links went unchecked.
        Err(_) if !problems.is_empty() => {
            problems.push(Problem {
                location: "links".into(),
                message: "not checked: the book build stopped at the problems above, so there are no pages \
                          to check them in (`cargo xtask verify` checks them all the same)"
                    .into(),
            });
            return Ok((html.join("index.html"), problems));
        }
        Err(error) => return Err(error.context("cannot build the book")),
        Ok(()) => {}
    }
    // The archives first: the pages link them, and the link check must find them.
    crate::downloads::write_all(root, &html)?;
    let source_dir = book.source_dir();
    let display_src = crate::layout::display_path(root, &source_dir);
    problems.extend(broken_links(&html, &source_dir, &display_src)?);
    Ok((html.join("index.html"), problems))
}

/// A problem for each markdown file of the book that `SUMMARY.md` does not
/// list: mdBook leaves it out without a word, so its blocks would go
/// unchecked and its page unpublished.
fn unlisted(root: &Path, source_dir: &Path) -> Result<Vec<Problem>> {
    let chapters = crate::extract::read_book(root, source_dir)?;
    let summary = crate::layout::display_path(root, &source_dir.join("SUMMARY.md"));
    Ok(crate::extract::unlisted_chapters(root, source_dir, &chapters)?
        .into_iter()
        .map(|path| Problem {
            location: path.display().to_string(),
            message: format!(
                "{} does not list this chapter, so the book leaves it out and verify checks none of its \
                 blocks: list it there, or move it out of {}",
                summary.display(),
                crate::layout::display_path(root, source_dir).display()
            ),
        })
        .collect())
}

/// The rendered book's broken internal links, each at the chapter line that
/// wrote it. A chapter's page has its links; `toc.html` (the sidebar) has
/// `SUMMARY.md`'s. `print.html` and an `index.html` that copies the first
/// chapter repeat the chapters' links, and are not reported again.
fn broken_links(html_dir: &Path, source_dir: &Path, display_src: &Path) -> Result<Vec<Problem>> {
    let mut problems = Vec::new();
    for link in links::check(html_dir)? {
        let page = link.page.to_string_lossy().replace('\\', "/");
        let markdown_name = match page.as_str() {
            "print.html" => continue,
            "toc.html" => "SUMMARY.md".to_string(),
            _ => page
                .strip_suffix(".html")
                .map(|stem| format!("{stem}.md"))
                .unwrap_or_default(),
        };
        let source = source_dir.join(&markdown_name);
        let text = std::fs::read_to_string(&source).ok();
        let Some(markdown) = text.filter(|_| !markdown_name.is_empty()) else {
            if page == "index.html" {
                continue;
            }
            problems.push(Problem {
                location: html_dir.join(&link.page).display().to_string(),
                message: format!("link `{}`: {}", link.href, link.problem),
            });
            continue;
        };
        let shown = display_src.join(&markdown_name);
        let lines = lines_linking_to(&markdown, &link.href);
        let message = format!("link `{}` leads nowhere: {}", link.href, link.problem);
        if lines.is_empty() {
            problems.push(Problem {
                location: shown.display().to_string(),
                message: message.clone(),
            });
        }
        for line in lines {
            problems.push(Problem {
                location: format!("{}:{line}", shown.display()),
                message: message.clone(),
            });
        }
    }
    problems.dedup_by(|a, b| a.location == b.location && a.message == b.message);
    Ok(problems)
}

/// The lines of `markdown` whose links (markdown links, and `href`s of its
/// HTML) point at `href` as mdBook writes it on the page: a relative link to
/// `x.md` or `x.md#y` becomes `x.html`, `x.html#y`.
fn lines_linking_to(markdown: &str, href: &str) -> Vec<usize> {
    let line_of = |offset: usize| markdown[..offset].matches('\n').count() + 1;
    let mut lines = Vec::new();
    for (event, range) in Parser::new_ext(markdown, crate::math::mdbook_options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Link { dest_url, .. }) if as_rendered(&dest_url) == href => {
                lines.push(line_of(range.start));
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                for (at, value) in links::attribute_values_at(&html, "href") {
                    if as_rendered(&value) == href {
                        lines.push(line_of(range.start + at));
                    }
                }
            }
            _ => {}
        }
    }
    lines.dedup();
    lines
}

/// A link as mdBook writes it into the page: a relative link to a `.md`
/// file, with or without a fragment, points at its `.html` page.
fn as_rendered(dest: &str) -> String {
    let has_scheme = dest.split_once(':').is_some_and(|(scheme, _)| {
        !scheme.is_empty() && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
    });
    if dest.starts_with('#') || has_scheme {
        return dest.to_string();
    }
    let (path, fragment) = dest.split_once('#').map_or((dest, None), |(p, f)| (p, Some(f)));
    match (path.strip_suffix(".md"), fragment) {
        (Some(stem), Some(fragment)) => format!("{stem}.html#{fragment}"),
        (Some(stem), None) => format!("{stem}.html"),
        (None, _) => dest.to_string(),
    }
}

/// mdBook's warnings, collected while it builds: a `tracing` subscriber that
/// keeps the message of every event at `WARN` or above.
#[derive(Clone, Default)]
struct Warnings(Arc<Mutex<Vec<String>>>);

impl Warnings {
    fn take(&self) -> Vec<String> {
        self.0.lock().map(|mut w| std::mem::take(&mut *w)).unwrap_or_default()
    }
}

impl tracing::Subscriber for Warnings {
    fn enabled(&self, metadata: &tracing::Metadata<'_>) -> bool {
        *metadata.level() <= tracing::Level::WARN
    }

    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        // Spans are never enabled (see `enabled`); every one gets the same id.
        tracing::span::Id::from_u64(1)
    }

    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}

    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}

    fn event(&self, event: &tracing::Event<'_>) {
        struct Message(String);
        impl tracing::field::Visit for Message {
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                if field.name() == "message" {
                    self.0 = format!("{value:?}");
                }
            }
        }
        let mut message = Message(String::new());
        event.record(&mut message);
        if let Ok(mut warnings) = self.0.lock() {
            warnings.push(message.0);
        }
    }

    fn enter(&self, _: &tracing::span::Id) {}

    fn exit(&self, _: &tracing::span::Id) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_found_at_their_lines_as_mdbook_rewrites_them() {
        let markdown = "# T\n\nSee [two](ch02.md#top) and [web](https://x.org/a.md).\n\n\
                        <a href=\"ch02.md#top\">again</a>\n\n[here](#local)\n";
        assert_eq!(lines_linking_to(markdown, "ch02.html#top"), [3, 5]);
        assert_eq!(lines_linking_to(markdown, "#local"), [7]);
        assert_eq!(lines_linking_to(markdown, "https://x.org/a.md"), [3]);
        assert_eq!(as_rendered("sub/x.md"), "sub/x.html");
        assert_eq!(as_rendered("mailto:a@b.md"), "mailto:a@b.md");
    }

    #[test]
    fn warnings_are_collected_and_other_levels_are_not() {
        let warnings = Warnings::default();
        tracing::subscriber::with_default(warnings.clone(), || {
            tracing::info!("building");
            tracing::warn!("unexpected HTML end tag `</mo>` found in `ch02.md`");
        });
        assert_eq!(warnings.take(), ["unexpected HTML end tag `</mo>` found in `ch02.md`"]);
    }
}

//! Chapter stages of the engine: the engine as the book has shown it by the
//! end of a chapter, built, with that chapter's blocks run against it.
//!
//! The engine's source (`crates/autograd`) is the one source of truth; a
//! stage is cut from it by the listings. A line of an engine file is in the
//! stage of chapter N when a listing of chapters 1..N shows it; a blank line
//! or a comment (`//`, `//!`; `#` in `Cargo.toml`) is in it when its file
//! is, a `///` doc comment when the code line after it is; anchor comments
//! and `#[cfg(test)]` modules never are. So a stage holds exactly what a
//! reader who typed the listings in page order has typed, and a listing that
//! uses a name the book shows only later fails to compile at its stage, at
//! its chapter line.
//!
//! `book.toml` says how far the stages go (`staged-through` in
//! `[preprocessor.verified-output]`): each chapter from the first that
//! shows a listing of the engine up to that one is built
//! against its own stage, in a workspace of its own under
//! `target/stages/<chapter>/` that mirrors the repository's (the stage's
//! engine in `crates/autograd`, the chapter's generated crate beside it) and
//! a target directory shared by all stages; the chapters after it are built
//! against the finished engine. Files are rewritten only when their text
//! changes, so cargo rebuilds only the stages that did.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::build::{self, BuildResult};
use crate::extract::{BlockKind, Chapter};
use crate::generate::GeneratedCrate;
use crate::layout::Layout;
use crate::listing;
use crate::report::Problem;

/// The engine, relative to the repository root.
const ENGINE: &str = "crates/autograd";

/// The stage of one chapter: the engine's files as shown by its end, and
/// where each of their lines was shown.
#[derive(Debug)]
pub struct Stage {
    /// The chapter's crate name (`ch02-scalars`).
    pub chapter: String,
    /// Index of the chapter in the book's order.
    pub index: usize,
    /// Files relative to the engine's directory (`src/scalar.rs`), with
    /// their text at this stage.
    pub files: BTreeMap<PathBuf, StageFile>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageFile {
    pub text: String,
    /// For each line of `text`, the listing that showed it: the chapter's
    /// path and line (`None` for a blank or comment line of no listing).
    pub shown_at: Vec<Option<(PathBuf, usize)>>,
}

/// How far the stages go: the crate name of the last staged chapter, from
/// `book.toml`'s `[preprocessor.verified-output]` `staged-through`, or none.
pub fn staged_through(root: &Path) -> Result<Option<String>> {
    let path = root.join("book.toml");
    let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let table: toml::Table = text
        .parse()
        .with_context(|| format!("cannot parse {}", path.display()))?;
    let value = table
        .get("preprocessor")
        .and_then(|p| p.get("verified-output"))
        .and_then(|v| v.get("staged-through"));
    match value {
        None => Ok(None),
        Some(toml::Value::String(name)) => Ok(Some(name.clone())),
        Some(other) => bail!("book.toml: `staged-through` is a chapter's name (\"ch02-scalars\"), not `{other}`"),
    }
}

/// The stages of the chapters up to `through`, in the book's order.
pub fn plan(root: &Path, chapters: &[Chapter], through: &str) -> Result<Vec<Stage>> {
    let Some(last) = chapters.iter().position(|c| c.crate_name == through) else {
        let names: Vec<&str> = chapters.iter().map(|c| c.crate_name.as_str()).collect();
        bail!(
            "book.toml: `staged-through = \"{through}\"` names no chapter of SUMMARY.md (its chapters: {})",
            names.join(", ")
        );
    };
    let engine = root.join(ENGINE);
    let mut sources = BTreeMap::new();
    for path in crate::layout::files_under(&engine)? {
        let relative = path.strip_prefix(&engine)?.to_path_buf();
        let is_source = relative.starts_with("src") && path.extension().is_some_and(|e| e == "rs");
        if is_source || relative == Path::new("Cargo.toml") {
            let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
            sources.insert(relative, text);
        }
    }
    // Each engine line's first showing, in page order.
    let mut first_shown: BTreeMap<PathBuf, BTreeMap<usize, (usize, PathBuf, usize)>> = BTreeMap::new();
    for (index, chapter) in chapters.iter().enumerate().take(last + 1) {
        for block in &chapter.blocks {
            let BlockKind::Listing(includes) = &block.kind else {
                continue;
            };
            for (offset, include) in includes.iter().enumerate() {
                // A listing that does not resolve fails on its own.
                let Ok(shown) = listing::resolve(root, &chapter.display_path, include) else {
                    continue;
                };
                let Ok(relative) = shown.file.strip_prefix(ENGINE) else {
                    continue;
                };
                let lines = first_shown.entry(relative.to_path_buf()).or_default();
                // The include line itself, the line after the fence.
                let at = (index, chapter.display_path.clone(), block.line + 1 + offset);
                for line in shown.lines {
                    lines.entry(line).or_insert_with(|| at.clone());
                }
            }
        }
    }
    // A chapter before the first listing of the engine (the introduction)
    // shows the finished engine at work: it has no stage of its own.
    let Some(first) = first_shown
        .values()
        .flat_map(|lines| lines.values())
        .map(|(index, _, _)| *index)
        .min()
    else {
        bail!("book.toml: `staged-through = \"{through}\"`, but no chapter up to it shows a listing of the engine");
    };
    let mut stages = Vec::new();
    for (index, chapter) in chapters.iter().enumerate().take(last + 1).skip(first) {
        let mut files = BTreeMap::new();
        for (relative, source) in &sources {
            let shown = first_shown.get(relative);
            let at_stage: BTreeMap<usize, (PathBuf, usize)> = shown
                .into_iter()
                .flatten()
                .filter(|(_, (first, _, _))| *first <= index)
                .map(|(&line, (_, path, at))| (line, (path.clone(), *at)))
                .collect();
            if at_stage.is_empty() {
                continue;
            }
            files.insert(relative.clone(), cut(source, &at_stage, is_toml(relative)));
        }
        stages.push(Stage {
            chapter: chapter.crate_name.clone(),
            index,
            files,
        });
    }
    Ok(stages)
}

fn is_toml(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "toml")
}

/// What a line of the engine's source is, for cutting a stage from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineKind {
    Blank,
    /// `//` or `//!` (or `#` in a manifest): kept wherever its file is.
    Comment,
    /// `///`: kept when the code line after it is.
    Doc,
    Anchor,
    /// Inside a `#[cfg(test)]` module.
    Test,
    Code,
}

fn classify(source: &str, toml: bool) -> Vec<LineKind> {
    let code: BTreeSet<usize> = if toml {
        BTreeSet::new()
    } else {
        crate::coverage::code_lines(source).into_iter().collect()
    };
    let in_test = crate::coverage::test_module_lines(source);
    source
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let trimmed = line.trim();
            if listing::is_anchor_line(line) {
                LineKind::Anchor
            } else if in_test[i] {
                LineKind::Test
            } else if trimmed.is_empty() {
                LineKind::Blank
            } else if toml {
                if trimmed.starts_with('#') {
                    LineKind::Comment
                } else {
                    LineKind::Code
                }
            } else if code.contains(&(i + 1)) {
                LineKind::Code
            } else if trimmed.starts_with("///") {
                LineKind::Doc
            } else {
                LineKind::Comment
            }
        })
        .collect()
}

/// A file as a stage has it: the lines in `shown` (1-based, with where they
/// were shown), and the blank and comment lines around them.
fn cut(source: &str, shown: &BTreeMap<usize, (PathBuf, usize)>, toml: bool) -> StageFile {
    let lines: Vec<&str> = source.lines().collect();
    let kinds = classify(source, toml);
    let mut keep = vec![false; lines.len()];
    for i in 0..lines.len() {
        keep[i] = match kinds[i] {
            LineKind::Anchor | LineKind::Test => false,
            LineKind::Blank | LineKind::Comment => true,
            LineKind::Code | LineKind::Doc => shown.contains_key(&(i + 1)),
        };
    }
    // A doc comment outside every listing goes with the code it documents.
    for i in (0..lines.len()).rev() {
        if kinds[i] == LineKind::Doc && !shown.contains_key(&(i + 1)) {
            keep[i] = lines[i + 1..]
                .iter()
                .zip(&kinds[i + 1..])
                .zip(&keep[i + 1..])
                .find(|((_, kind), _)| matches!(kind, LineKind::Code | LineKind::Doc))
                .is_some_and(|(_, &kept)| kept);
        }
    }
    let mut text = String::new();
    let mut shown_at = Vec::new();
    let mut blank_before = true;
    for (i, line) in lines.iter().enumerate() {
        if !keep[i] {
            continue;
        }
        let blank = kinds[i] == LineKind::Blank;
        if blank && blank_before {
            continue;
        }
        blank_before = blank;
        text.push_str(line);
        text.push('\n');
        shown_at.push(shown.get(&(i + 1)).cloned());
    }
    while text.ends_with("\n\n") {
        text.pop();
        shown_at.pop();
    }
    StageFile { text, shown_at }
}

/// Builds each stage with its chapter's generated crate, in the stage's own
/// workspace, warnings denied. Returns the blocks' builds (as the main build
/// gives them) and the engine's own errors and warnings, each at the chapter
/// line of the listing that showed the line it points at.
pub fn build(
    layout: &Layout,
    stages: &[Stage],
    generated: &[&GeneratedCrate],
    chapters: &[Chapter],
    show_progress: bool,
) -> Result<(BuildResult, BTreeMap<String, Vec<Problem>>)> {
    let mut result = BuildResult::default();
    let mut problems: BTreeMap<String, Vec<Problem>> = BTreeMap::new();
    let target_dir = layout.target_dir.join("stages/target");
    for stage in stages {
        let Some(krate) = generated.iter().find(|k| k.name == stage.chapter) else {
            continue;
        };
        let root = write_workspace(layout, stage, krate)?;
        let built = build::build_with(
            &root,
            &target_dir,
            &[*krate],
            show_progress,
            &[("RUSTFLAGS", "-D warnings")],
        )?;
        let chapter = &chapters[stage.index];
        for message in &built.engine_messages {
            let file = message.file.strip_prefix(ENGINE).ok().map(Path::to_path_buf);
            let shown = file
                .as_ref()
                .and_then(|f| stage.files.get(f))
                .and_then(|f| f.shown_at.get(message.line.wrapping_sub(1)).cloned().flatten());
            let location = match &shown {
                Some((path, line)) => format!("{}:{line}", path.display()),
                None => chapter.display_path.display().to_string(),
            };
            problems.entry(stage.chapter.clone()).or_default().push(Problem {
                location,
                message: format!(
                    "stage {}: the engine as the book has shown it by the end of {} does not build \
                     cleanly (line {} of {}, in target/stages/{}):\n{}",
                    stage.chapter,
                    chapter.display_path.display(),
                    message.line,
                    message.file.display(),
                    stage.chapter,
                    message.rendered
                ),
            });
        }
        result.other_errors.extend(built.other_errors);
        for (id, mut block) in built.blocks {
            for diagnostic in &mut block.diagnostics {
                diagnostic.rendered = format!(
                    "against stage {} (the engine as shown by the end of this chapter):\n{}",
                    stage.chapter, diagnostic.rendered
                );
            }
            result.blocks.insert(id, block);
        }
    }
    Ok((result, problems))
}

/// Writes the stage's workspace, only the files whose text changed, and
/// returns its root.
fn write_workspace(layout: &Layout, stage: &Stage, krate: &GeneratedCrate) -> Result<PathBuf> {
    let root = layout.target_dir.join("stages").join(&stage.chapter);
    let mut wanted: BTreeMap<PathBuf, String> = BTreeMap::new();
    let manifest_path = layout.root.join("Cargo.toml");
    let mut manifest: toml::Table = std::fs::read_to_string(&manifest_path)
        .with_context(|| format!("cannot read {}", manifest_path.display()))?
        .parse()
        .with_context(|| format!("cannot parse {}", manifest_path.display()))?;
    let crates_rel = layout.crates_rel();
    let members = vec![
        toml::Value::from(ENGINE),
        toml::Value::from(crates_rel.join(&krate.name).to_string_lossy().into_owned()),
    ];
    let workspace = manifest
        .get_mut("workspace")
        .and_then(toml::Value::as_table_mut)
        .context("the root Cargo.toml has no [workspace]")?;
    workspace.insert("members".into(), toml::Value::Array(members));
    // Path dependencies other than the engine stay where they are.
    let dependencies = workspace.get_mut("dependencies").and_then(toml::Value::as_table_mut);
    for dependency in dependencies
        .into_iter()
        .flat_map(|table| table.iter_mut().map(|(_, value)| value))
    {
        if let Some(path) = dependency.get_mut("path")
            && let Some(relative) = path.as_str()
            && Path::new(relative) != Path::new(ENGINE)
        {
            *path = toml::Value::from(layout.root.join(relative).to_string_lossy().into_owned());
        }
    }
    wanted.insert("Cargo.toml".into(), toml::to_string(&manifest)?);
    if let Ok(lock) = std::fs::read_to_string(layout.root.join("Cargo.lock")) {
        wanted.insert("Cargo.lock".into(), lock);
    }
    for (path, file) in &stage.files {
        wanted.insert(Path::new(ENGINE).join(path), file.text.clone());
    }
    for (path, text) in &krate.files {
        wanted.insert(crates_rel.join(&krate.name).join(path), text.clone());
    }
    // What an earlier run wrote and this stage no longer has must go: a
    // file of a later chapter left behind would build into the stage.
    if root.exists() {
        for path in crate::layout::files_under(&root)? {
            let relative = path.strip_prefix(&root)?;
            if !wanted.contains_key(relative) && !relative.starts_with("target") {
                std::fs::remove_file(&path).with_context(|| format!("cannot remove {}", path.display()))?;
            }
        }
    }
    for (relative, text) in &wanted {
        let path = root.join(relative);
        if std::fs::read_to_string(&path).is_ok_and(|old| &old == text) {
            continue;
        }
        std::fs::create_dir_all(path.parent().context("a file has a directory")?)?;
        crate::atomic::write(&path, text.as_bytes())?;
    }
    Ok(root)
}

/// The report's line for a stage: whether its engine built, and how many of
/// the chapter's blocks printed their snapshots against it.
pub fn summary_line(stage: &Stage, engine_problems: usize, matched: usize, blocks: usize) -> String {
    let engine = if engine_problems == 0 {
        "engine builds".to_string()
    } else {
        format!("engine does not build cleanly ({engine_problems} problem(s), below)")
    };
    let matches = if matched == blocks {
        format!("{blocks} blocks match")
    } else {
        format!("{matched} of {blocks} blocks match")
    };
    format!(
        "stage {}: {engine}, {matches} ({} engine files, {} lines)",
        stage.chapter,
        stage.files.len(),
        stage.files.values().map(|f| f.shown_at.len()).sum::<usize>()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(lines: &[usize]) -> BTreeMap<usize, (PathBuf, usize)> {
        lines.iter().map(|&l| (l, (PathBuf::from("book/ch.md"), 10))).collect()
    }

    #[test]
    fn a_stage_keeps_shown_code_and_the_comments_around_it() {
        let source = "//! Docs.\n\n// ANCHOR: a\n/// Doc of a.\npub fn a() {}\n// ANCHOR_END: a\n\n\
                      /// Doc of b.\npub fn b() {}\n\n\n// why c\nfn c() {}\n\n#[cfg(test)]\nmod tests {\n    fn t() {}\n}\n";
        let file = cut(source, &shown(&[4, 5, 13]), false);
        assert_eq!(
            file.text,
            "//! Docs.\n\n/// Doc of a.\npub fn a() {}\n\n// why c\nfn c() {}\n"
        );
        assert_eq!(file.shown_at.len(), 7);
        assert_eq!(file.shown_at[3], Some((PathBuf::from("book/ch.md"), 10)));
        assert_eq!(file.shown_at[0], None);
    }

    #[test]
    fn a_doc_comment_outside_the_listings_goes_with_its_code() {
        let source = "/// Doc.\n// ANCHOR: f\nfn f() {}\n// ANCHOR_END: f\n/// Gone.\nfn g() {}\n";
        assert_eq!(cut(source, &shown(&[3]), false).text, "/// Doc.\nfn f() {}\n");
    }

    #[test]
    fn a_manifest_keeps_its_comments_and_shown_tables() {
        let source = "# ANCHOR: package\n[package]\nname = \"autograd\"\n# ANCHOR_END: package\n\n[dev-dependencies]\nserde = \"1\"\n";
        assert_eq!(
            cut(source, &shown(&[2, 3]), true).text,
            "[package]\nname = \"autograd\"\n"
        );
    }
}

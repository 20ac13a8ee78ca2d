//! Listings of the engine's own source. A ```` ```rust,listing ```` block
//! holds nothing but mdBook include lines, `{{#include <path>:<anchor>}}`,
//! with the path relative to the chapter and the anchor a region of the
//! source between `// ANCHOR: <anchor>` and `// ANCHOR_END: <anchor>`
//! comments. mdBook expands them when the book is built (its `links`
//! preprocessor, which leaves the anchor comments out), so a listing is the
//! very code that compiles and is tested: never a copy, never run as a block.
//!
//! This module reads them as mdBook does and checks them: a file that does
//! not exist, or an anchor that is not there, is an error at the listing's
//! line. An anchor opened and never closed, closed and never opened, or
//! given twice is an error of the source file, once, at its own line
//! ([`broken_anchors`]), and of the listings that include that very anchor;
//! the file's other anchors are still good.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;
use std::path::{Component, Path, PathBuf};

/// One `{{#include <path>:<anchor>}}` line of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Include {
    /// As written: relative to the chapter's file.
    pub path: String,
    pub anchor: String,
}

/// The include lines of a listing block: one or more, nothing else.
pub fn parse(content: &str) -> Result<Vec<Include>, String> {
    let mut includes = Vec::new();
    for line in content.lines().map(str::trim).filter(|line| !line.is_empty()) {
        let inner = line
            .strip_prefix("{{#include ")
            .and_then(|rest| rest.strip_suffix("}}"))
            .ok_or_else(|| {
                format!(
                    "a listing holds only `{{{{#include <path>:<anchor>}}}}` lines (the engine's own \
                     source, shown as it is), and this line is not one: `{line}`"
                )
            })?;
        let (path, anchor) = inner.trim().split_once(':').ok_or_else(|| {
            format!(
                "`{line}` names no anchor: a listing shows a region of a file, `{{{{#include {inner}:<anchor>}}}}`, \
                 between `// ANCHOR: <anchor>` and `// ANCHOR_END: <anchor>` in the source"
            )
        })?;
        // mdBook reads digits and colons as a line range: it would show other
        // lines as soon as the source moves.
        if anchor.chars().all(|c| c.is_ascii_digit() || c == ':') {
            return Err(format!(
                "`{line}` shows a range of lines, which moves when the source does: mark the region with \
                 `// ANCHOR: <name>` and `// ANCHOR_END: <name>` and include it by name"
            ));
        }
        if !anchor.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-') {
            return Err(format!(
                "`{anchor}` in `{line}` is not an anchor name (letters, digits, `_` and `-`)"
            ));
        }
        includes.push(Include {
            path: path.to_string(),
            anchor: anchor.to_string(),
        });
    }
    if includes.is_empty() {
        return Err("an empty listing: write `{{#include <path>:<anchor>}}` in it".into());
    }
    Ok(includes)
}

/// A source file's anchors.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Anchors {
    /// The region each good anchor covers: its 1-based lines, from the one
    /// after `ANCHOR: name` to the one before `ANCHOR_END: name`.
    pub regions: BTreeMap<String, RangeInclusive<usize>>,
    /// Each broken anchor, with the line that breaks it and what is wrong.
    pub broken: BTreeMap<String, (usize, String)>,
}

/// The anchors of a source file, good and broken.
pub fn anchors(source: &str) -> Anchors {
    let mut open: BTreeMap<String, usize> = BTreeMap::new();
    let mut found = Anchors::default();
    for (index, line) in source.lines().enumerate() {
        let number = index + 1;
        if let Some(name) = anchor_after(line, "ANCHOR_END:") {
            match open.remove(&name) {
                Some(start) => {
                    found.regions.insert(name, start + 1..=number - 1);
                }
                None => {
                    let why = format!("closes anchor `{name}`, which is not open there");
                    found.broken.entry(name).or_insert((number, why));
                }
            }
        } else if let Some(name) = anchor_after(line, "ANCHOR:")
            && (found.regions.contains_key(&name) || open.insert(name.clone(), number).is_some())
        {
            let why = format!("opens anchor `{name}` a second time: anchor names are unique in a file");
            found.broken.entry(name).or_insert((number, why));
        }
    }
    for (name, line) in open {
        let why = format!("opens anchor `{name}`, which is never closed (`ANCHOR_END: {name}`)");
        found.broken.entry(name).or_insert((line, why));
    }
    for name in found.broken.keys() {
        found.regions.remove(name);
    }
    found
}

/// Every broken anchor of the engine's source (`crates/autograd/src`) and
/// of the other files the book's listings include, once each, as
/// (`file:line`, what is wrong), the file as a path from `root`.
pub fn broken_anchors(root: &Path, chapters: &[crate::extract::Chapter]) -> Vec<(String, String)> {
    let engine = root.join("crates/autograd/src");
    let mut files: std::collections::BTreeSet<PathBuf> = crate::layout::files_under(&engine)
        .unwrap_or_default()
        .into_iter()
        .filter(|path| path.extension().is_some_and(|e| e == "rs"))
        .filter_map(|path| path.strip_prefix(root).ok().map(Path::to_path_buf))
        .collect();
    for chapter in chapters {
        for block in &chapter.blocks {
            if let crate::extract::BlockKind::Listing(listing) = &block.kind {
                files.extend(
                    listing
                        .includes
                        .iter()
                        .map(|include| file_of(&chapter.display_path, include)),
                );
            }
        }
    }
    let mut found = Vec::new();
    for file in files {
        let Ok(source) = std::fs::read_to_string(root.join(&file)) else {
            continue;
        };
        for (line, why) in anchors(&source).broken.into_values() {
            found.push((format!("{}:{line}", file.display()), why));
        }
    }
    found
}

/// The file an include of the chapter at `chapter` names, from the root.
/// The file an include names, relative to the repository's root.
pub fn file_of(chapter: &Path, include: &Include) -> PathBuf {
    normalize(&chapter.parent().unwrap_or(Path::new("")).join(&include.path))
}

/// The anchor name after `marker` in a line, as mdBook reads it
/// (`ANCHOR:\s*name`, anywhere in the line).
fn anchor_after(line: &str, marker: &str) -> Option<String> {
    let at = line.find(marker)?;
    let name: String = line[at + marker.len()..]
        .trim_start()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    (!name.is_empty()).then_some(name)
}

/// Whether a source line is an anchor comment (mdBook leaves it out).
pub fn is_anchor_line(line: &str) -> bool {
    anchor_after(line, "ANCHOR_END:").is_some() || anchor_after(line, "ANCHOR:").is_some()
}

/// What an include shows: its file, as a path from the repository root
/// (the listing's caption), and the 1-based lines of the file it shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    pub file: PathBuf,
    pub lines: Vec<usize>,
    /// For a region inside a block (an `impl`, a `fn`), the line that opens
    /// it, as the caption shows where the listing goes: `impl<'t> Value<'t>`.
    pub within: Option<String>,
    /// When that block is not an item (a loop, a struct literal), the item
    /// around it: `fn leaf(…)`.
    pub within_item: Option<String>,
}

/// Resolves an include of the chapter at `chapter` (a path from `root`).
pub fn resolve(root: &Path, chapter: &Path, include: &Include) -> Result<Shown, String> {
    let file = file_of(chapter, include);
    let source = std::fs::read_to_string(root.join(&file))
        .map_err(|e| format!("listing `{}`: cannot read {} ({e})", include.path, file.display()))?;
    let anchors = anchors(&source);
    if let Some((line, _)) = anchors.broken.get(&include.anchor) {
        return Err(format!(
            "anchor `{}` is broken at {}:{line} (reported there)",
            include.anchor,
            file.display()
        ));
    }
    let region = anchors.regions.get(&include.anchor).ok_or_else(|| {
        format!(
            "{} has no anchor `{}` (its anchors: {})",
            file.display(),
            include.anchor,
            if anchors.regions.is_empty() {
                "none".to_string()
            } else {
                anchors.regions.keys().cloned().collect::<Vec<_>>().join(", ")
            }
        )
    })?;
    let lines: Vec<&str> = source.lines().collect();
    let shown: Vec<usize> = region.clone().filter(|&n| !is_anchor_line(lines[n - 1])).collect();
    let first = shown.first().copied();
    let within = first.and_then(|first| opening_line(&lines, first));
    let within_item = first
        .zip(within.as_ref())
        .filter(|(_, within)| !is_item(within))
        .and_then(|(first, _)| enclosing_item(&lines, first));
    Ok(Shown {
        file,
        lines: shown,
        within,
        within_item,
    })
}

/// Whether an opening line starts an item: a `fn`, an `impl`, a type.
fn is_item(line: &str) -> bool {
    let words: Vec<&str> = line.split_whitespace().collect();
    let keyword = words
        .iter()
        .find(|w| !matches!(**w, "pub" | "pub(crate)" | "pub(super)" | "unsafe" | "const" | "async"))
        .copied()
        .unwrap_or("");
    ["fn", "impl", "struct", "enum", "trait", "mod", "macro_rules!"]
        .iter()
        .any(|item| keyword == *item || keyword.starts_with(&format!("{item}<")))
}

/// The nearest item (see [`is_item`]) whose block holds line `first`.
fn enclosing_item(lines: &[&str], first: usize) -> Option<String> {
    let mut line = first;
    while let Some(opener) = opening_line_at(lines, line) {
        let (at, text) = opener;
        if is_item(&text) {
            return Some(text);
        }
        line = at;
    }
    None
}

/// The line that opens the block around line `first` (1-based), when that
/// line is indented: the nearest line above it indented less that ends in
/// `{`, without the brace.
fn opening_line(lines: &[&str], first: usize) -> Option<String> {
    opening_line_at(lines, first).map(|(_, text)| text)
}

/// [`opening_line`], with the 1-based line it is at.
fn opening_line_at(lines: &[&str], first: usize) -> Option<(usize, String)> {
    let indent = |line: &str| line.len() - line.trim_start().len();
    let own = lines[(first - 1)..]
        .iter()
        .find(|line| !line.trim().is_empty() && !is_anchor_line(line))
        .map(|line| indent(line))?;
    if own == 0 {
        return None;
    }
    let at = (0..first - 1)
        .rev()
        .filter(|&i| !lines[i].trim().is_empty() && !is_anchor_line(lines[i]))
        .find(|&i| indent(lines[i]) < own && lines[i].trim_end().ends_with('{'))?;
    let opener = lines[at].trim().trim_end_matches('{').trim_end();
    // A signature over several lines opens its block on `) -> T {`: it is
    // named by its first line, `fn record<'g>(…) -> T`.
    if let Some(rest) = opener.strip_prefix(')') {
        let start = (0..at).rev().find(|&i| {
            indent(lines[i]) == indent(lines[at]) && !lines[i].trim().is_empty() && !is_anchor_line(lines[i])
        })?;
        let head = lines[start].trim().trim_end_matches('(');
        return Some((start + 1, format!("{head}(…){rest}")));
    }
    Some((at + 1, opener.to_string()))
}

/// `path` with `.` and `..` resolved, without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listing_is_include_lines_with_anchors() {
        assert_eq!(
            parse("{{#include ../crates/autograd/src/scalar.rs:backward}}\n"),
            Ok(vec![Include {
                path: "../crates/autograd/src/scalar.rs".into(),
                anchor: "backward".into()
            }])
        );
        assert!(parse("fn main() {}\n").unwrap_err().contains("holds only"));
        assert!(parse("{{#include ../x.rs}}\n").unwrap_err().contains("names no anchor"));
        assert!(
            parse("{{#include ../x.rs:3:9}}\n")
                .unwrap_err()
                .contains("shows a range of lines")
        );
        assert!(
            parse("{{#include ../x.rs:a.b}}\n")
                .unwrap_err()
                .contains("not an anchor name")
        );
        assert!(parse("\n").unwrap_err().contains("empty listing"));
    }

    #[test]
    fn anchors_are_regions_and_their_mistakes_are_named() {
        let source = "a\n// ANCHOR: outer\nb\n// ANCHOR: inner\nc\n// ANCHOR_END: inner\nd\n// ANCHOR_END: outer\n";
        let found = anchors(source);
        assert_eq!(found.regions["outer"], 3..=7);
        assert_eq!(found.regions["inner"], 5..=5);
        assert!(found.broken.is_empty());
        // A broken anchor is named at its own line; the others stay good.
        let unclosed = anchors("// ANCHOR: a\nx\n// ANCHOR: b\ny\n// ANCHOR_END: b\n");
        assert_eq!(
            unclosed.broken["a"],
            (
                1,
                "opens anchor `a`, which is never closed (`ANCHOR_END: a`)".to_string()
            )
        );
        assert_eq!(unclosed.regions["b"], 4..=4);
        assert_eq!(
            anchors("x\n// ANCHOR_END: a\n").broken["a"],
            (2, "closes anchor `a`, which is not open there".to_string())
        );
        let twice = anchors("// ANCHOR: a\n// ANCHOR_END: a\n// ANCHOR: a\n// ANCHOR_END: a\n");
        assert_eq!(twice.broken["a"].0, 3);
        assert!(twice.broken["a"].1.contains("a second time"), "{twice:?}");
        assert!(!twice.regions.contains_key("a"));
    }

    #[test]
    fn a_region_inside_a_block_knows_the_line_that_opens_it() {
        let lines = [
            "impl<'t> Value<'t> {",
            "    fn a() {",
            "        x();",
            "    }",
            "",
            "    // ANCHOR: b",
            "    fn b() {}",
            "}",
        ];
        assert_eq!(opening_line(&lines, 6), Some("impl<'t> Value<'t>".into()));
        assert_eq!(opening_line(&lines, 3), Some("fn a()".into()));
        assert_eq!(opening_line(&lines, 1), None);
        let literal = [
            "fn leaf() -> Node {",
            "    push(Node {",
            "        op: None,",
            "        hooks: 0,",
            "    })",
            "}",
        ];
        assert_eq!(opening_line(&literal, 4), Some("push(Node".into()));
        assert_eq!(enclosing_item(&literal, 4), Some("fn leaf() -> Node".into()));
        assert!(is_item("pub(crate) fn f()") && is_item("impl<T> X<T>") && !is_item("for id in 0..n"));
        let signature = [
            "    pub fn record<'g>(",
            "        name: &str,",
            "    ) -> Tensor<'g> {",
            "        push(1);",
        ];
        assert_eq!(
            opening_line(&signature, 4),
            Some("pub fn record<'g>(…) -> Tensor<'g>".into())
        );
    }

    #[test]
    fn an_include_resolves_to_the_lines_it_shows() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("src")).unwrap();
        std::fs::write(
            dir.path().join("src/a.rs"),
            "// ANCHOR: all\nfn f() {}\n// ANCHOR: g\nfn g() {}\n// ANCHOR_END: g\n// ANCHOR_END: all\n",
        )
        .unwrap();
        let include = |anchor: &str| Include {
            path: "../src/a.rs".into(),
            anchor: anchor.into(),
        };
        let chapter = Path::new("book/ch01.md");
        assert_eq!(
            resolve(dir.path(), chapter, &include("all")),
            Ok(Shown {
                file: PathBuf::from("src/a.rs"),
                lines: vec![2, 4],
                within: None,
                within_item: None,
            })
        );
        assert!(
            resolve(dir.path(), chapter, &include("h"))
                .unwrap_err()
                .contains("src/a.rs has no anchor `h` (its anchors: all, g)")
        );
        let missing = Include {
            path: "../src/none.rs".into(),
            anchor: "x".into(),
        };
        assert!(
            resolve(dir.path(), chapter, &missing)
                .unwrap_err()
                .contains("cannot read src/none.rs")
        );
    }
}

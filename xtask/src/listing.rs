//! Listings of the engine's own source. A ```` ```rust,listing ```` block
//! holds nothing but mdBook include lines, `{{#include <path>:<anchor>}}`,
//! with the path relative to the chapter and the anchor a region of the
//! source between `// ANCHOR: <anchor>` and `// ANCHOR_END: <anchor>`
//! comments. mdBook expands them when the book is built (its `links`
//! preprocessor, which leaves the anchor comments out), so a listing is the
//! very code that compiles and is tested: never a copy, never run as a block.
//!
//! This module reads them as mdBook does and checks them: a file that does
//! not exist, an anchor that is not there, opened and never closed, closed
//! and never opened, or given twice, is an error at the listing's line.

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

/// The region each anchor of a source file covers: its 1-based lines, from
/// the one after `ANCHOR: name` to the one before `ANCHOR_END: name`. Or
/// what is wrong with the file's anchors.
pub fn anchors(source: &str) -> Result<BTreeMap<String, RangeInclusive<usize>>, String> {
    let mut open: BTreeMap<String, usize> = BTreeMap::new();
    let mut closed = BTreeMap::new();
    for (index, line) in source.lines().enumerate() {
        let number = index + 1;
        if let Some(name) = anchor_after(line, "ANCHOR_END:") {
            let Some(start) = open.remove(&name) else {
                return Err(format!("line {number} closes anchor `{name}`, which is not open there"));
            };
            closed.insert(name, start + 1..=number - 1);
        } else if let Some(name) = anchor_after(line, "ANCHOR:")
            && (closed.contains_key(&name) || open.insert(name.clone(), number).is_some())
        {
            return Err(format!(
                "line {number} opens anchor `{name}` a second time: anchor names are unique in a file"
            ));
        }
    }
    if let Some((name, line)) = open.into_iter().next() {
        return Err(format!(
            "anchor `{name}` is opened at line {line} and never closed (`ANCHOR_END: {name}`)"
        ));
    }
    Ok(closed)
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
}

/// Resolves an include of the chapter at `chapter` (a path from `root`).
pub fn resolve(root: &Path, chapter: &Path, include: &Include) -> Result<Shown, String> {
    let file = normalize(&chapter.parent().unwrap_or(Path::new("")).join(&include.path));
    let source = std::fs::read_to_string(root.join(&file))
        .map_err(|e| format!("listing `{}`: cannot read {} ({e})", include.path, file.display()))?;
    let anchors = anchors(&source).map_err(|why| format!("{}: {why}", file.display()))?;
    let region = anchors.get(&include.anchor).ok_or_else(|| {
        format!(
            "{} has no anchor `{}` (its anchors: {})",
            file.display(),
            include.anchor,
            if anchors.is_empty() {
                "none".to_string()
            } else {
                anchors.keys().cloned().collect::<Vec<_>>().join(", ")
            }
        )
    })?;
    let lines: Vec<&str> = source.lines().collect();
    let shown = region.clone().filter(|&n| !is_anchor_line(lines[n - 1])).collect();
    Ok(Shown { file, lines: shown })
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
        let found = anchors(source).expect("good anchors");
        assert_eq!(found["outer"], 3..=7);
        assert_eq!(found["inner"], 5..=5);
        assert!(
            anchors("// ANCHOR: a\nx\n")
                .unwrap_err()
                .contains("opened at line 1 and never closed")
        );
        assert!(
            anchors("x\n// ANCHOR_END: a\n")
                .unwrap_err()
                .contains("line 2 closes anchor `a`")
        );
        let twice = "// ANCHOR: a\n// ANCHOR_END: a\n// ANCHOR: a\n// ANCHOR_END: a\n";
        assert!(
            anchors(twice)
                .unwrap_err()
                .contains("line 3 opens anchor `a` a second time")
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
                lines: vec![2, 4]
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

//! How much of the engine is on the page: the code lines of
//! `crates/autograd/src` that some chapter's listing shows. A code line is
//! one that is not blank, not only a comment (anchor comments included), and
//! outside a `#[cfg(test)]` module: the tests hold the code, the book shows it.
//!
//! `cargo xtask verify` prints the figure, per file and overall; a test
//! (`xtask/tests/tidy.rs`) requires every code line of the [`CORE`] files on
//! the page, so every new line of the engine must find its place in the book.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::extract::{BlockKind, Chapter};
use crate::listing;

/// The engine's core, relative to its `src/`: the files every line of which
/// the book shows, where the reader meets it.
pub const CORE: [&str; 17] = [
    "scalar.rs",
    "tensor/mod.rs",
    "tensor/dims.rs",
    "tensor/init.rs",
    "tensor/shape.rs",
    "tensor/ops/mod.rs",
    "tensor/ops/elementwise.rs",
    "tensor/ops/steps.rs",
    "tensor/ops/reductions.rs",
    "tensor/ops/products.rs",
    "tensor/ops/layout.rs",
    "tensor/ops/selection.rs",
    "tensor/ops/operators.rs",
    "tensor/ops/composites.rs",
    "tensor/into_array.rs",
    "tensor/higher.rs",
    "gradcheck.rs",
];

/// One source file of the engine and which of its code lines are shown.
#[derive(Debug, Clone)]
pub struct FileCoverage {
    /// Relative to the engine's `src/` (`tensor/ops/mod.rs`).
    pub file: String,
    pub code_lines: Vec<usize>,
    pub shown: BTreeSet<usize>,
}

impl FileCoverage {
    /// The code lines no chapter shows, as ranges of consecutive code lines
    /// (blank and comment lines between two of them do not break a range).
    pub fn missing(&self) -> Vec<(usize, usize)> {
        let mut ranges: Vec<(usize, usize)> = Vec::new();
        let mut in_range = false;
        for &line in &self.code_lines {
            if self.shown.contains(&line) {
                in_range = false;
            } else if in_range {
                ranges.last_mut().expect("a range is open").1 = line;
            } else {
                ranges.push((line, line));
                in_range = true;
            }
        }
        ranges
    }

    fn shown_count(&self) -> usize {
        self.code_lines.iter().filter(|line| self.shown.contains(line)).count()
    }
}

/// The engine's coverage by the book.
#[derive(Debug, Clone)]
pub struct Coverage {
    pub files: Vec<FileCoverage>,
    /// The longest listing to read, as the page shows it: its lines, where
    /// it is (`book/ch06-topk.md:120`) and the anchors it includes. `verify`
    /// sets it from the stages (`stages::longest_listing`).
    pub longest_listing: Option<(usize, String, String)>,
}

impl Coverage {
    /// `engine on the page: N of M code lines (P%)`, then a line per file.
    pub fn summary(&self) -> String {
        let shown: usize = self.files.iter().map(FileCoverage::shown_count).sum();
        let total: usize = self.files.iter().map(|f| f.code_lines.len()).sum();
        let mut out = format!(
            "engine on the page: {shown} of {total} code lines ({})\n",
            percent(shown, total)
        );
        if let Some((lines, at, anchors)) = &self.longest_listing {
            let _ = writeln!(out, "  the longest listing: {lines} lines, {at} ({anchors})");
        }
        for file in &self.files {
            let core = if CORE.contains(&file.file.as_str()) {
                ", core"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "  {}: {} of {} ({}{core})",
                file.file,
                file.shown_count(),
                file.code_lines.len(),
                percent(file.shown_count(), file.code_lines.len())
            );
        }
        out
    }

    /// The core files' code lines that no chapter shows, one line per file.
    pub fn core_missing(&self) -> Vec<String> {
        self.files
            .iter()
            .filter(|file| CORE.contains(&file.file.as_str()))
            .filter_map(|file| {
                let missing = file.missing();
                (!missing.is_empty()).then(|| {
                    let ranges: Vec<String> = missing
                        .iter()
                        .map(|&(a, b)| if a == b { format!("{a}") } else { format!("{a}-{b}") })
                        .collect();
                    format!("{}: lines {} are on no page", file.file, ranges.join(", "))
                })
            })
            .collect()
    }
}

/// Rounded down, so that 100% means every line.
fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        return "-".into();
    }
    format!("{}%", 100 * part / whole)
}

/// The coverage of the engine at `root/crates/autograd/src` by the listings
/// of `chapters` (a listing that does not resolve shows nothing: its block
/// fails on its own).
pub fn measure(root: &Path, chapters: &[Chapter]) -> Result<Coverage> {
    let src = PathBuf::from("crates/autograd/src");
    let mut files = Vec::new();
    for file in rust_files(&root.join(&src))? {
        let text = std::fs::read_to_string(root.join(&src).join(&file))
            .with_context(|| format!("cannot read {}", src.join(&file).display()))?;
        files.push(FileCoverage {
            file: file.to_string_lossy().replace('\\', "/"),
            code_lines: code_lines(&text),
            shown: BTreeSet::new(),
        });
    }
    for chapter in chapters {
        for block in &chapter.blocks {
            let BlockKind::Listing(shown_listing) = &block.kind else {
                continue;
            };
            for include in &shown_listing.includes {
                let Ok(shown) = listing::resolve(root, &chapter.display_path, include) else {
                    continue;
                };
                let Ok(relative) = shown.file.strip_prefix(&src) else {
                    continue;
                };
                let relative = relative.to_string_lossy().replace('\\', "/");
                if let Some(file) = files.iter_mut().find(|f| f.file == relative) {
                    file.shown.extend(shown.lines);
                }
            }
        }
    }
    Ok(Coverage {
        files,
        longest_listing: None,
    })
}

/// The `.rs` files under `dir`, relative to it, sorted.
fn rust_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    for path in crate::layout::files_under(dir)? {
        if path.extension().is_some_and(|e| e == "rs") {
            found.push(path.strip_prefix(dir)?.to_path_buf());
        }
    }
    Ok(found)
}

/// The 1-based code lines of a Rust source (rustfmt's layout): not blank,
/// not only a comment, and outside any `#[cfg(test)] mod … { … }`.
pub fn code_lines(source: &str) -> Vec<usize> {
    let in_test = test_module_lines(source);
    source
        .lines()
        .enumerate()
        .filter(|&(i, line)| {
            let trimmed = line.trim_start();
            !in_test[i] && !trimmed.is_empty() && !trimmed.starts_with("//")
        })
        .map(|(i, _)| i + 1)
        .collect()
}

/// For each line of a Rust source, whether it belongs to a
/// `#[cfg(test)] mod … { … }` (its attribute and closing brace included).
pub fn test_module_lines(source: &str) -> Vec<bool> {
    let lines: Vec<&str> = source.lines().collect();
    let mut in_test = vec![false; lines.len()];
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        let test_module = trimmed == "#[cfg(test)]"
            && lines
                .get(i + 1)
                .is_some_and(|next| next.trim_start().starts_with("mod ") && next.trim_end().ends_with('{'));
        if test_module {
            let closing = format!("{indent}}}");
            let end = (i + 2..lines.len())
                .find(|&j| lines[j] == closing)
                .map_or(lines.len(), |j| j + 1);
            in_test[i..end].fill(true);
            i = end;
            continue;
        }
        i += 1;
    }
    in_test
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_lines_leave_out_blanks_comments_and_test_modules() {
        let source = "//! Doc.\n\nuse x;\n/// A fn.\nfn f() {\n    // why\n    g();\n}\n\n#[cfg(test)]\nmod tests {\n    fn t() {}\n}\nfn after() {}\n";
        assert_eq!(code_lines(source), [3, 5, 7, 8, 14]);
    }

    #[test]
    fn missing_lines_come_as_ranges_of_code() {
        let file = FileCoverage {
            file: "scalar.rs".into(),
            code_lines: vec![1, 2, 4, 5, 9],
            shown: BTreeSet::from([2]),
        };
        // A shown line breaks a range; lines that are not code do not.
        assert_eq!(file.missing(), [(1, 1), (4, 9)]);
    }

    #[test]
    fn a_file_is_at_100_percent_only_when_every_line_is_shown() {
        assert_eq!(percent(843, 844), "99%");
        assert_eq!(percent(844, 844), "100%");
        assert_eq!(percent(0, 0), "-");
    }
}

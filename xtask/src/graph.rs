//! Computation-graph pictures: a Rust block marked `graph`
//! (`rust,name=unrolled,graph`) prints the DOT text of a graph its code
//! built, with the engine's `to_dot()`, and nothing else. That text is the
//! block's output, snapshotted and verified like any other; `cargo xtask
//! book` draws it as an inline SVG at build time, so the picture is always
//! the graph the code really built, and changes when the code does.
//!
//! Each picture is committed beside its block's snapshot
//! (`tests/snapshots/<crate>__<block>.svg`), under a first line naming the
//! FNV-1a hash of the DOT text it was drawn from. The book shows a picture
//! whose hash is its snapshot's, so it builds with cargo alone; `cargo xtask
//! verify` draws every picture again where Graphviz is installed (checking
//! the DOT), writes a missing or stale one locally, and fails on one in CI.
//! The hash, not the SVG's bytes, says whether a picture is fresh: another
//! Graphviz version may lay out the same graph a pixel apart.
//!
//! The layout is Graphviz's `dot` (`dot -Tsvg`): the engine's export uses
//! record-shaped nodes (operation, shape, value and gradient stacked in one
//! box) and a ranked top-to-bottom layout, which `dot` draws with straight,
//! non-crossing edges, and narrow: the book's three pictures are 148pt,
//! 142pt and 112pt wide, where left to right with the cells side by side
//! they were 724pt, 655pt and 1034pt (the last one shrunk to a strip of
//! unreadable text), so each now fits a phone's width at its own size. With
//! committed pictures, the reader does not need Graphviz, so a pure-Rust
//! layout would only spare the author an install. Graphviz is a
//! tool of the verifier only (`apt-get install graphviz`; `.ci/run`
//! installs it); the reader needs nothing. A DOT text `dot` rejects fails at
//! the block's line; without `dot`, a block whose committed picture is not
//! fresh goes unchecked, as a note says, and the book build names it.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result};

/// Why a `graph` block's output cannot be drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GraphError {
    /// The output is not DOT text.
    NotDot,
    /// Graphviz's `dot` could not be run here: nothing is wrong with the
    /// block, but its picture cannot be drawn, nor its DOT checked.
    NoGraphviz(String),
    /// `dot` rejected the text: its message.
    Rejected(String),
}

impl fmt::Display for GraphError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GraphError::NotDot => {
                write!(
                    f,
                    "a `graph` block must print DOT text (the engine's `to_dot()`) and nothing else"
                )
            }
            GraphError::NoGraphviz(why) => write!(f, "{why}"),
            GraphError::Rejected(why) => write!(f, "Graphviz's `dot` cannot draw the DOT text it printed: {why}"),
        }
    }
}

impl std::error::Error for GraphError {}

/// Whether Graphviz's `dot` is on `PATH`.
pub fn is_installed() -> bool {
    std::env::var_os("PATH").is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join("dot").is_file()))
}

/// The SVG Graphviz draws for `dot_text`, without the XML prolog, on lines
/// without blank ones (so it stays one HTML block inside markdown).
pub fn svg(dot_text: &str) -> Result<String, GraphError> {
    let start = dot_text.trim_start();
    if !start.starts_with("digraph") && !start.starts_with("graph") {
        return Err(GraphError::NotDot);
    }
    let mut child = match Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(GraphError::NoGraphviz(
                "Graphviz's `dot` is not installed, and the book's graph pictures are drawn with it: \
                 install Graphviz (`apt-get install graphviz`, `brew install graphviz`)"
                    .into(),
            ));
        }
        Err(e) => return Err(GraphError::NoGraphviz(format!("cannot run Graphviz's `dot`: {e}"))),
    };
    let cannot_run = |e: std::io::Error| GraphError::NoGraphviz(format!("cannot run Graphviz's `dot`: {e}"));
    // A write error means `dot` exited early; its status and stderr say why.
    let _ = child.stdin.take().expect("piped").write_all(dot_text.as_bytes());
    let output = child.wait_with_output().map_err(cannot_run)?;
    if !output.status.success() {
        return Err(GraphError::Rejected(format!(
            "{} ({})",
            String::from_utf8_lossy(&output.stderr).trim(),
            output.status
        )));
    }
    let text = String::from_utf8(output.stdout)
        .map_err(|_| GraphError::Rejected("`dot` wrote an SVG that is not UTF-8".into()))?;
    let start = text
        .find("<svg")
        .ok_or_else(|| GraphError::Rejected("`dot` wrote no <svg> element".into()))?;
    Ok(text[start..]
        .lines()
        .filter(|line| !line.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n"))
}

/// The first line of a committed picture, before the hash of its DOT text.
const MARK: &str = "<!-- drawn by Graphviz's dot from the DOT text of FNV-1a hash ";

/// The hash a picture is committed under: of its DOT text as the snapshot
/// keeps it (the snapshot drops the trailing newline the block printed).
fn dot_hash(dot_text: &str) -> String {
    crate::hash::of(dot_text.trim_end().as_bytes())
}

/// Where the picture of a graph block is committed: beside its snapshot.
pub fn picture_path(snapshots_dir: &Path, crate_name: &str, block_name: &str) -> PathBuf {
    snapshots_dir.join(format!("{crate_name}__{block_name}.svg"))
}

/// The committed picture at `path`, if it was drawn from `dot_text` itself.
pub fn committed(path: &Path, dot_text: &str) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let (first, svg) = text.split_once('\n')?;
    let hash = first.strip_prefix(MARK)?.strip_suffix(" -->")?;
    (hash == dot_hash(dot_text)).then(|| svg.trim_end().to_string())
}

/// Commits `svg`, drawn from `dot_text`, at `path`.
pub fn commit(path: &Path, dot_text: &str, svg: &str) -> Result<()> {
    let text = format!("{MARK}{} -->\n{svg}\n", dot_hash(dot_text));
    crate::atomic::write(path, text.as_bytes()).with_context(|| format!("cannot write {}", path.display()))
}

/// Whether a file is a picture the verifier committed (so an orphan it may delete).
pub fn is_committed_picture(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|text| text.starts_with(MARK))
}

/// The picture the book shows for a graph block's DOT text: the committed
/// one when it is fresh, otherwise one Graphviz draws now.
pub fn picture(path: &Path, dot_text: &str) -> Result<String, GraphError> {
    if let Some(svg) = committed(path, dot_text) {
        return Ok(svg);
    }
    match svg(dot_text) {
        Err(GraphError::NoGraphviz(why)) => Err(GraphError::NoGraphviz(format!(
            "its picture {} is missing or was drawn from other DOT text, and it cannot be drawn here: {why}; \
             or run `cargo xtask verify --update` where Graphviz is installed, and commit the picture",
            path.display()
        ))),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::{Tool, needed_by_test};

    /// Two DOT texts the engine wrote: `h = w·h` unrolled 2 and 3 steps.
    fn unrolled(steps: usize) -> String {
        let tape = autograd::scalar::Tape::new();
        let w = tape.var(2.0);
        let mut h = tape.var(0.5);
        for _ in 0..steps {
            h = w * h;
        }
        h.backward();
        h.to_dot()
    }

    #[test]
    fn the_picture_is_an_svg_and_changes_with_the_graph() -> Result<(), GraphError> {
        if !needed_by_test(Tool::Graphviz) {
            return Ok(());
        }
        let two = svg(&unrolled(2))?;
        let three = svg(&unrolled(3))?;
        assert!(two.starts_with("<svg"), "{two}");
        assert!(!two.lines().any(|l| l.trim().is_empty()));
        assert_ne!(two, three);
        // One more multiplication node in the picture of three steps.
        assert_eq!(
            two.matches("class=\"node\"").count() + 1,
            three.matches("class=\"node\"").count()
        );
        Ok(())
    }

    #[test]
    fn a_committed_picture_is_shown_only_for_the_dot_text_it_was_drawn_from() -> anyhow::Result<()> {
        let dir = std::env::temp_dir().join(format!("graph-picture-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let path = picture_path(&dir, "ch02-scalars", "tape-dot");
        assert_eq!(committed(&path, &unrolled(2)), None);
        commit(&path, &unrolled(2), "<svg>two</svg>")?;
        assert!(is_committed_picture(&path));
        assert_eq!(committed(&path, &unrolled(2)).as_deref(), Some("<svg>two</svg>"));
        // As the snapshot keeps it: without the newline the block printed last.
        assert!(committed(&path, &format!("{}\n", unrolled(2).trim_end())).is_some());
        // The same picture for other DOT text is stale: it is not shown.
        assert_eq!(committed(&path, &unrolled(3)), None);
        assert_eq!(picture(&path, &unrolled(2)).ok().as_deref(), Some("<svg>two</svg>"));
        std::fs::remove_dir_all(&dir)?;
        Ok(())
    }

    #[test]
    fn output_that_is_not_dot_or_does_not_parse_is_an_error() {
        // Not DOT is found before `dot` is asked.
        assert_eq!(svg("hello\n"), Err(GraphError::NotDot));
        if !needed_by_test(Tool::Graphviz) {
            return;
        }
        match svg("digraph {\n  a -> \n") {
            Err(GraphError::Rejected(why)) => assert!(why.contains("syntax error"), "{why}"),
            other => panic!("expected dot to reject it, got {other:?}"),
        }
    }
}

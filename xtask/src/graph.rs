//! Computation-graph pictures: a Rust block marked `graph`
//! (`rust,name=unrolled,graph`) prints the DOT text of a graph its code
//! built, with the engine's `to_dot()`, and nothing else. That text is the
//! block's output, snapshotted and verified like any other; `cargo xtask
//! book` draws it as an inline SVG at build time, so the picture is always
//! the graph the code really built, and changes when the code does.
//!
//! The layout is Graphviz's `dot` (`dot -Tsvg`): the engine's export uses
//! record-shaped nodes (operation, shape, value and gradient as cells of one
//! box) and a ranked left-to-right layout, which `dot` draws compactly with
//! straight, non-crossing edges (checked on the book's three graphs). The
//! pure-Rust `layout-rs` was not compared on these graphs; it would remove
//! the system dependency if its record support proves good enough. Graphviz is a
//! build-time tool only (`apt-get install graphviz`; `.ci/run` installs
//! it); the reader needs nothing. `cargo xtask verify` draws each graph
//! block's picture too, so a DOT text `dot` rejects fails at the block's
//! line; without `dot` it says in a note that the pictures went unchecked,
//! and the book build fails and says how to install it.

use std::fmt;
use std::io::Write;
use std::process::{Command, Stdio};

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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn output_that_is_not_dot_or_does_not_parse_is_an_error() {
        assert_eq!(svg("hello\n"), Err(GraphError::NotDot));
        match svg("digraph {\n  a -> \n") {
            Err(GraphError::Rejected(why)) => assert!(why.contains("syntax error"), "{why}"),
            other => panic!("expected dot to reject it, got {other:?}"),
        }
    }
}

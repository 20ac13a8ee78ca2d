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
//! it); the reader needs nothing. When `dot` is missing the book build fails
//! and says how to install it.

use std::io::Write;
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

/// The SVG Graphviz draws for `dot_text`, without the XML prolog, on lines
/// without blank ones (so it stays one HTML block inside markdown).
pub fn svg(dot_text: &str) -> Result<String> {
    if !dot_text.trim_start().starts_with("digraph") && !dot_text.trim_start().starts_with("graph") {
        bail!("a `graph` block must print DOT text (the engine's `to_dot()`) and nothing else");
    }
    let mut child = match Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(
            "Graphviz's `dot` is not installed, and the book's graph pictures are drawn with it: \
             install Graphviz (`apt-get install graphviz`, `brew install graphviz`) and build again"
        ),
        Err(e) => return Err(e).context("cannot run Graphviz's `dot`"),
    };
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(dot_text.as_bytes())
        .context("cannot write to `dot`")?;
    let output = child.wait_with_output().context("cannot run Graphviz's `dot`")?;
    if !output.status.success() {
        bail!(
            "Graphviz's `dot` failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let text = String::from_utf8(output.stdout).context("`dot` wrote an SVG that is not UTF-8")?;
    let start = text.find("<svg").context("`dot` wrote no <svg> element")?;
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
    fn the_picture_is_an_svg_and_changes_with_the_graph() -> Result<()> {
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
    fn output_that_is_not_dot_is_an_error() {
        let error = svg("hello\n").expect_err("not DOT");
        assert!(error.to_string().contains("must print DOT text"), "{error}");
    }
}

//! Graphviz DOT export of computation graphs, for the book's pictures.
//!
//! Both engines find the nodes to draw with the same walk ([`reachable`]),
//! hand them over as [`DotNode`]s, and this module writes the text; the
//! layout is left to Graphviz: ranked from inputs at the top to the result
//! at the bottom, each node's cells stacked, so a picture stays narrow. Output is
//! deterministic: the same graph always gives the same bytes.

// ANCHOR: dot-node
use std::fmt::Write;

/// A node as the picture shows it, whichever engine it comes from.
pub(crate) struct DotNode {
    pub id: u32,
    /// The cells of its record, top to bottom: the operation, then what the
    /// engine shows of its value and gradient.
    pub cells: Vec<String>,
    /// The fill colour of a leaf (`None`: not filled).
    pub fill: Option<&'static str>,
    pub inputs: Vec<u32>,
}

/// The fill of a leaf that requires a gradient (a parameter, an input).
pub(crate) const PARAMETER_FILL: &str = "#dbeafe";
// ANCHOR_END: dot-node

// ANCHOR: dot-constant-fill
/// The fill of a leaf that does not (a constant).
pub(crate) const CONSTANT_FILL: &str = "#f3f4f6";
// ANCHOR_END: dot-constant-fill

// ANCHOR: dot-reachable
/// The ids of the nodes reachable from `root`, in tape order: both engines'
/// tapes are in topological order (an input's id is below its consumer's),
/// so one descending sweep from the root finds them all.
pub(crate) fn reachable(root: u32, inputs_of: impl Fn(u32) -> Vec<u32>) -> Vec<u32> {
    let mut seen = vec![false; root as usize + 1];
    seen[root as usize] = true;
    let mut found = Vec::new();
    for id in (0..=root).rev() {
        if !seen[id as usize] {
            continue;
        }
        for input in inputs_of(id) {
            seen[input as usize] = true;
        }
        found.push(id);
    }
    found.reverse();
    found
}
// ANCHOR_END: dot-reachable

// ANCHOR: dot-number
/// Formats a number briefly for a picture: an integer as it is, else at
/// most four decimals, or four significant digits in exponent form.
pub(crate) fn short_number(x: f64) -> String {
    if !x.is_finite() {
        // Spelled as PyTorch and Python print them, not Rust's `NaN`.
        crate::print::python_non_finite(x)
    } else if x == x.trunc() && x.abs() < 1e6 {
        format!("{x}")
    } else if x.abs() >= 1e-3 && x.abs() < 1e6 {
        let s = format!("{x:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        format!("{x:.3e}")
    }
}
// ANCHOR_END: dot-number

// ANCHOR: dot-writer
const HEADER: &str = "digraph {\n  rankdir=TB;\n  node [shape=record, fontname=\"Helvetica\", fontsize=11];\n";

/// Escapes text for a DOT record label.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '{' | '}' | '|' | '<' | '>' | '"' | '\\') {
            out.push('\\');
        }
        if c == '\n' {
            out.push_str("\\l");
        } else {
            out.push(c);
        }
    }
    out
}

/// The DOT text of a picture of `nodes`: a record per node, an edge from
/// each input to its consumer.
pub(crate) fn graph(nodes: &[DotNode]) -> String {
    let mut dot = String::from(HEADER);
    for n in nodes {
        let cells: Vec<String> = n.cells.iter().map(|cell| escape(cell)).collect();
        let style = n
            .fill
            .map(|fill| format!(", style=filled, fillcolor=\"{fill}\""))
            .unwrap_or_default();
        writeln!(dot, "  n{} [label=\"{{ {} }}\"{style}];", n.id, cells.join(" | ")).unwrap();
    }
    for n in nodes {
        for input in &n.inputs {
            writeln!(dot, "  n{input} -> n{};", n.id).unwrap();
        }
    }
    dot.push_str("}\n");
    dot
}
// ANCHOR_END: dot-writer

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_numbers() {
        assert_eq!(short_number(2.0), "2");
        assert_eq!(short_number(-36.0), "-36");
        assert_eq!(short_number(0.785_279_1), "0.7853");
        assert_eq!(short_number(1.5e-8), "1.500e-8");
        assert_eq!(short_number(f64::NAN), "nan");
        assert_eq!(short_number(f64::INFINITY), "inf");
        assert_eq!(short_number(f64::NEG_INFINITY), "-inf");
    }

    #[test]
    fn labels_are_escaped() {
        assert_eq!(escape("a|b{c}<d>"), "a\\|b\\{c\\}\\<d\\>");
    }
}

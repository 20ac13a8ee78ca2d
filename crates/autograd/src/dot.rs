//! Graphviz DOT export of computation graphs, for the book's pictures.
//!
//! Both engines hand over a plain list of nodes (already in tape order) and
//! this module writes the text; the layout is left to Graphviz. Output is
//! deterministic: the same graph always gives the same bytes.

use std::fmt::Write;

/// A scalar-engine node as the picture shows it.
pub(crate) struct ScalarNode {
    pub id: u32,
    pub op: &'static str,
    pub value: f64,
    pub grad: f64,
    pub inputs: Vec<u32>,
}

/// A tensor-engine node as the picture shows it.
pub(crate) struct TensorNode {
    pub id: u32,
    /// The operation (`MulBackward0`) or, for a leaf, `leaf`.
    pub op: String,
    pub shape: Vec<usize>,
    /// A short rendering of the value (the value itself when it is small).
    pub value: String,
    /// A short rendering of the gradient, if the node keeps one.
    pub grad: Option<String>,
    pub requires_grad: bool,
    pub inputs: Vec<u32>,
}

const HEADER: &str = "digraph {\n  rankdir=LR;\n  node [shape=record, fontname=\"Helvetica\", fontsize=11];\n";

/// Formats a number briefly and exactly enough for a picture (4 significant digits).
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

pub(crate) fn scalar_graph(nodes: Vec<ScalarNode>) -> String {
    let mut dot = String::from(HEADER);
    for n in &nodes {
        let label = format!(
            "{{ {} | data {} | grad {} }}",
            escape(n.op),
            escape(&short_number(n.value)),
            escape(&short_number(n.grad))
        );
        let style = if n.op == "var" {
            ", style=filled, fillcolor=\"#dbeafe\""
        } else {
            ""
        };
        writeln!(dot, "  n{} [label=\"{label}\"{style}];", n.id).unwrap();
    }
    for n in &nodes {
        for input in &n.inputs {
            writeln!(dot, "  n{input} -> n{};", n.id).unwrap();
        }
    }
    dot.push_str("}\n");
    dot
}

pub(crate) fn tensor_graph(nodes: Vec<TensorNode>) -> String {
    let mut dot = String::from(HEADER);
    for n in &nodes {
        let shape = format!("{:?}", n.shape);
        let mut label = format!("{{ {} | shape {} | {}", escape(&n.op), escape(&shape), escape(&n.value));
        if let Some(grad) = &n.grad {
            write!(label, " | grad {}", escape(grad)).unwrap();
        }
        label.push_str(" }");
        let style = if n.op == "leaf" && n.requires_grad {
            ", style=filled, fillcolor=\"#dbeafe\""
        } else if n.op == "leaf" {
            ", style=filled, fillcolor=\"#f3f4f6\""
        } else {
            ""
        };
        writeln!(dot, "  n{} [label=\"{label}\"{style}];", n.id).unwrap();
    }
    for n in &nodes {
        for input in &n.inputs {
            writeln!(dot, "  n{input} -> n{};", n.id).unwrap();
        }
    }
    dot.push_str("}\n");
    dot
}

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

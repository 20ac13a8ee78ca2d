//! Math that renders offline: `$...$` and `$$...$$` in a chapter become
//! MathML at build time, which browsers render natively, so the book needs no
//! MathJax and no network (mdBook's `mathjax-support` loads MathJax from a CDN
//! and stays off).
//!
//! Formulas are found by pulldown-cmark with `ENABLE_MATH` (the parser mdBook
//! uses, with the options it turns on), so `$` inside code spans and code
//! blocks is never math, and `\$` is a dollar sign. Each formula is converted
//! by `pulldown-latex`, a maintained LaTeX-to-MathML-Core pull parser that
//! reports errors (`latex2mathml`, the other candidate, is unmaintained since
//! 2022 and accepts much that it then renders wrong). A formula that does not
//! parse is an error naming the chapter's file, line and the formula:
//! `cargo xtask verify` checks every chapter's formulas in its extract stage,
//! and `cargo xtask book` refuses to build.
//!
//! The MathML is written on one line, with the characters markdown would
//! still interpret in text (`*`, `_`, `` ` ``, `\`, `[`, `]`, `$`, `~`)
//! as character references, so that mdBook passes it through untouched.

use pulldown_cmark::{Event, Options, Parser};
use pulldown_latex::config::DisplayMode;
use pulldown_latex::{RenderConfig, Storage};

/// A formula that does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadFormula {
    /// 1-based line of the chapter where the formula starts.
    pub line: usize,
    /// The formula as written, without its `$` delimiters.
    pub formula: String,
    pub message: String,
}

impl std::fmt::Display for BadFormula {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "formula `{}` does not parse: {}", self.formula, self.message)
    }
}

/// The options mdBook parses chapters with, plus math.
fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_MATH
}

/// `markdown` with every formula replaced by its MathML, or every formula
/// that does not parse.
pub fn render(markdown: &str) -> Result<String, Vec<BadFormula>> {
    let mut out = String::with_capacity(markdown.len() * 2);
    let mut bad = Vec::new();
    let mut cursor = 0;
    for (event, range) in Parser::new_ext(markdown, options()).into_offset_iter() {
        let (formula, display) = match &event {
            Event::InlineMath(formula) => (formula, false),
            Event::DisplayMath(formula) => (formula, true),
            _ => continue,
        };
        match to_mathml(formula, display) {
            Ok(mathml) => {
                out.push_str(&markdown[cursor..range.start]);
                out.push_str(&mathml);
                cursor = range.end;
            }
            Err(message) => bad.push(BadFormula {
                line: markdown[..range.start].matches('\n').count() + 1,
                formula: formula.to_string(),
                message,
            }),
        }
    }
    out.push_str(&markdown[cursor..]);
    if bad.is_empty() { Ok(out) } else { Err(bad) }
}

/// Every formula of `markdown` that does not parse.
pub fn check(markdown: &str) -> Vec<BadFormula> {
    render(markdown).err().unwrap_or_default()
}

/// One formula as MathML on one line, safe inside a markdown paragraph.
fn to_mathml(formula: &str, display: bool) -> Result<String, String> {
    let storage = Storage::new();
    let events: Vec<_> = pulldown_latex::Parser::new(formula, &storage).collect();
    if let Some(Err(error)) = events.iter().find(|e| e.is_err()) {
        return Err(error.to_string().replace('\n', " "));
    }
    let config = RenderConfig {
        display_mode: if display {
            DisplayMode::Block
        } else {
            DisplayMode::Inline
        },
        annotation: Some(formula),
        ..RenderConfig::default()
    };
    let mut mathml = String::new();
    pulldown_latex::push_mathml(&mut mathml, events.into_iter(), config).map_err(|e| e.to_string())?;
    Ok(inert(&mathml))
}

/// MathML with newlines removed and, outside tags, markdown's active
/// characters as character references.
fn inert(mathml: &str) -> String {
    let mut out = String::with_capacity(mathml.len());
    let mut in_tag = false;
    for c in mathml.chars() {
        match c {
            '\n' | '\r' => out.push(' '),
            '<' => {
                in_tag = true;
                out.push(c);
            }
            '>' => {
                in_tag = false;
                out.push(c);
            }
            '*' | '_' | '`' | '\\' | '[' | ']' | '$' | '~' if !in_tag => {
                out.push_str(&format!("&#{};", c as u32));
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_become_mathml_and_code_is_left_alone() {
        let markdown = "Let $x^2$ be `$HOME` and\n\n$$\\frac{a}{b_1}$$\n\n```sh\necho $x$\n```\n";
        let rendered = render(markdown).expect("parses");
        assert!(rendered.starts_with("Let <math"), "{rendered}");
        assert!(rendered.contains("`$HOME`"), "{rendered}");
        assert!(rendered.contains("<math display=\"block\""), "{rendered}");
        assert!(rendered.contains("echo $x$"), "{rendered}");
        assert!(!rendered.contains("$x^2$"), "{rendered}");
    }

    #[test]
    fn a_bad_formula_is_reported_at_its_line() {
        let bad = check("# T\n\nfine $a$\n\nthen $\\frac{a}$ here\n");
        assert_eq!(bad.len(), 1, "{bad:?}");
        assert_eq!(bad[0].line, 5);
        assert_eq!(bad[0].formula, "\\frac{a}");
        assert!(bad[0].to_string().starts_with("formula `\\frac{a}` does not parse: "));
    }
}

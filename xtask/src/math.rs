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

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
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
pub fn mdbook_options() -> Options {
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
    let line_of = |offset: usize| markdown[..offset].matches('\n').count() + 1;
    let mut in_code_block = false;
    // A formula that does not close leaves a `$` at each end: one report per line.
    let mut stray_lines = Vec::new();
    for (event, range) in Parser::new_ext(markdown, mdbook_options()).into_offset_iter() {
        let (formula, display) = match &event {
            Event::InlineMath(formula) => (formula, false),
            Event::DisplayMath(formula) => (formula, true),
            Event::Start(Tag::CodeBlock(_)) => {
                in_code_block = true;
                continue;
            }
            Event::End(TagEnd::CodeBlock) => {
                in_code_block = false;
                continue;
            }
            Event::Text(text) if !in_code_block => {
                if let Some(at) = stray_dollar(markdown, range.clone(), text)
                    && !stray_lines.contains(&line_of(at))
                {
                    stray_lines.push(line_of(at));
                    bad.push(BadFormula {
                        line: line_of(at),
                        formula: unclosed_formula(markdown, at),
                        message: "this `$` opens no formula: markdown found no closing `$` with the \
                                  braces between balanced (a `{` never closed, or one too many `}`?); \
                                  a dollar sign in prose is written `\\$`"
                            .into(),
                    });
                }
                continue;
            }
            _ => continue,
        };
        match to_mathml(formula, display) {
            Ok(mathml) => {
                out.push_str(&markdown[cursor..range.start]);
                out.push_str(&mathml);
                cursor = range.end;
            }
            Err(message) => bad.push(BadFormula {
                line: line_of(range.start),
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

/// Where a `$` of prose text is, when it is not escaped: pulldown-cmark
/// leaves a `$` as text when it finds no formula it can close, as for
/// `$\frac{a}{b$` (its math needs balanced braces), and the reader would
/// see the LaTeX raw. An escaped `\$` is text too, but its range starts
/// after the backslash.
fn stray_dollar(markdown: &str, range: std::ops::Range<usize>, text: &str) -> Option<usize> {
    let source = &markdown[range.clone()];
    if !text.contains('$') || source.starts_with('\\') {
        return None;
    }
    let escaped = range.start > 0 && markdown.as_bytes()[range.start - 1] == b'\\';
    match source.find('$') {
        Some(0) if escaped => None,
        Some(at) => Some(range.start + at),
        None => None,
    }
}

/// The text after a stray `$`, up to the next `$` on its line (or the end
/// of the line), for the message: what the author meant as a formula.
fn unclosed_formula(markdown: &str, at: usize) -> String {
    let rest = markdown[at..].trim_start_matches('$');
    let line = rest.split('\n').next().unwrap_or_default();
    line.split('$').next().unwrap_or_default().to_string()
}

/// One formula as MathML on one line, safe inside a markdown paragraph.
fn to_mathml(formula: &str, display: bool) -> Result<String, String> {
    let storage = Storage::new();
    let events: Vec<_> = pulldown_latex::Parser::new(formula, &storage).collect();
    if let Some(Err(error)) = events.iter().find(|e| e.is_err()) {
        // The message ends in a box that shows the formula and points at
        // the error under it: its lines are kept.
        return Err(error.to_string().trim_end().to_string());
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
/// characters as character references. Inside a tag, an attribute that
/// follows a quoted value with no space between them gets one: pulldown-latex
/// 0.8 writes `stretchy="true"minsize="1.2em"` for `\big(`, which is not
/// HTML, and mdBook then shows the whole tag as text.
fn inert(mathml: &str) -> String {
    let mut out = String::with_capacity(mathml.len());
    let mut in_tag = false;
    let mut in_value = false;
    let mut value_just_closed = false;
    for c in mathml.chars() {
        if value_just_closed && !(c.is_whitespace() || c == '>' || c == '/') {
            out.push(' ');
        }
        value_just_closed = false;
        match c {
            '\n' | '\r' => out.push(' '),
            '"' if in_tag => {
                value_just_closed = in_value;
                in_value = !in_value;
                out.push(c);
            }
            '<' if !in_value => {
                in_tag = true;
                out.push(c);
            }
            '>' if !in_value => {
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
    fn big_delimiters_are_valid_html() {
        for formula in ["$\\big(g(x)\\big)^2$", "$\\Big(x\\Big)$"] {
            let rendered = render(formula).expect("parses");
            assert!(rendered.contains("stretchy=\"true\" minsize="), "{rendered}");
            // Every attribute is separated from the one before it.
            assert!(!rendered.contains("\"m"), "{rendered}");
        }
    }

    #[test]
    fn unbalanced_braces_and_stray_dollars_are_reported_not_shown_raw() {
        let bad = check("a $\\frac{a}{b$ c\n\nthen $x^{2$ here\n\n$$\\frac{a}{b$$\n\ncosts \\$5 and $x$\n");
        let lines: Vec<usize> = bad.iter().map(|b| b.line).collect();
        assert_eq!(lines, [1, 3, 5], "{bad:?}");
        assert_eq!(bad[0].formula, "\\frac{a}{b");
        assert_eq!(bad[1].formula, "x^{2");
        assert!(bad[2].to_string().contains("opens no formula"), "{}", bad[2]);
        // `\$` is a dollar sign, `$x$` a formula: neither is reported.
        assert!(check("costs \\$5, or \\$6, and $x$\n").is_empty());
    }

    #[test]
    fn every_bad_formula_is_reported_with_its_context_box() {
        let bad = check("$\\frac{a}$ and\n\n$\\sqrt$\n");
        assert_eq!(bad.len(), 2, "{bad:?}");
        assert!(
            bad[0].message.contains('\n'),
            "the box keeps its lines: {}",
            bad[0].message
        );
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

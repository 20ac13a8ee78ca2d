//! The prose check: a number the prose presents as a result is a number a
//! verified output of the same chapter printed, a Rust block's or a twin's.
//!
//! The prose is everything of a chapter outside its code blocks: text, inline
//! code spans and math, found by pulldown-cmark with mdBook's options. In it,
//! three kinds of things are checked:
//!
//! - **A printed value**: an inline code span that is a print of a tensor
//!   (`` `tensor(-36., dtype=torch.float64)` ``) must occur in an output as
//!   it is (a run of white space counts as one space); a span that is a
//!   bracketed list of three numbers or more, or of numbers with a decimal
//!   point (`` `[2, 10, 12]` ``, `` `[0.5, 1.]` ``), must be numbers one
//!   output printed one after another, with the same values. Two integers
//!   (`` `[5, 1]` ``) are a shape or a pair of indices.
//! - **A result**: a number with a decimal point or an exponent and at least
//!   two significant digits (`0.86`, `5.9605e-08`, `$5.9605 \times
//!   10^{-8}$`), in text, in math, or as an inline code span of its own,
//!   must be printed by an output with the same value at the same
//!   precision; `0.785` does not stand for a printed `0.7853`. A number a
//!   code block of the chapter types, or its negation, is an input, and is
//!   not checked; so is a number inside a span of code (`x.pow(2.0)`).
//! - **A version**: a number right after "PyTorch" or "torch" must be a
//!   prefix of the torch version the twins' snapshots were made with.
//!
//! Integers and one-digit decimals are ordinary prose: "chapter 8", "two
//! steps", `0.5`, `[5, 1]` as a shape name nothing.
//!
//! A number beside a link to another chapter, in the same paragraph, list
//! item, heading or table row, may also be proven by that chapter's outputs:
//! the introduction's table of questions cites what chapter 8 prints.
//!
//! A number quoted from outside the book is allowed in a quotation: a
//! blockquote whose last line names its source after an em dash
//! (`> — Stack Overflow, "…"`). It is counted as quoted, not checked. A
//! blockquote without that line is prose like any other.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use crate::crosscheck::{self, Number};
use crate::extract::{BlockKind, Chapter};
use crate::math::mdbook_options;
use crate::snapshot;

/// Fewer significant digits than this is ordinary prose (`0.5`, `-0.01`, `4e17`).
const RESULT_DIGITS: usize = 2;

/// What the check found in the whole book.
#[derive(Debug, Default)]
pub struct ProseCheck {
    /// Numbers and printed values that a verified output proves.
    pub checked: usize,
    /// Numbers inside quotations with a source.
    pub quoted: usize,
    pub unproven: Vec<Unproven>,
}

/// A number of the prose that no verified output of its chapter printed.
#[derive(Debug, Clone, PartialEq)]
pub struct Unproven {
    /// The chapter, as messages show it (`book/ch02-scalars.md`).
    pub path: PathBuf,
    pub line: usize,
    /// What the prose shows, as written.
    pub shown: String,
    pub message: String,
}

impl ProseCheck {
    /// `prose: N numbers checked, M quoted, K unproven`.
    pub fn summary(&self) -> String {
        format!(
            "prose: {} numbers checked, {} quoted, {} unproven\n",
            self.checked,
            self.quoted,
            self.unproven.len()
        )
    }
}

/// A verified output of a chapter, with the name messages give it.
#[derive(Debug)]
pub struct Output {
    /// `block \`square\`` or `the twin of \`square\``.
    pub label: String,
    pub text: String,
}

/// Checks the prose of every chapter against its blocks' committed outputs
/// (`verify` has just held each one to its block's real output) and the
/// torch version the twins ran with.
pub fn check(root: &Path, snapshots_dir: &Path, chapters: &[Chapter]) -> Result<ProseCheck> {
    let mut outputs_by_chapter = Vec::new();
    let mut torch = None;
    for chapter in chapters {
        let (outputs, twin_torch) = outputs(snapshots_dir, chapter)?;
        torch = torch.or(twin_torch);
        outputs_by_chapter.push(outputs);
    }
    let by_source: Vec<(PathBuf, &[Output])> = chapters
        .iter()
        .zip(&outputs_by_chapter)
        .map(|(chapter, outputs)| (chapter.source.clone(), outputs.as_slice()))
        .collect();
    let mut result = ProseCheck::default();
    for (chapter, outputs) in chapters.iter().zip(&outputs_by_chapter) {
        let path = root.join(&chapter.display_path);
        let markdown = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let linked = |target: &str| {
            let target = chapter.source.parent().unwrap_or(Path::new("")).join(target);
            by_source
                .iter()
                .find(|(source, _)| *source == target)
                .map(|(_, outputs)| *outputs)
        };
        let proof = Proof {
            outputs,
            linked: &linked,
            inputs: inputs(chapter),
            torch: torch.as_deref(),
        };
        let found = check_chapter(&markdown, &proof);
        result.checked += found.checked;
        result.quoted += found.quoted;
        result
            .unproven
            .extend(found.unproven.into_iter().map(|(line, shown, message)| Unproven {
                path: chapter.display_path.clone(),
                line,
                shown,
                message,
            }));
    }
    Ok(result)
}

/// The committed outputs of a chapter's runnable blocks and twins, and the
/// torch version a twin's snapshot names.
fn outputs(snapshots_dir: &Path, chapter: &Chapter) -> Result<(Vec<Output>, Option<String>)> {
    let mut outputs = Vec::new();
    let mut torch = None;
    for block in &chapter.blocks {
        match &block.kind {
            BlockKind::Rust(rust) if rust.mode.runs() => {
                // A block without a snapshot fails on its own; it proves nothing.
                if let Ok(text) = snapshot::read_output(snapshots_dir, &chapter.crate_name, &rust.name) {
                    outputs.push(Output {
                        label: format!("block `{}`", rust.name),
                        text,
                    });
                }
            }
            BlockKind::Python(python) => {
                let Some(twin) = &python.twin else { continue };
                if let Some(snapshot) = snapshot::read_twin(snapshots_dir, &chapter.crate_name, twin)? {
                    torch = torch.or(snapshot.torch);
                    outputs.push(Output {
                        label: format!("the twin of `{twin}`"),
                        text: snapshot.output,
                    });
                }
            }
            _ => {}
        }
    }
    Ok((outputs, torch))
}

/// The numbers the chapter's code blocks type: its inputs.
fn inputs(chapter: &Chapter) -> Vec<f64> {
    let mut values = Vec::new();
    for block in &chapter.blocks {
        let code = match &block.kind {
            BlockKind::Rust(rust) => &rust.code,
            BlockKind::Python(python) => &python.code,
            _ => continue,
        };
        // Rust's literals may carry a type suffix and digit separators (`1.25f32`, `10_000`).
        let code = code.replace('_', "").replace("f32", " ").replace("f64", " ");
        values.extend(crosscheck::numbers(&code).into_iter().map(|n| n.value));
    }
    values
}

/// What a chapter's prose may be proven by.
pub struct Proof<'a> {
    /// The chapter's own verified outputs.
    pub outputs: &'a [Output],
    /// The outputs of the chapter a link points to (`ch08-floating-point.md`,
    /// relative to the linking chapter), if it is a chapter of the book: a
    /// number beside a link, in the same paragraph, list item, heading or
    /// table row, may be proven by the chapter the reader follows it to.
    pub linked: &'a dyn Fn(&str) -> Option<&'a [Output]>,
    /// Values typed in the chapter's code blocks.
    pub inputs: Vec<f64>,
    /// The torch version of the twins' snapshots (`2.15.0`).
    pub torch: Option<&'a str>,
}

/// The check of one chapter's prose.
#[derive(Debug, Default)]
pub struct ChapterCheck {
    pub checked: usize,
    pub quoted: usize,
    /// Line, what the prose shows, and why it is not proven.
    pub unproven: Vec<(usize, String, String)>,
}

/// Checks the prose of one chapter's markdown.
pub fn check_chapter(markdown: &str, proof: &Proof) -> ChapterCheck {
    let line_of = |offset: usize| markdown[..offset].matches('\n').count() + 1;
    let mut found = ChapterCheck::default();
    // For each open blockquote, whether it is a quotation with a source.
    let mut quotes: Vec<bool> = Vec::new();
    let mut in_code_block = false;
    let mut in_html = false;
    // The claims of the paragraph (item, heading, table row) being read, with
    // their lines, and the chapters it links to: judged at its end.
    let mut pending: Vec<(usize, Claim)> = Vec::new();
    let mut links: Vec<&[Output]> = Vec::new();
    let mut flush = |pending: &mut Vec<(usize, Claim)>, links: &mut Vec<&[Output]>| {
        let mut outputs: Vec<&Output> = proof.outputs.iter().collect();
        outputs.extend(links.drain(..).flatten());
        for (line, claim) in pending.drain(..) {
            match judge(&claim.kind, &outputs, proof) {
                Judgement::Input => {}
                Judgement::Proven => found.checked += 1,
                Judgement::Unproven(message) => found.unproven.push((line, claim.shown, message)),
            }
        }
    };
    for (event, range) in Parser::new_ext(markdown, mdbook_options()).into_offset_iter() {
        let claims = match &event {
            Event::Start(Tag::CodeBlock(_)) => {
                in_code_block = true;
                continue;
            }
            Event::End(TagEnd::CodeBlock) => {
                in_code_block = false;
                continue;
            }
            Event::Start(Tag::HtmlBlock) => {
                in_html = true;
                continue;
            }
            Event::End(TagEnd::HtmlBlock) => {
                in_html = false;
                continue;
            }
            Event::Start(Tag::BlockQuote(_)) => {
                quotes.push(is_quotation(&markdown[range.clone()]));
                continue;
            }
            Event::End(TagEnd::BlockQuote(_)) => {
                quotes.pop();
                flush(&mut pending, &mut links);
                continue;
            }
            Event::End(
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::TableRow | TagEnd::TableHead,
            ) => {
                flush(&mut pending, &mut links);
                continue;
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                let target = dest_url.split('#').next().unwrap_or_default();
                links.extend((proof.linked)(target));
                continue;
            }
            _ if in_code_block || in_html => continue,
            Event::Text(text) => text_claims(text),
            Event::Code(code) => code_claims(code),
            Event::InlineMath(formula) | Event::DisplayMath(formula) => math_claims(formula),
            _ => continue,
        };
        let quoted = quotes.iter().any(|&q| q);
        for claim in claims {
            if quoted {
                found.quoted += 1;
            } else {
                pending.push((line_of(range.start) + claim.line - 1, claim));
            }
        }
    }
    flush(&mut pending, &mut links);
    found
}

/// Whether a blockquote (its markdown, `>` markers and all) ends with a
/// paragraph naming its source after an em dash.
fn is_quotation(markdown: &str) -> bool {
    let lines: Vec<&str> = markdown
        .lines()
        .map(|line| line.trim_start().trim_start_matches(['>', ' ']).trim())
        .collect();
    let text_end = lines.iter().rposition(|line| !line.is_empty()).map_or(0, |i| i + 1);
    let last_paragraph = lines[..text_end]
        .iter()
        .rposition(|line| line.is_empty())
        .map_or(0, |i| i + 1);
    lines[..text_end]
        .get(last_paragraph)
        .and_then(|first| first.strip_prefix('—'))
        .is_some_and(|source| !source.trim().is_empty())
}

/// Something the prose shows that needs a proof.
#[derive(Debug)]
struct Claim {
    /// 1-based line within the event's text.
    line: usize,
    /// As the prose writes it.
    shown: String,
    kind: ClaimKind,
}

#[derive(Debug)]
enum ClaimKind {
    /// A print of a tensor, white space collapsed.
    TensorPrint(String),
    /// A bracketed list of numbers.
    List(Vec<Number>),
    /// A number with enough significant digits to be a result.
    Result(Number),
    /// The version after "PyTorch" or "torch".
    TorchVersion(String),
}

fn text_claims(text: &str) -> Vec<Claim> {
    // The book writes minus signs as `−` in prose.
    let text = text.replace('−', "-");
    let mut claims = Vec::new();
    for number in crosscheck::numbers(&text) {
        let line = text.lines().nth(number.line - 1).unwrap_or_default();
        let before = &line[..number.start];
        let after_torch = ["PyTorch ", "torch "].iter().any(|word| before.ends_with(word));
        if after_torch && number.text.contains('.') {
            claims.push(Claim {
                line: number.line,
                shown: number.text.clone(),
                kind: ClaimKind::TorchVersion(number.text),
            });
        } else if is_result(&number) {
            claims.push(Claim {
                line: number.line,
                shown: number.text.clone(),
                kind: ClaimKind::Result(number),
            });
        }
    }
    claims
}

fn code_claims(code: &str) -> Vec<Claim> {
    let collapsed = code.split_whitespace().collect::<Vec<_>>().join(" ");
    // A print with numbers in it: `tensor([…], grad_fn=<…>)` only names the form.
    if collapsed.starts_with("tensor(") && !crosscheck::numbers(&collapsed).is_empty() {
        return vec![Claim {
            line: 1,
            shown: collapsed.clone(),
            kind: ClaimKind::TensorPrint(collapsed),
        }];
    }
    let is_list = collapsed.starts_with('[')
        && collapsed.ends_with(']')
        && collapsed[1..collapsed.len() - 1]
            .chars()
            .all(|c| c.is_ascii_digit() || " ,.-+e".contains(c));
    let numbers = crosscheck::numbers(&collapsed);
    // Two integers are most often a shape or a pair of indices (`[5, 1]`).
    if is_list && (numbers.len() > 2 || numbers.iter().any(|n| n.text.contains('.'))) {
        return vec![Claim {
            line: 1,
            shown: collapsed,
            kind: ClaimKind::List(numbers),
        }];
    }
    // A span that is one number shows a value (`0.7852791547775269`); a
    // number inside code is an argument (`x.pow(2.0)`, `rtol = 1e-12`).
    match numbers.as_slice() {
        [number] if number.text == collapsed && is_result(number) => vec![Claim {
            line: 1,
            shown: number.text.clone(),
            kind: ClaimKind::Result(number.clone()),
        }],
        _ => Vec::new(),
    }
}

fn math_claims(formula: &str) -> Vec<Claim> {
    crosscheck::numbers(&scientific(formula))
        .into_iter()
        .filter(is_result)
        .map(|number| Claim {
            line: number.line,
            shown: number.text.clone(),
            kind: ClaimKind::Result(number),
        })
        .collect()
}

/// A formula with `m \times 10^{e}` written as `me` followed by the exponent,
/// so that it reads as the one number it is.
fn scientific(formula: &str) -> String {
    let mut out = String::with_capacity(formula.len());
    let mut rest = formula;
    while let Some(at) = rest.find(r"\times") {
        let (before, after) = rest.split_at(at);
        let after = after[r"\times".len()..].trim_start();
        let exponent = after.strip_prefix("10^").and_then(|power| {
            if let Some(braced) = power.strip_prefix('{') {
                let close = braced.find('}')?;
                Some((&braced[..close], &braced[close + 1..]))
            } else {
                let digit = power.chars().next().filter(char::is_ascii_digit)?;
                Some((&power[..digit.len_utf8()], &power[digit.len_utf8()..]))
            }
        });
        let mantissa = before.trim_end();
        match exponent {
            Some((exponent, tail)) if mantissa.ends_with(|c: char| c.is_ascii_digit()) => {
                out.push_str(mantissa);
                out.push('e');
                out.push_str(exponent.trim());
                rest = tail;
            }
            _ => {
                out.push_str(before);
                out.push_str(r"\times");
                rest = &rest[at + r"\times".len()..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Whether a number has a decimal point or an exponent and enough
/// significant digits to be a result rather than an ordinary figure.
fn is_result(number: &Number) -> bool {
    // A point with no digit after it ends a sentence, or PyTorch's `2.`: an integer.
    let unsigned = number.text.trim_start_matches(['-', '+']).trim_end_matches('.');
    let mantissa = unsigned.split(['e', 'E']).next().unwrap_or_default();
    if mantissa.len() == unsigned.len() && !mantissa.contains('.') {
        return false;
    }
    let digits = mantissa.replace('.', "");
    let significant = if mantissa.contains('.') {
        digits.trim_start_matches('0')
    } else {
        digits.trim_matches('0')
    };
    number.value.is_finite() && significant.len() >= RESULT_DIGITS
}

enum Judgement {
    Proven,
    /// A number a code block of the chapter types.
    Input,
    Unproven(String),
}

fn judge(kind: &ClaimKind, outputs: &[&Output], proof: &Proof) -> Judgement {
    match kind {
        ClaimKind::TensorPrint(print) => {
            let printed = outputs.iter().any(|output| {
                let collapsed = output.text.split_whitespace().collect::<Vec<_>>().join(" ");
                collapsed.contains(print.as_str())
            });
            if printed {
                Judgement::Proven
            } else {
                let wanted = crosscheck::numbers(print);
                Judgement::Unproven(format!(
                    "this print of a tensor is in no verified output of the chapter{}",
                    nearest_line(&wanted, outputs, Some("tensor("))
                ))
            }
        }
        ClaimKind::List(wanted) => {
            let printed = outputs.iter().any(|output| {
                let numbers = crosscheck::numbers(&output.text);
                numbers
                    .windows(wanted.len())
                    .any(|window| window.iter().zip(wanted).all(|(o, w)| o.value == w.value))
            });
            if printed {
                Judgement::Proven
            } else {
                Judgement::Unproven(format!(
                    "these numbers are not printed one after another by any verified output of the chapter{}",
                    nearest_line(wanted, outputs, None)
                ))
            }
        }
        ClaimKind::Result(number) => {
            let printed = outputs
                .iter()
                .flat_map(|output| crosscheck::numbers(&output.text))
                .any(|o| same_print(&o, number));
            if printed {
                Judgement::Proven
            } else if proof.inputs.iter().any(|input| input.abs() == number.value.abs()) {
                Judgement::Input
            } else {
                Judgement::Unproven(format!(
                    "no verified output of the chapter prints this number{}",
                    nearest_number(number, outputs)
                ))
            }
        }
        ClaimKind::TorchVersion(version) => match proof.torch {
            Some(torch) if torch == version || torch.starts_with(&format!("{version}.")) => Judgement::Proven,
            Some(torch) => Judgement::Unproven(format!("the twins' snapshots were made with torch {torch}")),
            None => Judgement::Unproven("no twin's snapshot names the torch version it ran with".into()),
        },
    }
}

/// The same number at the same printed precision: `5.9605e-08` and
/// `5.9605\times10^{-8}`, not `0.785` and `0.7853`.
fn same_print(printed: &Number, shown: &Number) -> bool {
    let close = |a: f64, b: f64| a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs());
    close(printed.value, shown.value) && close(printed.unit, shown.unit)
}

/// `; the nearest printed number is …`, or nothing when no output printed a number.
fn nearest_number(shown: &Number, outputs: &[&Output]) -> String {
    let nearest = outputs
        .iter()
        .flat_map(|output| {
            let numbers = crosscheck::numbers(&output.text);
            numbers.into_iter().map(move |number| (*output, number))
        })
        .filter(|(_, number)| number.value.is_finite())
        .min_by(|(_, a), (_, b)| (a.value - shown.value).abs().total_cmp(&(b.value - shown.value).abs()));
    match nearest {
        Some((output, number)) => format!(
            "; the nearest printed is `{}`, by {} (its output line {}: `{}`)",
            number.text,
            output.label,
            number.line,
            output.text.lines().nth(number.line - 1).unwrap_or_default().trim()
        ),
        None => String::new(),
    }
}

/// `; the closest output line is …`: the line that prints the most of the
/// wanted numbers (among lines that contain `within`, when given), or
/// nothing when none prints any.
fn nearest_line(wanted: &[Number], outputs: &[&Output], within: Option<&str>) -> String {
    let mut best: Option<(usize, &Output, usize, &str)> = None;
    for &output in outputs {
        for (index, line) in output.text.lines().enumerate() {
            if within.is_some_and(|within| !line.contains(within)) {
                continue;
            }
            let printed = crosscheck::numbers(line);
            let shared = wanted
                .iter()
                .filter(|w| printed.iter().any(|p| p.value == w.value))
                .count();
            if shared > 0 && best.is_none_or(|(most, ..)| shared > most) {
                best = Some((shared, output, index + 1, line));
            }
        }
    }
    match best {
        Some((_, output, line, text)) => {
            format!(
                "; the closest is {}, its output line {line}: `{}`",
                output.label,
                text.trim()
            )
        }
        None => String::new(),
    }
}

/// The byte range of each blockquote that is a quotation, for tests.
#[cfg(test)]
fn quotations(markdown: &str) -> Vec<std::ops::Range<usize>> {
    Parser::new_ext(markdown, mdbook_options())
        .into_offset_iter()
        .filter_map(|(event, range)| match event {
            Event::Start(Tag::BlockQuote(_)) if is_quotation(&markdown[range.clone()]) => Some(range),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::sync::LazyLock;

    use super::*;

    /// The outputs of `ch08.md`, the chapter the tests' links point to.
    static LINKED: LazyLock<[Output; 1]> = LazyLock::new(|| [output("tensor(5.9605e-08)\n")]);

    fn output(text: &str) -> Output {
        Output {
            label: "block `b`".into(),
            text: text.into(),
        }
    }

    fn run(markdown: &str, outputs: &[Output]) -> ChapterCheck {
        let proof = Proof {
            outputs,
            linked: &|target| (target == "ch08.md").then_some(LINKED.as_slice()),
            inputs: crosscheck::numbers("let x = 1.2345;")
                .into_iter()
                .map(|n| n.value)
                .collect(),
            torch: Some("2.15.0"),
        };
        check_chapter(markdown, &proof)
    }

    #[test]
    fn ordinary_prose_claims_nothing() {
        let prose = "# Chapter 8\n\nTwo steps, 3 blocks, rounds to zero at 1075. Then $x = 0.5$, `x.pow(2.0)`, a `[5, 1]` \
                     column, `[3]`, IEEE 754, 10,000 inputs, $2^{-1074}$, `rtol = 1e-12`, about 0.6 of them, \
                     $4\\times 10^{17}$, the input 1.2345.\n";
        let found = run(prose, &[]);
        assert_eq!((found.checked, found.quoted), (0, 0));
        assert!(found.unproven.is_empty(), "{:?}", found.unproven);
    }

    #[test]
    fn a_result_must_be_printed_at_the_same_precision() {
        let outputs = [output("grad = 0.7853\ndiff = 5.9605e-08\n")];
        let found = run(
            "It prints 0.7853 and `5.9605e-08`, that is $5.9605 \\times 10^{-8}$.\n\nNot 0.785 but 0.78530.\n",
            &outputs,
        );
        assert_eq!(found.checked, 3);
        let unproven: Vec<_> = found
            .unproven
            .iter()
            .map(|(line, shown, _)| (*line, shown.as_str()))
            .collect();
        assert_eq!(unproven, [(3, "0.785"), (3, "0.78530")]);
        assert!(
            found.unproven[0]
                .2
                .contains("the nearest printed is `0.7853`, by block `b`")
        );
    }

    #[test]
    fn a_typed_input_is_not_a_result() {
        let found = run("We start from 1.2345, and its slope is −1.2345.\n", &[]);
        assert_eq!(found.checked, 0);
        assert!(found.unproven.is_empty());
    }

    #[test]
    fn a_tensor_print_must_occur_as_it_is() {
        let outputs = [output("tensor([0., 0., 1.,\n        0., 1.])\ntensor(2.)\n")];
        let found = run(
            "PyTorch prints `tensor([0., 0., 1., 0., 1.])` and `tensor(2.)`, never\n`tensor(2.0)`; \
             `tensor([…], grad_fn=<…>)` is a form.\n",
            &outputs,
        );
        assert_eq!(found.checked, 2);
        assert_eq!(found.unproven.len(), 1);
        let (line, shown, message) = &found.unproven[0];
        assert_eq!((*line, shown.as_str()), (2, "tensor(2.0)"));
        assert!(message.contains("its output line 3: `tensor(2.)`"), "{message}");
    }

    #[test]
    fn a_list_must_be_printed_in_order() {
        let outputs = [output("grad: [ 2., 10., 12.]\n")];
        let found = run("The gradient is `[2, 10, 12]`, not `[2, 12, 10]`.\n", &outputs);
        assert_eq!(found.checked, 1);
        assert_eq!(found.unproven.len(), 1);
        assert_eq!(found.unproven[0].1, "[2, 12, 10]");
    }

    #[test]
    fn a_quotation_with_its_source_is_counted_not_checked() {
        let markdown = "> It printed `tensor(5.9605e-08, grad_fn=<ThAddBackward>)`.\n>\n> — a forum question,\n> asked in 2018\n\n\
                        > Unsourced: 0.5266.\n";
        assert_eq!(quotations(markdown).len(), 1);
        let found = run(markdown, &[]);
        assert_eq!(found.quoted, 1);
        assert_eq!(found.unproven.len(), 1, "a blockquote without a source is prose");
        assert_eq!(found.unproven[0].0, 6);
    }

    #[test]
    fn a_number_beside_a_link_may_be_proven_by_the_chapter_it_links_to() {
        let markdown = "| [Floating point](ch08.md#top) | Why `5.9605e-08`? |\n|---|---|\n\n\
                        A paragraph without the link: 5.9605e-08.\n\n\
                        A link to [another page](other.md): 5.9605e-08.\n";
        let found = run(markdown, &[]);
        assert_eq!(found.checked, 1);
        let lines: Vec<_> = found.unproven.iter().map(|(line, ..)| *line).collect();
        assert_eq!(lines, [4, 6]);
    }

    #[test]
    fn a_torch_version_is_the_twins() {
        let found = run("As PyTorch 2.15 prints it; torch 2.16 would not.\n", &[]);
        assert_eq!(found.checked, 1);
        assert_eq!(found.unproven.len(), 1);
        assert!(found.unproven[0].2.contains("torch 2.15.0"));
    }

    #[test]
    fn minus_signs_in_prose_are_signs() {
        let found = run("A gradient of −0.0300.\n", &[output("tensor(-0.0300)\n")]);
        assert_eq!(found.checked, 1);
        assert!(found.unproven.is_empty());
    }

    #[test]
    fn scientific_notation_in_math_reads_as_one_number() {
        assert_eq!(
            scientific(r"5.9605 \times 10^{-8} + 2\times 3"),
            r"5.9605e-8 + 2\times 3"
        );
        assert_eq!(scientific(r"4\times 10^{17}"), "4e17");
        assert_eq!(scientific(r"3 \times 3"), r"3 \times 3");
    }
}

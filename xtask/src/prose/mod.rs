//! The prose check: a number the prose shows is a number a verified output
//! of the same chapter printed, a Rust block's or a twin's, or it is exempt
//! by a rule stated here.
//!
//! The prose is everything of a chapter outside its code blocks: text, inline
//! code spans and math, found by pulldown-cmark with mdBook's options
//! ([`claims`] reads the numbers as written: `10,000`, `8×10⁻³¹`, `10⁻⁵`,
//! `12.5x`, `0.4324s`, `99.5%`, "twice as", "a thousand"). What is checked:
//!
//! - **A value**: every number of the text, every number standing alone
//!   after a relation of a formula (`= 0.3943`) or forming a formula of its
//!   own (`$10^{-5}$`), every inline code span that is one number, and the
//!   number words that are quantities ("twice as", "ten times faster",
//!   "doubles", "a thousand", "one ulp"). It must be printed by an output
//!   with the same value at the same precision (`0.785` does not stand for a
//!   printed `0.7853`; an integer stands for any print of it). A rounded
//!   figure ("about 8×10⁻³¹", `\approx`, the number words) is proven by an
//!   output that rounds to it, and the report names that output.
//! - **A printed value**: an inline code span that is a print of a tensor
//!   (`` `tensor(-36., dtype=torch.float64)` ``) must occur in an output as
//!   it is (a run of white space counts as one space); a span that is a
//!   bracketed list of three numbers or more, or of numbers with a decimal
//!   point, must be numbers one output printed one after another.
//! - **A version**: a number right after "PyTorch" or "torch" must be a
//!   prefix of the torch version the twins' snapshots were made with.
//!
//! What is exempt, and counted as exempt:
//!
//! - **An input**: a value typed in the code block nearest above or below
//!   (comments are not code: `// prints 0.6666` types nothing).
//! - **A definition** ([`claims::Definition`]): a name ("chapter 8", "seed
//!   004", "positions 2, 0, 4", `AVX-512`, a year, a date), a constant of a
//!   formula (the `3` and `2` of `$3x^2$`), or a count written as a word
//!   before a noun that is not a unit of measure ("two inputs").
//!
//! Numbers inside code spans that are not one number are arguments
//! (`x.pow(2.0)`, `[5, 1]` as a shape) and claim nothing.
//!
//! A number beside a link to another chapter, in the same paragraph, list
//! item, heading or table row, may also be proven by that chapter's outputs:
//! the introduction's table of questions cites what chapter 8 prints.
//!
//! A quotation is a blockquote whose last paragraph names its source after an
//! em dash (`> — Stack Overflow, "…"`). Its numbers are counted as quoted.
//! When the source is a file of the repository and a section of it
//! (`` — `BENCHMARKS.md` in the repository, "Latest table" ``), each number
//! must be written in that section. A blockquote without a source is prose.

mod claims;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use crate::crosscheck::{self, Number};
use crate::extract::{BlockKind, Chapter};
use crate::math::mdbook_options;
use crate::snapshot;
use claims::{Claim, ClaimKind};

/// What the check found in the whole book.
#[derive(Debug, Default)]
pub struct ProseCheck {
    /// Numbers and printed values that a verified output proves.
    pub checked: usize,
    /// Numbers inside quotations with a source.
    pub quoted: usize,
    /// Numbers exempt as definitions ([`claims::Definition`]).
    pub definitions: usize,
    /// Numbers exempt as inputs of the block beside them.
    pub inputs: usize,
    /// Rounded figures and the outputs that round to them.
    pub rounded: Vec<RoundedProof>,
    pub unproven: Vec<Unproven>,
}

/// A rounded figure of the prose and the printed number that proves it.
#[derive(Debug, Clone, PartialEq)]
pub struct RoundedProof {
    pub path: PathBuf,
    pub line: usize,
    pub shown: String,
    /// `` `7.8886e-31`, printed by block `x` ``.
    pub printed: String,
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
    /// `prose: N checked, M quoted, K exempt (definitions D, inputs I), U unproven`,
    /// then each rounded figure with what proves it.
    pub fn summary(&self) -> String {
        let mut out = format!(
            "prose: {} checked, {} quoted, {} exempt (definitions {}, inputs {}), {} unproven\n",
            self.checked,
            self.quoted,
            self.definitions + self.inputs,
            self.definitions,
            self.inputs,
            self.unproven.len()
        );
        for proof in &self.rounded {
            out.push_str(&format!(
                "  rounded: \"{}\" at {}:{} is {}\n",
                proof.shown,
                proof.path.display(),
                proof.line,
                proof.printed
            ));
        }
        out
    }
}

/// A verified output of a chapter, with the name messages give it.
#[derive(Debug)]
pub struct Output {
    /// `block \`square\`` or `the twin of \`square\``.
    pub label: String,
    pub text: String,
    /// The Rust block's name (a twin's is its Rust block's), and where the
    /// block that printed it is in the chapter.
    pub block: String,
    pub range: std::ops::Range<usize>,
    /// The numbers of `text`, read once: every claim of the chapter is
    /// compared with them.
    pub numbers: Vec<Number>,
}

impl Output {
    pub fn new(label: String, text: String, block: String, range: std::ops::Range<usize>) -> Self {
        let numbers = crosscheck::numbers(&text);
        Output {
            label,
            text,
            block,
            range,
            numbers,
        }
    }
}

/// Checks the prose of every chapter against its blocks' committed outputs
/// (`verify` has just held each one to its block's real output), the torch
/// version the twins ran with, and the repository's files that quotations
/// name.
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
    let read_source = |name: &str| {
        let path = root.join(name);
        if name.contains("..") || !path.is_file() {
            return None;
        }
        std::fs::read_to_string(path).ok()
    };
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
            blocks: block_inputs(&markdown, chapter),
            torch: torch.as_deref(),
            source: &read_source,
        };
        let found = check_chapter(&markdown, &proof);
        result.checked += found.checked;
        result.quoted += found.quoted;
        result.definitions += found.definitions;
        result.inputs += found.inputs;
        let path = &chapter.display_path;
        result
            .rounded
            .extend(found.rounded.into_iter().map(|(line, shown, printed)| RoundedProof {
                path: path.clone(),
                line,
                shown,
                printed,
            }));
        result
            .unproven
            .extend(found.unproven.into_iter().map(|(line, shown, message)| Unproven {
                path: path.clone(),
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
                    outputs.push(Output::new(
                        format!("block `{}`", rust.name),
                        text,
                        rust.name.clone(),
                        block.range.clone(),
                    ));
                }
            }
            BlockKind::Python(python) => {
                let Some(twin) = &python.twin else { continue };
                if let Some(snapshot) = snapshot::read_twin(snapshots_dir, &chapter.crate_name, twin)? {
                    torch = torch.or(snapshot.torch);
                    outputs.push(Output::new(
                        format!("the twin of `{twin}`"),
                        snapshot.output,
                        twin.clone(),
                        block.range.clone(),
                    ));
                }
            }
            _ => {}
        }
    }
    Ok((outputs, torch))
}

/// The values a code block types, and where it is in its chapter.
#[derive(Debug)]
pub struct BlockInputs {
    pub range: std::ops::Range<usize>,
    pub values: Vec<f64>,
}

/// The numbers each of a chapter's code blocks types, comments left out:
/// Rust and Python blocks, earlier versions of the engine's code, and shown
/// commands and configuration. Program output (`text`) types nothing, and
/// a listing's engine code is not read here: the check reads the chapter.
fn block_inputs(markdown: &str, chapter: &Chapter) -> Vec<BlockInputs> {
    let fenced = |range: &std::ops::Range<usize>| {
        let lines: Vec<&str> = markdown.get(range.clone()).unwrap_or_default().lines().collect();
        lines
            .get(1..lines.len().saturating_sub(1))
            .unwrap_or_default()
            .join("\n")
    };
    chapter
        .blocks
        .iter()
        .filter_map(|block| {
            let (code, comment) = match &block.kind {
                BlockKind::Rust(_) => (fenced(&block.range), "//"),
                BlockKind::Python(_) => (fenced(&block.range), "#"),
                BlockKind::Shown(language) if *language != "text" => (fenced(&block.range), "#"),
                BlockKind::Version(version) => (version.code.clone(), "//"),
                BlockKind::Shown(_) | BlockKind::Listing(_) | BlockKind::Invalid(_) => return None,
            };
            Some(BlockInputs {
                range: block.range.clone(),
                values: typed_values(&code, comment),
            })
        })
        .collect()
}

/// The numbers code types, comments left out.
pub fn typed_values(code: &str, comment: &str) -> Vec<f64> {
    let mut values = Vec::new();
    for line in code.lines() {
        // mdBook's hidden lines of a Rust block (`# let x = 1;`) are code.
        let line = match (comment, line.trim_start().strip_prefix("# ")) {
            ("//", Some(hidden)) => hidden,
            _ => line,
        };
        let code = line.split(comment).next().unwrap_or_default();
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
    /// The values typed in each of the chapter's code blocks.
    pub blocks: Vec<BlockInputs>,
    /// The torch version of the twins' snapshots (`2.15.0`).
    pub torch: Option<&'a str>,
    /// A file of the repository a quotation names (`BENCHMARKS.md`), if there is one.
    pub source: &'a dyn Fn(&str) -> Option<String>,
}

impl Proof<'_> {
    /// The outputs of the blocks nearest above and below a byte of the
    /// chapter that print, with their twins or Rust blocks.
    fn outputs_beside(&self, offset: usize) -> impl Iterator<Item = &Output> {
        let names: Vec<&str> = nearest_beside(self.outputs, |o| &o.range, offset)
            .map(|o| o.block.as_str())
            .collect();
        self.outputs.iter().filter(move |o| names.contains(&o.block.as_str()))
    }

    /// The values of the blocks nearest above and below a byte of the chapter.
    fn inputs_beside(&self, offset: usize) -> Vec<f64> {
        nearest_beside(&self.blocks, |b| &b.range, offset)
            .flat_map(|block| block.values.iter().copied())
            .collect()
    }
}

/// The item that ends last at or before `offset` and the one that starts
/// first at or after it.
fn nearest_beside<T>(
    items: &[T],
    range: impl Fn(&T) -> &std::ops::Range<usize>,
    offset: usize,
) -> impl Iterator<Item = &T> {
    let above = items
        .iter()
        .filter(|item| range(item).end <= offset)
        .max_by_key(|item| range(item).end);
    let below = items
        .iter()
        .filter(|item| range(item).start >= offset)
        .min_by_key(|item| range(item).start);
    above.into_iter().chain(below)
}

/// The check of one chapter's prose.
#[derive(Debug, Default)]
pub struct ChapterCheck {
    pub checked: usize,
    pub quoted: usize,
    pub definitions: usize,
    pub inputs: usize,
    /// Line, the rounded figure, and the print that proves it.
    pub rounded: Vec<(usize, String, String)>,
    /// Line, what the prose shows, and why it is not proven.
    pub unproven: Vec<(usize, String, String)>,
}

/// An open blockquote.
enum Quote {
    Prose,
    /// A quotation with its source; when the source is a section of a file
    /// of the repository, its name and its text (or why there is none).
    Quotation(Option<(String, Result<String, String>)>),
}

/// Checks the prose of one chapter's markdown.
pub fn check_chapter(markdown: &str, proof: &Proof) -> ChapterCheck {
    let line_of = |offset: usize| markdown[..offset].matches('\n').count() + 1;
    let mut found = ChapterCheck::default();
    let mut quotes: Vec<Quote> = Vec::new();
    let mut in_code_block = false;
    let mut in_html = false;
    // The claims of the paragraph (item, heading, table row) being read, with
    // their lines and offsets, and the chapters it links to: judged at its end.
    let mut pending: Vec<(usize, usize, Claim)> = Vec::new();
    let mut links: Vec<&[Output]> = Vec::new();
    // The paragraph's text so far, and the numbers its code spans type.
    let mut context = String::new();
    let mut arguments: Vec<f64> = Vec::new();
    let flush = |found: &mut ChapterCheck,
                 pending: &mut Vec<(usize, usize, Claim)>,
                 links: &mut Vec<&[Output]>,
                 context: &mut String,
                 arguments: &mut Vec<f64>| {
        context.clear();
        let spans = std::mem::take(arguments);
        let linked: Vec<&Output> = links.drain(..).flatten().collect();
        let mut outputs: Vec<&Output> = proof.outputs.iter().collect();
        outputs.extend(&linked);
        for (line, offset, claim) in pending.drain(..) {
            // A number word is proven only by the blocks beside it (or a chapter it links to).
            let beside: Vec<&Output> = proof.outputs_beside(offset).chain(linked.iter().copied()).collect();
            let outputs = if claim.kind.beside_only() { &beside } else { &outputs };
            let mut inputs = proof.inputs_beside(offset);
            inputs.extend(&spans);
            let judged = judge(&claim.kind, outputs, &inputs, proof);
            match judged {
                Judgement::Input => found.inputs += 1,
                Judgement::Definition => found.definitions += 1,
                Judgement::Proven => found.checked += 1,
                Judgement::Rounded(printed) => {
                    found.checked += 1;
                    found.rounded.push((line, claim.shown, printed));
                }
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
                quotes.push(quote(&markdown[range.clone()], proof));
                continue;
            }
            Event::End(TagEnd::BlockQuote(_)) => {
                quotes.pop();
                flush(&mut found, &mut pending, &mut links, &mut context, &mut arguments);
                continue;
            }
            Event::End(
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::TableRow | TagEnd::TableHead,
            ) => {
                flush(&mut found, &mut pending, &mut links, &mut context, &mut arguments);
                continue;
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                let target = dest_url.split('#').next().unwrap_or_default();
                links.extend((proof.linked)(target));
                continue;
            }
            _ if in_code_block || in_html => continue,
            Event::SoftBreak | Event::HardBreak => {
                context.push(' ');
                continue;
            }
            Event::Text(text) => {
                let claims = claims::text_claims(text, &context);
                context.push_str(text);
                claims
            }
            Event::Code(code) => {
                arguments.extend(claims::code_arguments(code));
                context.push_str("code");
                claims::code_claims(code)
            }
            Event::InlineMath(formula) | Event::DisplayMath(formula) => {
                let claims = claims::math_claims(formula, &context);
                context.push_str("formula");
                claims
            }
            _ => continue,
        };
        let quotation = quotes.iter().rev().find_map(|quote| match quote {
            Quote::Quotation(section) => Some(section),
            Quote::Prose => None,
        });
        for claim in claims {
            let line = line_of(range.start) + claim.line - 1;
            match quotation {
                None => pending.push((line, range.start, claim)),
                Some(section) => match quoted(&claim, section.as_ref()) {
                    Ok(()) => found.quoted += 1,
                    Err(message) => found.unproven.push((line, claim.shown, message)),
                },
            }
        }
    }
    flush(&mut found, &mut pending, &mut links, &mut context, &mut arguments);
    found
}

/// Whether a claim of a quotation is what its source says: any claim of a
/// quotation from outside the repository; a number of a quoted section of
/// the repository's files only when the section writes it.
fn quoted(claim: &Claim, section: Option<&(String, Result<String, String>)>) -> Result<(), String> {
    let Some((name, text)) = section else { return Ok(()) };
    if matches!(claim.kind, ClaimKind::Definition(_)) {
        return Ok(());
    }
    let text = text.as_ref().map_err(Clone::clone)?;
    let written = claims::numbers_as_written(text);
    let shown = claims::numbers_as_written(&claim.shown);
    let missing = shown
        .iter()
        .find(|s| !written.iter().any(|w| same_print(w, s)))
        .map(|s| s.text.clone());
    match missing {
        None => Ok(()),
        Some(number) => Err(format!("the quoted section, {name}, does not write `{number}`")),
    }
}

/// What an opening blockquote (its markdown, `>` markers and all) is: a
/// quotation when it ends with a paragraph naming its source after an em
/// dash; when that source is a file of the repository in backticks and a
/// section of it in quotation marks, with the section's text.
fn quote(markdown: &str, proof: &Proof) -> Quote {
    let lines: Vec<&str> = markdown
        .lines()
        .map(|line| line.trim_start().trim_start_matches(['>', ' ']).trim())
        .collect();
    let text_end = lines.iter().rposition(|line| !line.is_empty()).map_or(0, |i| i + 1);
    let last_paragraph = lines[..text_end]
        .iter()
        .rposition(|line| line.is_empty())
        .map_or(0, |i| i + 1);
    let source = lines[last_paragraph..text_end].join(" ");
    let Some(source) = source
        .strip_prefix('—')
        .map(str::trim)
        .filter(|source| !source.is_empty())
    else {
        return Quote::Prose;
    };
    let section = source
        .strip_prefix('`')
        .and_then(|rest| rest.split_once('`'))
        .and_then(|(file, rest)| {
            let text = (proof.source)(file)?;
            let heading = rest.split(['"', '“', '”']).nth(1).unwrap_or_default().trim();
            let name = format!("`{file}`'s \"{heading}\"");
            let section =
                section_text(&text, heading).ok_or_else(|| format!("no heading of `{file}` starts with \"{heading}\""));
            Some((name, section))
        });
    Quote::Quotation(section)
}

/// The section of a markdown file whose heading starts with `name` (white
/// space collapsed), up to the next heading of its level or above.
fn section_text(markdown: &str, name: &str) -> Option<String> {
    let collapse = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    let name = collapse(name);
    let level = |line: &str| line.chars().take_while(|&c| c == '#').count();
    let lines: Vec<&str> = markdown.lines().collect();
    let start = lines.iter().position(|line| {
        level(line) > 0 && !name.is_empty() && collapse(line.trim_start_matches('#')).starts_with(&name)
    })?;
    let end = lines[start + 1..]
        .iter()
        .position(|line| level(line) > 0 && level(line) <= level(lines[start]))
        .map_or(lines.len(), |i| start + 1 + i);
    Some(lines[start..end].join("\n"))
}

enum Judgement {
    Proven,
    /// A rounded figure, and the print that rounds to it.
    Rounded(String),
    /// A number typed in the block beside it.
    Input,
    Definition,
    Unproven(String),
}

fn judge(kind: &ClaimKind, outputs: &[&Output], inputs: &[f64], proof: &Proof) -> Judgement {
    let printed = || {
        outputs
            .iter()
            .flat_map(|output| output.numbers.iter().map(move |n| (*output, n)))
    };
    let rounded_from = |output: &Output, printed: &Number| {
        Judgement::Rounded(format!("`{}`, printed by {}", printed.text, output.label))
    };
    match kind {
        ClaimKind::Definition(_) => Judgement::Definition,
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
                output
                    .numbers
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
        ClaimKind::Value { number, rounded } => {
            if printed().any(|(_, o)| shows(o, number)) {
                Judgement::Proven
            } else if let Some((output, o)) = printed().find(|(_, o)| *rounded && rounds_to(o, number)) {
                rounded_from(output, o)
            } else if inputs.iter().any(|input| input.abs() == number.value.abs()) {
                Judgement::Input
            } else {
                Judgement::Unproven(format!(
                    "no verified output of the chapter prints this number{}, and neither block beside it types it{}",
                    if *rounded { " or one that rounds to it" } else { "" },
                    nearest_number(number, outputs)
                ))
            }
        }
        ClaimKind::Word(number) => {
            if printed().any(|(_, o)| o.value == number.value) {
                Judgement::Proven
            } else if inputs.iter().any(|input| input.abs() == number.value) {
                Judgement::Input
            } else if let Some((output, o)) = printed().find(|(_, o)| rounds_to(o, number)) {
                rounded_from(output, o)
            } else {
                Judgement::Unproven(format!(
                    "a number in words, {}, is proven by an output of the blocks beside it that rounds to it, \
                     and none does{}",
                    number.value,
                    nearest_number(number, outputs)
                ))
            }
        }
        ClaimKind::Order(order) => match printed().find(|(_, o)| (*order..order * 1000.0).contains(&o.value.abs())) {
            Some((output, o)) => rounded_from(output, o),
            None => Judgement::Unproven(format!(
                "no verified output of the chapter prints a number from {order} to {}",
                order * 1000.0
            )),
        },
        ClaimKind::TorchVersion(version) => match proof.torch {
            Some(torch) if torch == version || torch.starts_with(&format!("{version}.")) => Judgement::Proven,
            Some(torch) => Judgement::Unproven(format!("the twins' snapshots were made with torch {torch}")),
            None => Judgement::Unproven("no twin's snapshot names the torch version it ran with".into()),
        },
    }
}

/// Whether a print shows the number the prose writes: the same value at
/// the same precision or finer, where the finer digits are zeros
/// (`-0.0300` shows `-0.03`, `81.` shows `81`; `0.7853` does not show `0.785`).
fn shows(printed: &Number, shown: &Number) -> bool {
    if !(printed.value.is_finite() && shown.value.is_finite()) {
        return printed.value == shown.value;
    }
    let close = (printed.value - shown.value).abs() <= 1e-9 * printed.value.abs().max(shown.value.abs());
    close && printed.unit <= shown.unit * (1.0 + 1e-9)
}

/// Whether a print rounds to a rounded figure at the figure's precision:
/// `7.8886e-31` to `8×10⁻³¹`, `1.98` to "twice".
fn rounds_to(printed: &Number, shown: &Number) -> bool {
    printed.value.is_finite() && (printed.value - shown.value).abs() <= shown.unit / 2.0 * (1.0 + 1e-9)
}

/// The same number at the same printed precision: `5.9605e-08` and
/// `5.9605\times10^{-8}`, not `0.785` and `0.7853`.
fn same_print(printed: &Number, shown: &Number) -> bool {
    if !(printed.value.is_finite() && shown.value.is_finite()) {
        return printed.value == shown.value && printed.unit == shown.unit;
    }
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(b.abs());
    close(printed.value, shown.value) && close(printed.unit, shown.unit)
}

/// `; the nearest printed number is …`, or nothing when no output printed a number.
fn nearest_number(shown: &Number, outputs: &[&Output]) -> String {
    let nearest = outputs
        .iter()
        .flat_map(|output| output.numbers.iter().map(move |number| (*output, number)))
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

#[cfg(test)]
mod tests {
    use std::sync::LazyLock;

    use super::*;

    /// The outputs of `ch08.md`, the chapter the tests' links point to.
    static LINKED: LazyLock<[Output; 1]> = LazyLock::new(|| [output("tensor(5.9605e-08)\n")]);

    const BENCHMARKS: &str =
        "# Benchmarks\n\n## Latest table\n\n| step | 1.454 ms | 1.72 |\n\n## Older\n\n| step | 2.240 ms |\n";

    fn output(text: &str) -> Output {
        Output::new("block `b`".into(), text.into(), "b".into(), 0..0)
    }

    /// The fenced blocks of a test chapter, as `extract` would find them.
    fn blocks(markdown: &str) -> Vec<BlockInputs> {
        let mut blocks = Vec::new();
        let mut open: Option<(usize, &str)> = None;
        let mut offset = 0;
        for line in markdown.split_inclusive('\n') {
            if let Some(info) = line.strip_prefix("```") {
                match open.take() {
                    None => open = Some((offset, if info.starts_with("python") { "#" } else { "//" })),
                    Some((start, comment)) => {
                        let body_start = start + markdown[start..].find('\n').unwrap() + 1;
                        blocks.push(BlockInputs {
                            range: start..offset + line.len(),
                            values: typed_values(&markdown[body_start..offset], comment),
                        });
                    }
                }
            }
            offset += line.len();
        }
        blocks
    }

    fn run(markdown: &str, outputs: &[Output]) -> ChapterCheck {
        let proof = Proof {
            outputs,
            linked: &|target| (target == "ch08.md").then_some(LINKED.as_slice()),
            blocks: blocks(markdown),
            torch: Some("2.15.0"),
            source: &|file| (file == "BENCHMARKS.md").then(|| BENCHMARKS.to_string()),
        };
        check_chapter(markdown, &proof)
    }

    /// What the prose shows at each unproven number.
    fn unproven(found: &ChapterCheck) -> Vec<&str> {
        found.unproven.iter().map(|(_, shown, _)| shown.as_str()).collect()
    }

    #[test]
    fn a_result_must_be_printed_at_the_same_precision() {
        let outputs = [output("grad = 0.7853\ndiff = 5.9605e-08\n")];
        let found = run(
            "It prints 0.7853 and `5.9605e-08`, that is $5.9605 \\times 10^{-8}$.\n\nNot 0.785 but 0.78530.\n",
            &outputs,
        );
        assert_eq!(found.checked, 3);
        let lines: Vec<_> = found
            .unproven
            .iter()
            .map(|(line, shown, _)| (*line, shown.as_str()))
            .collect();
        assert_eq!(lines, [(3, "0.785"), (3, "0.78530")]);
        assert!(
            found.unproven[0]
                .2
                .contains("the nearest printed is `0.7853`, by block `b`")
        );
    }

    #[test]
    fn integers_one_digit_values_powers_of_ten_and_percentages_are_checked() {
        let outputs = [output(
            "steps: 300\nloss: -0.01\ntolerance: 1e-05\nshare: 99.5%\nulps: 3\n",
        )];
        let good = "After 300 steps the loss is −0.01, within $10^{-5}$ (10⁻⁵), 99.5% of them, at most 3 ulps.\n";
        let found = run(good, &outputs);
        assert!(found.unproven.is_empty(), "{:?}", found.unproven);
        assert_eq!(found.checked, 6);
        let bad = "After 200 steps the loss is −0.02, within $10^{-6}$ (10⁻⁶), 98.5% of them, at most 2 ulps.\n";
        assert_eq!(
            unproven(&run(bad, &outputs)),
            ["200", "-0.02", "1e-6", "10⁻⁶", "98.5%", "2"]
        );
    }

    #[test]
    fn numbers_with_a_unit_glued_on_are_checked() {
        let outputs = [output("ratio 12.5\ntime 0.4324 s\n")];
        let found = run("It is 12.5x faster and takes 0.4324s.\n", &outputs);
        assert_eq!((found.checked, found.unproven.len()), (2, 0), "{:?}", found.unproven);
        let found = run(
            "It is 13.5x faster and takes 0.4325s; an f32 on AVX-512 is no number.\n",
            &outputs,
        );
        assert_eq!(unproven(&found), ["13.5x", "0.4325s"]);
    }

    #[test]
    fn number_words_used_as_quantities_are_checked_and_counts_are_definitions() {
        let outputs = [output("ratio: 1.98\nlimit: 997\n")];
        let found = run(
            "It is twice as fast, and fails at about a thousand nodes. Two inputs, called twice.\n",
            &outputs,
        );
        assert!(found.unproven.is_empty(), "{:?}", found.unproven);
        assert_eq!((found.checked, found.definitions), (2, 2));
        let rounded: Vec<_> = found
            .rounded
            .iter()
            .map(|(_, shown, printed)| (shown.as_str(), printed.as_str()))
            .collect();
        assert_eq!(
            rounded,
            [
                ("twice", "`1.98`, printed by block `b`"),
                ("a thousand", "`997`, printed by block `b`")
            ]
        );
        let found = run(
            "It is three times faster, and doubles the memory; one ulp apart.\n",
            &[output("ratio: 0.3\n")],
        );
        assert_eq!(unproven(&found), ["three times", "doubles", "one"]);
    }

    #[test]
    fn a_number_word_is_proven_only_by_the_blocks_beside_it() {
        let markdown = "Twice as fast.\n\n```rust\nlet a = 1;\n```\n\nStill twice as fast.\n\n\
                        ```rust\nlet b = 1;\n```\n\nAnd twice as fast again.\n";
        let block = |name: &str, text: &str| {
            let start = markdown.find(&format!("let {name}")).unwrap() - 8;
            Output {
                range: start..start + 20,
                block: name.into(),
                ..output(text)
            }
        };
        let found = run(markdown, &[block("a", "ratio 1.9\n"), block("b", "ratio 9.0\n")]);
        assert_eq!(found.rounded.len(), 2);
        let lines: Vec<_> = found.unproven.iter().map(|(line, ..)| *line).collect();
        assert_eq!(lines, [13]);
    }

    #[test]
    fn a_rounded_figure_is_proven_by_an_output_that_rounds_to_it_and_the_check_names_it() {
        let outputs = [output("tensor(7.8886e-31)\n")];
        let found = run("About 8×10⁻³¹, that is $\\approx 8 \\times 10^{-31}$.\n", &outputs);
        assert!(found.unproven.is_empty(), "{:?}", found.unproven);
        assert_eq!(found.rounded.len(), 2);
        assert_eq!(found.rounded[0].2, "`7.8886e-31`, printed by block `b`");
        // Without the word that rounds it, the figure claims the value itself.
        assert_eq!(
            unproven(&run("It is 8×10⁻³¹; about 9×10⁻³¹.\n", &outputs)),
            ["8×10⁻³¹", "9×10⁻³¹"]
        );
    }

    #[test]
    fn an_input_is_a_value_of_the_block_beside_it_and_comments_are_not_inputs() {
        let markdown = "We start from 1.2345.\n\n```rust\nlet x = 1.2345; // the loss will be 0.5555\n```\n\n\
                        Its loss is 0.5555, and x is −1.2345 negated.\n\n```rust\nlet y = 7.0;\n```\n\n\
                        Far below, 1.2345 again, beside y = 7.\n";
        let found = run(markdown, &[]);
        assert_eq!(found.inputs, 3, "{:?}", found.unproven);
        assert_eq!(unproven(&found), ["0.5555", "1.2345"]);
        assert_eq!(found.unproven[1].0, 13);
    }

    #[test]
    fn definitions_are_names_formula_constants_and_counts() {
        let markdown = "# Chapter 8 of 2026\n\nSeed 004, positions 2, 0, 4 of a 2-D tensor on AVX-512, \
                        Python 3.11, taken 2026-11-23: $y = 3x^2 + 1$ for two inputs.\n";
        let found = run(markdown, &[]);
        assert!(found.unproven.is_empty(), "{:?}", found.unproven);
        assert_eq!(found.checked, 0);
        // 8 and 2026 (a year), 004, 2, 0, 4, 2-D, 512, 3.11, the date, 2 and 1 (`3x` is
        // a term, not a number), two.
        assert_eq!(found.definitions, 13);
        let found = run("A $3\\times 3$ matrix has $y = 9$ entries, 2026 of them.\n", &[]);
        assert_eq!(unproven(&found), ["9", "2026"]);
    }

    #[test]
    fn a_print_with_trailing_zeros_shows_the_shorter_number_and_no_other() {
        let outputs = [output("tensor(-0.0300)\n")];
        assert_eq!(run("The sum is −0.03.\n", &outputs).checked, 1);
        assert_eq!(
            unproven(&run("The sum is −0.030001 or −0.031.\n", &outputs)),
            ["-0.030001", "-0.031"]
        );
    }

    #[test]
    fn an_infinity_printed_proves_no_finite_number() {
        let found = run("It is 784, and `inf` is a spelling.\n", &[output("tensor(inf)\n")]);
        assert_eq!(unproven(&found), ["784"]);
    }

    #[test]
    fn words_before_a_line_break_a_link_or_a_formula_still_count() {
        let outputs = [output("tensor(7.8886e-31)\n")];
        let found = run(
            "See [chapter\n7](ch07.md); it is about $8\\times 10^{-31}$, not $9\\times 10^{-31}$.\n",
            &outputs,
        );
        assert_eq!(found.definitions, 1, "{:?}", found.unproven);
        assert_eq!(found.rounded.len(), 1);
        assert_eq!(unproven(&found), ["9e-31"]);
    }

    #[test]
    fn a_number_a_code_span_of_the_paragraph_types_is_an_input_and_a_spelling_is_a_name() {
        let found = run(
            "The `10.0` in `x - 10.0` is a node; Rust writes `NaN`. But `11.0` alone is a value.\n",
            &[],
        );
        assert_eq!((found.inputs, found.definitions), (1, 1));
        assert_eq!(unproven(&found), ["11.0"]);
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
        assert_eq!(unproven(&found), ["[2, 12, 10]"]);
    }

    #[test]
    fn a_quotation_from_outside_is_counted_and_one_from_the_repository_is_checked_against_its_section() {
        let markdown = "> It printed `tensor(5.9605e-08, grad_fn=<ThAddBackward>)`.\n>\n> — a forum question,\n> asked in 2018\n\n\
                        > Unsourced: 0.5266.\n\n\
                        > | step | 1.454 ms | 1.72 |\n>\n> — `BENCHMARKS.md` in the repository, \"Latest\n> table\", taken 2026-11-23\n\n\
                        > | step | 2.240 ms | 1.08 |\n>\n> — `BENCHMARKS.md` in the repository, \"Latest table\"\n\n\
                        > 1.5\n>\n> — `BENCHMARKS.md`, \"Fastest table\"\n";
        let found = run(markdown, &[]);
        assert_eq!(
            found.quoted,
            1 + 2 + 1 + 1,
            "the forum's print; 1.454 and 1.72; the date; `step`'s row has none"
        );
        let unproven: Vec<_> = found
            .unproven
            .iter()
            .map(|(line, shown, message)| (*line, shown.as_str(), message.as_str()))
            .collect();
        assert_eq!(unproven[0].0, 6, "a blockquote without a source is prose");
        assert_eq!(
            unproven[1..].iter().map(|u| u.1).collect::<Vec<_>>(),
            ["2.240", "1.08", "1.5"]
        );
        assert!(
            unproven[1]
                .2
                .contains("the quoted section, `BENCHMARKS.md`'s \"Latest table\", does not write `2.240`")
        );
        assert!(
            unproven[3]
                .2
                .contains("no heading of `BENCHMARKS.md` starts with \"Fastest table\"")
        );
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
    fn the_report_line_counts_what_was_exempt_and_why() {
        let check = ProseCheck {
            checked: 5,
            quoted: 2,
            definitions: 3,
            inputs: 4,
            ..ProseCheck::default()
        };
        assert_eq!(
            check.summary(),
            "prose: 5 checked, 2 quoted, 7 exempt (definitions 3, inputs 4), 0 unproven\n"
        );
    }

    #[test]
    fn scientific_notation_in_math_reads_as_one_number() {
        assert_eq!(
            claims::scientific(r"5.9605 \times 10^{-8} + 2\times 3"),
            r"5.9605e-8 + 2\times 3"
        );
        assert_eq!(claims::scientific(r"4\times 10^{17}"), "4e17");
        assert_eq!(claims::scientific(r"3 \times 3"), r"3 \times 3");
        assert_eq!(claims::scientific(r"10^{-5}"), "1e-5");
    }
}

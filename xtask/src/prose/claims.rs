//! What the prose says with numbers: each number of a text, a formula or a
//! code span, read as written (`10,000`, `8×10⁻³¹`, `12.5x`, `99.5%`,
//! `twice as`), and what it is: a value to prove, or a definition exempt by
//! one of the rules below.

use crate::crosscheck::{self, Number};

/// Something the prose shows.
#[derive(Debug)]
pub struct Claim {
    /// 1-based line within the event's text.
    pub line: usize,
    /// As the prose writes it.
    pub shown: String,
    pub kind: ClaimKind,
}

#[derive(Debug)]
pub enum ClaimKind {
    /// A print of a tensor, white space collapsed.
    TensorPrint(String),
    /// A bracketed list of numbers.
    List(Vec<Number>),
    /// A value: proven by an output that prints it at the precision shown,
    /// or, when `rounded` ("about 8×10⁻³¹", `\approx`, "twice as"), by one
    /// that rounds to it.
    Value { number: Number, rounded: bool },
    /// Written as "thousands of": proven by a number of that order.
    Order(f64),
    /// The version after "PyTorch" or "torch".
    TorchVersion(String),
    /// Exempt: not a quantity the prose claims.
    Definition(Definition),
    /// A number written in words ("twice as", "a thousand", "doubles"): a
    /// rounded figure that only the blocks beside it may prove.
    Word(Number),
}

impl ClaimKind {
    /// Whether only the outputs of the blocks beside the claim may prove it.
    pub fn beside_only(&self) -> bool {
        matches!(self, ClaimKind::Word(_) | ClaimKind::Order(_))
    }
}

/// The rules that exempt a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Definition {
    /// It names something: "chapter 8", "seed 004", "positions 2, 0, 4",
    /// "AVX-512", "2-D", "Python 3.11", a date.
    Name,
    /// A constant of a formula: every number of `$y = 3x^2 + 1$` but a
    /// result standing alone after its relation.
    Formula,
    /// A count written as a word before a noun that is not a unit of
    /// measure: "two inputs", "three rounds", "called twice".
    Count,
}

/// Words after which a number names a thing rather than measures it.
const NAMING_WORDS: &[&str] = &[
    "chapter",
    "chapters",
    "section",
    "sections",
    "seed",
    "seeds",
    "line",
    "lines",
    "item",
    "items",
    "rule",
    "listing",
    "exercise",
    "figure",
    "part",
    "issue",
    "version",
    "python",
    "rust",
    "ieee",
    "row",
    "rows",
    "column",
    "columns",
    "dimension",
    "dimensions",
    "dim",
    "dims",
    "axis",
    "index",
    "indices",
    "position",
    "positions",
    "element",
    "elements",
    "entry",
    "entries",
    "layer",
    "stage",
    "table",
    "page",
    "appendix",
    "question",
    "questions",
    "node",
    "nodes",
    "edition",
    "step",
    "epoch",
    "round",
    "case",
    "program",
    "programs",
    "sample",
    "test",
    "slot",
    "slots",
    "class",
    "label",
    "labels",
    "port",
    "number",
    "no",
];

/// Words before a number that make it a rounded figure.
const ROUNDING_WORDS: &[&str] = &[
    "about",
    "around",
    "roughly",
    "nearly",
    "approximately",
    "almost",
    "some",
    "near",
];

/// Words before a four-digit number that make it a year.
const YEAR_WORDS: &[&str] = &[
    "in",
    "since",
    "until",
    "from",
    "of",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Units a number may carry glued on (`12.5x`, `0.4324s`), and what they multiply it by.
const GLUED_UNITS: &[(&str, f64)] = &[
    ("x", 1.0),
    ("s", 1.0),
    ("ms", 1.0),
    ("us", 1.0),
    ("µs", 1.0),
    ("μs", 1.0),
    ("ns", 1.0),
    ("KB", 1.0),
    ("MB", 1.0),
    ("GB", 1.0),
    ("KiB", 1.0),
    ("MiB", 1.0),
    ("GiB", 1.0),
    ("k", 1e3),
    ("K", 1e3),
    ("M", 1e6),
];

/// Number words that count ("two inputs") or, before a unit or "times
/// faster", measure ("two ulps", "three times faster").
const COUNT_WORDS: &[(&str, f64)] = &[
    ("two", 2.0),
    ("three", 3.0),
    ("four", 4.0),
    ("five", 5.0),
    ("six", 6.0),
    ("seven", 7.0),
    ("eight", 8.0),
    ("nine", 9.0),
    ("ten", 10.0),
    ("eleven", 11.0),
    ("twelve", 12.0),
    ("twenty", 20.0),
    ("hundred", 100.0),
];

/// Nouns of measure: a count word before one is a quantity ("one ulp", "two bits").
const MEASURES: &[&str] = &["ulp", "ulps", "bit", "bits", "orders", "percent"];

/// Words after "N times" or "twice" that make it a ratio ("twice as fast",
/// "ten times faster"), not a count of events ("called twice").
const COMPARING_WORDS: &[&str] = &[
    "as", "the", "that", "what", "its", "their", "faster", "slower", "more", "less", "larger", "smaller", "bigger",
    "longer", "shorter", "fewer", "higher", "lower", "cheaper", "dearer",
];

/// Verbs that scale by a factor ("doubles the memory").
const SCALING_WORDS: &[(&str, f64)] = &[
    ("doubles", 2.0),
    ("doubled", 2.0),
    ("doubling", 2.0),
    ("halves", 0.5),
    ("halved", 0.5),
    ("halving", 0.5),
    ("triples", 3.0),
    ("tripled", 3.0),
    ("quadruples", 4.0),
    ("quadrupled", 4.0),
];

/// Words after a scaling verb that make it one ("doubles the memory").
const SCALED: &[&str] = &[
    "the", "its", "their", "a", "an", "every", "each", "this", "that", "again",
];

/// "a thousand" and its kin, and "thousands of".
const LARGE_WORDS: &[(&str, f64)] = &[("hundred", 1e2), ("thousand", 1e3), ("million", 1e6), ("billion", 1e9)];

/// A number of the prose, as written.
#[derive(Debug)]
struct Written {
    number: Number,
    /// The byte of its line just after it.
    end: usize,
    /// Already known to be a definition (a name-like form: `AVX-512`, `2-D`, `3.11.2`).
    definition: Option<Definition>,
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn superscript_digit(c: char) -> Option<u32> {
    Some(match c {
        '⁰' => 0,
        '¹' => 1,
        '²' => 2,
        '³' => 3,
        '⁴' => 4,
        '⁵' => 5,
        '⁶' => 6,
        '⁷' => 7,
        '⁸' => 8,
        '⁹' => 9,
        _ => return None,
    })
}

/// A superscript exponent at the start of `text` (`⁻³¹`): its value and length in bytes.
fn superscript(text: &str) -> Option<(i32, usize)> {
    let (negative, digits) = match text.strip_prefix('⁻') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('⁺').unwrap_or(text)),
    };
    let mut value: i32 = 0;
    let mut length = 0;
    for c in digits.chars() {
        let Some(digit) = superscript_digit(c) else { break };
        value = value.checked_mul(10)?.checked_add(digit as i32)?;
        length += c.len_utf8();
    }
    (length > 0).then(|| {
        let sign_length = text.len() - digits.len();
        (if negative { -value } else { value }, sign_length + length)
    })
}

/// Every number of a line of prose, as written.
fn written_numbers(line: &str, line_number: usize) -> Vec<Written> {
    let bytes = line.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !line.is_char_boundary(i) {
            i += 1;
            continue;
        }
        let before = line[..i].chars().next_back();
        let starts = bytes[i].is_ascii_digit()
            || (matches!(bytes[i], b'-' | b'+')
                && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)
                && before.is_none_or(|c| c.is_whitespace() || "([{,=:<≈~/".contains(c)));
        if !starts || before.is_some_and(|c| is_word_char(c) || c == '.') {
            i += 1;
            continue;
        }
        match written_at(line, i, line_number) {
            Some(mut written) => {
                // `AVX-512`, `x86-64`, `UTF-8`: the end of a name.
                if before == Some('-') && line[..i - 1].chars().next_back().is_some_and(is_word_char) {
                    written.definition = Some(Definition::Name);
                }
                i = written.end;
                found.push(written);
            }
            None => {
                // An identifier (`1st`, `3D`): skip the rest of it.
                i += 1;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
            }
        }
    }
    found
}

/// The number written at byte `start` of `line`, or `None` for an identifier.
fn written_at(line: &str, start: usize, line_number: usize) -> Option<Written> {
    let bytes = line.as_bytes();
    let digits = |mut j: usize| {
        while j < bytes.len() && bytes[j].is_ascii_digit() {
            j += 1;
        }
        j
    };
    let mut i = start;
    if matches!(bytes[i], b'-' | b'+') {
        i += 1;
    }
    let int_start = i;
    let mut end = digits(i);
    // Thousands separated by commas: `10,000`, `1,000,000`, not `2,3` or `1,2345`.
    if end - int_start <= 3 {
        while bytes.get(end) == Some(&b',')
            && end + 4 <= bytes.len()
            && bytes[end + 1..end + 4].iter().all(u8::is_ascii_digit)
            && !bytes.get(end + 4).is_some_and(u8::is_ascii_digit)
        {
            end += 4;
        }
    }
    let mut decimals = 0;
    let mut definition = None;
    if bytes.get(end) == Some(&b'.') && bytes.get(end + 1).is_some_and(u8::is_ascii_digit) {
        let fraction_end = digits(end + 1);
        decimals = (fraction_end - end - 1) as i32;
        end = fraction_end;
        // `3.11.2`: a version.
        if bytes.get(end) == Some(&b'.') && bytes.get(end + 1).is_some_and(u8::is_ascii_digit) {
            while end < bytes.len() && (bytes[end].is_ascii_digit() || bytes[end] == b'.') {
                end += 1;
            }
            definition = Some(Definition::Name);
        }
    }
    let mut exponent = 0;
    if matches!(bytes.get(end), Some(b'e' | b'E')) {
        let mut j = end + 1;
        if matches!(bytes.get(j), Some(b'-' | b'+')) {
            j += 1;
        }
        let exponent_end = digits(j);
        if exponent_end > j {
            exponent = line[end + 1..exponent_end].parse().ok()?;
            end = exponent_end;
        }
    }
    let plain = line[start..end].replace(',', "");
    let mut value: f64 = if definition.is_some() { 0.0 } else { plain.parse().ok()? };
    let mut unit = 10f64.powi(exponent - decimals);
    let rest = &line[end..];
    // `8×10⁻³¹`, `8 × 10⁻³¹`, `8·10⁻³¹`.
    let times = rest.trim_start().strip_prefix(['×', '·']).map(str::trim_start);
    if let Some((power, length)) = times
        .and_then(|after| after.strip_prefix("10"))
        .and_then(|after| superscript(after).map(|(power, length)| (power, length, after)))
        .map(|(power, length, after)| (power, line.len() - after.len() + length))
    {
        value *= 10f64.powi(power);
        unit *= 10f64.powi(power);
        end = length;
    } else if decimals == 0
        && exponent == 0
        && let Some((power, length)) = superscript(rest)
    {
        // `10⁻⁵` is one figure of a power of ten; `2⁻⁵²` is exact.
        let base = value;
        value = base.powi(power);
        unit = if base == 10.0 { value } else { 0.0 };
        end += length;
    }
    let after = &line[end..];
    if definition.is_none() {
        let glued: String = after.chars().take_while(|&c| is_word_char(c) || c == 'µ').collect();
        if !glued.is_empty() {
            let (_, scale) = GLUED_UNITS.iter().find(|(unit, _)| *unit == glued)?;
            value *= scale;
            unit *= scale;
            end += glued.len();
        } else if let Some(tail) = after.strip_prefix('-')
            && tail.chars().next().is_some_and(|c| c.is_alphanumeric())
        {
            // `2-D`, `64-bit`, a date's `2026-11-23`.
            end += 1 + tail
                .chars()
                .take_while(|&c| is_word_char(c) || c == '-')
                .map(char::len_utf8)
                .sum::<usize>();
            definition = Some(Definition::Name);
        }
    }
    if after.starts_with('%') {
        end += 1;
    }
    Some(Written {
        number: Number {
            text: line[start..end].to_string(),
            value,
            unit,
            line: line_number,
            start,
        },
        end,
        definition,
    })
}

/// The numbers of a text as they are written, whatever they are: for
/// comparing a quotation with its source.
pub fn numbers_as_written(text: &str) -> Vec<Number> {
    let text = text.replace('−', "-");
    text.lines()
        .enumerate()
        .flat_map(|(index, line)| written_numbers(line, index + 1))
        .filter(|written| written.definition.is_none())
        .map(|written| written.number)
        .collect()
}

/// The lower-cased word that ends `text` (before trailing spaces), if any.
fn last_word(text: &str) -> Option<String> {
    let text = text.trim_end();
    let word: String = text.chars().rev().take_while(|&c| c.is_alphabetic()).collect();
    (!word.is_empty()).then(|| word.chars().rev().collect::<String>().to_lowercase())
}

/// The claims of a run of text (a paragraph's text between its code spans and formulas).
/// `context` is the text of the paragraph before this run, for the words
/// that come before its first line ("[chapter\n7](…)", "about $8\times…$").
pub fn text_claims(text: &str, context: &str) -> Vec<Claim> {
    // The book writes minus signs as `−` in prose.
    let text = text.replace('−', "-");
    let mut claims = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let mut previous: Option<(usize, bool)> = None; // end of the last number, and whether it named
        for written in written_numbers(line, index + 1) {
            let start = written.number.start;
            let with_context;
            let before = if index == 0 {
                with_context = format!("{context}{}", &line[..start]);
                with_context.as_str()
            } else {
                &line[..start]
            };
            let word_before = last_word(before);
            let word_before = word_before.as_deref();
            // "positions 2, 0, 4", "chapters 8 and 9": a list of names goes on.
            let continues_names = previous.is_some_and(|(end, named)| {
                named && matches!(line[end..start].trim(), "," | "and" | ", and" | "or" | "to" | "–" | "-")
            });
            let is_year = written.number.text.len() == 4
                && (1900.0..=2100.0).contains(&written.number.value)
                && word_before.is_some_and(|word| YEAR_WORDS.contains(&word));
            let after_torch = ["PyTorch ", "torch "].iter().any(|word| before.ends_with(word));
            let rounded = ends_with_rounding_word(before);
            let kind = if let Some(definition) = written.definition {
                ClaimKind::Definition(definition)
            } else if after_torch && written.number.text.contains('.') {
                ClaimKind::TorchVersion(written.number.text.clone())
            } else if continues_names
                || is_year
                || word_before.is_some_and(|word| NAMING_WORDS.contains(&word))
                || before.ends_with(['^', '_', '/', '#', '{'])
                || line[written.end..].starts_with(['/', '^'])
            {
                // `x^2`, `1/3`, the `{2` of a formula that did not parse: formulas.
                ClaimKind::Definition(
                    if before.ends_with(['^', '_', '/', '{']) || line[written.end..].starts_with(['/', '^']) {
                        Definition::Formula
                    } else {
                        Definition::Name
                    },
                )
            } else {
                ClaimKind::Value {
                    number: written.number.clone(),
                    rounded,
                }
            };
            previous = Some((written.end, matches!(kind, ClaimKind::Definition(Definition::Name))));
            claims.push(Claim {
                line: index + 1,
                shown: written.number.text,
                kind,
            });
        }
        claims.extend(word_claims(line, index + 1));
    }
    claims
}

/// Whether text ends with a word that makes the number after it a rounded
/// figure ("about", "≈").
fn ends_with_rounding_word(text: &str) -> bool {
    let text = text.trim_end();
    last_word(text).is_some_and(|word| ROUNDING_WORDS.contains(&word.as_str()))
        || text.ends_with(['~', '≈'])
        || text.ends_with("close to")
}

/// The claims of number words: "twice as", "a thousand", "doubles", "two inputs".
fn word_claims(line: &str, line_number: usize) -> Vec<Claim> {
    let mut words: Vec<(usize, String)> = Vec::new();
    let mut start = None;
    for (i, c) in line.char_indices().chain(std::iter::once((line.len(), ' '))) {
        match (c.is_alphabetic(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                words.push((s, line[s..i].to_lowercase()));
                start = None;
            }
            _ => {}
        }
    }
    let word = |k: usize| words.get(k).map(|(_, w)| w.as_str());
    let value = |value: f64, unit: f64| Number {
        text: String::new(),
        value,
        unit,
        line: line_number,
        start: 0,
    };
    let mut claims = Vec::new();
    let mut k = 0;
    while k < words.len() {
        let (start, current) = (words[k].0, words[k].1.as_str());
        let next = word(k + 1);
        let claim = |kind, length| Claim {
            line: line_number,
            shown: line[start..start + length].to_string(),
            kind,
        };
        let comparing = next.is_some_and(|next| COMPARING_WORDS.contains(&next));
        let count = COUNT_WORDS.iter().find(|(word, _)| *word == current).map(|(_, n)| *n);
        let large = LARGE_WORDS
            .iter()
            .find(|(word, _)| word.len() + 1 == current.len() && current.starts_with(word) && current.ends_with('s'))
            .map(|(_, n)| *n);
        // One significant figure: "twice" is 2 ± 0.5, "a thousand" 1000 ± 500.
        let rounded = |n: f64| ClaimKind::Word(value(n, 10f64.powf(n.log10().floor())));
        if current == "twice" {
            let kind = if comparing {
                rounded(2.0)
            } else {
                ClaimKind::Definition(Definition::Count)
            };
            claims.push(claim(kind, current.len()));
        } else if let Some((_, factor)) = SCALING_WORDS.iter().find(|(word, _)| *word == current) {
            // "doubles the memory", not "rounds halves to even".
            let kind = if next.is_some_and(|next| SCALED.contains(&next)) {
                rounded(*factor)
            } else {
                ClaimKind::Definition(Definition::Count)
            };
            claims.push(claim(kind, current.len()));
        } else if (current == "a" || current == "one")
            && let Some(n) = next
                .and_then(|next| LARGE_WORDS.iter().find(|(word, _)| *word == next))
                .map(|(_, n)| *n)
        {
            let length = words[k + 1].0 + words[k + 1].1.len() - start;
            claims.push(claim(rounded(n), length));
            k += 1;
        } else if let Some(n) = large
            && next == Some("of")
        {
            claims.push(claim(ClaimKind::Order(n), current.len()));
        } else if let Some(n) = count {
            let length = current.len();
            if next == Some("times") && word(k + 2).is_some_and(|after| COMPARING_WORDS.contains(&after)) {
                claims.push(claim(rounded(n), words[k + 1].0 + 5 - start));
                k += 1;
            } else if next.is_some_and(|next| MEASURES.contains(&next)) {
                claims.push(claim(ClaimKind::Word(value(n, 1.0)), length));
            } else {
                claims.push(claim(ClaimKind::Definition(Definition::Count), length));
            }
        } else if current == "one" && next.is_some_and(|next| MEASURES.contains(&next)) {
            claims.push(claim(ClaimKind::Word(value(1.0, 1.0)), current.len()));
        }
        k += 1;
    }
    // A number written in words shows as the words.
    for claim in &mut claims {
        if let ClaimKind::Value { number, .. } | ClaimKind::Word(number) = &mut claim.kind {
            number.text.clone_from(&claim.shown);
        }
    }
    claims
}

/// The numbers a code span types as arguments (`x - 10.0`): none when the
/// span is one number, which is a claim.
pub fn code_arguments(code: &str) -> Vec<f64> {
    let numbers = crosscheck::numbers(code);
    match numbers.as_slice() {
        [number] if number.text == code.trim() => Vec::new(),
        _ => numbers.into_iter().map(|number| number.value).collect(),
    }
}

/// The claims of an inline code span.
pub fn code_claims(code: &str) -> Vec<Claim> {
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
        // `NaN`, `inf`: how a value is spelled, not a value.
        [number] if number.text == collapsed && !number.value.is_finite() => vec![Claim {
            line: 1,
            shown: number.text.clone(),
            kind: ClaimKind::Definition(Definition::Name),
        }],
        [number] if number.text == collapsed => vec![Claim {
            line: 1,
            shown: number.text.clone(),
            kind: ClaimKind::Value {
                number: number.clone(),
                rounded: false,
            },
        }],
        _ => Vec::new(),
    }
}

/// Relations of a formula, and whether each makes what follows it a rounded figure.
const RELATIONS: &[(&str, bool)] = &[
    (r"\approx", true),
    (r"\simeq", true),
    (r"\sim", true),
    ("≈", true),
    (r"\leq", false),
    (r"\geq", false),
    (r"\le", false),
    (r"\ge", false),
    (r"\lt", false),
    (r"\gt", false),
    ("<", false),
    (">", false),
    ("=", false),
];

/// The claims of a formula: a number standing alone after a relation
/// (`= 0.3943`, `\approx 8 \times 10^{-31}`), or a formula that is one
/// number, is a value; every other number is a constant of the formula.
/// `context` is the text of the paragraph before it: after "about", the
/// formula's values are rounded figures.
pub fn math_claims(formula: &str, context: &str) -> Vec<Claim> {
    let rounded_by_context = ends_with_rounding_word(context);
    let formula = scientific(&formula.replace('−', "-").replace(r"\,", "").replace("{,}", ""));
    // The parts between relations, each with the relation before it.
    let mut parts: Vec<(Option<bool>, &str)> = Vec::new();
    let mut rest = formula.as_str();
    let mut relation = None;
    'split: loop {
        for (at, _) in rest.char_indices() {
            if let Some((name, rounded)) = RELATIONS.iter().find(|(name, _)| rest[at..].starts_with(name)) {
                // `\left`, `\ge` in `\geq`: a command's name goes on while letters do.
                let after = &rest[at + name.len()..];
                if name.starts_with('\\') && after.starts_with(|c: char| c.is_ascii_alphabetic()) {
                    continue;
                }
                parts.push((relation, &rest[..at]));
                relation = Some(*rounded);
                rest = after;
                continue 'split;
            }
        }
        parts.push((relation, rest));
        break;
    }
    let alone = parts.len() == 1;
    let mut claims = Vec::new();
    for (relation, part) in parts {
        let values = standing_alone(part).filter(|_| relation.is_some() || alone);
        match values {
            Some(numbers) => claims.extend(numbers.into_iter().map(|number| Claim {
                line: number.line,
                shown: number.text.clone(),
                kind: ClaimKind::Value {
                    number,
                    rounded: relation == Some(true) || (rounded_by_context && relation.is_none()),
                },
            })),
            None => claims.extend(crosscheck::numbers(part).into_iter().map(|number| Claim {
                line: number.line,
                shown: number.text,
                kind: ClaimKind::Definition(Definition::Formula),
            })),
        }
    }
    claims
}

/// The numbers of a part of a formula that is one number or a tuple of
/// numbers (`0.3943`, `(3, 12, 27)`), perhaps with a unit (`\text{ ms}`).
fn standing_alone(part: &str) -> Option<Vec<Number>> {
    let mut part = part.trim().trim_end_matches([',', '.', ';', ':']).trim();
    for command in [r"\text{", r"\mathrm{"] {
        if let Some(at) = part.rfind(command)
            && part.ends_with('}')
            && at > 0
        {
            part = part[..at].trim();
        }
    }
    // `(3, 12, 27)` is a tuple of values; `[-50, 50]` an interval, a definition.
    if part.starts_with('[') {
        return None;
    }
    let inner = part
        .strip_prefix('(')
        .and_then(|inner| inner.strip_suffix(')'))
        .unwrap_or(part);
    let numbers = crosscheck::numbers(inner);
    let texts: Vec<&str> = inner.split(',').map(str::trim).collect();
    (!numbers.is_empty()
        && numbers.len() == texts.len()
        && numbers.iter().zip(&texts).all(|(number, text)| number.text == *text))
    .then_some(numbers)
}

/// A formula with `m \times 10^{e}` written as `me` followed by the
/// exponent, and `10^{e}` alone as `1e` and the exponent, so that each reads
/// as the one number it is.
pub fn scientific(formula: &str) -> String {
    let mut out = String::with_capacity(formula.len());
    let mut rest = formula;
    while let Some(at) = rest.find("10^") {
        let (before, after) = rest.split_at(at);
        let power = &after[3..];
        let exponent = if let Some(braced) = power.strip_prefix('{') {
            braced.find('}').map(|close| (&braced[..close], &braced[close + 1..]))
        } else {
            power
                .chars()
                .next()
                .filter(char::is_ascii_digit)
                .map(|digit| (&power[..digit.len_utf8()], &power[digit.len_utf8()..]))
        };
        let glued_to_word = before.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '.');
        let Some((exponent, tail)) = exponent.filter(|_| !glued_to_word) else {
            out.push_str(&rest[..at + 3]);
            rest = &rest[at + 3..];
            continue;
        };
        let trimmed = before.trim_end();
        let mantissa = trimmed
            .strip_suffix(r"\times")
            .or_else(|| trimmed.strip_suffix(r"\cdot"))
            .map(str::trim_end)
            .filter(|m| m.ends_with(|c: char| c.is_ascii_digit()));
        match mantissa {
            Some(mantissa) => out.push_str(mantissa),
            None => {
                out.push_str(before);
                out.push('1');
            }
        }
        out.push('e');
        out.push_str(exponent.trim());
        rest = tail;
    }
    out.push_str(rest);
    out
}

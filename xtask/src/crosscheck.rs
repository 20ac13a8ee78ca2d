//! The twin cross-check: the numbers a Rust block printed and the numbers its
//! PyTorch twin printed must be the same numbers, in the same order, at the
//! precision they were printed with.
//!
//! Only numbers are compared, so the two programs may label them differently
//! (`dtype=f64` against `dtype=torch.float64`, `grad_fn=<SumBackward0>` on one
//! side only, `x.grad =` against `grad:`). The rules:
//!
//! - A number is an optional sign, digits with an optional `.` and fraction
//!   (`1.`, `.5`, `0.0300` all count), and an optional exponent (`5.9605e-08`);
//!   or one of the words `nan`, `inf`, `infinity` in any case, optionally signed.
//! - A number glued to a letter (of any script), digit or `_` is part of a word and is not a
//!   number: `float64`, `f32`, `SumBackward0`, `ch03`, `2x`, `x_1`. A sign
//!   counts only where it cannot be a hyphen or an operator between two words:
//!   after the start of the text, whitespace or one of `([{,=:<`.
//! - `true`/`false` and every other word are ignored.
//! - Two numbers agree when both are NaN, when both are the same infinity, or
//!   when they differ by at most half a unit in the last printed place of the
//!   coarser of the two: `0.1235` agrees with `0.12345678`, `10.` with
//!   `10.0000`, and `0.1234` does not agree with `0.1235`. That is "equal at
//!   the printed precision": what a reader comparing the two pages would see.

use std::fmt::Write as _;

/// A number found in a program's output.
#[derive(Debug, Clone, PartialEq)]
pub struct Number {
    /// As printed, for messages.
    pub text: String,
    pub value: f64,
    /// One unit in the last printed place: `0.01` for `1.25`, `1` for `7`,
    /// `1e-12` for `5.9605e-08`. Zero for NaN and infinities.
    pub unit: f64,
    /// 1-based line of the output it was printed on.
    pub line: usize,
    /// Byte of that line where it starts.
    pub start: usize,
}

/// Every number in `text`, in order.
pub fn numbers(text: &str) -> Vec<Number> {
    let mut found = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let bytes = line.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            // Numbers start with ASCII, so `i` is then a character boundary
            // and the characters around can be looked at; a token never
            // starts inside a word (`float64`, `é5`).
            if !matches!(bytes[i], b'0'..=b'9' | b'-' | b'+' | b'.' | b'n' | b'N' | b'i' | b'I')
                || line[..i].chars().next_back().is_some_and(is_word_char)
            {
                i += 1;
                continue;
            }
            match number_at(line, i) {
                Some(Token { end, value, unit }) if !line[end..].chars().next().is_some_and(is_word_char) => {
                    found.push(Number {
                        text: line[i..end].to_string(),
                        value,
                        unit,
                        line: index + 1,
                        start: i,
                    });
                    i = end;
                }
                _ => i += 1,
            }
        }
    }
    found
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// A number read at a place of a line, before it is known to stand alone.
struct Token {
    /// The byte just after it.
    end: usize,
    value: f64,
    /// One unit in its last printed place ([`Number::unit`]).
    unit: f64,
}

/// The number starting at byte `start` of `line`.
fn number_at(line: &str, start: usize) -> Option<Token> {
    let bytes = line.as_bytes();
    let mut i = start;
    let mut negative = false;
    if matches!(bytes[i], b'-' | b'+') {
        let sign_may_start = i == 0 || bytes[i - 1].is_ascii_whitespace() || b"([{,=:<".contains(&bytes[i - 1]);
        if !sign_may_start {
            return None;
        }
        negative = bytes[i] == b'-';
        i += 1;
    }
    // nan, inf, infinity (Rust prints `NaN` and `inf`, PyTorch `nan` and `inf`).
    // Bytes, not `str` slices: `i` may stand inside a multi-byte character.
    let rest = &bytes[i..];
    for (word, value) in [("infinity", f64::INFINITY), ("inf", f64::INFINITY), ("nan", f64::NAN)] {
        if rest.len() >= word.len() && rest[..word.len()].eq_ignore_ascii_case(word.as_bytes()) {
            let value = if negative { -value } else { value };
            return Some(Token {
                end: i + word.len(),
                value,
                unit: 0.0,
            });
        }
    }
    let digits = |mut j: usize| {
        while j < bytes.len() && bytes[j].is_ascii_digit() {
            j += 1;
        }
        j
    };
    let int_end = digits(i);
    let mut end = int_end;
    let mut decimals = 0i32;
    if end < bytes.len() && bytes[end] == b'.' {
        let frac_end = digits(end + 1);
        // `.` alone, or `1.` followed by a word (`1.e`? `x.grad`), is no fraction.
        if frac_end > end + 1 || int_end > i {
            decimals = i32::try_from(frac_end - end - 1).ok()?;
            end = frac_end;
        }
    }
    if end == i || (end == i + 1 && bytes[i] == b'.') {
        return None;
    }
    let mut exponent = 0i32;
    if end < bytes.len() && matches!(bytes[end], b'e' | b'E') {
        let mut j = end + 1;
        if j < bytes.len() && matches!(bytes[j], b'-' | b'+') {
            j += 1;
        }
        let exp_end = digits(j);
        if exp_end > j {
            exponent = line[end + 1..exp_end].parse().ok()?;
            end = exp_end;
        }
    }
    let value: f64 = line[start..end].parse().ok()?;
    Some(Token {
        end,
        value,
        unit: 10f64.powi(exponent - decimals),
    })
}

/// Whether two printed numbers agree at the coarser printed precision.
pub fn agree(a: &Number, b: &Number) -> bool {
    if a.value.is_nan() || b.value.is_nan() {
        return a.value.is_nan() && b.value.is_nan();
    }
    if a.value.is_infinite() || b.value.is_infinite() {
        return a.value == b.value;
    }
    let half_unit = a.unit.max(b.unit) / 2.0;
    // The slack covers the error of the subtraction itself, not of the
    // numbers: `0.1235 - 0.12345` is not exactly `0.00005` in binary.
    (a.value - b.value).abs() <= half_unit * (1.0 + 1e-9)
}

/// Compares a Rust block's output with its twin's. `Err` says where they part,
/// with both outputs side by side.
pub fn compare(rust_output: &str, python_output: &str) -> Result<(), String> {
    let (rust, python) = (numbers(rust_output), numbers(python_output));
    let first_difference = rust.iter().zip(&python).position(|(r, p)| !agree(r, p));
    let headline = match first_difference {
        Some(k) => {
            let (r, p) = (&rust[k], &python[k]);
            format!(
                "number {} differs: Rust printed `{}` (output line {}), PyTorch printed `{}` (output line {})",
                k + 1,
                r.text,
                r.line,
                p.text,
                p.line
            )
        }
        None if rust.len() != python.len() => {
            let (longer, name, count) = if rust.len() > python.len() {
                (&rust, "Rust", python.len())
            } else {
                (&python, "PyTorch", rust.len())
            };
            format!(
                "Rust printed {} number(s), PyTorch {}; the first {count} agree, then {name} printed `{}` \
                 (output line {})",
                rust.len(),
                python.len(),
                longer[count].text,
                longer[count].line
            )
        }
        None => return Ok(()),
    };
    Err(format!(
        "the PyTorch twin disagrees with its Rust block: {headline}\n{}",
        side_by_side(rust_output, python_output)
    ))
}

/// Two texts in two columns, Rust left, PyTorch right, lines numbered.
pub fn side_by_side(rust: &str, python: &str) -> String {
    let left: Vec<&str> = rust.lines().collect();
    let right: Vec<&str> = python.lines().collect();
    let width = left
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0)
        .max("Rust".len());
    let mut out = format!("     {:<width$} | PyTorch\n", "Rust");
    for k in 0..left.len().max(right.len()) {
        let l = left.get(k).copied().unwrap_or("");
        let r = right.get(k).copied().unwrap_or("");
        let _ = writeln!(out, "{:>3}  {l:<width$} | {r}", k + 1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(output: &str) -> Vec<String> {
        numbers(output).into_iter().map(|n| n.text).collect()
    }

    #[test]
    fn numbers_skip_words_dtypes_and_grad_fns() {
        assert_eq!(
            texts("tensor([ 2., 10., 12.], dtype=torch.float64, grad_fn=<SumBackward0>)"),
            ["2.", "10.", "12."]
        );
        assert_eq!(texts("x.grad = tensor(-0.0300, dtype=f32)"), ["-0.0300"]);
        assert_eq!(texts("2x     = [5.9605e-08, -1E+3, .5]"), ["5.9605e-08", "-1E+3", ".5"]);
        assert_eq!(texts("ch03-vectors f32 x_1 float64 SumBackward0"), Vec::<String>::new());
        assert_eq!(
            texts("[nan, -inf, NaN, inf] information"),
            ["nan", "-inf", "NaN", "inf"]
        );
        assert_eq!(
            texts("Some([1.0, 2.0]) shape [5, 3]: 7/8"),
            ["1.0", "2.0", "5", "3", "7", "8"]
        );
        assert_eq!(texts("2(x² − 10)·2x = -36.0 −1 é5"), ["2", "10", "-36.0", "1"]);
        let n = &numbers("a\n  5.9605e-08")[0];
        assert_eq!((n.line, n.value), (2, 5.9605e-08));
        assert!((n.unit - 1e-12).abs() < 1e-25);
    }

    #[test]
    fn agreement_is_at_the_coarser_printed_precision() {
        let one = |text: &str| numbers(text).remove(0);
        assert!(agree(&one("0.1235"), &one("0.12345678")));
        assert!(agree(&one("10."), &one("10.0000")));
        assert!(agree(&one("0.1235"), &one("0.12345")), "half a unit is in");
        assert!(!agree(&one("0.1234"), &one("0.1235")));
        assert!(!agree(&one("0.1236"), &one("0.12345")));
        assert!(agree(&one("5.9605e-08"), &one("5.960464477539063e-08")));
        assert!(!agree(&one("5.9605e-08"), &one("5.9604e-08")));
        assert!(agree(&one("nan"), &one("NaN")));
        assert!(!agree(&one("inf"), &one("-inf")));
        assert!(!agree(&one("nan"), &one("0")));
    }

    #[test]
    fn compare_names_the_first_differing_number() {
        assert_eq!(
            compare("y = tensor(62., dtype=f64)", "tensor(62., dtype=torch.float64)"),
            Ok(())
        );
        let error = compare("a 1.0\nb 2.0\n", "a 1.0\nb 2.5\n").expect_err("they differ");
        assert!(
            error.contains("number 2 differs: Rust printed `2.0` (output line 2), PyTorch printed `2.5`"),
            "{error}"
        );
        assert!(error.contains("  2  b 2.0 | b 2.5"), "{error}");
        let error = compare("1 2 3", "1 2").expect_err("a count mismatch");
        assert!(error.contains("Rust printed 3 number(s), PyTorch 2; the first 2 agree, then Rust printed `3`"));
    }
}

//! Number tests: the first number-like run in people's text that reads as a number under
//! the environment's symbols, in any script's digits, compared with the test's bounds.

use std::cmp::Ordering;

use regex::Regex;
use rust_decimal::Decimal;

use super::{false_result, true_result};
use crate::env::NumberFormat;
use crate::eval::Evaluator;
use crate::functions::{arity, number, text};
use crate::value::XValue;

type R = Result<XValue, XValue>;

/// First code points of the Unicode decimal digit blocks (each runs zero to nine).
const DIGIT_ZEROS: &[u32] = &[
    0x0030, 0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66, 0x0DE6,
    0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40,
    0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10,
];

fn digit_value(c: char) -> Option<char> {
    let cp = u32::from(c);
    DIGIT_ZEROS.iter().find(|&&z| cp >= z && cp < z + 10).and_then(|z| char::from_digit(cp - z, 10))
}

/// Reads a candidate: grouping symbols dropped, the decimal symbol made a point, digits of
/// any script made ASCII. An empty decimal symbol can never be read (as in the reference).
pub fn parse_fuzzy(candidate: &str, nf: &NumberFormat) -> Option<Decimal> {
    if nf.decimal_symbol.is_empty() {
        return None;
    }
    let mut s = candidate.trim().to_string();
    if !nf.digit_grouping_symbol.is_empty() {
        s = s.replace(&nf.digit_grouping_symbol, "");
    }
    s = s.replace(&nf.decimal_symbol, ".");
    let mut ascii = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '.' | '-' | '+' => ascii.push(c),
            _ => ascii.push(digit_value(c)?),
        }
    }
    if ascii.matches('.').count() > 1 || ascii.matches(['-', '+']).count() > 1 {
        return None;
    }
    crate::number::parse_loose(&ascii)
}

fn number_pattern(nf: &NumberFormat) -> Option<Regex> {
    let g = regex::escape(&nf.digit_grouping_symbol);
    let d = regex::escape(&nf.decimal_symbol);
    let group_class = if g.is_empty() { String::new() } else { g.clone() };
    Regex::new(&format!(r"[-+]?(?:[\pN{group_class}]+(?:{d}[\pN]+)?|(?:[^0-9A-Za-z_]|^){d}[\pN]+)")).ok()
}

/// The pattern for the common symbols, compiled once: compiling per test would dominate a step.
fn default_pattern() -> Option<&'static Regex> {
    static RE: std::sync::OnceLock<Option<Regex>> = std::sync::OnceLock::new();
    RE.get_or_init(|| number_pattern(&NumberFormat::default())).as_ref()
}

fn test_number(ev: &Evaluator<'_>, t: &str, pass: impl Fn(Decimal) -> bool) -> R {
    let nf = &ev.env.number_format;
    let compiled;
    let re = if *nf == NumberFormat::default() {
        default_pattern()
    } else {
        compiled = number_pattern(nf);
        compiled.as_ref()
    };
    let Some(re) = re else { return Ok(false_result()) };
    for m in re.find_iter(t) {
        if let Some(n) = parse_fuzzy(m.as_str(), nf) {
            if pass(n) {
                return Ok(true_result(XValue::Number(n)));
            }
        }
    }
    Ok(false_result())
}

pub fn has_number(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(1))?;
    let t = text(&a[0])?;
    test_number(ev, &t, |_| true)
}

pub fn has_number_between(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 3, Some(3))?;
    let t = text(&a[0])?;
    let lo = number(&a[1])?;
    let hi = number(&a[2])?;
    test_number(ev, &t, |n| n >= lo && n <= hi)
}

fn compare(ev: &Evaluator<'_>, a: &[XValue], ok: fn(Ordering) -> bool) -> R {
    arity(a, 2, Some(2))?;
    let t = text(&a[0])?;
    let bound = number(&a[1])?;
    test_number(ev, &t, |n| ok(n.cmp(&bound)))
}

pub fn has_number_lt(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    compare(ev, a, |o| o == Ordering::Less)
}

pub fn has_number_lte(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    compare(ev, a, |o| o != Ordering::Greater)
}

pub fn has_number_eq(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    compare(ev, a, |o| o == Ordering::Equal)
}

pub fn has_number_gte(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    compare(ev, a, |o| o != Ordering::Less)
}

pub fn has_number_gt(ev: &mut Evaluator<'_>, a: &[XValue]) -> R {
    compare(ev, a, |o| o == Ordering::Greater)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_digits_of_any_script() {
        let nf = NumberFormat::default();
        assert_eq!(parse_fuzzy("١٢٣٤", &nf), Some(Decimal::from(1234)));
        assert_eq!(parse_fuzzy("1,000,000", &nf), Some(Decimal::from(1_000_000)));
        assert_eq!(parse_fuzzy(" .51", &nf), "0.51".parse().ok());
        assert_eq!(parse_fuzzy("½", &nf), None);
    }
}

//! Decimal numbers as the format uses them: parsing from text, canonical text, rounding in
//! goflow's manner, division at 16 places, and human formatting with grouping symbols.

use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};

/// Division keeps 16 decimal places, as the reference engine does, so `1 / 3` prints alike.
const DIVISION_PLACES: u32 = 16;

/// Canonical text of a number: no trailing zeros, no exponent (`123.45000` → `123.45`).
pub fn to_text(n: &Decimal) -> String {
    let s = n.normalize().to_string();
    if s == "-0" {
        "0".into()
    } else {
        s
    }
}

/// Parses a number as the format reads text: after surrounding whitespace, an optional `-`,
/// then digits with an optional fraction (`12`, `12.5`, `.5`). No `+`, no exponent, no
/// trailing point, no grouping. A number this engine cannot hold (more than 28 digits before
/// the point) is not read either, so it converts to an error rather than a wrong value.
pub fn parse(text: &str) -> Option<Decimal> {
    let t = text.trim();
    if t.len() > 64 {
        return None;
    }
    let body = t.strip_prefix('-').unwrap_or(t);
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let ok = match frac {
        None => digits(int),
        Some(f) => digits(f) && (int.is_empty() || digits(int)),
    };
    if !ok {
        return None;
    }
    let full = if int.is_empty() { t.replacen('.', "0.", 1) } else { t.to_string() };
    Decimal::from_str(&full).ok()
}

/// Parses a number as JSON and people's answers write it: like [`parse`], but a leading `+`
/// and an exponent (`1.5e3`) are accepted too.
pub fn parse_loose(text: &str) -> Option<Decimal> {
    let t = text.trim();
    if t.is_empty() || t.len() > 64 {
        return None;
    }
    let (sign, body) = match t.as_bytes()[0] {
        b'+' => ("", &t[1..]),
        b'-' => ("-", &t[1..]),
        _ => ("", t),
    };
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-')) {
        return None;
    }
    if body.starts_with(['+', '-']) {
        return None;
    }
    let body = if body.starts_with('.') { format!("0{body}") } else { body.to_string() };
    if body.ends_with('.') {
        return None;
    }
    let full = format!("{sign}{body}");
    if full.contains(['e', 'E']) {
        Decimal::from_scientific(&full).ok()
    } else {
        Decimal::from_str(&full).ok()
    }
}

/// Rounds half away from zero to `places`, which may be negative (tens, hundreds…).
pub fn round(n: Decimal, places: i64) -> Option<Decimal> {
    if places >= 0 {
        let p = u32::try_from(places.min(28)).ok()?;
        Some(n.round_dp_with_strategy(p, RoundingStrategy::MidpointAwayFromZero))
    } else if places < -28 {
        // Every number this engine holds is below 10^29, so it rounds to zero at such places.
        Some(Decimal::ZERO)
    } else {
        let factor = pow10(u32::try_from(-places).ok()?)?;
        let q = n.checked_div(factor)?.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
        q.checked_mul(factor)
    }
}

/// Rounds up as goflow does: unchanged if already at `places`, else add half a unit and round.
pub fn round_up(n: Decimal, places: i64) -> Option<Decimal> {
    if places < -28 {
        // Up to a power of ten past any number held: zero from below, out of range from above.
        return (!n.is_sign_positive() || n.is_zero()).then_some(Decimal::ZERO);
    }
    if round(n, places)? == n {
        return Some(n);
    }
    let half = half_unit(places)?;
    round(n.checked_add(half)?, places)
}

/// Rounds down as goflow does: unchanged if already at `places`, else take half a unit and round.
pub fn round_down(n: Decimal, places: i64) -> Option<Decimal> {
    if places < -28 {
        return (n.is_sign_positive() || n.is_zero()).then_some(Decimal::ZERO);
    }
    if round(n, places)? == n {
        return Some(n);
    }
    let half = half_unit(places)?;
    round(n.checked_sub(half)?, places)
}

fn half_unit(places: i64) -> Option<Decimal> {
    // 5 × 10^(-places-1)
    let exp = -places - 1;
    if exp >= 0 {
        Decimal::from(5).checked_mul(pow10(u32::try_from(exp).ok()?)?)
    } else {
        let scale = u32::try_from(-exp).ok()?;
        if scale > 28 {
            return None;
        }
        Some(Decimal::new(5, scale))
    }
}

fn pow10(e: u32) -> Option<Decimal> {
    let mut r = Decimal::ONE;
    for _ in 0..e {
        r = r.checked_mul(Decimal::TEN)?;
    }
    Some(r)
}

/// Division with the reference precision; `None` on a zero divisor or overflow.
pub fn divide(a: Decimal, b: Decimal) -> Option<Decimal> {
    if b.is_zero() {
        return None;
    }
    Some(a.checked_div(b)?.round_dp_with_strategy(DIVISION_PLACES, RoundingStrategy::MidpointAwayFromZero))
}

/// Raises to a power: exact for whole exponents, through floating point otherwise.
pub fn power(a: Decimal, b: Decimal) -> Option<Decimal> {
    if b.fract().is_zero() {
        use rust_decimal::MathematicalOps;
        let e = to_i64(&b)?;
        if e.abs() > 4096 {
            return None;
        }
        a.checked_powi(e)
    } else {
        use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
        let r = a.to_f64()?.powf(b.to_f64()?);
        if !r.is_finite() {
            return None;
        }
        Decimal::from_f64(r)
    }
}

/// Integer part as i64 when it fits, for indexes and counts.
pub fn to_i64(n: &Decimal) -> Option<i64> {
    use rust_decimal::prelude::ToPrimitive;
    n.trunc().to_i64()
}

/// Formats for people: `places` decimals (`None` keeps them all) with the environment's
/// decimal symbol, and grouping of thousands when `group` is set.
pub fn format(n: &Decimal, places: Option<u32>, group: bool, decimal_symbol: &str, grouping_symbol: &str) -> String {
    let value = match places {
        Some(p) => n.round_dp_with_strategy(p, RoundingStrategy::MidpointAwayFromZero),
        None => n.normalize(),
    };
    let text = value.abs().to_string();
    let (int_part, frac_part) = match text.split_once('.') {
        Some((i, f)) => (i.to_string(), f.to_string()),
        None => (text.clone(), String::new()),
    };
    let frac_part = match places {
        Some(p) => {
            let mut f = frac_part;
            while f.len() < p as usize {
                f.push('0');
            }
            f
        }
        None => frac_part,
    };
    let mut out = String::new();
    if value.is_sign_negative() && !value.is_zero() {
        out.push('-');
    }
    if group {
        let digits: Vec<char> = int_part.chars().collect();
        for (i, c) in digits.iter().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push_str(grouping_symbol);
            }
            out.push(*c);
        }
    } else {
        out.push_str(&int_part);
    }
    if !frac_part.is_empty() {
        out.push_str(decimal_symbol);
        out.push_str(&frac_part);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn canonical_text_drops_trailing_zeros() {
        assert_eq!(to_text(&d("123.45000")), "123.45");
        assert_eq!(to_text(&d("100")), "100");
        assert_eq!(to_text(&d("-0.0")), "0");
    }

    #[test]
    fn parses_plain_notation_only() {
        assert_eq!(parse(" 12.5 "), Some(d("12.5")));
        assert_eq!(parse(".5"), Some(d("0.5")));
        assert_eq!(parse("-.25"), Some(d("-0.25")));
        assert_eq!(parse("-7"), Some(d("-7")));
        for refused in ["1e3", "+4", "5.", "1,000", "abc", "", "-", ".", "--1", "1.2.3", "0x10", "1 000"] {
            assert_eq!(parse(refused), None, "{refused:?}");
        }
        // More than this engine can hold is refused, not rounded or a panic.
        assert_eq!(parse("123456789012345678901234567890123"), None);
    }

    #[test]
    fn loose_parsing_takes_signs_and_exponents() {
        assert_eq!(parse_loose("1e3"), Some(d("1000")));
        assert_eq!(parse_loose("+4"), Some(d("4")));
        assert_eq!(parse_loose("2.5E-1"), Some(d("0.25")));
        assert_eq!(parse_loose("1e400"), None);
    }

    #[test]
    fn rounding_matches_reference() {
        assert_eq!(round(d("12.146"), 2), Some(d("12.15")));
        assert_eq!(round(d("12.146"), -1), Some(d("10")));
        assert_eq!(round_up(d("12.141"), 2), Some(d("12.15")));
        assert_eq!(round_down(d("12.6"), 0), Some(d("12")));
        assert_eq!(round_up(d("12"), 0), Some(d("12")));
        assert_eq!(round_down(d("12.5"), -40), Some(d("0")));
        assert_eq!(round_up(d("-12.5"), -40), Some(d("0")));
        assert_eq!(round_up(d("12.5"), -40), None);
        assert_eq!(round(d("-12.5"), -4_000_000_000), Some(d("0")));
    }

    #[test]
    fn formats_with_grouping() {
        assert_eq!(format(&d("1234.5670"), None, true, ".", ","), "1,234.567");
        assert_eq!(format(&d("1234.5678"), Some(0), false, ".", ","), "1235");
        assert_eq!(format(&d("-1234567"), Some(2), true, ",", "."), "-1.234.567,00");
    }

    #[test]
    fn power_is_bounded() {
        assert_eq!(power(d("2"), d("8")), Some(d("256")));
        assert_eq!(power(d("2"), d("400")), None);
    }
}

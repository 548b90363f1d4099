//! `has_location`: a point that a channel delivered as an attachment `geo:LAT,LON` (how
//! RapidPro's channels carry a shared location), for a `wait_for_location` node (operand
//! `@input`). Not one of the reference engine's tests: there the node routes every input to
//! "All Responses"; this test lets a flow tell a point from words.

use super::{false_result, true_result};
use crate::eval::Evaluator;
use crate::functions::{arity, text};
use crate::value::XValue;

type R = Result<XValue, XValue>;

/// The longest number a coordinate may be written with; longer input is not a location.
const MAX_NUMBER: usize = 24;
/// How many attachments or lines are looked at, at most.
const MAX_ITEMS: usize = 16;

/// `has_location(input)`: true with `LAT,LON` when `input` carries a point. `input` is the
/// message input (its attachments are searched for `geo:`), a list of attachments, or a text
/// whose line is `geo:LAT,LON` or `LAT,LON` (the input's default text shows an attachment so).
pub fn has_location(_: &mut Evaluator<'_>, a: &[XValue]) -> R {
    arity(a, 1, Some(1))?;
    let found = match &a[0] {
        XValue::Object(o) => match o.get("attachments") {
            Some(XValue::Array(items)) => in_attachments(items),
            _ => in_text(&text(&a[0])?),
        },
        XValue::Array(items) => in_attachments(items),
        other => in_text(&text(other)?),
    };
    Ok(match found {
        Some(point) => true_result(XValue::text(point)),
        None => false_result(),
    })
}

fn in_attachments(items: &[XValue]) -> Option<String> {
    items.iter().take(MAX_ITEMS).find_map(|item| match item {
        XValue::Text(t) => geo_attachment(t),
        _ => None,
    })
}

fn in_text(t: &str) -> Option<String> {
    t.lines().take(MAX_ITEMS).find_map(|line| {
        let line = line.trim();
        geo_attachment(line).or_else(|| point(line))
    })
}

/// `geo:LAT,LON` (the scheme in any case) → `LAT,LON`.
fn geo_attachment(t: &str) -> Option<String> {
    let (scheme, rest) = t.trim().split_once(':')?;
    scheme.eq_ignore_ascii_case("geo").then(|| point(rest)).flatten()
}

/// `LAT,LON` in decimal degrees, within range → the two numbers as written, without spaces.
fn point(t: &str) -> Option<String> {
    let (lat, lon) = t.split_once(',')?;
    let (lat, lon) = (lat.trim(), lon.trim());
    let in_range = |s: &str, limit: f64| decimal(s).is_some_and(|v| v.abs() <= limit);
    (in_range(lat, 90.0) && in_range(lon, 180.0)).then(|| format!("{lat},{lon}"))
}

/// A plain decimal: optional sign, digits, optionally a point and more digits.
fn decimal(s: &str) -> Option<f64> {
    if s.is_empty() || s.len() > MAX_NUMBER {
        return None;
    }
    let unsigned = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, "0"));
    let digits = |d: &str| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !digits(fraction) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convert;

    fn call(input: XValue) -> String {
        let env = crate::Env::new(chrono::DateTime::UNIX_EPOCH);
        let ctx = XValue::Null;
        let mut ev = Evaluator::new(&env, &ctx, crate::Limits::default());
        match has_location(&mut ev, &[input]) {
            Ok(XValue::Object(o)) if o.default_value().is_some_and(|d| d.truthy() == Ok(true)) => {
                o.get("match").map(convert::render).unwrap_or_default()
            }
            Ok(_) => "-".into(),
            Err(e) => format!("error: {}", e.describe()),
        }
    }

    fn input(text: &str, attachments: &[&str]) -> XValue {
        XValue::object_from([
            ("text", XValue::text(text)),
            ("attachments", XValue::array(attachments.iter().map(|a| XValue::text(*a)).collect())),
        ])
    }

    #[test]
    fn a_geo_attachment_is_a_location() {
        assert_eq!(call(input("", &["geo:48.015900,37.802800"])), "48.015900,37.802800");
        assert_eq!(call(input("here", &["image/jpeg:http://x/y.jpg", "GEO:-33.9, 18.4"])), "-33.9,18.4");
        let list = XValue::array(vec![XValue::text("geo:1,2")]);
        assert_eq!(call(list), "1,2");
    }

    #[test]
    fn words_and_other_attachments_are_not() {
        // Typed coordinates in the message's text are words to the input: only its
        // attachments count.
        assert_eq!(call(input("48.0159, 37.8028", &[])), "-");
        assert_eq!(call(input("", &["image/jpeg:http://x/y.jpg"])), "-");
        for bad in ["geo:95,37", "geo:48,190", "geo:nan,1", "geo:inf,1", "geo:1e3,2", "geo:48", "geo:,", "geo:1.,2"] {
            assert_eq!(call(input("", &[bad])), "-", "{bad}");
        }
        assert_eq!(call(input("", &[&format!("geo:{},1", "1".repeat(40))])), "-");
    }

    #[test]
    fn a_text_line_with_a_point_is_a_location() {
        assert_eq!(call(XValue::text("I am here\n48.0159,37.8028")), "48.0159,37.8028");
        assert_eq!(call(XValue::text("geo:48.0159,37.8028")), "48.0159,37.8028");
        assert_eq!(call(XValue::text("in the basement of the school")), "-");
        assert_eq!(call(XValue::Null), "-");
    }

    #[test]
    fn it_takes_one_argument() {
        let env = crate::Env::new(chrono::DateTime::UNIX_EPOCH);
        let ctx = XValue::Null;
        let mut ev = Evaluator::new(&env, &ctx, crate::Limits::default());
        assert!(has_location(&mut ev, &[]).is_err());
        assert!(has_location(&mut ev, &[XValue::Null, XValue::Null]).is_err());
    }
}

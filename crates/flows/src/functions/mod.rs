//! The standard function library and the router case tests, looked up by name. Each family
//! lives in its own module; this one holds the registry and the argument conversions.

mod case;
mod collections;
mod dates;
mod misc;
mod numbers;
mod text;

pub(crate) use text::compile_user_regex;

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::cases;
use crate::convert;
use crate::datetime::{TimeOfDay, XDateTime};
use crate::eval::Evaluator;
use crate::value::{XError, XValue};

/// A builtin: `Err` carries the error value to return (so `?` works on conversions).
pub type Builtin = fn(&mut Evaluator<'_>, &[XValue]) -> Result<XValue, XValue>;

fn registry() -> &'static HashMap<&'static str, Builtin> {
    static REG: OnceLock<HashMap<&'static str, Builtin>> = OnceLock::new();
    REG.get_or_init(|| {
        let mut m = HashMap::new();
        for table in [
            text::FUNCTIONS,
            numbers::FUNCTIONS,
            dates::FUNCTIONS,
            collections::FUNCTIONS,
            misc::FUNCTIONS,
            cases::FUNCTIONS,
        ] {
            for (name, f) in table {
                m.insert(*name, *f);
            }
        }
        m
    })
}

/// The canonical name of a builtin, if there is one by that (lowercase) name.
pub fn lookup(name: &str) -> Option<&'static str> {
    registry().get_key_value(name).map(|(k, _)| *k)
}

/// Names of all builtins, sorted (for documentation and tests).
pub fn names() -> Vec<&'static str> {
    let mut v: Vec<_> = registry().keys().copied().collect();
    v.sort_unstable();
    v
}

pub fn call(ev: &mut Evaluator<'_>, name: &str, args: &[XValue]) -> XValue {
    match registry().get(name) {
        Some(f) => match f(ev, args) {
            Ok(v) | Err(v) => v,
        },
        None => XValue::error(format!("no function named {name}")),
    }
}

/// Charges for an array about to be returned and checks its size.
pub(crate) fn out_items(ev: &mut Evaluator<'_>, items: Vec<XValue>) -> Result<XValue, XValue> {
    if items.len() > ev.limits.max_items {
        return Err(err("too many items"));
    }
    if !ev.charge_items(items.len()) {
        return Err(Evaluator::budget_error());
    }
    Ok(XValue::array(items))
}

// ---- argument helpers: each turns a conversion failure into the error value to return ----

pub(crate) fn fail(e: XError) -> XValue {
    XValue::Error(e)
}

pub(crate) fn err(msg: impl Into<String>) -> XValue {
    XValue::error(msg)
}

/// Checks the argument count.
pub(crate) fn arity(args: &[XValue], min: usize, max: Option<usize>) -> Result<(), XValue> {
    let n = args.len();
    let ok = n >= min && max.is_none_or(|m| n <= m);
    if ok {
        return Ok(());
    }
    Err(match max {
        Some(m) if m == min => err(format!("need {min} argument(s), got {n}")),
        Some(m) => err(format!("need {min} to {m} argument(s), got {n}")),
        None => err(format!("need at least {min} argument(s), got {n}")),
    })
}

pub(crate) fn text(v: &XValue) -> Result<String, XValue> {
    convert::to_text(v).map_err(fail)
}

pub(crate) fn number(v: &XValue) -> Result<Decimal, XValue> {
    convert::to_number(v).map_err(fail)
}

pub(crate) fn integer(v: &XValue) -> Result<i64, XValue> {
    convert::to_integer(v).map_err(fail)
}

pub(crate) fn datetime(ev: &Evaluator<'_>, v: &XValue) -> Result<XDateTime, XValue> {
    convert::to_datetime(ev.env, v).map_err(fail)
}

pub(crate) fn date(ev: &Evaluator<'_>, v: &XValue) -> Result<NaiveDate, XValue> {
    convert::to_date(ev.env, v).map_err(fail)
}

pub(crate) fn time(v: &XValue) -> Result<TimeOfDay, XValue> {
    convert::to_time(v).map_err(fail)
}

pub(crate) fn boolean(v: &XValue) -> Result<bool, XValue> {
    convert::to_boolean(v).map_err(fail)
}

/// Bounds text produced by a function (the call charges the budget for it).
pub(crate) fn out_text(ev: &mut Evaluator<'_>, s: String) -> Result<XValue, XValue> {
    if s.len() > ev.limits.max_text_len {
        return Err(err("text is too long"));
    }
    Ok(XValue::Text(s))
}

#[cfg(test)]
mod tests {
    #[test]
    fn registry_has_no_surprises() {
        let names = super::names();
        assert!(names.contains(&"upper"));
        assert!(names.contains(&"has_any_word"));
        assert!(names.iter().all(|n| n.chars().all(|c| c.is_ascii_lowercase() || c == '_')));
    }

    /// The builtins of the reference engine's function table (goflow's `functions/builtin.go`),
    /// each of which a migrated or hand-written flow may call.
    #[test]
    fn has_every_function_of_the_reference() {
        const REFERENCE: &[&str] = &[
            "text",
            "boolean",
            "number",
            "date",
            "datetime",
            "time",
            "array",
            "object",
            "char",
            "code",
            "split",
            "trim",
            "trim_left",
            "trim_right",
            "title",
            "word",
            "remove_first_word",
            "word_count",
            "word_slice",
            "field",
            "clean",
            "text_slice",
            "lower",
            "regex_match",
            "text_length",
            "text_compare",
            "repeat",
            "replace",
            "upper",
            "percent",
            "url_encode",
            "html_decode",
            "and",
            "if",
            "or",
            "round",
            "round_up",
            "round_down",
            "max",
            "min",
            "mean",
            "mod",
            "rand",
            "rand_between",
            "abs",
            "parse_datetime",
            "datetime_from_epoch",
            "datetime_diff",
            "datetime_add",
            "replace_time",
            "tz",
            "tz_offset",
            "now",
            "epoch",
            "date_from_parts",
            "weekday",
            "week_number",
            "today",
            "parse_time",
            "time_from_parts",
            "join",
            "reverse",
            "sort",
            "sum",
            "unique",
            "concat",
            "urn_parts",
            "attachment_parts",
            "json",
            "parse_json",
            "format",
            "format_date",
            "format_datetime",
            "format_time",
            "format_location",
            "format_number",
            "format_urn",
            "is_error",
            "count",
            "default",
            "legacy_add",
            "read_chars",
            "extract",
            "extract_object",
            "foreach",
            "foreach_value",
        ];
        let names = super::names();
        let missing: Vec<_> = REFERENCE.iter().filter(|n| !names.contains(n)).collect();
        assert!(missing.is_empty(), "missing builtins: {missing:?}");
    }
}

//! The router's case tests (`has_any_word`, `has_number_between`, …), callable from
//! expressions too. Each returns `{match, extra?}` with a boolean default: true on a match.

mod dates;
mod geo;
mod locations;
mod numbers;
pub(crate) mod phone;
mod words;

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::functions::Builtin;
use crate::value::{XObject, XValue};

pub const FUNCTIONS: &[(&str, Builtin)] = &[
    ("has_error", words::has_error),
    ("has_value", words::has_text),
    ("has_text", words::has_text),
    ("has_only_text", words::has_only_text),
    ("has_phrase", words::has_phrase),
    ("has_only_phrase", words::has_only_phrase),
    ("has_any_word", words::has_any_word),
    ("has_all_words", words::has_all_words),
    ("has_beginning", words::has_beginning),
    ("has_pattern", words::has_pattern),
    ("has_email", words::has_email),
    ("has_group", words::has_group),
    ("has_category", words::has_category),
    ("has_intent", words::has_intent),
    ("has_top_intent", words::has_top_intent),
    ("has_number", numbers::has_number),
    ("has_number_between", numbers::has_number_between),
    ("has_number_lt", numbers::has_number_lt),
    ("has_number_lte", numbers::has_number_lte),
    ("has_number_eq", numbers::has_number_eq),
    ("has_number_gte", numbers::has_number_gte),
    ("has_number_gt", numbers::has_number_gt),
    ("has_date", dates::has_date),
    ("has_date_lt", dates::has_date_lt),
    ("has_date_eq", dates::has_date_eq),
    ("has_date_gt", dates::has_date_gt),
    ("has_time", dates::has_time),
    ("has_phone", phone::has_phone),
    ("has_state", locations::has_state),
    ("has_district", locations::has_district),
    ("has_ward", locations::has_ward),
    ("has_location", geo::has_location),
];

/// A match: `{match: value}`, true as a whole.
pub fn true_result(matched: XValue) -> XValue {
    let mut props = BTreeMap::new();
    props.insert("match".to_string(), matched);
    XValue::Object(Arc::new(XObject::with_default(props, XValue::Boolean(true))))
}

/// A match with extra data, such as a pattern's groups.
pub fn true_result_with_extra(matched: XValue, extra: XValue) -> XValue {
    let mut props = BTreeMap::new();
    props.insert("match".to_string(), matched);
    props.insert("extra".to_string(), extra);
    XValue::Object(Arc::new(XObject::with_default(props, XValue::Boolean(true))))
}

/// No match: `{match: ""}`, false as a whole.
pub fn false_result() -> XValue {
    let mut props = BTreeMap::new();
    props.insert("match".to_string(), XValue::text(""));
    XValue::Object(Arc::new(XObject::with_default(props, XValue::Boolean(false))))
}

//! Compares an expected typed value with the engine's: kinds must match, numbers as
//! decimals, datetimes as instants, containers element by element; any error equals any
//! error, since the reference's wording is not part of the format.

use safepassage_flows::XValue;

pub fn same(expected: &XValue, actual: &XValue) -> bool {
    match (expected, actual) {
        (XValue::Error(_), XValue::Error(_)) => true,
        (XValue::Array(a), XValue::Array(b)) => a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| same(x, y)),
        (XValue::Object(a), XValue::Object(b)) => {
            let defaults = match (a.default_value(), b.default_value()) {
                (None, None) => true,
                (Some(x), Some(y)) => same(x, y),
                _ => false,
            };
            defaults
                && a.len() == b.len()
                && a.iter().zip(b.iter()).all(|((ka, va), (kb, vb))| ka == kb && same(va, vb))
        }
        _ => expected.equals(actual),
    }
}

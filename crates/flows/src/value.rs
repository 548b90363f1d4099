//! Typed values of the flow format ("XV"): text, number, boolean, date, datetime, time, array,
//! object (with an optional default), function, error and null, with truthiness and equality.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::ast::Expr;
use crate::datetime::{TimeOfDay, XDateTime};

/// A value of the expression language. Cheap to clone: containers are shared.
#[derive(Debug, Clone, Default)]
pub enum XValue {
    /// The absent value; renders as empty text.
    #[default]
    Null,
    Text(String),
    Number(Decimal),
    Boolean(bool),
    Date(NaiveDate),
    DateTime(XDateTime),
    Time(TimeOfDay),
    Array(Arc<Vec<XValue>>),
    Object(Arc<XObject>),
    Function(XFunction),
    Error(XError),
}

/// An object: named properties, and optionally a default value which stands for the object
/// when it is used as a whole (router test results are `{match, extra}` with a boolean default).
#[derive(Debug, Clone, Default)]
pub struct XObject {
    props: BTreeMap<String, XValue>,
    default: Option<XValue>,
}

/// An error value. Errors flow through expressions as values so that `default()` and
/// `has_error()` can inspect them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XError {
    pub message: String,
}

/// A callable value: a builtin by name, or a lambda with the locals it captured.
#[derive(Debug, Clone)]
pub enum XFunction {
    Builtin(&'static str),
    Lambda(Arc<Lambda>),
}

/// An anonymous function `(x, y) => expr`.
#[derive(Debug)]
pub struct Lambda {
    pub params: Vec<String>,
    pub body: Expr,
    pub captured: Vec<(String, XValue)>,
}

impl XError {
    pub fn new(message: impl Into<String>) -> Self {
        Self { message: message.into() }
    }
}

impl std::fmt::Display for XError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl XObject {
    pub fn new(props: BTreeMap<String, XValue>) -> Self {
        Self { props, default: None }
    }

    pub fn with_default(props: BTreeMap<String, XValue>, default: XValue) -> Self {
        Self { props, default: Some(default) }
    }

    pub fn default_value(&self) -> Option<&XValue> {
        self.default.as_ref()
    }

    /// Looks a property up, exactly first and then ignoring case, as the format's keys are
    /// case-insensitive (`@contact.Name` works).
    pub fn get(&self, key: &str) -> Option<&XValue> {
        if let Some(v) = self.props.get(key) {
            return Some(v);
        }
        let lower = key.to_lowercase();
        self.props.iter().find(|(k, _)| k.to_lowercase() == lower).map(|(_, v)| v)
    }

    /// Properties in key order (the format renders and serialises objects with sorted keys).
    pub fn iter(&self) -> impl Iterator<Item = (&String, &XValue)> {
        self.props.iter()
    }

    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.props.keys()
    }

    pub fn len(&self) -> usize {
        self.props.len()
    }

    pub fn is_empty(&self) -> bool {
        self.props.is_empty()
    }
}

impl XValue {
    pub fn text(s: impl Into<String>) -> Self {
        XValue::Text(s.into())
    }

    pub fn error(message: impl Into<String>) -> Self {
        XValue::Error(XError::new(message))
    }

    pub fn number(n: Decimal) -> Self {
        XValue::Number(n)
    }

    pub fn int(n: i64) -> Self {
        XValue::Number(Decimal::from(n))
    }

    pub fn array(items: Vec<XValue>) -> Self {
        XValue::Array(Arc::new(items))
    }

    pub fn object(props: BTreeMap<String, XValue>) -> Self {
        XValue::Object(Arc::new(XObject::new(props)))
    }

    /// Builds an object from pairs, for the many small fixed-shape objects.
    pub fn object_from<I, K>(pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, XValue)>,
        K: Into<String>,
    {
        XValue::object(pairs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    pub fn is_error(&self) -> bool {
        matches!(self, XValue::Error(_))
    }

    pub fn is_null(&self) -> bool {
        matches!(self, XValue::Null)
    }

    /// A short description for error messages, like goflow's `Describe()`.
    pub fn describe(&self) -> String {
        match self {
            XValue::Null => "null".into(),
            XValue::Text(s) => format!("{s:?}"),
            XValue::Number(n) => crate::number::to_text(n),
            XValue::Boolean(b) => b.to_string(),
            XValue::Date(_) => "date".into(),
            XValue::DateTime(_) => "datetime".into(),
            XValue::Time(_) => "time".into(),
            XValue::Array(_) => "array".into(),
            XValue::Object(_) => "object".into(),
            XValue::Function(_) => "function".into(),
            XValue::Error(_) => "error".into(),
        }
    }

    /// Whether the value is empty for `default()`: null, empty text, empty array or object.
    pub fn is_empty_value(&self) -> bool {
        match self {
            XValue::Null => true,
            XValue::Text(s) => s.is_empty(),
            XValue::Array(a) => a.is_empty(),
            XValue::Object(o) => match o.default_value() {
                Some(d) => d.is_empty_value(),
                None => o.is_empty(),
            },
            _ => false,
        }
    }

    /// Truthiness: errors propagate, null/empty/zero/"false" are false.
    pub fn truthy(&self) -> Result<bool, XError> {
        Ok(match self {
            XValue::Null => false,
            XValue::Error(e) => return Err(e.clone()),
            XValue::Text(s) => !(s.is_empty() || s.eq_ignore_ascii_case("false")),
            XValue::Number(n) => !n.is_zero(),
            XValue::Boolean(b) => *b,
            XValue::Array(a) => !a.is_empty(),
            XValue::Object(o) => match o.default_value() {
                Some(d) => d.truthy()?,
                None => !o.is_empty(),
            },
            XValue::Date(_) | XValue::DateTime(_) | XValue::Time(_) | XValue::Function(_) => true,
        })
    }

    /// Typed equality as goflow's `types.Equals`: kinds must match; numbers compare as decimals,
    /// datetimes as instants, containers element by element (an object's default too).
    pub fn equals(&self, other: &XValue) -> bool {
        match (self, other) {
            (XValue::Null, XValue::Null) => true,
            (XValue::Text(a), XValue::Text(b)) => a == b,
            (XValue::Number(a), XValue::Number(b)) => a == b,
            (XValue::Boolean(a), XValue::Boolean(b)) => a == b,
            (XValue::Date(a), XValue::Date(b)) => a == b,
            (XValue::DateTime(a), XValue::DateTime(b)) => a.instant() == b.instant(),
            (XValue::Time(a), XValue::Time(b)) => a == b,
            (XValue::Array(a), XValue::Array(b)) => {
                a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| x.equals(y))
            }
            (XValue::Object(a), XValue::Object(b)) => {
                let defaults_equal = match (a.default_value(), b.default_value()) {
                    (None, None) => true,
                    (Some(x), Some(y)) => x.equals(y),
                    _ => false,
                };
                defaults_equal
                    && a.len() == b.len()
                    && a.iter().zip(b.iter()).all(|((ka, va), (kb, vb))| ka == kb && va.equals(vb))
            }
            (XValue::Function(a), XValue::Function(b)) => a.name() == b.name(),
            (XValue::Error(a), XValue::Error(b)) => a == b,
            _ => false,
        }
    }
}

impl XFunction {
    /// The name a function renders as (`@(upper)` → `upper`).
    pub fn name(&self) -> String {
        match self {
            XFunction::Builtin(n) => (*n).to_string(),
            XFunction::Lambda(l) => format!("({})", l.params.join(", ")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truthiness_follows_the_format() {
        assert!(!XValue::Null.truthy().unwrap());
        assert!(!XValue::text("").truthy().unwrap());
        assert!(!XValue::text("FALSE").truthy().unwrap());
        assert!(XValue::text("no").truthy().unwrap());
        assert!(!XValue::int(0).truthy().unwrap());
        assert!(XValue::array(vec![XValue::Null]).truthy().unwrap());
        assert!(XValue::error("x").truthy().is_err());
        let obj = XObject::with_default(BTreeMap::new(), XValue::Boolean(false));
        assert!(!XValue::Object(Arc::new(obj)).truthy().unwrap());
    }

    #[test]
    fn equality_is_typed() {
        assert!(!XValue::text("1").equals(&XValue::int(1)));
        assert!(XValue::Number("1.50".parse().unwrap()).equals(&XValue::Number("1.5".parse().unwrap())));
        let a = XValue::object_from([("a", XValue::int(1))]);
        let b = XValue::object_from([("a", XValue::int(1))]);
        assert!(a.equals(&b));
    }
}

//! Checking a parsed query against the assets it names, and evaluating it against a contact:
//! text compares without case, numbers as decimals, dates by the whole day in the
//! environment's timezone; `x = ""` is true when x is not set.

use chrono::{Duration, NaiveDateTime, NaiveTime};
use rust_decimal::Decimal;

use super::parse::name_tokens;
use super::{attribute_type, number_of, Condition, ErrorKind, Op, PropType, Query, QueryError, ValueType};
use crate::datetime::{self, XDateTime, Zone};
use crate::definition::localization::is_language;
use crate::env::Env;

/// Contains on a URN needs this many characters (the reference searches by trigrams).
const MIN_URN_CONTAINS: usize = 3;
/// A name token matches another's prefix up to this many characters.
const NAME_PREFIX_CHARS: usize = 8;

/// What a query can name besides fixed attributes: fields (by key, with their type), groups
/// and flows (by name).
pub trait Resolver {
    /// The value type of a field, or `None` when no such field exists.
    fn field_type(&self, key: &str) -> Option<ValueType>;
    fn group_exists(&self, name: &str) -> bool;
    fn flow_exists(&self, name: &str) -> bool;
}

/// One value of a contact's property, typed as the property is declared.
#[derive(Debug, Clone, PartialEq)]
pub enum QValue {
    Text(String),
    Number(Decimal),
    /// An instant, in UTC.
    Datetime(NaiveDateTime),
}

/// Anything a query can be evaluated against: gives the values of a property (a contact has
/// several phone numbers, or none).
pub trait Queryable {
    fn query_property(&self, env: &Env, key: &str, prop_type: PropType) -> Vec<QValue>;
}

fn value_type(c: &Condition, resolver: &dyn Resolver) -> Option<ValueType> {
    match c.prop_type {
        PropType::Attribute => attribute_type(&c.key),
        PropType::Urn => Some(ValueType::Text),
        PropType::Field => resolver.field_type(&c.key),
    }
}

fn query_date(env: &Env, value: &str) -> Option<XDateTime> {
    datetime::datetime_from_string(env, value, false)
}

fn check(env: &Env, c: &Condition, resolver: &dyn Resolver) -> Result<(), QueryError> {
    let Some(vt) = value_type(c, resolver) else {
        return Err(QueryError::new(
            ErrorKind::UnknownProperty,
            format!("can't resolve '{}' to attribute, scheme or field", c.key),
        ));
    };
    match c.op {
        Op::Contains => {
            if c.prop_type == PropType::Attribute && c.key == "name" {
                if name_tokens(&c.value).is_empty() {
                    return Err(QueryError::new(
                        ErrorKind::InvalidPartialName,
                        "contains operator on name requires token of minimum length 2",
                    ));
                }
            } else if c.prop_type == PropType::Urn || (c.prop_type == PropType::Attribute && c.key == "urn") {
                if c.value.len() < MIN_URN_CONTAINS {
                    return Err(QueryError::new(
                        ErrorKind::InvalidPartialUrn,
                        format!("contains operator on URN requires value of minimum length {MIN_URN_CONTAINS}"),
                    ));
                }
            } else {
                return Err(QueryError::new(
                    ErrorKind::UnsupportedContains,
                    "contains conditions can only be used with name or URN values",
                ));
            }
        }
        Op::Gt | Op::Ge | Op::Lt | Op::Le if vt == ValueType::Text => {
            return Err(QueryError::new(
                ErrorKind::UnsupportedComparison,
                format!("comparisons with {} can only be used with date and number fields", c.op.as_str()),
            ));
        }
        _ => {}
    }
    let is_attr = |k: &str| c.prop_type == PropType::Attribute && c.key == k;
    if matches!(c.op, Op::Eq | Op::Ne) && c.value.is_empty() {
        if ["uuid", "id", "ref", "status", "created_on", "tickets"].iter().any(|k| is_attr(k)) {
            return Err(QueryError::new(
                ErrorKind::UnsupportedSetCheck,
                format!("can't check whether '{}' is set or not set", c.key),
            ));
        }
        return Ok(());
    }
    match vt {
        ValueType::Number if number_of(&c.value).is_none() => {
            return Err(QueryError::new(ErrorKind::InvalidNumber, format!("can't convert '{}' to a number", c.value)))
        }
        ValueType::Datetime if query_date(env, &c.value).is_none() => {
            return Err(QueryError::new(ErrorKind::InvalidDate, format!("can't convert '{}' to a date", c.value)))
        }
        _ => {}
    }
    if is_attr("group") && !resolver.group_exists(&c.value) {
        return Err(QueryError::new(ErrorKind::InvalidGroup, format!("'{}' is not a valid group name", c.value)));
    }
    if (is_attr("flow") || is_attr("history")) && !resolver.flow_exists(&c.value) {
        return Err(QueryError::new(ErrorKind::InvalidFlow, format!("'{}' is not a valid flow name", c.value)));
    }
    if is_attr("status") && !["active", "blocked", "stopped", "archived"].contains(&c.value.to_lowercase().as_str()) {
        return Err(QueryError::new(ErrorKind::InvalidStatus, format!("'{}' is not a valid contact status", c.value)));
    }
    if is_attr("language") && !is_language(&c.value.to_lowercase()) {
        return Err(QueryError::new(ErrorKind::InvalidLanguage, format!("'{}' is not a valid language code", c.value)));
    }
    Ok(())
}

/// Checks that every condition can be evaluated: its property exists, its operator suits the
/// property's type and its value reads as that type.
pub fn validate(env: &Env, query: &Query, resolver: &dyn Resolver) -> Result<(), QueryError> {
    for c in query.conditions() {
        check(env, c, resolver)?;
    }
    Ok(())
}

/// Whether `subject` matches a query that [`validate`] accepted (a condition that does not
/// validate never matches).
pub fn evaluate(env: &Env, query: &Query, resolver: &dyn Resolver, subject: &dyn Queryable) -> bool {
    // Iterative, so a deep query cannot exhaust the stack (parsing bounds it too).
    enum Frame<'q> {
        Node(&'q Query),
        Combine { and: bool, len: usize },
    }
    let mut work = vec![Frame::Node(query)];
    let mut results: Vec<bool> = Vec::new();
    while let Some(frame) = work.pop() {
        match frame {
            Frame::Node(Query::Condition(c)) => results.push(condition(env, c, resolver, subject)),
            Frame::Node(Query::And(children)) => {
                work.push(Frame::Combine { and: true, len: children.len() });
                work.extend(children.iter().rev().map(Frame::Node));
            }
            Frame::Node(Query::Or(children)) => {
                work.push(Frame::Combine { and: false, len: children.len() });
                work.extend(children.iter().rev().map(Frame::Node));
            }
            Frame::Combine { and, len } => {
                let split = results.len().saturating_sub(len);
                let values = results.split_off(split);
                let v = if and { values.iter().all(|b| *b) } else { values.iter().any(|b| *b) };
                results.push(v);
            }
        }
    }
    results.pop().unwrap_or(false)
}

fn condition(env: &Env, c: &Condition, resolver: &dyn Resolver, subject: &dyn Queryable) -> bool {
    let Some(vt) = value_type(c, resolver) else { return false };
    if check(env, c, resolver).is_err() {
        return false;
    }
    let values = subject.query_property(env, &c.key, c.prop_type);
    if c.value.is_empty() {
        match c.op {
            Op::Eq => return values.is_empty(),
            Op::Ne => return !values.is_empty(),
            _ => {}
        }
    }
    let mut any = false;
    let mut all = true;
    for v in &values {
        if matches_value(env, c, vt, v) {
            any = true;
        } else {
            all = false;
        }
    }
    // `x != v` holds only when no value of x is v; `x = v` when any is.
    if c.op == Op::Ne {
        all
    } else {
        any
    }
}

fn matches_value(env: &Env, c: &Condition, vt: ValueType, v: &QValue) -> bool {
    match (vt, v) {
        (ValueType::Number, QValue::Number(n)) => {
            let Some(q) = number_of(&c.value) else { return false };
            compare(c.op, n.cmp(&q))
        }
        (ValueType::Datetime, QValue::Datetime(t)) => {
            let Some(q) = query_date(env, &c.value) else { return false };
            date_matches(c.op, *t, &q)
        }
        (_, QValue::Text(s)) => {
            let is_name = c.prop_type == PropType::Attribute && c.key == "name";
            text_matches(c.op, s, &c.value, is_name)
        }
        _ => false,
    }
}

fn compare(op: Op, ord: std::cmp::Ordering) -> bool {
    use std::cmp::Ordering::*;
    match op {
        Op::Eq => ord == Equal,
        Op::Ne => ord != Equal,
        Op::Gt => ord == Greater,
        Op::Ge => ord != Less,
        Op::Lt => ord == Less,
        Op::Le => ord != Greater,
        Op::Contains => false,
    }
}

/// Dates compare by the whole day the query names, in its timezone.
fn date_matches(op: Op, t: NaiveDateTime, q: &XDateTime) -> bool {
    let zone: Zone = q.zone();
    let day = q.date();
    let Some(start) = XDateTime::from_local(day.and_time(NaiveTime::MIN), zone) else { return false };
    let Some(next) = day.checked_add_signed(Duration::days(1)) else { return false };
    let Some(end) = XDateTime::from_local(next.and_time(NaiveTime::MIN), zone) else { return false };
    let (start, end) = (start.instant(), end.instant());
    let within = t >= start && t < end;
    match op {
        Op::Eq => within,
        Op::Ne => !within,
        Op::Gt => t >= end,
        Op::Ge => t >= start,
        Op::Lt => t < start,
        Op::Le => t < end,
        Op::Contains => false,
    }
}

fn text_matches(op: Op, value: &str, query: &str, is_name: bool) -> bool {
    let value = value.to_lowercase();
    let query = query.to_lowercase();
    let (value, query) = (value.trim(), query.trim());
    match op {
        Op::Eq => value == query,
        Op::Ne => value != query,
        Op::Contains if is_name => {
            let value_tokens = name_tokens(value);
            let query_tokens = name_tokens(query);
            value_tokens.iter().any(|v| {
                let v: String = v.chars().take(NAME_PREFIX_CHARS).collect();
                query_tokens.iter().any(|q| {
                    let q: String = q.chars().take(NAME_PREFIX_CHARS).collect();
                    v.starts_with(&q)
                })
            })
        }
        Op::Contains => value.contains(query),
        _ => false,
    }
}

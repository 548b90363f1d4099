//! Builds the evaluation context of a session from the format's JSON: the contact (with its
//! URNs, groups and fields typed by the field assets), `fields`, `urns` and the input.

use std::collections::BTreeMap;

use serde_json::Value as J;

use crate::datetime::{XDateTime, Zone};
use crate::env::Env;
use crate::value::XValue;
use crate::{convert, number, urns};

/// URN schemes shown under `@urns`, each the contact's first URN of that scheme or null.
pub const URN_SCHEMES: &[&str] = &[
    "bsuid",
    "ext",
    "facebook",
    "fcm",
    "freshchat",
    "instagram",
    "jiochat",
    "line",
    "mailto",
    "rocketchat",
    "slack",
    "tel",
    "telegram",
    "twitter",
    "twitterid",
    "viber",
    "vk",
    "webchat",
    "wechat",
    "whatsapp",
];

/// A field asset: key and value type.
#[derive(Debug, Clone)]
pub struct FieldAsset {
    pub key: String,
    pub value_type: String,
}

pub fn field_assets(assets: &J) -> Vec<FieldAsset> {
    assets
        .get("fields")
        .and_then(J::as_array)
        .map(|fs| {
            fs.iter()
                .filter_map(|f| {
                    Some(FieldAsset {
                        key: f.get("key")?.as_str()?.to_string(),
                        value_type: f.get("type").and_then(J::as_str).unwrap_or("text").to_string(),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A datetime written in RFC 3339, shown in its own offset.
pub fn datetime_from_json(env: &Env, s: &str) -> Option<XDateTime> {
    crate::datetime::parse_iso_datetime(env, s).or_else(|| {
        let dt = chrono::DateTime::parse_from_rfc3339(s).ok()?;
        Some(XDateTime::from_utc(dt.naive_utc(), Zone::Fixed(dt.offset().local_minus_utc())))
    })
}

/// A contact field value, typed by its asset: `{text, number?, datetime?, state?…}`.
pub fn field_value(env: &Env, value_type: &str, v: Option<&J>) -> XValue {
    let Some(v) = v.filter(|v| !v.is_null()) else { return XValue::Null };
    let text = v.get("text").and_then(J::as_str).unwrap_or("");
    match value_type {
        "number" => match v.get("number") {
            Some(n) => number::parse_loose(n.to_string().trim_matches('"')).map(XValue::Number).unwrap_or(XValue::Null),
            None => XValue::Null,
        },
        "datetime" => v
            .get("datetime")
            .and_then(J::as_str)
            .and_then(|s| datetime_from_json(env, s))
            .map(XValue::DateTime)
            .unwrap_or(XValue::Null),
        "state" | "district" | "ward" => {
            v.get(value_type).and_then(J::as_str).map(XValue::text).unwrap_or(XValue::Null)
        }
        _ => XValue::text(text),
    }
}

/// The contact's field values by key, as the format's JSON object or the engine's map.
#[derive(Debug, Clone, Copy)]
pub enum FieldValues<'c> {
    Json(Option<&'c J>),
    Map(&'c BTreeMap<String, J>),
}

impl<'c> FieldValues<'c> {
    fn get(self, key: &str) -> Option<&'c J> {
        match self {
            FieldValues::Json(values) => values.and_then(|v| v.get(key)),
            FieldValues::Map(values) => values.get(key),
        }
    }
}

/// The contact's fields: every field asset, null where the contact has no value.
pub fn fields(env: &Env, assets: &[FieldAsset], values: Option<&J>) -> XValue {
    fields_from(env, assets, FieldValues::Json(values))
}

fn fields_from(env: &Env, assets: &[FieldAsset], values: FieldValues<'_>) -> XValue {
    let mut m = BTreeMap::new();
    for a in assets {
        m.insert(a.key.clone(), field_value(env, &a.value_type, values.get(&a.key)));
    }
    XValue::object(m)
}

/// A URN without its query (the channel affinity is not shown).
pub fn urn_identity(urn: &str) -> String {
    match urn.split_once('?') {
        Some((before, after)) => match after.split_once('#') {
            Some((_, display)) => format!("{before}#{display}"),
            None => before.to_string(),
        },
        None => urn.to_string(),
    }
}

/// `@urns`: per scheme, the first URN of that scheme.
pub fn urns_object(contact_urns: &[String]) -> XValue {
    let mut m = BTreeMap::new();
    for s in URN_SCHEMES {
        let found = contact_urns.iter().find(|u| urns::parse(u).is_some_and(|p| p.scheme == *s));
        m.insert((*s).to_string(), found.map(|u| XValue::text(u.clone())).unwrap_or(XValue::Null));
    }
    XValue::object(m)
}

/// The `@contact` object from the format's contact JSON and the session's assets.
pub fn contact(env: &Env, c: &J, assets: &J) -> XValue {
    contact_with(env, c, &field_assets(assets))
}

/// A ticket as `@contact.tickets` shows it.
pub fn ticket_value(t: &J) -> XValue {
    let s = |j: &J, k: &str| j.get(k).and_then(J::as_str).unwrap_or("").to_string();
    let topic = t
        .get("topic")
        .filter(|x| !x.is_null())
        .map(|x| XValue::object_from([("uuid", XValue::text(s(x, "uuid"))), ("name", XValue::text(s(x, "name")))]))
        .unwrap_or(XValue::Null);
    let assignee = t
        .get("assignee")
        .filter(|x| !x.is_null())
        .map(|x| {
            let name = s(x, "name");
            let first = name.split_whitespace().next().unwrap_or("").to_string();
            XValue::object_from([
                ("email", XValue::text(s(x, "email"))),
                ("name", XValue::text(name)),
                ("first_name", XValue::text(first)),
            ])
        })
        .unwrap_or(XValue::Null);
    XValue::object_from([("uuid", XValue::text(s(t, "uuid"))), ("topic", topic), ("assignee", assignee)])
}

/// The `@contact` object, with its fields typed by the given field definitions.
pub fn contact_with(env: &Env, c: &J, field_defs: &[FieldAsset]) -> XValue {
    XValue::object(contact_props(env, c, field_defs))
}

/// What `@contact` is made of, borrowed from wherever the contact is kept: the format's JSON
/// (a test case's context) or the engine's typed contact (a session), so neither is converted
/// to the other to be shown.
#[derive(Debug)]
pub struct ContactSource<'c> {
    pub uuid: &'c str,
    pub id: String,
    pub name: &'c str,
    pub language: &'c str,
    pub timezone: &'c str,
    pub status: &'c str,
    pub created_on: Option<&'c str>,
    pub last_seen_on: Option<&'c str>,
    pub urns: Vec<&'c str>,
    pub groups: Vec<(&'c str, &'c str)>,
    pub tickets: Vec<XValue>,
    pub fields: FieldValues<'c>,
}

/// A contact id as the format writes it: a number or a string, "0" when there is none.
pub fn contact_id(id: Option<&J>) -> String {
    match id {
        Some(J::Number(n)) => n.to_string(),
        Some(J::String(s)) => s.clone(),
        _ => "0".into(),
    }
}

impl<'c> ContactSource<'c> {
    /// The parts of a contact written in the format's JSON.
    pub fn of_json(c: &'c J) -> ContactSource<'c> {
        let s = |k: &str| c.get(k).and_then(J::as_str).unwrap_or("");
        let list = |k: &str| c.get(k).and_then(J::as_array).map(Vec::as_slice).unwrap_or(&[]);
        ContactSource {
            uuid: s("uuid"),
            id: contact_id(c.get("id")),
            name: s("name"),
            language: s("language"),
            timezone: s("timezone"),
            status: s("status"),
            created_on: c.get("created_on").and_then(J::as_str),
            last_seen_on: c.get("last_seen_on").and_then(J::as_str),
            urns: list("urns").iter().filter_map(J::as_str).collect(),
            groups: list("groups")
                .iter()
                .map(|g| {
                    let s = |k: &str| g.get(k).and_then(J::as_str).unwrap_or("");
                    (s("uuid"), s("name"))
                })
                .collect(),
            tickets: list("tickets").iter().map(ticket_value).collect(),
            fields: FieldValues::Json(c.get("fields")),
        }
    }
}

/// The properties of [`contact_with`]'s object, for a caller that adds its own.
pub fn contact_props(env: &Env, c: &J, field_defs: &[FieldAsset]) -> BTreeMap<String, XValue> {
    contact_props_of(env, ContactSource::of_json(c), field_defs)
}

/// The properties of the `@contact` object made of `c`.
pub fn contact_props_of(env: &Env, c: ContactSource<'_>, field_defs: &[FieldAsset]) -> BTreeMap<String, XValue> {
    let urn_list: Vec<String> = c.urns.iter().map(|u| urn_identity(u)).collect();
    let groups: Vec<XValue> = c
        .groups
        .iter()
        .map(|(uuid, name)| XValue::object_from([("uuid", XValue::text(*uuid)), ("name", XValue::text(*name))]))
        .collect();
    let first_name = c.name.split_whitespace().next().unwrap_or("");
    let created = c.created_on.and_then(|t| datetime_from_json(env, t));
    let last_seen = c.last_seen_on.and_then(|t| datetime_from_json(env, t));
    BTreeMap::from([
        ("uuid", XValue::text(c.uuid)),
        ("id", XValue::text(c.id)),
        ("name", XValue::text(c.name)),
        ("first_name", XValue::text(first_name)),
        ("language", XValue::text(c.language)),
        ("timezone", if c.timezone.is_empty() { XValue::Null } else { XValue::text(c.timezone) }),
        ("status", XValue::text(c.status)),
        ("created_on", created.map(XValue::DateTime).unwrap_or(XValue::Null)),
        ("last_seen_on", last_seen.map(XValue::DateTime).unwrap_or(XValue::Null)),
        ("urn", urn_list.first().map(|u| XValue::text(u.clone())).unwrap_or(XValue::Null)),
        ("urns", XValue::array(urn_list.into_iter().map(XValue::text).collect())),
        ("groups", XValue::array(groups)),
        ("tickets", XValue::array(c.tickets)),
        ("fields", fields_from(env, field_defs, c.fields)),
    ])
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// Text of a value for a context built from JSON.
pub fn text_of(v: &XValue) -> String {
    convert::render(v)
}

//! Groups kept by a contact query ("smart groups"): the contact answers the query's
//! properties, and its membership is evaluated again whenever something a query can see
//! changes, reported as one `contact_groups_changed`.

use chrono::NaiveDateTime;
use rust_decimal::Decimal;
use serde_json::Value;

use super::assets::Assets;
use super::contact::Contact;
use super::events::{EventKind, NameRef};
use super::sprint::Sprint;
use crate::contactql::{self, PropType, QValue, Queryable, Resolver, ValueType};
use crate::env::Env;

/// The assets as a query sees them: field types, group and flow names.
pub(crate) struct AssetResolver<'a>(pub &'a Assets);

impl Resolver for AssetResolver<'_> {
    fn field_type(&self, key: &str) -> Option<ValueType> {
        self.0.field(key).map(|f| ValueType::of_field_type(&f.value_type))
    }
    fn group_exists(&self, name: &str) -> bool {
        self.0.group_by_name(name).is_some()
    }
    fn flow_exists(&self, name: &str) -> bool {
        self.0.has_flow_named(name)
    }
}

/// A contact with the assets that type its fields.
pub(crate) struct QueryContact<'a> {
    pub contact: &'a Contact,
    pub assets: &'a Assets,
}

fn instant(s: &str) -> Option<NaiveDateTime> {
    super::time::parse(s).map(|t| t.naive_utc())
}

fn number(v: &Value) -> Option<Decimal> {
    match v {
        Value::Number(n) => n.to_string().parse().ok(),
        Value::String(s) => contactql::number_of(s),
        _ => None,
    }
}

impl Queryable for QueryContact<'_> {
    fn query_property(&self, _env: &Env, key: &str, prop_type: PropType) -> Vec<QValue> {
        let c = self.contact;
        let text = |s: &str| if s.is_empty() { Vec::new() } else { vec![QValue::Text(s.to_string())] };
        match prop_type {
            PropType::Attribute => match key {
                "uuid" => text(&c.uuid),
                "id" => match &c.id {
                    Some(Value::Number(n)) => vec![QValue::Text(n.to_string())],
                    Some(Value::String(s)) => text(s),
                    _ => Vec::new(),
                },
                "name" => text(&c.name),
                "language" => text(&c.language),
                "status" => text(&c.status),
                "urn" => c.urns.iter().filter_map(|u| crate::urns::parse(u)).map(|u| QValue::Text(u.path)).collect(),
                "group" => c.groups.iter().map(|g| QValue::Text(g.name.clone())).collect(),
                "tickets" => {
                    let open = c.tickets.iter().filter(|t| t.status.as_deref().is_none_or(|s| s == "open")).count();
                    vec![QValue::Number(Decimal::from(open))]
                }
                "created_on" => c.created_on.as_deref().and_then(instant).map(QValue::Datetime).into_iter().collect(),
                "last_seen_on" => {
                    c.last_seen_on.as_deref().and_then(instant).map(QValue::Datetime).into_iter().collect()
                }
                _ => Vec::new(),
            },
            PropType::Urn => c
                .urns
                .iter()
                .filter_map(|u| crate::urns::parse(u))
                .filter(|u| u.scheme == key)
                .map(|u| QValue::Text(u.path))
                .collect(),
            PropType::Field => {
                let Some(value) = c.fields.get(key) else { return Vec::new() };
                let field_type = self.assets.field(key).map(|f| f.value_type.as_str()).unwrap_or("text");
                let got = match field_type {
                    "number" => value.get("number").and_then(number).map(QValue::Number),
                    "datetime" => value.get("datetime").and_then(Value::as_str).and_then(instant).map(QValue::Datetime),
                    "state" | "district" | "ward" => {
                        value.get(field_type).and_then(Value::as_str).map(|s| QValue::Text(s.to_string()))
                    }
                    _ => value.get("text").and_then(Value::as_str).map(|s| QValue::Text(s.to_string())),
                };
                got.into_iter().collect()
            }
        }
    }
}

/// Whether `contact` belongs in the group kept by `query`: only active contacts do, and a query
/// that does not parse or validate keeps no one (the group is broken, as a missing asset).
fn qualifies(env: &Env, assets: &Assets, contact: &Contact, query: &str) -> Option<bool> {
    let parsed = contactql::parse_in(query, env.default_country.as_deref()).ok()?;
    let resolver = AssetResolver(assets);
    contactql::validate(env, &parsed, &resolver).ok()?;
    if contact.status != "active" {
        return Some(false);
    }
    Some(contactql::evaluate(env, &parsed, &resolver, &QueryContact { contact, assets }))
}

/// Evaluates every query group again for the session's contact, changing its membership and
/// reporting the change. After a change made by an action (`for_modifier`), a contact who is
/// no longer active also leaves every other group, as the reference does.
pub(crate) fn reevaluate(sp: &mut Sprint<'_>, step: Option<&str>, for_modifier: bool) {
    let (env, assets) = (sp.env, sp.assets);
    let mut added = Vec::new();
    let mut removed = Vec::new();
    for group in &assets.groups {
        let Some(query) = group.query.as_deref().filter(|q| !q.trim().is_empty()) else { continue };
        let Some(member) = qualifies(env, assets, &sp.session.contact, query) else { continue };
        let contact = &mut sp.session.contact;
        let r = NameRef { uuid: group.uuid.clone(), name: group.name.clone() };
        if member && !contact.in_group(&group.uuid) {
            contact.groups.push(r.clone());
            added.push(r);
        } else if !member && contact.in_group(&group.uuid) {
            contact.groups.retain(|g| g.uuid != group.uuid);
            removed.push(r);
        }
    }
    if for_modifier && sp.session.contact.status != "active" {
        removed.append(&mut sp.session.contact.groups);
    }
    if added.is_empty() && removed.is_empty() {
        return;
    }
    sp.invalidate();
    sp.event(step, EventKind::ContactGroupsChanged { groups_added: added, groups_removed: removed });
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::definition::LoadOptions;

    #[test]
    fn a_contact_answers_for_its_fields_and_urns() {
        let assets = Assets::from_json(
            &json!({"fields": [{"key": "age", "name": "Age", "type": "number"}, {"key": "seen", "name": "Seen", "type": "datetime"}]}),
            &LoadOptions::default(),
        );
        let mut contact = Contact::anonymous("5d76d86b-3bb9-4d5a-b822-c9d86f5d8e31", "eng");
        contact.urns = vec!["tel:+15550001111".into(), "telegram:1234".into()];
        contact.fields.insert("age".into(), json!({"text": "34", "number": 34}));
        contact.fields.insert("seen".into(), json!({"text": "x", "datetime": "2024-02-10T10:00:00.000000Z"}));
        let q = QueryContact { contact: &contact, assets: &assets };
        let env = Env::new(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2025, 1, 1, 0, 0, 0).unwrap());
        assert_eq!(q.query_property(&env, "age", PropType::Field), vec![QValue::Number(Decimal::from(34))]);
        assert_eq!(q.query_property(&env, "seen", PropType::Field).len(), 1);
        assert_eq!(q.query_property(&env, "tel", PropType::Urn), vec![QValue::Text("+15550001111".into())]);
        assert_eq!(q.query_property(&env, "urn", PropType::Attribute).len(), 2);
        assert!(q.query_property(&env, "name", PropType::Attribute).is_empty());
        assert_eq!(qualifies(&env, &assets, &contact, "age >= 18 AND tel ~ 0001"), Some(true));
        assert_eq!(qualifies(&env, &assets, &contact, "shoe = 3"), None);
        contact.status = "blocked".into();
        assert_eq!(qualifies(&env, &assets, &contact, "age >= 18"), Some(false));
    }
}

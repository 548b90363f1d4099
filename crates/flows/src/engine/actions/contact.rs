//! Actions on the contact: fields (typed as the format parses them), name, language, timezone,
//! status, channel affinity and URNs. Each change is reported once, only if something changed.

use serde_json::{Map, Value};

use super::super::assets::Field;
use super::super::events::{EventKind, FieldKey};
use super::super::smart_groups;
use super::super::sprint::Sprint;
use crate::datetime;
use crate::definition::actions::{
    AddContactUrn, SetContactChannel, SetContactField, SetContactLanguage, SetContactName, SetContactStatus,
    SetContactTimezone,
};
use crate::definition::localization::is_language;
use crate::number;

/// Longest contact name kept.
const MAX_NAME: usize = 128;
/// Longest field value kept, in characters.
const MAX_FIELD_VALUE: usize = 640;

/// A field value as the format stores it: the text, and the number, date and location it reads as.
fn field_value(sp: &Sprint<'_>, field: &Field, text: &str) -> Option<Value> {
    let text: String = text.trim().chars().take(MAX_FIELD_VALUE).collect();
    if text.is_empty() {
        return None;
    }
    let mut m = Map::new();
    m.insert("text".into(), Value::String(text.clone()));
    if let Some(n) = number::parse(&text) {
        if let Ok(v) = serde_json::from_str::<Value>(&number::to_text(&n)) {
            m.insert("number".into(), v);
        }
    }
    if let Some(dt) = datetime::datetime_from_string(sp.env, &text, false) {
        m.insert("datetime".into(), Value::String(dt.to_iso()));
    }
    if let Some(tree) = &sp.assets.locations {
        let level = match field.value_type.as_str() {
            "state" => Some(1),
            "district" => Some(2),
            "ward" => Some(3),
            _ => None,
        };
        if let Some(level) = level {
            if let Some(idx) = tree.find_fuzzy(&text, level, None).first() {
                m.insert(field.value_type.clone(), Value::String(tree.path(*idx)));
            }
        }
    }
    Some(Value::Object(m))
}

pub fn set_contact_field(sp: &mut Sprint<'_>, run: usize, step: &str, a: &SetContactField) {
    let (raw, failed) = sp.eval_text_checked(run, Some(step), &a.value);
    if failed {
        return;
    }
    // As the reference does: a field the assets lack is reported, and nothing is saved.
    let Some(field) = sp.assets.field(&a.field.key).cloned() else {
        sp.error(Some(step), format!("missing dependency: field[key={},name={}]", a.field.key, a.field.name));
        return;
    };
    let value = field_value(sp, &field, &raw);
    let current = sp.session.contact.fields.get(&field.key).cloned();
    if current == value || (current.is_none() && value.is_none()) {
        return;
    }
    match &value {
        Some(v) => {
            sp.session.contact.fields.insert(field.key.clone(), v.clone());
        }
        None => {
            sp.session.contact.fields.remove(&field.key);
        }
    }
    sp.invalidate();
    let name = if field.name.is_empty() { a.field.name.clone() } else { field.name.clone() };
    sp.event(Some(step), EventKind::ContactFieldChanged { field: FieldKey { key: field.key, name }, value });
    smart_groups::reevaluate(sp, Some(step), true);
}

pub fn set_contact_name(sp: &mut Sprint<'_>, run: usize, step: &str, a: &SetContactName) {
    let (name, failed) = sp.eval_text_checked(run, Some(step), &a.name);
    if failed {
        return;
    }
    let name: String = name.trim().chars().take(MAX_NAME).collect();
    if sp.session.contact.name == name {
        return;
    }
    sp.session.contact.name = name.clone();
    sp.invalidate();
    sp.event(Some(step), EventKind::ContactNameChanged { name });
    smart_groups::reevaluate(sp, Some(step), true);
}

pub fn set_contact_language(sp: &mut Sprint<'_>, run: usize, step: &str, a: &SetContactLanguage) {
    let (lang, failed) = sp.eval_text_checked(run, Some(step), &a.language);
    if failed {
        return;
    }
    let lang = lang.trim().to_lowercase();
    if !lang.is_empty() && !is_language(&lang) {
        sp.error(Some(step), format!("'{lang}' is not a valid language code"));
        return;
    }
    if sp.session.contact.language == lang {
        return;
    }
    sp.session.contact.language = lang.clone();
    sp.invalidate();
    sp.event(Some(step), EventKind::ContactLanguageChanged { language: lang });
    smart_groups::reevaluate(sp, Some(step), true);
}

pub fn set_contact_timezone(sp: &mut Sprint<'_>, run: usize, step: &str, a: &SetContactTimezone) {
    let (tz, failed) = sp.eval_text_checked(run, Some(step), &a.timezone);
    if failed {
        return;
    }
    let tz = tz.trim().to_string();
    if !tz.is_empty() && tz.parse::<chrono_tz::Tz>().is_err() {
        sp.error(Some(step), format!("unrecognized timezone: '{tz}'"));
        return;
    }
    if sp.session.contact.timezone == tz {
        return;
    }
    sp.session.contact.timezone = tz.clone();
    sp.invalidate();
    sp.event(Some(step), EventKind::ContactTimezoneChanged { timezone: tz });
    smart_groups::reevaluate(sp, Some(step), true);
}

pub fn set_contact_status(sp: &mut Sprint<'_>, step: &str, a: &SetContactStatus) {
    if sp.session.contact.status == a.status {
        return;
    }
    sp.session.contact.status = a.status.clone();
    sp.invalidate();
    sp.event(Some(step), EventKind::ContactStatusChanged { status: a.status.clone() });
    smart_groups::reevaluate(sp, Some(step), true);
}

/// Moves the URNs the channel can send to first, bound to that channel.
pub fn set_contact_channel(sp: &mut Sprint<'_>, step: &str, a: &SetContactChannel) {
    let Some(channel) = a.channel.as_ref().and_then(|c| sp.assets.channel(&c.uuid)).cloned() else {
        sp.error(Some(step), "set_contact_channel: no such channel");
        return;
    };
    let before = sp.session.contact.urns.clone();
    let mut bound = Vec::new();
    let mut rest = Vec::new();
    for u in &before {
        let base = u.split_once('?').map(|(b, _)| b).unwrap_or(u);
        let scheme = base.split(':').next().unwrap_or("");
        if channel.schemes.iter().any(|s| s == scheme) {
            bound.push(format!("{base}?channel={}", channel.uuid));
        } else {
            rest.push(u.clone());
        }
    }
    bound.extend(rest);
    if bound != before {
        sp.session.contact.urns = bound.clone();
        sp.invalidate();
        sp.event(Some(step), EventKind::ContactUrnsChanged { urns: bound });
        smart_groups::reevaluate(sp, Some(step), true);
    }
}

/// The URN `scheme:path` as the reference normalises it (a phone number in E.164, read in the
/// environment's country; a lowercase e-mail address), or `None` when it is not valid for
/// its scheme.
fn normalized_urn(scheme: &str, path: &str, country: Option<&str>) -> Option<String> {
    let digits = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit());
    let path = match scheme {
        "tel" => {
            let phone_like = path.chars().any(|c| c.is_ascii_digit())
                && path.chars().all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')' | '.'));
            match crate::cases::phone::parse_candidate(path, country.unwrap_or("")) {
                Some(e164) if phone_like => e164,
                // A short code or other number the plans do not know is kept as its digits.
                _ if phone_like => path.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect(),
                _ => path.to_string(),
            }
        }
        "telegram" | "whatsapp" | "twitterid" if !digits(path.split('#').next().unwrap_or("")) => return None,
        "mailto" if !path.contains('@') => return None,
        "mailto" => path.to_lowercase(),
        _ => path.to_string(),
    };
    let urn = format!("{scheme}:{path}");
    crate::urns::validate(&urn).ok().map(|_| urn)
}

pub fn add_contact_urn(sp: &mut Sprint<'_>, run: usize, step: &str, a: &AddContactUrn) {
    // A failed expression is reported and the rest of the path is used, as the reference does.
    let path = sp.eval_text(run, Some(step), &a.path);
    let path = path.trim();
    if path.is_empty() {
        sp.error(Some(step), "can't add URN with empty path");
        return;
    }
    let scheme = a.scheme.trim().to_lowercase();
    let country = sp.env.default_country.clone();
    // `_has_urn` tells the flow which URN it now has (empty when the URN was not valid).
    let set_local = |sp: &mut Sprint<'_>, value: &str| {
        if let Some(r) = sp.session.runs.get_mut(run) {
            r.locals.insert("_has_urn".into(), value.to_string());
        }
        sp.invalidate();
    };
    let Some(urn) = normalized_urn(&scheme, path, country.as_deref()) else {
        sp.error(Some(step), format!("'{scheme}:{path}' is not a valid URN"));
        set_local(sp, "");
        return;
    };
    set_local(sp, &urn);
    if sp.session.contact.urns.iter().any(|u| crate::context::urn_identity(u) == urn) {
        return;
    }
    sp.session.contact.urns.push(urn);
    sp.invalidate();
    let urns = sp.session.contact.urns.clone();
    sp.event(Some(step), EventKind::ContactUrnsChanged { urns });
    smart_groups::reevaluate(sp, Some(step), true);
}

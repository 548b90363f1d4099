//! Actions that hand the conversation on: `enter_flow` (a sub-flow, or a terminal jump),
//! `open_ticket` (to a person: the topic picks the queue) and `request_optin`.

use serde_json::{Map, Value};

use super::super::contact::Ticket;
use super::super::events::{EventKind, TicketOut};
use super::super::results::{self, NewResult};
use super::super::smart_groups;
use super::super::sprint::{Pushed, Sprint};
use super::messages;
use crate::definition::actions::{EnterFlow, OpenTicket, RequestOptin};
use crate::definition::refs::AssetRef;
use crate::definition::{Flow, FlowType};

/// Longest ticket note kept.
const MAX_NOTE: usize = 10_000;

pub fn enter_flow(sp: &mut Sprint<'_>, run: usize, flow: &Flow, a: &EnterFlow) {
    let child = match sp.assets.flow(&a.flow.uuid) {
        Ok(f) => f,
        Err(e) => {
            sp.fail(run, format!("can't enter flow '{}': {e}", a.flow.name));
            return;
        }
    };
    let compatible = match flow.flow_type {
        FlowType::Voice => child.flow_type != FlowType::MessagingOffline,
        _ => child.flow_type != FlowType::Voice,
    };
    if !compatible {
        sp.fail(
            run,
            format!(
                "can't enter flow '{}' of type {} from a flow of type {}",
                child.name,
                child.flow_type.as_str(),
                flow.flow_type.as_str()
            ),
        );
        return;
    }
    sp.pushed = Some(Pushed { flow_uuid: child.uuid.clone(), terminal: a.terminal.unwrap_or(false) });
}

/// The user a ticket is assigned to: by UUID or e-mail as written, or by an e-mail template.
fn assignee(sp: &mut Sprint<'_>, run: usize, step: &str, a: &OpenTicket) -> Option<Value> {
    let r = a.assignee_ref()?;
    let assets = sp.assets;
    let as_json = |u: &crate::engine::assets::User| {
        // A user is referred to as the reference does, by UUID and name; one known only by
        // e-mail keeps its e-mail.
        let mut m = Map::new();
        match &u.uuid {
            Some(uuid) => m.insert("uuid".into(), Value::String(uuid.clone())),
            None => m.insert("email".into(), Value::String(u.email.clone().unwrap_or_default())),
        };
        m.insert("name".into(), Value::String(u.name.clone()));
        Value::Object(m)
    };
    // The reference reads an `email` holding an expression as a template too.
    let templated_email = r.email.as_deref().filter(|e| r.uuid.is_none() && e.contains("@("));
    if let Some(m) = r.email_match.as_deref().filter(|m| !m.is_empty()).or(templated_email) {
        let (email, failed) = sp.eval_text_checked(run, Some(step), m);
        if failed {
            return None;
        }
        let email = email.trim().to_string();
        let found = assets.users.iter().find(|u| u.email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(&email)));
        return match found {
            Some(u) => Some(as_json(u)),
            None => {
                sp.error(Some(step), format!("no such user with email '{email}'"));
                None
            }
        };
    }
    let uuid = r.uuid.as_deref().filter(|u| !u.is_empty());
    let email = r.email.as_deref().filter(|e| !e.is_empty());
    let found = assets.users.iter().find(|u| match (uuid, email) {
        (Some(id), _) => u.uuid.as_deref() == Some(id),
        (None, Some(e)) => u.email.as_deref().is_some_and(|ue| ue.eq_ignore_ascii_case(e)),
        (None, None) => false,
    });
    match found {
        Some(u) => Some(as_json(u)),
        None => {
            let name = r.name.clone().unwrap_or_default();
            let id = uuid.or(email).unwrap_or("");
            sp.error(Some(step), format!("missing dependency: user[uuid={id},name={name}]"));
            None
        }
    }
}

/// Saves the `result_name` of an `open_ticket` action, when it has one: the ticket's UUID and
/// `Success`, or empty and `Failure`.
fn ticket_result(sp: &mut Sprint<'_>, run: usize, step: &str, a: &OpenTicket, ticket: Option<&str>) {
    let Some(name) = a.extra.get("result_name").and_then(Value::as_str).filter(|n| !n.is_empty()) else {
        return;
    };
    let Some(node_uuid) = sp.session.runs.get(run).and_then(|r| r.current_node()).map(String::from) else {
        return;
    };
    let (value, category) = match ticket {
        Some(uuid) => (uuid.to_string(), "Success"),
        None => (String::new(), "Failure"),
    };
    results::save(
        sp,
        run,
        Some(step),
        NewResult {
            name: name.to_string(),
            value,
            category: category.into(),
            category_localized: None,
            node_uuid,
            input: None,
            extra: None,
        },
    );
}

fn set_new_ticket(sp: &mut Sprint<'_>, run: usize, value: &str) {
    if let Some(r) = sp.session.runs.get_mut(run) {
        r.locals.insert("_new_ticket".into(), value.to_string());
    }
    sp.invalidate();
}

pub fn open_ticket(sp: &mut Sprint<'_>, run: usize, step: &str, a: &OpenTicket) {
    // As the reference does: a start of many contacts at once opens no tickets, and a contact
    // with a ticket open gets no second one.
    if sp.session.trigger.extra.get("batch").and_then(Value::as_bool) == Some(true) {
        sp.error(Some(step), "can't open tickets during batch starts");
        set_new_ticket(sp, run, "");
        ticket_result(sp, run, step, a, None);
        return;
    }
    if sp.session.contact.tickets.iter().any(|t| t.status.as_deref().is_none_or(|s| s == "open")) {
        set_new_ticket(sp, run, "");
        ticket_result(sp, run, step, a, None);
        return;
    }
    // As the reference does: without a topic the ticket goes to the topic named "General"
    // (here, failing that, to the first topic: the default queue).
    let topic: Option<AssetRef> = match a.topic_ref() {
        Some(t) => sp.assets.topic(&t.uuid).map(|k| AssetRef::new(&k.uuid, &k.name)),
        None => sp
            .assets
            .topics
            .iter()
            .find(|k| k.name.eq_ignore_ascii_case("general"))
            .or(sp.assets.topics.first())
            .map(|k| AssetRef::new(&k.uuid, &k.name)),
    };
    let assignee = assignee(sp, run, step, a);
    let note = match a.note.as_deref().filter(|n| !n.is_empty()) {
        Some(n) => {
            let text = sp.eval_text(run, Some(step), n);
            let text: String = text.trim().chars().take(MAX_NOTE).collect();
            (!text.is_empty()).then_some(text)
        }
        None => None,
    };
    if let (Some(t), None) = (a.topic_ref(), &topic) {
        // A ticket in a queue that no longer exists would never be answered.
        sp.error(Some(step), format!("missing dependency: topic[uuid={},name={}]", t.uuid, t.name));
        set_new_ticket(sp, run, "");
        ticket_result(sp, run, step, a, None);
        return;
    }
    let uuid = sp.uuid();
    sp.session.contact.tickets.push(Ticket {
        uuid: uuid.clone(),
        topic: topic.clone(),
        assignee: assignee.clone(),
        status: Some("open".into()),
        extra: Map::new(),
    });
    set_new_ticket(sp, run, &uuid);
    sp.event(
        Some(step),
        EventKind::TicketOpened { ticket: TicketOut { uuid: uuid.clone(), topic, assignee }, note: note.clone() },
    );
    if let Some(note) = note {
        sp.event(Some(step), EventKind::TicketNoteAdded { ticket_uuid: uuid.clone(), note });
    }
    ticket_result(sp, run, step, a, Some(&uuid));
    // An open ticket can put the contact in a group kept by a query on `tickets`.
    smart_groups::reevaluate(sp, Some(step), true);
}

pub fn request_optin(sp: &mut Sprint<'_>, flow: &Flow, step: &str, a: &RequestOptin) {
    let msg = messages::out_msg(sp, flow, String::new(), Vec::new(), Vec::new());
    if let Some(reason) = msg.unsendable_reason {
        sp.error(Some(step), format!("can't request opt-in: {reason}"));
        return;
    }
    sp.event(Some(step), EventKind::OptinRequested { optin: a.optin.clone(), urn: msg.urn });
}

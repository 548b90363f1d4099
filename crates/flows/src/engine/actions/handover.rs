//! Actions that hand the conversation on: `enter_flow` (a sub-flow, or a terminal jump),
//! `open_ticket` (to a person: the topic picks the queue) and `request_optin`.

use serde_json::{json, Map, Value};

use super::super::contact::Ticket;
use super::super::events::{EventKind, TicketOut};
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

/// The user a ticket is assigned to: by e-mail as written, or by an e-mail template.
fn assignee(sp: &mut Sprint<'_>, run: usize, step: &str, a: &OpenTicket) -> Option<Value> {
    let r = a.assignee_ref()?;
    let email = match (&r.email, &r.email_match) {
        (Some(e), _) if !e.is_empty() => e.clone(),
        (_, Some(m)) => sp.eval_text(run, Some(step), m),
        _ => return None,
    };
    let email = email.trim().to_string();
    let found = sp.assets.users.iter().find(|u| u.email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(&email)));
    match found {
        Some(u) => Some(json!({"email": u.email.clone().unwrap_or_default(), "name": u.name})),
        None => {
            sp.error(Some(step), format!("no such user with email '{email}'"));
            None
        }
    }
}

pub fn open_ticket(sp: &mut Sprint<'_>, run: usize, step: &str, a: &OpenTicket) {
    let topic: Option<AssetRef> = match a.topic_ref() {
        Some(t) => match sp.assets.topic(&t.uuid) {
            Some(k) => Some(AssetRef::new(&k.uuid, &k.name)),
            None => {
                // A ticket in a queue that no longer exists would never be answered.
                sp.error(Some(step), format!("missing dependency: topic[uuid={},name={}]", t.uuid, t.name));
                return;
            }
        },
        // No topic: the first topic of the assets is the default queue, if there is one.
        None => sp.assets.topics.first().map(|k| AssetRef::new(&k.uuid, &k.name)),
    };
    let note = match a.note.as_deref().filter(|n| !n.is_empty()) {
        Some(n) => {
            let text = sp.eval_text(run, Some(step), n);
            let text: String = text.trim().chars().take(MAX_NOTE).collect();
            (!text.is_empty()).then_some(text)
        }
        None => None,
    };
    let assignee = assignee(sp, run, step, a);
    let uuid = sp.uuid();
    sp.session.contact.tickets.push(Ticket {
        uuid: uuid.clone(),
        topic: topic.clone(),
        assignee: assignee.clone(),
        status: Some("open".into()),
        extra: Map::new(),
    });
    if let Some(r) = sp.session.runs.get_mut(run) {
        r.locals.insert("_new_ticket".into(), uuid.clone());
    }
    sp.invalidate();
    sp.event(Some(step), EventKind::TicketOpened { ticket: TicketOut { uuid, topic, assignee }, note });
}

pub fn request_optin(sp: &mut Sprint<'_>, flow: &Flow, step: &str, a: &RequestOptin) {
    let msg = messages::out_msg(sp, flow, String::new(), Vec::new(), Vec::new());
    if let Some(reason) = msg.unsendable_reason {
        sp.error(Some(step), format!("can't request opt-in: {reason}"));
        return;
    }
    sp.event(Some(step), EventKind::OptinRequested { optin: a.optin.clone(), urn: msg.urn });
}

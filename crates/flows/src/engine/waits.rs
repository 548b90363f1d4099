//! Beginning a wait: for a message (with its timeout, expiry and keypad hint) or for a dialled
//! call. The session then hands back to the caller until a resume comes.

use super::events::EventKind;
use super::run::RunStatus;
use super::session::{SessionStatus, SessionWait};
use super::sprint::Sprint;
use super::time;
use crate::definition::{Flow, Node, Wait, WaitType};

/// Seconds a dialled number may ring when the wait does not say.
const DEFAULT_DIAL_LIMIT: u32 = 60;
/// Seconds an answered dialled call may last when the wait does not say.
const DEFAULT_CALL_LIMIT: u32 = 7200;

/// A phone number as a `tel` URN: formatting (spaces, dashes, dots, brackets) dropped, an
/// optional leading `+`, then 5 to 15 digits. `None` for anything else.
pub(crate) fn tel_urn(phone: &str) -> Option<String> {
    let phone = phone.trim();
    let phone = phone.strip_prefix("tel:").unwrap_or(phone);
    let (plus, rest) = match phone.strip_prefix('+') {
        Some(r) => ("+", r),
        None => ("", phone),
    };
    let mut digits = String::new();
    for c in rest.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' | '(' | ')' => {}
            _ => return None,
        }
    }
    (5..=15).contains(&digits.len()).then(|| format!("tel:{plus}{digits}"))
}

/// Begins `wait`; false when it cannot (a dial wait without a number), so the node routes on.
pub fn begin(sp: &mut Sprint<'_>, run: usize, flow: &Flow, node: &Node, step: &str, wait: &Wait) -> bool {
    // The message that started the session answers a wait on the very first node, as the
    // format defines: a keyword flow can route on the keyword message itself.
    let first_node = sp.session.runs.len() == 1 && sp.session.runs[run].path.len() == 1;
    if wait.kind == WaitType::Msg && first_node && sp.session.trigger.msg.is_some() && !sp.session.runs[run].had_input {
        sp.session.runs[run].had_input = true;
        return false;
    }
    // A dialled call must not expire the flow while the contact talks: the wait lasts the
    // dial and call limits and half a minute more, as in the reference.
    let dial_seconds = wait.dial_limit_seconds.unwrap_or(DEFAULT_DIAL_LIMIT);
    let call_seconds = wait.call_limit_seconds.unwrap_or(DEFAULT_CALL_LIMIT);
    let dial_expires_on = time::after_seconds(sp.env.now, dial_seconds.saturating_add(call_seconds).saturating_add(30));
    let expires_on = match wait.kind {
        WaitType::Msg => time::after_minutes(sp.env.now, flow.expire_after()),
        WaitType::Dial => dial_expires_on.clone(),
    };
    let timeout_seconds = wait.timeout.as_ref().map(|t| t.seconds);
    let timeout_on = timeout_seconds.map(|s| time::after_seconds(sp.env.now, s));
    match wait.kind {
        WaitType::Msg => {
            sp.event(
                Some(step),
                EventKind::MsgWait { timeout_seconds, expires_on: Some(expires_on.clone()), hint: wait.hint.clone() },
            );
        }
        WaitType::Dial => {
            let phone = sp.eval_text(run, Some(step), wait.phone.as_deref().unwrap_or(""));
            let Some(urn) = tel_urn(&phone) else {
                // As the reference does: no call without a number; the node routes on.
                sp.error(Some(step), format!("dial wait: '{}' is not a valid phone number", phone.trim()));
                return false;
            };
            sp.event(
                Some(step),
                EventKind::DialWait {
                    urn,
                    dial_limit_seconds: wait.dial_limit_seconds,
                    call_limit_seconds: wait.call_limit_seconds,
                    expires_on: Some(dial_expires_on.clone()),
                },
            );
        }
    }
    let (run_uuid, now) = (sp.session.runs[run].uuid.clone(), sp.now.clone());
    if let Some(r) = sp.session.runs.get_mut(run) {
        r.status = RunStatus::Waiting;
        r.expires_on = Some(expires_on.clone());
        r.modified_on = now;
    }
    sp.session.status = SessionStatus::Waiting;
    sp.session.wait = Some(SessionWait {
        kind: wait.kind,
        run_uuid,
        node_uuid: node.uuid.clone(),
        timeout_seconds,
        timeout_on,
        expires_on,
        hint: wait.hint.clone(),
    });
    sp.invalidate();
    true
}

//! Beginning a wait: for a message (with its timeout, expiry and keypad hint) or for a dialled
//! call. The session then hands back to the caller until a resume comes.

use super::events::EventKind;
use super::run::RunStatus;
use super::session::{SessionStatus, SessionWait};
use super::sprint::Sprint;
use super::time;
use crate::definition::{Flow, Node, Wait, WaitType};

/// Begins `wait`; false when it cannot (a dial wait without a number), so the node routes on.
pub fn begin(sp: &mut Sprint<'_>, run: usize, flow: &Flow, node: &Node, step: &str, wait: &Wait) -> bool {
    // The message that started the session answers a wait on the very first node, as the
    // format defines: a keyword flow can route on the keyword message itself.
    let first_node = sp.session.runs.len() == 1 && sp.session.runs[run].path.len() == 1;
    if wait.kind == WaitType::Msg && first_node && sp.session.trigger.msg.is_some() && !sp.session.runs[run].had_input {
        sp.session.runs[run].had_input = true;
        return false;
    }
    let expires_on = time::after_minutes(sp.env.now, flow.expire_after());
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
            let phone = phone.trim().to_string();
            if phone.is_empty() {
                sp.error(Some(step), "dial wait: the phone number is empty");
                return false;
            }
            let urn = if phone.contains(':') { phone } else { format!("tel:{phone}") };
            sp.event(
                Some(step),
                EventKind::DialWait {
                    urn,
                    dial_limit_seconds: wait.dial_limit_seconds,
                    call_limit_seconds: wait.call_limit_seconds,
                    expires_on: Some(expires_on.clone()),
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

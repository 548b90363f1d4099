//! Messages to the contact: `send_msg` (text, attachments, quick replies) and, in voice flows,
//! `say_msg` and `play_audio`; all translated to the contact's language first.

use super::super::events::{EventKind, MsgOut, QuickReply};
use super::super::sprint::Sprint;
use crate::context::urn_identity;
use crate::definition::actions::{PlayAudio, SayMsg, SendMsg};
use crate::definition::limits::{MAX_ATTACHMENTS, MAX_QUICK_REPLIES};
use crate::definition::refs::AssetRef;
use crate::definition::Flow;
use crate::urns;

/// Where a message goes: the contact's first URN that a channel can send to.
fn destination(sp: &Sprint<'_>) -> (Option<String>, Option<AssetRef>, Option<String>) {
    let contact = &sp.session.contact;
    match contact.status.as_str() {
        "blocked" => return (None, None, Some("contact_blocked".into())),
        "stopped" => return (None, None, Some("contact_stopped".into())),
        "archived" => return (None, None, Some("contact_archived".into())),
        _ => {}
    }
    if contact.urns.is_empty() {
        return (None, None, Some("no_destination".into()));
    }
    for urn in &contact.urns {
        let affinity = urn
            .split_once('?')
            .and_then(|(_, q)| q.split('&').find_map(|kv| kv.strip_prefix("channel=")))
            .map(|c| c.split('#').next().unwrap_or(c).to_string());
        let scheme = urns::parse(urn).map(|u| u.scheme).unwrap_or_default();
        let sends = |roles: &[String]| roles.is_empty() || roles.iter().any(|r| r == "send");
        let channel = affinity
            .and_then(|u| sp.assets.channel(&u))
            .filter(|c| sends(&c.roles))
            .or_else(|| sp.assets.channels.iter().find(|c| sends(&c.roles) && c.schemes.contains(&scheme)));
        if let Some(c) = channel {
            return (Some(urn_identity(urn)), Some(AssetRef::new(&c.uuid, &c.name)), None);
        }
    }
    (None, None, Some("no_route".into()))
}

/// A message in the run's language, addressed to the contact.
pub fn out_msg(
    sp: &Sprint<'_>,
    flow: &Flow,
    text: String,
    attachments: Vec<String>,
    quick_replies: Vec<String>,
) -> MsgOut {
    let (urn, channel, unsendable_reason) = destination(sp);
    let lang = sp.language_used(flow);
    let country = sp
        .env
        .default_country
        .clone()
        .or_else(|| channel.as_ref().and_then(|c| sp.assets.channel(&c.uuid)).and_then(|c| c.country.clone()));
    let locale = match country {
        Some(c) if !c.is_empty() => format!("{lang}-{c}"),
        _ => lang,
    };
    MsgOut {
        urn,
        channel,
        text,
        attachments,
        quick_replies: quick_replies.into_iter().map(|text| QuickReply { kind: "text".into(), text }).collect(),
        locale: Some(locale),
        topic: None,
        unsendable_reason,
    }
}

/// Evaluates a list of templates, dropping empty results and keeping at most `max`.
fn evaluate_list(sp: &mut Sprint<'_>, run: usize, step: &str, templates: Vec<String>, max: usize) -> Vec<String> {
    let mut out = Vec::new();
    for t in templates {
        let v = sp.eval_text(run, Some(step), &t);
        let v = v.trim();
        if !v.is_empty() && out.len() < max {
            out.push(v.to_string());
        }
    }
    out
}

fn attachments(sp: &mut Sprint<'_>, run: usize, step: &str, templates: Vec<String>) -> Vec<String> {
    let mut out = Vec::new();
    for a in evaluate_list(sp, run, step, templates, MAX_ATTACHMENTS) {
        // An attachment is `content-type:url`; without a type it cannot be delivered.
        if a.contains(':') {
            out.push(a);
        } else {
            sp.error(Some(step), format!("attachment '{a}' has no content type"));
        }
    }
    out
}

pub fn send_msg(sp: &mut Sprint<'_>, run: usize, flow: &Flow, step: &str, uuid: &str, a: &SendMsg) {
    let text = sp.localized_one(flow, uuid, "text", &a.text);
    let text = sp.eval_text(run, Some(step), &text);
    let native_atts = a.attachments.clone().unwrap_or_default();
    let atts = sp.localized(flow, uuid, "attachments", &native_atts);
    let atts = attachments(sp, run, step, atts);
    let native_qrs = a.quick_replies.clone().unwrap_or_default();
    let qrs = sp.localized(flow, uuid, "quick_replies", &native_qrs);
    let qrs = evaluate_list(sp, run, step, qrs, MAX_QUICK_REPLIES);
    let mut msg = out_msg(sp, flow, text, atts, qrs);
    msg.topic = a.topic.clone().filter(|t| !t.is_empty());
    sp.event(Some(step), EventKind::MsgCreated { msg });
}

pub fn say_msg(sp: &mut Sprint<'_>, run: usize, flow: &Flow, step: &str, uuid: &str, a: &SayMsg) {
    let text = sp.localized_one(flow, uuid, "text", &a.text);
    let text = sp.eval_text(run, Some(step), &text);
    let mut atts = Vec::new();
    if let Some(url) = a.audio_url.as_deref().filter(|u| !u.is_empty()) {
        let url = sp.localized_one(flow, uuid, "audio_url", url);
        atts.push(format!("audio:{url}"));
    }
    let msg = out_msg(sp, flow, text, atts, Vec::new());
    sp.event(Some(step), EventKind::IvrCreated { msg });
}

pub fn play_audio(sp: &mut Sprint<'_>, run: usize, flow: &Flow, step: &str, uuid: &str, a: &PlayAudio) {
    let url = sp.localized_one(flow, uuid, "audio_url", &a.audio_url);
    let url = sp.eval_text(run, Some(step), &url);
    let url = url.trim();
    if url.is_empty() {
        sp.error(Some(step), "audio URL evaluated to empty text, skipping");
        return;
    }
    let msg = out_msg(sp, flow, String::new(), vec![format!("audio:{url}")], Vec::new());
    sp.event(Some(step), EventKind::IvrCreated { msg });
}

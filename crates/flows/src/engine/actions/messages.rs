//! Messages to the contact: `send_msg` (text, attachments, quick replies) and, in voice flows,
//! `say_msg` and `play_audio`; all translated to the contact's language first.

use super::super::assets::{MsgTemplate, TemplateTranslation};
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
    quick_replies: Vec<QuickReply>,
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
    MsgOut { urn, channel, text, attachments, quick_replies, locale: Some(locale), topic: None, unsendable_reason }
}

/// Longest quick reply sent, in characters: a longer one is cut and ends with `...`, as the
/// reference does.
pub const MAX_QUICK_REPLY_CHARS: usize = 64;
/// Longest extra of a quick reply (the text after `<extra>`), in characters.
pub const MAX_QUICK_REPLY_EXTRA_CHARS: usize = 1000;
/// Longest attachment (`type:url`) sent, in bytes.
pub const MAX_ATTACHMENT_BYTES: usize = 2048;

/// Cuts `s` to at most `limit` characters, ending a cut text with `...`.
fn truncate_ellipsis(s: &str, limit: usize) -> String {
    if s.chars().count() <= limit {
        return s.to_string();
    }
    if limit <= 3 {
        return s.chars().take(limit).collect();
    }
    let mut out: String = s.chars().take(limit - 3).collect();
    out.push_str("...");
    out
}

/// An attachment the format can deliver: `content-type:url`, both parts present.
fn is_valid_attachment(a: &str) -> bool {
    a.split_once(':')
        .is_some_and(|(kind, url)| !kind.is_empty() && !url.is_empty() && !kind.contains(char::is_whitespace))
}

fn attachments(sp: &mut Sprint<'_>, run: usize, step: &str, templates: Vec<String>) -> Vec<String> {
    let mut out = Vec::new();
    for t in templates {
        let a = sp.eval_text(run, Some(step), &t);
        let a = a.trim();
        if !is_valid_attachment(a) {
            sp.error(Some(step), "attachment evaluated to invalid value, skipping");
        } else if a.len() > MAX_ATTACHMENT_BYTES {
            sp.error(Some(step), format!("evaluated attachment is longer than {MAX_ATTACHMENT_BYTES} limit, skipping"));
        } else if out.len() < MAX_ATTACHMENTS {
            out.push(a.to_string());
        }
    }
    out
}

fn quick_replies(sp: &mut Sprint<'_>, run: usize, step: &str, templates: Vec<String>) -> Vec<QuickReply> {
    let mut out = Vec::new();
    for t in templates {
        let q = sp.eval_text(run, Some(step), &t);
        // `text<extra>more` is a choice with a line of its own under it.
        let (text, extra) = match q.split_once("<extra>") {
            Some((text, extra)) => (text, Some(extra)),
            None => (q.as_str(), None),
        };
        if text.is_empty() {
            sp.error(Some(step), "quick reply evaluated to empty string, skipping");
        } else if out.len() < MAX_QUICK_REPLIES {
            out.push(QuickReply {
                kind: "text".into(),
                text: truncate_ellipsis(text, MAX_QUICK_REPLY_CHARS),
                extra: extra.filter(|e| !e.is_empty()).map(|e| truncate_ellipsis(e, MAX_QUICK_REPLY_EXTRA_CHARS)),
            });
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
    let qrs = quick_replies(sp, run, step, qrs);
    let mut msg = out_msg(sp, flow, text, atts, qrs);
    if let Some(t) = a.template.as_ref() {
        let vars = a.template_variables.clone().unwrap_or_default();
        let vars = sp.localized(flow, uuid, "template_variables", &vars);
        apply_template(sp, run, flow, step, &t.uuid, vars, &mut msg);
    }
    msg.topic = a.topic.clone().filter(|t| !t.is_empty());
    sp.event(Some(step), EventKind::MsgCreated { msg });
}

/// The translation of message template `uuid` to send on the message's channel: in the
/// contact's language if there is one, else in the environment's default; a locale of the
/// same language serves when the exact one is missing.
fn template_translation<'t>(
    sp: &Sprint<'_>,
    flow: &Flow,
    template: &'t MsgTemplate,
    channel: &str,
) -> Option<&'t TemplateTranslation> {
    let on_channel: Vec<&TemplateTranslation> =
        template.translations.iter().filter(|t| t.channel.uuid == channel).collect();
    let mut langs = sp.languages(flow);
    langs.dedup();
    langs.iter().find_map(|lang| {
        let same_lang = |t: &&&TemplateTranslation| t.locale.split('-').next() == Some(lang.as_str());
        on_channel.iter().find(same_lang).copied()
    })
}

/// `content` with each `{{n}}` replaced by the variable the component maps it to.
fn fill(content: &str, slots: &std::collections::BTreeMap<String, usize>, values: &[String]) -> String {
    let mut out = content.to_string();
    for (slot, idx) in slots {
        let value = values.get(*idx).map(String::as_str).unwrap_or("");
        out = out.replace(&format!("{{{{{slot}}}}}"), value);
    }
    out
}

/// Sends `msg` as message template `uuid` when the assets have a translation of it for the
/// message's channel: its header and body make the text, a media header the attachment, its
/// quick reply buttons the quick replies. Otherwise the message goes as written.
fn apply_template(
    sp: &mut Sprint<'_>,
    run: usize,
    flow: &Flow,
    step: &str,
    uuid: &str,
    variables: Vec<String>,
    msg: &mut MsgOut,
) {
    let assets = sp.assets;
    let Some(template) = assets.msg_template(uuid) else { return };
    let Some(channel) = msg.channel.as_ref().map(|c| c.uuid.clone()) else { return };
    let Some(translation) = template_translation(sp, flow, template, &channel) else { return };
    let values: Vec<String> = variables.iter().map(|v| sp.eval_text(run, Some(step), v)).collect();
    let mut texts = Vec::new();
    let mut attachments = Vec::new();
    let mut buttons = Vec::new();
    for c in &translation.components {
        let filled = fill(&c.content, &c.variables, &values);
        match c.kind.as_str() {
            "header/text" | "body/text" | "footer/text" if !filled.is_empty() => texts.push(filled),
            "header/media" => {
                for idx in c.variables.values() {
                    if let Some(a) = values.get(*idx).filter(|a| is_valid_attachment(a)) {
                        attachments.push(a.clone());
                    }
                }
            }
            "button/quick_reply" if !filled.is_empty() => buttons.push(QuickReply::text(filled)),
            _ => {}
        }
    }
    msg.text = texts.join("\n\n");
    msg.attachments = attachments;
    if !buttons.is_empty() {
        msg.quick_replies = buttons;
    }
    if !translation.locale.is_empty() {
        msg.locale = Some(translation.locale.clone());
    }
}

pub fn say_msg(sp: &mut Sprint<'_>, run: usize, flow: &Flow, step: &str, uuid: &str, a: &SayMsg) {
    let text = sp.localized_one(flow, uuid, "text", &a.text);
    let text = sp.eval_text(run, Some(step), &text);
    let mut atts = Vec::new();
    if let Some(url) = a.audio_url.as_deref().filter(|u| !u.is_empty()) {
        let url = sp.localized_one(flow, uuid, "audio_url", url);
        if !url.is_empty() {
            atts.push(format!("audio:{url}"));
        }
    }
    if text.is_empty() && atts.is_empty() {
        // Nothing to say: the reference reports it and says nothing.
        sp.error(Some(step), "can't say message without audio URL or backdown text");
        return;
    }
    let msg = out_msg(sp, flow, text, atts, Vec::new());
    sp.event(Some(step), EventKind::IvrCreated { msg });
}

pub fn play_audio(sp: &mut Sprint<'_>, run: usize, flow: &Flow, step: &str, uuid: &str, a: &PlayAudio) {
    let url = sp.localized_one(flow, uuid, "audio_url", &a.audio_url);
    let (url, failed) = sp.eval_text_checked(run, Some(step), &url);
    if failed {
        // An expression that failed skips the action, as the reference does.
        return;
    }
    let url = url.trim();
    if url.is_empty() {
        sp.error(Some(step), "audio URL evaluated to empty text, skipping");
        return;
    }
    let msg = out_msg(sp, flow, String::new(), vec![format!("audio:{url}")], Vec::new());
    sp.event(Some(step), EventKind::IvrCreated { msg });
}

#[cfg(test)]
mod tests {
    use super::{is_valid_attachment, truncate_ellipsis};

    #[test]
    fn long_quick_replies_are_cut_with_an_ellipsis() {
        assert_eq!(truncate_ellipsis("short", 64), "short");
        let long = "é".repeat(70);
        let cut = truncate_ellipsis(&long, 64);
        assert_eq!(cut.chars().count(), 64);
        assert!(cut.ends_with("..."));
        assert_eq!(truncate_ellipsis("abcdef", 2), "ab");
    }

    #[test]
    fn attachments_need_a_type_and_a_url() {
        assert!(is_valid_attachment("image/jpeg:https://example.org/a.jpg"));
        assert!(!is_valid_attachment("https"));
        assert!(!is_valid_attachment(":x"));
        assert!(!is_valid_attachment("image:"));
        assert!(!is_valid_attachment(""));
    }
}

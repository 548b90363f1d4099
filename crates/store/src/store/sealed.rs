//! Associated data of message bodies and case notes. Version 2 binds who wrote them and what
//! they are as well as their row, so that a database writer cannot turn an applicant's words
//! into staff's (or a note into a location) without the row failing to open. Rows sealed
//! before version 2 open with the version 1 data (table, column and row only); a version 2
//! ciphertext never opens with version 1 data, so marking a row as old gains nothing.

use safepassage_domain::Sender;
use safepassage_keys::{DataKey, KeyError};
use uuid::Uuid;
use zeroize::Zeroizing;

use super::bound_to;

const MESSAGE_BODY: &str = "messages.body_ct";
const NOTE_BODY: &str = "case_notes.body_ct";

/// `column ‖ 0 ‖ "v2" ‖ 0 ‖ row ‖ (length ‖ field)*`: never equal to a version 1 value, which
/// ends right after the row.
fn bound_v2(column: &str, row: &Uuid, fields: &[&[u8]]) -> Vec<u8> {
    let mut ad = Vec::with_capacity(column.len() + 24 + fields.iter().map(|f| f.len() + 8).sum::<usize>());
    ad.extend_from_slice(column.as_bytes());
    ad.push(0);
    ad.extend_from_slice(b"v2");
    ad.push(0);
    ad.extend_from_slice(row.as_bytes());
    for field in fields {
        ad.extend_from_slice(&(field.len() as u64).to_be_bytes());
        ad.extend_from_slice(field);
    }
    ad
}

fn open_either(key: &DataKey, v2: &[u8], v1: &[u8], sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    key.open(v2, sealed).or_else(|_| key.open(v1, sealed))
}

pub(crate) fn seal_message(key: &DataKey, id: &Uuid, sender: Sender, text: &str) -> Vec<u8> {
    key.seal(&bound_v2(MESSAGE_BODY, id, &[sender.as_str().as_bytes()]), text.as_bytes())
}

pub(crate) fn open_message(
    key: &DataKey,
    id: &Uuid,
    sender: Sender,
    sealed: &[u8],
) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let v2 = bound_v2(MESSAGE_BODY, id, &[sender.as_str().as_bytes()]);
    open_either(key, &v2, &bound_to(MESSAGE_BODY, id), sealed)
}

pub(crate) fn seal_note(key: &DataKey, id: &Uuid, kind: &str, author: &Uuid, text: &str) -> Vec<u8> {
    key.seal(&bound_v2(NOTE_BODY, id, &[kind.as_bytes(), author.as_bytes()]), text.as_bytes())
}

pub(crate) fn open_note(
    key: &DataKey,
    id: &Uuid,
    kind: &str,
    author: &Uuid,
    sealed: &[u8],
) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let v2 = bound_v2(NOTE_BODY, id, &[kind.as_bytes(), author.as_bytes()]);
    open_either(key, &v2, &bound_to(NOTE_BODY, id), sealed)
}

const FLAG_REASON: &str = "case_flags.reason_ct";

/// A screening flag's reason, bound to its row and author.
pub(crate) fn seal_flag(key: &DataKey, id: &Uuid, by: &Uuid, text: &str) -> Vec<u8> {
    key.seal(&bound_v2(FLAG_REASON, id, &[by.as_bytes()]), text.as_bytes())
}

pub(crate) fn open_flag(key: &DataKey, id: &Uuid, by: &Uuid, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    key.open(&bound_v2(FLAG_REASON, id, &[by.as_bytes()]), sealed)
}
const LOCATION_BODY: &str = "location_reports.body_ct";

/// What a location report's seal is bound to besides its row: its source, who recorded it (a
/// user or a conversation) and when it was true, so none of them can be changed in the table.
pub(crate) struct LocationBinding<'a> {
    pub source: &'a str,
    pub recorder: &'a Uuid,
    pub true_at_ms: i64,
}

fn location_ad(id: &Uuid, b: &LocationBinding<'_>) -> Vec<u8> {
    bound_v2(LOCATION_BODY, id, &[b.source.as_bytes(), b.recorder.as_bytes(), &b.true_at_ms.to_be_bytes()])
}

pub(crate) fn seal_location(key: &DataKey, id: &Uuid, binding: &LocationBinding<'_>, body: &[u8]) -> Vec<u8> {
    key.seal(&location_ad(id, binding), body)
}

pub(crate) fn open_location(
    key: &DataKey,
    id: &Uuid,
    binding: &LocationBinding<'_>,
    sealed: &[u8],
) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    key.open(&location_ad(id, binding), sealed)
}
const PLAN_BODY: &str = "exit_plans.body_ct";
const PLAN_COMMENT: &str = "exit_plans.comment_ct";
const REPORT_REASON: &str = "operations_reports.reason_ct";

/// A plan version's body, bound to its row, case, version and author.
fn plan_ad(id: &Uuid, case: &Uuid, version: u32, author: &Uuid) -> Vec<u8> {
    bound_v2(PLAN_BODY, id, &[case.as_bytes(), &version.to_be_bytes(), author.as_bytes()])
}

pub(crate) fn seal_plan(key: &DataKey, id: &Uuid, case: &Uuid, version: u32, author: &Uuid, body: &[u8]) -> Vec<u8> {
    key.seal(&plan_ad(id, case, version, author), body)
}

pub(crate) fn open_plan(
    key: &DataKey,
    id: &Uuid,
    case: &Uuid,
    version: u32,
    author: &Uuid,
    sealed: &[u8],
) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    key.open(&plan_ad(id, case, version, author), sealed)
}

/// A returned plan's comment, bound to its plan and the coordinator who wrote it.
pub(crate) fn seal_plan_comment(key: &DataKey, plan: &Uuid, reviewer: &Uuid, text: &str) -> Vec<u8> {
    key.seal(&bound_v2(PLAN_COMMENT, plan, &[reviewer.as_bytes()]), text.as_bytes())
}

pub(crate) fn open_plan_comment(
    key: &DataKey,
    plan: &Uuid,
    reviewer: &Uuid,
    sealed: &[u8],
) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    key.open(&bound_v2(PLAN_COMMENT, plan, &[reviewer.as_bytes()]), sealed)
}

/// An abort's reason, bound to its report and the plan it aborted.
pub(crate) fn seal_report_reason(key: &DataKey, report: &Uuid, plan: &Uuid, text: &str) -> Vec<u8> {
    key.seal(&bound_v2(REPORT_REASON, report, &[plan.as_bytes()]), text.as_bytes())
}

pub(crate) fn open_report_reason(
    key: &DataKey,
    report: &Uuid,
    plan: &Uuid,
    sealed: &[u8],
) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    key.open(&bound_v2(REPORT_REASON, report, &[plan.as_bytes()]), sealed)
}

const OUTBOX_BODY: &str = "outbox.body_ct";
const REPLY_TO: &str = "conversations.reply_to_ct";

/// What the outbox must send, bound to its row and conversation: a payload moved to another
/// row, or its row moved to another conversation, fails to open.
pub(crate) fn seal_outbound(key: &DataKey, id: &Uuid, conversation: &Uuid, payload: &[u8]) -> Vec<u8> {
    key.seal(&bound_v2(OUTBOX_BODY, id, &[conversation.as_bytes()]), payload)
}

pub(crate) fn open_outbound(
    key: &DataKey,
    id: &Uuid,
    conversation: &Uuid,
    sealed: &[u8],
) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    key.open(&bound_v2(OUTBOX_BODY, id, &[conversation.as_bytes()]), sealed)
}

/// Where a messenger conversation is answered (a chat id, a call's sid), bound to it.
pub(crate) fn seal_reply_to(key: &DataKey, conversation: &Uuid, address: &str) -> Vec<u8> {
    key.seal(&bound_v2(REPLY_TO, conversation, &[]), address.as_bytes())
}

pub(crate) fn open_reply_to(key: &DataKey, conversation: &Uuid, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    key.open(&bound_v2(REPLY_TO, conversation, &[]), sealed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_opens_only_as_written_and_old_rows_still_open() {
        let key = DataKey::generate();
        let id = Uuid::now_v7();
        let sealed = seal_message(&key, &id, Sender::Applicant, "I am at the station");
        assert_eq!(open_message(&key, &id, Sender::Applicant, &sealed).unwrap().as_slice(), b"I am at the station");
        assert!(open_message(&key, &id, Sender::Staff, &sealed).is_err());
        assert!(open_message(&key, &Uuid::now_v7(), Sender::Applicant, &sealed).is_err());
        let old = key.seal(&bound_to(MESSAGE_BODY, &id), b"written before v2");
        assert_eq!(open_message(&key, &id, Sender::Bot, &old).unwrap().as_slice(), b"written before v2");
    }

    #[test]
    fn a_location_is_bound_to_its_source_recorder_and_time() {
        let key = DataKey::generate();
        let (id, who) = (Uuid::now_v7(), Uuid::now_v7());
        let b = LocationBinding { source: "browser", recorder: &who, true_at_ms: 5 };
        let sealed = seal_location(&key, &id, &b, b"{}");
        assert!(open_location(&key, &id, &b, &sealed).is_ok());
        assert!(open_location(&key, &id, &LocationBinding { source: "staff_call", ..b }, &sealed).is_err());
        assert!(open_location(&key, &id, &LocationBinding { true_at_ms: 6, ..b }, &sealed).is_err());
        let other = Uuid::now_v7();
        assert!(open_location(&key, &id, &LocationBinding { recorder: &other, ..b }, &sealed).is_err());
    }

    #[test]
    fn a_note_is_bound_to_its_kind_and_author() {
        let key = DataKey::generate();
        let (id, author) = (Uuid::now_v7(), Uuid::now_v7());
        let sealed = seal_note(&key, &id, "location", &author, "grid 37U");
        assert!(open_note(&key, &id, "location", &author, &sealed).is_ok());
        assert!(open_note(&key, &id, "note", &author, &sealed).is_err());
        assert!(open_note(&key, &id, "location", &Uuid::now_v7(), &sealed).is_err());
    }

    #[test]
    fn an_outbound_payload_is_bound_to_its_row_and_conversation() {
        let key = DataKey::generate();
        let (id, conversation) = (Uuid::now_v7(), Uuid::now_v7());
        let sealed = seal_outbound(&key, &id, &conversation, b"{\"chat_id\":1}");
        assert_eq!(open_outbound(&key, &id, &conversation, &sealed).unwrap().as_slice(), b"{\"chat_id\":1}");
        assert!(open_outbound(&key, &Uuid::now_v7(), &conversation, &sealed).is_err());
        assert!(open_outbound(&key, &id, &Uuid::now_v7(), &sealed).is_err());
        let address = seal_reply_to(&key, &conversation, "12345");
        assert_eq!(open_reply_to(&key, &conversation, &address).unwrap().as_slice(), b"12345");
        assert!(open_reply_to(&key, &id, &address).is_err());
        assert!(open_outbound(&key, &conversation, &conversation, &address).is_err());
    }

    #[test]
    fn a_plan_is_bound_to_its_case_version_and_author() {
        let key = DataKey::generate();
        let (id, case, author) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let sealed = seal_plan(&key, &id, &case, 2, &author, b"{}");
        assert!(open_plan(&key, &id, &case, 2, &author, &sealed).is_ok());
        assert!(open_plan(&key, &id, &case, 3, &author, &sealed).is_err());
        assert!(open_plan(&key, &id, &case, 2, &Uuid::now_v7(), &sealed).is_err());
        assert!(open_plan(&key, &id, &Uuid::now_v7(), 2, &author, &sealed).is_err());
    }
}

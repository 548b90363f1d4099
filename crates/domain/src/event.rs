//! Every change is a typed event. Events carry ids and vocabulary only, never personal data:
//! message bodies, names, notes and locations live encrypted in the store's tables.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::case::{CaseKind, CaseState, CloseReason};
use crate::chat_end::ChatEnd;
use crate::handoff::OperationsStatus;
use crate::ids::{CaseId, ContactId, ConversationId, MessageId, UserId};
use crate::outcome::OutcomeFact;
use crate::role::Role;
use crate::vocabulary::{Channel, Language, LocationSource, Sender, ShredReason};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Event {
    ContactCreated {
        contact: ContactId,
    },
    ChannelIdentityLinked {
        contact: ContactId,
        channel: Channel,
    },
    ConversationStarted {
        conversation: ConversationId,
        contact: ContactId,
        channel: Channel,
        language: Language,
    },
    MessageRecorded {
        conversation: ConversationId,
        message: MessageId,
        sender: Sender,
    },
    /// The conversation waits for a person; `priority` puts it ahead of the rest.
    ConversationQueued {
        conversation: ConversationId,
        priority: bool,
    },
    ConversationAssigned {
        conversation: ConversationId,
        to: UserId,
    },
    ConversationClosed {
        conversation: ConversationId,
        by: UserId,
    },
    TranscriptViewed {
        conversation: ConversationId,
        by: UserId,
    },
    CaseOpened {
        case: CaseId,
        kind: CaseKind,
        conversation: Option<ConversationId>,
        by: UserId,
    },
    CaseAdvanced {
        case: CaseId,
        from: CaseState,
        to: CaseState,
        by: UserId,
        role: Role,
    },
    CaseClosed {
        case: CaseId,
        from: CaseState,
        reason: CloseReason,
        by: UserId,
        role: Role,
    },
    GroupCompositionSet {
        case: CaseId,
        size: u32,
        officers: u32,
        by: UserId,
    },
    CodenameIssued {
        case: CaseId,
    },
    ConversationJoinedCase {
        conversation: ConversationId,
        case: CaseId,
    },
    CaseNoteAdded {
        case: CaseId,
        note: Uuid,
        by: UserId,
    },
    LocationRecorded {
        case: CaseId,
        location: Uuid,
        by: UserId,
    },
    CaseViewed {
        case: CaseId,
        by: UserId,
    },
    /// Crypto-shredding: the keys of the case and its conversations were destroyed. Who did it
    /// and why are absent only in events written before they were recorded.
    CaseShredded {
        case: CaseId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<UserId>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<ShredReason>,
    },
    UserCreated {
        user: UserId,
        role: Role,
    },
    UserLoggedIn {
        user: UserId,
    },
    UserLoginFailed {
        user: UserId,
    },
    UserLoggedOut {
        user: UserId,
    },
    MasterKeyRotated {
        from: String,
        to: String,
    },
    /// The applicant agreed a duress phrase for the case (only its keyed hash is kept).
    DuressPhraseAgreed {
        case: CaseId,
    },
    /// The applicant wrote the agreed duress phrase: the case is flagged, silently.
    CaseFlaggedUnderDuress {
        case: CaseId,
    },
    /// A flow file joined the flow library: its SHA-256 (hex) and the flows it holds. Flow
    /// definitions are configuration, not personal data; the file itself is in `flow_imports`.
    FlowsImported {
        import: Uuid,
        by: UserId,
        digest: String,
        flows: Vec<Uuid>,
        /// The outside action types (`call_webhook`) an administrator allowed for this file.
        /// Left out when none: events written before it existed read, and hash, as they were.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        allowed_outside: Vec<String>,
    },
    /// The flow a new conversation on `channel` starts; None: the flow named "Intake".
    IntakeFlowSet {
        channel: Channel,
        flow: Option<Uuid>,
        by: UserId,
    },
    /// The owner of a new (or reset) account chose a password and confirmed a TOTP code.
    UserActivated {
        user: UserId,
    },
    UserPasswordChanged {
        user: UserId,
    },
    /// The owner enrolled a new TOTP secret (confirmed with a code).
    UserTotpEnrolled {
        user: UserId,
    },
    /// Shut off by an administrator (`by`; the nil id for the command line): sessions end.
    UserDisabled {
        user: UserId,
        by: UserId,
    },
    UserEnabled {
        user: UserId,
        by: UserId,
    },
    UserUnlocked {
        user: UserId,
        by: UserId,
    },
    /// A new one-time password; the old password, TOTP and every session are gone.
    UserReset {
        user: UserId,
        by: UserId,
    },
    UserRoleChanged {
        user: UserId,
        from: Role,
        to: Role,
        by: UserId,
    },
    /// A web chat's bearer token was revoked: the applicant ended the conversation on their
    /// device, pressed quick exit, or it was idle too long. The conversation itself goes on for
    /// the staff; the applicant comes back with their codename.
    ChatSessionEnded {
        conversation: ConversationId,
        reason: ChatEnd,
    },
    /// A coordinator gave the case to a specialist (first or again): `cases.assigned_to` is `to`.
    CaseAssigned {
        case: CaseId,
        to: UserId,
        by: UserId,
    },
    /// The holder (or a coordinator) expects the applicant's next contact by `at_ms`.
    NextContactSet {
        case: CaseId,
        at_ms: i64,
        by: UserId,
    },
    /// The holder issued the case's codename from the console; `replaced`: the old one stopped
    /// working. The codename itself is never in an event.
    CodenameIssuedByStaff {
        case: CaseId,
        by: UserId,
        replaced: bool,
    },
    /// A relative's conversation is linked to the person's case, as a relative's.
    RelativeLinked {
        case: CaseId,
        conversation: ConversationId,
        by: UserId,
    },
    /// The applicant reported "I have been deployed" in a conversation of the case (a flow's
    /// result `deployed`); the holder confirms the move.
    DeployedReported {
        case: CaseId,
        conversation: ConversationId,
    },
    /// A staff member within the case's need-to-know flagged it as a possible provocation; the
    /// reason is sealed under the case's key (`case_flags`), never in the log.
    CaseFlaggedSuspicious {
        case: CaseId,
        by: UserId,
    },
    /// A coordinator looked at the screening signals (which show links between cases).
    SignalsViewed {
        by: UserId,
    },
    /// Crypto-shredding of a conversation that never became a case: its key was destroyed.
    /// `by` is None when the retention timer did it.
    ConversationShredded {
        conversation: ConversationId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<UserId>,
        reason: ShredReason,
    },
    /// A location report was recorded (the place is sealed in `location_reports`). `case` is None
    /// for an applicant's report from a conversation without a case: it stays with the
    /// conversation and shows on its case once the conversation joins one. `by` is the member of
    /// staff, `conversation` the applicant's conversation, whichever recorded it.
    LocationReported {
        case: Option<CaseId>,
        report: Uuid,
        source: LocationSource,
        by: Option<UserId>,
        conversation: Option<ConversationId>,
    },
    /// Someone was shown a case's locations (one per page view that shows them).
    LocationViewed {
        case: CaseId,
        by: UserId,
    },
    /// A new version of a case's exit plan (sealed in `exit_plans`). Written at `plan_approved`
    /// it withdraws the approval: the case is back at `located`.
    PlanDrafted {
        case: CaseId,
        plan: Uuid,
        version: u32,
        by: UserId,
        withdraws_approval: bool,
    },
    PlanSubmitted {
        case: CaseId,
        plan: Uuid,
        version: u32,
        by: UserId,
    },
    /// A coordinator other than the author approved it: the case is at `plan_approved`.
    PlanApproved {
        case: CaseId,
        plan: Uuid,
        version: u32,
        by: UserId,
    },
    /// Sent back to its author with a comment (sealed in `exit_plans`).
    PlanReturned {
        case: CaseId,
        plan: Uuid,
        version: u32,
        by: UserId,
    },
    /// The approved plan's instructions were posted to the applicant in `conversation`.
    PlanInstructionsSent {
        case: CaseId,
        plan: Uuid,
        version: u32,
        conversation: ConversationId,
        by: UserId,
    },
    /// A coordinator handed the approved plan to operations: the case is at `handed_off`.
    CaseHandedOff {
        case: CaseId,
        plan: Uuid,
        by: UserId,
    },
    /// Operations reported on the hand-off (an abort's reason is sealed in `operations_reports`);
    /// `aborted` puts the case back at `located`.
    OperationsReported {
        case: CaseId,
        report: Uuid,
        status: OperationsStatus,
        by: UserId,
    },
    /// The person reached safety: the case is at `exited`.
    ExitRecorded {
        case: CaseId,
        by: UserId,
    },
    OutcomeRecorded {
        case: CaseId,
        fact: OutcomeFact,
        by: UserId,
    },
    /// Operations opened the hand-off package of a case.
    PackageViewed {
        case: CaseId,
        by: UserId,
    },
    /// The package left as a file (`geojson` or `text`).
    PackageExported {
        case: CaseId,
        format: PackageFormat,
        by: UserId,
    },
    /// A reply to a messenger or a call could not be delivered and the platform gave up (the
    /// reason is a short code in `outbox.failure`, never content): staff see it on the
    /// conversation. `message` is the platform's message it carried, if any.
    OutboundFailed {
        conversation: ConversationId,
        message: Option<MessageId>,
    },
    /// The provider reported a change of a call's state (ringing, answered, over, or the
    /// caller hung up while waiting in the queue): a short code, never a number or a call id.
    CallStatusChanged {
        conversation: ConversationId,
        status: CallStatusCode,
    },
    /// An administrator changed how the bot's results are sorted into the figures' categories
    /// (the mapping is configuration, kept in `figures_mapping`).
    FiguresMappingSet {
        by: UserId,
    },
    /// Figures left as a file. `internal`: without disclosure control.
    FiguresExported {
        by: UserId,
        format: FiguresFormat,
        internal: bool,
    },
    /// An administrator allowed (or stopped allowing) an analyst the figures without disclosure
    /// control.
    UserFiguresAccessChanged {
        user: UserId,
        internal: bool,
        by: UserId,
    },
}

/// The file formats figures are exported in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FiguresFormat {
    Csv,
    Json,
}

/// What happened to a call, as recorded in `call_status_changed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallStatusCode {
    Queued,
    Ringing,
    InProgress,
    Completed,
    Busy,
    Failed,
    NoAnswer,
    Canceled,
    /// The caller hung up while waiting for a person (the queue's `hangup` result).
    HungUpWaiting,
}

impl CallStatusCode {
    pub fn as_str(self) -> &'static str {
        match self {
            CallStatusCode::Queued => "queued",
            CallStatusCode::Ringing => "ringing",
            CallStatusCode::InProgress => "in_progress",
            CallStatusCode::Completed => "completed",
            CallStatusCode::Busy => "busy",
            CallStatusCode::Failed => "failed",
            CallStatusCode::NoAnswer => "no_answer",
            CallStatusCode::Canceled => "canceled",
            CallStatusCode::HungUpWaiting => "hung_up_waiting",
        }
    }
}

/// The file formats a hand-off package is exported in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PackageFormat {
    Geojson,
    Text,
}

impl Event {
    /// The event's type name, as stored in the log's `kind` column.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::ContactCreated { .. } => "contact_created",
            Event::ChannelIdentityLinked { .. } => "channel_identity_linked",
            Event::ConversationStarted { .. } => "conversation_started",
            Event::MessageRecorded { .. } => "message_recorded",
            Event::ConversationQueued { .. } => "conversation_queued",
            Event::ConversationAssigned { .. } => "conversation_assigned",
            Event::ConversationClosed { .. } => "conversation_closed",
            Event::TranscriptViewed { .. } => "transcript_viewed",
            Event::CaseOpened { .. } => "case_opened",
            Event::CaseAdvanced { .. } => "case_advanced",
            Event::CaseClosed { .. } => "case_closed",
            Event::GroupCompositionSet { .. } => "group_composition_set",
            Event::CodenameIssued { .. } => "codename_issued",
            Event::ConversationJoinedCase { .. } => "conversation_joined_case",
            Event::CaseNoteAdded { .. } => "case_note_added",
            Event::LocationRecorded { .. } => "location_recorded",
            Event::CaseViewed { .. } => "case_viewed",
            Event::CaseShredded { .. } => "case_shredded",
            Event::UserCreated { .. } => "user_created",
            Event::UserLoggedIn { .. } => "user_logged_in",
            Event::UserLoginFailed { .. } => "user_login_failed",
            Event::UserLoggedOut { .. } => "user_logged_out",
            Event::MasterKeyRotated { .. } => "master_key_rotated",
            Event::DuressPhraseAgreed { .. } => "duress_phrase_agreed",
            Event::CaseFlaggedUnderDuress { .. } => "case_flagged_under_duress",
            Event::FlowsImported { .. } => "flows_imported",
            Event::IntakeFlowSet { .. } => "intake_flow_set",
            Event::UserActivated { .. } => "user_activated",
            Event::UserPasswordChanged { .. } => "user_password_changed",
            Event::UserTotpEnrolled { .. } => "user_totp_enrolled",
            Event::UserDisabled { .. } => "user_disabled",
            Event::UserEnabled { .. } => "user_enabled",
            Event::UserUnlocked { .. } => "user_unlocked",
            Event::UserReset { .. } => "user_reset",
            Event::UserRoleChanged { .. } => "user_role_changed",
            Event::ChatSessionEnded { .. } => "chat_session_ended",
            Event::CaseAssigned { .. } => "case_assigned",
            Event::CaseFlaggedSuspicious { .. } => "case_flagged_suspicious",
            Event::SignalsViewed { .. } => "signals_viewed",
            Event::ConversationShredded { .. } => "conversation_shredded",
            Event::LocationReported { .. } => "location_reported",
            Event::LocationViewed { .. } => "location_viewed",
            Event::PlanDrafted { .. } => "plan_drafted",
            Event::PlanSubmitted { .. } => "plan_submitted",
            Event::PlanApproved { .. } => "plan_approved",
            Event::PlanReturned { .. } => "plan_returned",
            Event::PlanInstructionsSent { .. } => "plan_instructions_sent",
            Event::CaseHandedOff { .. } => "case_handed_off",
            Event::OperationsReported { .. } => "operations_reported",
            Event::ExitRecorded { .. } => "exit_recorded",
            Event::OutcomeRecorded { .. } => "outcome_recorded",
            Event::PackageViewed { .. } => "package_viewed",
            Event::PackageExported { .. } => "package_exported",
            Event::NextContactSet { .. } => "next_contact_set",
            Event::CodenameIssuedByStaff { .. } => "codename_issued_by_staff",
            Event::RelativeLinked { .. } => "relative_linked",
            Event::DeployedReported { .. } => "deployed_reported",
            Event::OutboundFailed { .. } => "outbound_failed",
            Event::CallStatusChanged { .. } => "call_status_changed",
            Event::FiguresMappingSet { .. } => "figures_mapping_set",
            Event::FiguresExported { .. } => "figures_exported",
            Event::UserFiguresAccessChanged { .. } => "user_figures_access_changed",
        }
    }

    /// The case or conversation an event belongs to, for timelines; a case wins over a
    /// conversation so that joining shows on the case's timeline. Message events have none:
    /// the transcript is the messages table, and leaving them out keeps the subject index (and
    /// the hot path that writes it) small.
    pub fn subject(&self) -> Option<Uuid> {
        match self {
            Event::CaseOpened { case, .. }
            | Event::CaseAdvanced { case, .. }
            | Event::CaseClosed { case, .. }
            | Event::GroupCompositionSet { case, .. }
            | Event::CodenameIssued { case }
            | Event::ConversationJoinedCase { case, .. }
            | Event::CaseNoteAdded { case, .. }
            | Event::LocationRecorded { case, .. }
            | Event::CaseViewed { case, .. }
            | Event::CaseShredded { case, .. }
            | Event::DuressPhraseAgreed { case }
            | Event::CaseFlaggedUnderDuress { case }
            | Event::CaseAssigned { case, .. }
            | Event::NextContactSet { case, .. }
            | Event::CodenameIssuedByStaff { case, .. }
            | Event::RelativeLinked { case, .. }
            | Event::DeployedReported { case, .. }
            | Event::PlanDrafted { case, .. }
            | Event::PlanSubmitted { case, .. }
            | Event::PlanApproved { case, .. }
            | Event::PlanReturned { case, .. }
            | Event::PlanInstructionsSent { case, .. }
            | Event::CaseHandedOff { case, .. }
            | Event::OperationsReported { case, .. }
            | Event::ExitRecorded { case, .. }
            | Event::OutcomeRecorded { case, .. }
            | Event::PackageViewed { case, .. }
            | Event::PackageExported { case, .. }
            | Event::CaseFlaggedSuspicious { case, .. }
            | Event::LocationViewed { case, .. } => Some(case.0),
            Event::ConversationShredded { conversation, .. } => Some(conversation.0),
            Event::SignalsViewed { by } => Some(by.0),
            Event::LocationReported { case, conversation, .. } => case.map(|c| c.0).or(conversation.map(|c| c.0)),
            Event::ConversationStarted { conversation, .. }
            | Event::ConversationQueued { conversation, .. }
            | Event::ConversationAssigned { conversation, .. }
            | Event::ConversationClosed { conversation, .. }
            | Event::TranscriptViewed { conversation, .. }
            | Event::ChatSessionEnded { conversation, .. }
            | Event::OutboundFailed { conversation, .. }
            | Event::CallStatusChanged { conversation, .. } => Some(conversation.0),
            Event::UserCreated { user, .. }
            | Event::UserLoggedIn { user }
            | Event::UserLoginFailed { user }
            | Event::UserLoggedOut { user }
            | Event::UserActivated { user }
            | Event::UserPasswordChanged { user }
            | Event::UserTotpEnrolled { user }
            | Event::UserDisabled { user, .. }
            | Event::UserEnabled { user, .. }
            | Event::UserUnlocked { user, .. }
            | Event::UserReset { user, .. }
            | Event::UserRoleChanged { user, .. }
            | Event::UserFiguresAccessChanged { user, .. } => Some(user.0),
            // On the timeline of who did it.
            Event::FiguresMappingSet { by } | Event::FiguresExported { by, .. } => Some(by.0),
            // On the timeline of whoever changed the flows (the nil id for the command line).
            Event::FlowsImported { by, .. } | Event::IntakeFlowSet { by, .. } => Some(by.0),
            Event::ContactCreated { contact } | Event::ChannelIdentityLinked { contact, .. } => Some(contact.0),
            Event::MessageRecorded { .. } | Event::MasterKeyRotated { .. } => None,
        }
    }

    /// The canonical bytes the audit chain hashes: JSON with fields in declaration order.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        // Serialising a plain enum of ids and unit enums to a Vec cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// An event as it sits in the log: its place in the chain and when it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventEnvelope {
    pub seq: i64,
    pub at_ms: i64,
    pub event: Event,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_bytes_round_trip_and_name_the_kind() {
        let event = Event::CaseClosed {
            case: CaseId(Uuid::nil()),
            from: CaseState::Located,
            reason: CloseReason::SuspectedProvocation,
            by: UserId(Uuid::nil()),
            role: Role::Coordinator,
        };
        let bytes = event.canonical_bytes();
        let text = std::str::from_utf8(&bytes).unwrap();
        assert!(text.starts_with(r#"{"type":"case_closed","case":"#), "{text}");
        assert!(text.contains(r#""reason":"suspected_provocation""#));
        let back: Event = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(back, event);
        assert_eq!(back.kind(), "case_closed");
    }

    #[test]
    fn kind_matches_the_serde_tag_for_every_variant() {
        let id = Uuid::nil();
        let samples = [
            Event::ContactCreated { contact: ContactId(id) },
            Event::MessageRecorded { conversation: ConversationId(id), message: MessageId(id), sender: Sender::Bot },
            Event::UserLoggedIn { user: UserId(id) },
            Event::MasterKeyRotated { from: "a".into(), to: "b".into() },
            Event::DuressPhraseAgreed { case: CaseId(id) },
            Event::CaseFlaggedUnderDuress { case: CaseId(id) },
            Event::FlowsImported {
                import: id,
                by: UserId(id),
                digest: "00".into(),
                flows: vec![id],
                allowed_outside: vec!["call_webhook".into()],
            },
            Event::IntakeFlowSet { channel: Channel::Web, flow: None, by: UserId(id) },
            Event::UserActivated { user: UserId(id) },
            Event::UserPasswordChanged { user: UserId(id) },
            Event::UserTotpEnrolled { user: UserId(id) },
            Event::UserDisabled { user: UserId(id), by: UserId(id) },
            Event::UserEnabled { user: UserId(id), by: UserId(id) },
            Event::UserUnlocked { user: UserId(id), by: UserId(id) },
            Event::UserReset { user: UserId(id), by: UserId(id) },
            Event::UserRoleChanged { user: UserId(id), from: Role::Operator, to: Role::Admin, by: UserId(id) },
            Event::ChatSessionEnded { conversation: ConversationId(id), reason: ChatEnd::QuickExit },
            Event::CaseAssigned { case: CaseId(id), to: UserId(id), by: UserId(id) },
            Event::CaseFlaggedSuspicious { case: CaseId(id), by: UserId(id) },
            Event::SignalsViewed { by: UserId(id) },
            Event::ConversationShredded {
                conversation: ConversationId(id),
                by: None,
                reason: ShredReason::RetentionEnded,
            },
            Event::LocationReported {
                case: Some(CaseId(id)),
                report: id,
                source: LocationSource::Browser,
                by: None,
                conversation: Some(ConversationId(id)),
            },
            Event::LocationViewed { case: CaseId(id), by: UserId(id) },
            Event::PlanDrafted { case: CaseId(id), plan: id, version: 1, by: UserId(id), withdraws_approval: false },
            Event::PlanSubmitted { case: CaseId(id), plan: id, version: 1, by: UserId(id) },
            Event::PlanApproved { case: CaseId(id), plan: id, version: 1, by: UserId(id) },
            Event::PlanReturned { case: CaseId(id), plan: id, version: 1, by: UserId(id) },
            Event::PlanInstructionsSent {
                case: CaseId(id),
                plan: id,
                version: 1,
                conversation: ConversationId(id),
                by: UserId(id),
            },
            Event::CaseHandedOff { case: CaseId(id), plan: id, by: UserId(id) },
            Event::OperationsReported {
                case: CaseId(id),
                report: id,
                status: OperationsStatus::Aborted,
                by: UserId(id),
            },
            Event::ExitRecorded { case: CaseId(id), by: UserId(id) },
            Event::OutcomeRecorded {
                case: CaseId(id),
                fact: OutcomeFact::Choice { choice: crate::outcome::ExitChoice::Staying },
                by: UserId(id),
            },
            Event::PackageViewed { case: CaseId(id), by: UserId(id) },
            Event::PackageExported { case: CaseId(id), format: PackageFormat::Geojson, by: UserId(id) },
            Event::NextContactSet { case: CaseId(id), at_ms: 1, by: UserId(id) },
            Event::CodenameIssuedByStaff { case: CaseId(id), by: UserId(id), replaced: true },
            Event::RelativeLinked { case: CaseId(id), conversation: ConversationId(id), by: UserId(id) },
            Event::DeployedReported { case: CaseId(id), conversation: ConversationId(id) },
            Event::OutboundFailed { conversation: ConversationId(id), message: Some(MessageId(id)) },
            Event::OutboundFailed { conversation: ConversationId(id), message: None },
            Event::CallStatusChanged { conversation: ConversationId(id), status: CallStatusCode::HungUpWaiting },
            Event::CallStatusChanged { conversation: ConversationId(id), status: CallStatusCode::InProgress },
            Event::FiguresMappingSet { by: UserId(id) },
            Event::FiguresExported { by: UserId(id), format: FiguresFormat::Csv, internal: true },
            Event::UserFiguresAccessChanged { user: UserId(id), internal: false, by: UserId(id) },
        ];
        for e in samples {
            let value: serde_json::Value = serde_json::from_slice(&e.canonical_bytes()).unwrap();
            assert_eq!(value["type"], e.kind());
            let back: Event = serde_json::from_slice(&e.canonical_bytes()).unwrap();
            assert_eq!(back, e, "round trip of {}", e.kind());
        }
    }

    #[test]
    fn call_status_codes_are_spelt_as_serialised() {
        use CallStatusCode::*;
        for code in [Queued, Ringing, InProgress, Completed, Busy, Failed, NoAnswer, Canceled, HungUpWaiting] {
            assert_eq!(serde_json::to_value(code).unwrap(), code.as_str());
        }
    }

    #[test]
    fn a_shred_written_before_who_and_why_keeps_its_bytes() {
        let old = r#"{"type":"case_shredded","case":"00000000-0000-0000-0000-000000000000"}"#;
        let event: Event = serde_json::from_str(old).unwrap();
        assert_eq!(event, Event::CaseShredded { case: CaseId(Uuid::nil()), by: None, reason: None });
        assert_eq!(event.canonical_bytes(), old.as_bytes());
        let new = Event::CaseShredded {
            case: CaseId(Uuid::nil()),
            by: Some(UserId(Uuid::nil())),
            reason: Some(ShredReason::SafetyRisk),
        };
        let text = String::from_utf8(new.canonical_bytes()).unwrap();
        assert!(text.ends_with(r#""reason":"safety_risk"}"#), "{text}");
    }

    #[test]
    fn an_import_without_allowance_keeps_the_bytes_it_always_had() {
        // Written before `allowed_outside` existed: reads, and serialises to the same bytes, so
        // the chain links computed over them still verify.
        let old = r#"{"type":"flows_imported","import":"00000000-0000-0000-0000-000000000000","by":"00000000-0000-0000-0000-000000000000","digest":"00","flows":[]}"#;
        let event: Event = serde_json::from_str(old).unwrap();
        assert!(matches!(&event, Event::FlowsImported { allowed_outside, .. } if allowed_outside.is_empty()));
        assert_eq!(event.canonical_bytes(), old.as_bytes());
        let allowed = Event::FlowsImported {
            import: Uuid::nil(),
            by: UserId(Uuid::nil()),
            digest: "00".into(),
            flows: Vec::new(),
            allowed_outside: vec!["call_webhook".into()],
        };
        let bytes = allowed.canonical_bytes();
        assert!(std::str::from_utf8(&bytes).unwrap().ends_with(r#","allowed_outside":["call_webhook"]}"#));
        assert_eq!(serde_json::from_slice::<Event>(&bytes).unwrap(), allowed);
    }
}

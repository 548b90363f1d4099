//! Writes of the exit path (plans, hand-offs, operations' reports, outcomes), as one `Op`
//! variant so the shared op list grows by a line. Guarded where two people may race: two
//! coordinators deciding one plan, two reports on one hand-off, two saves of one version.

use safepassage_domain::{CaseId, CaseState, OperationsStatus, PlanStatus, UserId};
use uuid::Uuid;

#[derive(Debug, Clone)]
pub(crate) enum ExitOp {
    /// Guarded: the case is still in `case_state` and has no version `version` or newer.
    InsertPlan {
        id: Uuid,
        case: CaseId,
        version: u32,
        author: UserId,
        body_ct: Vec<u8>,
        case_state: CaseState,
    },
    /// Guarded: the plan is still `from` and still its case's newest version, so of two
    /// coordinators deciding at once exactly one wins.
    SetPlanStatus {
        id: Uuid,
        from: PlanStatus,
        to: PlanStatus,
        reviewer: Option<UserId>,
        comment_ct: Option<Vec<u8>>,
    },
    /// Guarded: an approved plan is handed off once.
    MarkHandedOff {
        id: Uuid,
    },
    /// Guarded: the hand-off has exactly `reports_before` reports, so two reports on the same
    /// last one cannot both be written.
    InsertReport {
        id: Uuid,
        case: CaseId,
        plan: Uuid,
        status: OperationsStatus,
        by: UserId,
        reason_ct: Option<Vec<u8>>,
        reports_before: i64,
    },
    InsertOutcome {
        id: Uuid,
        case: CaseId,
        aspect: &'static str,
        value: &'static str,
        by: UserId,
    },
}

/// A plan version as stored: its body still sealed.
#[derive(Debug, Clone)]
pub(crate) struct RawPlan {
    pub id: Uuid,
    pub case: Uuid,
    pub version: i64,
    pub status: String,
    pub author: Uuid,
    pub reviewer: Option<Uuid>,
    pub body_ct: Vec<u8>,
    pub comment_ct: Option<Vec<u8>>,
    pub created_ms: i64,
    pub submitted_ms: Option<i64>,
    pub decided_ms: Option<i64>,
    pub handed_off_ms: Option<i64>,
    pub key_id: Uuid,
    pub key_alive: bool,
}

/// An operations report as stored.
#[derive(Debug, Clone)]
pub(crate) struct RawReport {
    pub id: Uuid,
    pub plan: Uuid,
    pub status: String,
    pub by: Uuid,
    pub reason_ct: Option<Vec<u8>>,
    pub at_ms: i64,
    pub key_id: Uuid,
    pub key_alive: bool,
}

/// One outcome fact as stored.
#[derive(Debug, Clone)]
pub(crate) struct RawOutcome {
    pub aspect: String,
    pub value: String,
    pub by: Uuid,
    pub at_ms: i64,
}

/// A plan waiting for a coordinator: the case's newest version, submitted, the case located.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanToApprove {
    pub case: CaseId,
    pub plan: Uuid,
    pub version: u32,
    pub author: UserId,
    pub submitted_ms: i64,
}

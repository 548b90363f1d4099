//! Writes of the figures (ARCHITECTURE.md, "Figures"), as one `Op` variant: counters added to,
//! the projection's clocks, its cursor (a guarded move, so two nodes never project the same
//! events twice), the mapping of the bot's results, and who may see figures without
//! disclosure control.

use safepassage_domain::figures::tally::{CaseClock, QueueClock};
use safepassage_domain::{CaseId, ConversationId, UserId};

#[derive(Debug, Clone)]
pub(crate) enum FiguresOp {
    /// Guarded: the cursor is still at `from`; it moves to `to` (the last event projected).
    Advance {
        from: i64,
        to: i64,
    },
    /// Adds `delta` to a counter, creating it at zero.
    Count {
        metric: &'static str,
        day: i32,
        a: String,
        b: String,
        delta: i64,
    },
    CaseClock {
        case: CaseId,
        clock: CaseClock,
    },
    /// None: the conversation no longer waits.
    QueueClock {
        conversation: ConversationId,
        clock: Option<QueueClock>,
    },
    /// Adds to the conversations a member of staff took on a day.
    Taken {
        day: i32,
        user: UserId,
        delta: i64,
    },
    SetMapping {
        rules: String,
    },
    /// Guarded: the user exists.
    SetInternal {
        user: UserId,
        internal: bool,
    },
}

/// One counter as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FigureRow {
    pub metric: String,
    pub day: i32,
    pub a: String,
    pub b: String,
    pub n: i64,
}

/// A case clock as stored (strings not yet read back into the domain's words).
#[derive(Debug, Clone)]
pub(crate) struct RawCaseClock {
    pub case: uuid::Uuid,
    pub state: String,
    pub kind: String,
    pub size: i64,
    pub officers: i64,
    pub since_ms: i64,
}

impl RawCaseClock {
    pub(crate) fn read(self) -> Option<(CaseId, CaseClock)> {
        let state = self.state.parse().ok()?;
        let kind = match self.kind.as_str() {
            "individual" => safepassage_domain::CaseKind::Individual,
            "group" => safepassage_domain::CaseKind::Group,
            _ => return None,
        };
        let size = u32::try_from(self.size).ok()?;
        let officers = u32::try_from(self.officers).ok()?;
        Some((CaseId(self.case), CaseClock { state, kind, size, officers, since_ms: self.since_ms }))
    }
}

pub(crate) fn kind_str(kind: safepassage_domain::CaseKind) -> &'static str {
    match kind {
        safepassage_domain::CaseKind::Individual => "individual",
        safepassage_domain::CaseKind::Group => "group",
    }
}

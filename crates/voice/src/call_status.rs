//! The state of a call as the provider reports it in `CallStatus`
//! (<https://www.twilio.com/docs/voice/api/call-resource#call-status-values>).

use std::fmt;

/// A call's status. `Completed`, `Busy`, `Failed`, `NoAnswer` and `Canceled` are final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallStatus {
    Queued,
    Ringing,
    InProgress,
    Completed,
    Busy,
    Failed,
    NoAnswer,
    Canceled,
}

impl CallStatus {
    /// Every status, for tests and exhaustive tables.
    pub const ALL: [CallStatus; 8] = [
        CallStatus::Queued,
        CallStatus::Ringing,
        CallStatus::InProgress,
        CallStatus::Completed,
        CallStatus::Busy,
        CallStatus::Failed,
        CallStatus::NoAnswer,
        CallStatus::Canceled,
    ];

    /// The provider's spelling (`in-progress`, `no-answer`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            CallStatus::Queued => "queued",
            CallStatus::Ringing => "ringing",
            CallStatus::InProgress => "in-progress",
            CallStatus::Completed => "completed",
            CallStatus::Busy => "busy",
            CallStatus::Failed => "failed",
            CallStatus::NoAnswer => "no-answer",
            CallStatus::Canceled => "canceled",
        }
    }

    /// Reads the provider's spelling; `None` for anything else.
    pub fn from_provider(value: &str) -> Option<CallStatus> {
        CallStatus::ALL.into_iter().find(|s| s.as_str() == value)
    }

    /// Whether the call is over: nothing more will happen on it.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            CallStatus::Completed | CallStatus::Busy | CallStatus::Failed | CallStatus::NoAnswer | CallStatus::Canceled
        )
    }
}

impl fmt::Display for CallStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_round_trip() {
        for status in CallStatus::ALL {
            assert_eq!(CallStatus::from_provider(status.as_str()), Some(status));
        }
        assert_eq!(CallStatus::from_provider("cancelled"), None);
    }
}

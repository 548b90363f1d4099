//! Why an applicant's web chat session (its bearer token) ended. Vocabulary only: the event
//! that carries it names the conversation and nothing of the applicant.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChatEnd {
    /// The applicant chose "end this conversation on this device".
    Ended,
    /// The applicant pressed quick exit.
    QuickExit,
    /// Nothing was written in the conversation for the idle time (`chat_idle_hours`).
    Expired,
}

impl ChatEnd {
    pub fn as_str(self) -> &'static str {
        match self {
            ChatEnd::Ended => "ended",
            ChatEnd::QuickExit => "quick_exit",
            ChatEnd::Expired => "expired",
        }
    }
}

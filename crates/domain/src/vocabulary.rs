//! Small closed vocabularies shared by every layer: channels, languages, who sent a message.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("unknown {what}; expected one of: {allowed}")]
    Unknown { what: &'static str, allowed: &'static str },
}

macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident, $what:literal, { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = ParseError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(ParseError::Unknown { what: $what, allowed: concat!($($text, " "),+) }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary!(
    /// The channel a conversation runs on.
    Channel, "channel", { Web => "web", Telegram => "telegram", Voice => "voice", Whatsapp => "whatsapp" }
);
vocabulary!(
    /// Languages applicants and staff read.
    Language, "language", { Ru => "ru", Uk => "uk", En => "en" }
);
vocabulary!(
    /// Who wrote a message.
    Sender, "sender", { Applicant => "applicant", Bot => "bot", Staff => "staff" }
);
vocabulary!(
    /// Who an applicant is, as the figures count them (the intake flows' answers, mapped).
    Who, "kind of applicant", {
        Serviceman => "serviceman",
        Mobilised => "mobilised",
        Officer => "officer",
        Relative => "relative",
        Other => "other",
    }
);
vocabulary!(
    /// Where an applicant says they are, as the figures count it: never below country level.
    Whereabouts, "whereabouts", { InsideRussia => "inside_russia", Occupied => "occupied", Elsewhere => "elsewhere" }
);
vocabulary!(
    /// Why a case was crypto-shredded: a closed list, so the audit log never holds free text.
    ShredReason, "shred reason", {
        ApplicantRequest => "applicant_request",
        SafetyRisk => "safety_risk",
        RetentionEnded => "retention_ended",
        EnteredInError => "entered_in_error"
    }
);
vocabulary!(
    /// Where a location report came from: typed by the applicant, a messenger's location share,
    /// the applicant's browser (geolocation), or a member of staff from a call.
    LocationSource, "location source", {
        ApplicantTyped => "applicant_typed",
        Messenger => "messenger",
        Browser => "browser",
        StaffCall => "staff_call"
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabularies_round_trip_and_refuse_unknown_words() {
        for c in Channel::ALL {
            assert_eq!(c.as_str().parse::<Channel>().unwrap(), *c);
        }
        assert_eq!("uk".parse::<Language>().unwrap(), Language::Uk);
        let err = "de".parse::<Language>().unwrap_err();
        assert!(err.to_string().contains("ru uk en"), "{err}");
        assert_eq!("bot".parse::<Sender>().unwrap(), Sender::Bot);
    }
}

//! Typed identifiers. The edge generates them (UUIDv7 for index locality) and hands them in;
//! the domain never creates one, so it stays deterministic.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            pub fn as_bytes(&self) -> &[u8; 16] {
                self.0.as_bytes()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// A pseudonymous person: known only by keyed hashes of their channel identities.
    ContactId
);
id_type!(
    /// One conversation of a contact on one channel.
    ConversationId
);
id_type!(
    /// One message of a conversation.
    MessageId
);
id_type!(
    /// A case: one applicant or a group under one plan.
    CaseId
);
id_type!(
    /// A staff member.
    UserId
);

impl UserId {
    /// The platform itself (the bot) as the actor of an event: no staff account has it.
    pub const SYSTEM: UserId = UserId(Uuid::nil());
}

//! Settings of the HTTP layer.

use std::collections::BTreeMap;

use safepassage_domain::Language;

#[derive(Debug, Clone, Default)]
pub struct ServerConfig {
    /// Mark cookies `Secure`: set when the platform is reached over TLS (directly or through a
    /// terminating proxy). Onion services are plain HTTP to the browser and leave it off.
    pub secure_cookies: bool,
    /// Greeting for a new web conversation, per language; a language without one uses the
    /// shipped text (`chat-greeting` in the Fluent files).
    pub greetings: BTreeMap<Language, String>,
}

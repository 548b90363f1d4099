//! A voice line's settings: the provider account it belongs to and the public address the
//! provider calls. The auth token comes from a file or the environment, never the database.

use zeroize::Zeroizing;

/// One phone line (a number at the provider) the platform answers.
#[derive(Clone)]
pub struct VoiceLine {
    /// The name in its webhooks' paths (`/channels/voice/{name}/…`) and in its calls' reply
    /// addresses: letters, digits, `-` and `_`.
    pub name: String,
    /// The provider account (`AccountSid`); a request naming another account is refused.
    pub account_sid: String,
    /// Signs the provider's requests (`X-Twilio-Signature`) and authenticates call updates.
    pub auth_token: Zeroizing<String>,
    /// The provider's REST API (`https://api.twilio.com`; a fake one in tests).
    pub api_base_url: String,
    /// The exact public origin the provider calls (`https://hotline.example`): the signature is
    /// computed over it, the path and the query, so it must be what the provider was given.
    pub public_url: String,
    /// The number the operator's phone shows when a caller is connected to it (the line's own
    /// number); None lets the provider choose, which may show the caller's number.
    pub caller_id: Option<String>,
}

impl VoiceLine {
    /// A line on the provider's own API.
    pub fn new(name: &str, account_sid: &str, auth_token: Zeroizing<String>, public_url: &str) -> VoiceLine {
        VoiceLine {
            name: name.to_owned(),
            account_sid: account_sid.to_owned(),
            auth_token,
            api_base_url: safepassage_voice::call_control::DEFAULT_BASE_URL.to_owned(),
            public_url: public_url.trim_end_matches('/').to_owned(),
            caller_id: None,
        }
    }

    /// Whether `name` can stand in a path and a reply address.
    pub fn is_valid_name(name: &str) -> bool {
        (1..=32).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    }

    /// The public URL of one of this line's webhooks (`call`, `gather`, `wait`, `status`).
    pub fn url(&self, hook: &str) -> String {
        format!("{}/channels/voice/{}/{hook}", self.public_url.trim_end_matches('/'), self.name)
    }

    /// The provider's queue this line's callers wait in.
    pub fn queue(&self) -> String {
        format!("safepassage-{}", self.name)
    }
}

impl std::fmt::Debug for VoiceLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VoiceLine")
            .field("name", &self.name)
            .field("account_sid", &"<hidden>")
            .field("auth_token", &"<hidden>")
            .field("api_base_url", &self.api_base_url)
            .field("public_url", &self.public_url)
            .field("caller_id", &self.caller_id.as_ref().map(|_| "<hidden>"))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_token_and_urls_are_under_the_public_origin() {
        let line = VoiceLine::new("main", "AC0123", Zeroizing::new("sekret-token".into()), "https://hotline.example/");
        let shown = format!("{line:?}");
        assert!(!shown.contains("sekret") && !shown.contains("AC0123"), "{shown}");
        assert_eq!(line.url("gather"), "https://hotline.example/channels/voice/main/gather");
        assert!(VoiceLine::is_valid_name("main-2") && !VoiceLine::is_valid_name("a/b"));
    }
}

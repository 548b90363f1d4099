//! The provider's REST request that changes a live call
//! (<https://www.twilio.com/docs/voice/api/call-resource#update-a-call-resource>).
//!
//! A webhook can only answer the request it came with; to act on a call at another moment
//! (an operator takes a waiting caller, the operator or the caller's safety needs the call
//! ended) we post to `/2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}.json` with new TwiML,
//! a new URL, or `Status=completed`, authenticated with HTTP basic auth (account id and auth
//! token). Errors say what went wrong by kind only: reqwest's own errors carry the URL, which
//! holds the call id, so none is passed on.

use std::fmt;
use std::time::Duration;

/// The provider's API when no other is configured.
pub const DEFAULT_BASE_URL: &str = "https://api.twilio.com";
/// How long one call update may take in all (connect, send, answer).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest TwiML sent in one update (Twilio's documented limit is 4,000 characters).
pub const MAX_TWIML_BYTES: usize = 4000;

/// Why a call update failed. Carries no id, number or token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallControlError {
    #[error("the call id or account id has characters not allowed in an id")]
    BadSid,
    #[error("the API base URL is not an http(s) URL")]
    BadBaseUrl,
    #[error("the TwiML is longer than {MAX_TWIML_BYTES} bytes")]
    TwimlTooLong,
    #[error("the HTTP client could not be built")]
    Client,
    #[error("the provider did not answer in time")]
    Timeout,
    #[error("the provider could not be reached")]
    Connect,
    #[error("the request to the provider failed")]
    Request,
    #[error("the provider refused the credentials (HTTP {0})")]
    Unauthorized(u16),
    #[error("the provider does not know this call, or it is over (HTTP 404)")]
    CallNotFound,
    #[error("the provider answered HTTP {0}")]
    Status(u16),
}

/// A client of the provider's call-update API for one account.
#[derive(Clone)]
pub struct CallControl {
    base_url: String,
    account_sid: String,
    auth_token: String,
    http: reqwest::Client,
}

impl fmt::Debug for CallControl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallControl")
            .field("base_url", &self.base_url)
            .field("account_sid", &"[redacted]")
            .field("auth_token", &"[redacted]")
            .finish()
    }
}

impl CallControl {
    /// A client for `base_url` (e.g. [`DEFAULT_BASE_URL`], or a SignalWire space URL, or a
    /// test fake), without a trailing slash needed.
    pub fn new(base_url: &str, account_sid: &str, auth_token: &str) -> Result<CallControl, CallControlError> {
        let base_url = base_url.trim_end_matches('/');
        if !(base_url.starts_with("https://") || base_url.starts_with("http://")) {
            return Err(CallControlError::BadBaseUrl);
        }
        check_sid(account_sid)?;
        let http = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(REQUEST_TIMEOUT / 2)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|_| CallControlError::Client)?;
        Ok(CallControl {
            base_url: base_url.to_owned(),
            account_sid: account_sid.to_owned(),
            auth_token: auth_token.to_owned(),
            http,
        })
    }

    /// Replaces what the call is doing with `twiml` (form parameter `Twiml`).
    pub async fn update_call_twiml(&self, call_sid: &str, twiml: &str) -> Result<(), CallControlError> {
        if twiml.len() > MAX_TWIML_BYTES {
            return Err(CallControlError::TwimlTooLong);
        }
        self.update(call_sid, &[("Twiml", twiml)]).await
    }

    /// Sends the call to fetch its next TwiML from `url` (form parameters `Url`, `Method=POST`).
    pub async fn redirect_call(&self, call_sid: &str, url: &str) -> Result<(), CallControlError> {
        self.update(call_sid, &[("Url", url), ("Method", "POST")]).await
    }

    /// Ends the call (`Status=completed`).
    pub async fn hang_up(&self, call_sid: &str) -> Result<(), CallControlError> {
        self.update(call_sid, &[("Status", "completed")]).await
    }

    async fn update(&self, call_sid: &str, params: &[(&str, &str)]) -> Result<(), CallControlError> {
        check_sid(call_sid)?;
        let url = format!("{}/2010-04-01/Accounts/{}/Calls/{}.json", self.base_url, self.account_sid, call_sid);
        let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish();
        let response = self
            .http
            .post(url)
            .basic_auth(&self.account_sid, Some(&self.auth_token))
            .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .map_err(|e| {
                if e.is_timeout() {
                    CallControlError::Timeout
                } else if e.is_connect() {
                    CallControlError::Connect
                } else {
                    CallControlError::Request
                }
            })?;
        let status = response.status().as_u16();
        match status {
            200..=299 => Ok(()),
            401 | 403 => Err(CallControlError::Unauthorized(status)),
            404 => Err(CallControlError::CallNotFound),
            _ => {
                tracing::warn!(status, "call update refused by the provider");
                Err(CallControlError::Status(status))
            }
        }
    }
}

/// An id goes into the request path: no `/`, `.`, `?`, `%` that could change it.
fn check_sid(sid: &str) -> Result<(), CallControlError> {
    if crate::webhook::is_plain_id(sid) {
        Ok(())
    } else {
        Err(CallControlError::BadSid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_credentials() {
        let control = CallControl::new(DEFAULT_BASE_URL, "AC123", "sekret-token").unwrap();
        let shown = format!("{control:?}");
        assert!(!shown.contains("AC123") && !shown.contains("sekret"), "{shown}");
    }

    #[test]
    fn refuses_path_changing_ids() {
        assert_eq!(CallControl::new(DEFAULT_BASE_URL, "../AC", "t").unwrap_err(), CallControlError::BadSid);
        assert_eq!(CallControl::new("ftp://x", "AC1", "t").unwrap_err(), CallControlError::BadBaseUrl);
    }

    #[tokio::test]
    async fn refuses_bad_call_sid_before_sending() {
        let control = CallControl::new("http://127.0.0.1:9", "AC1", "t").unwrap();
        assert_eq!(control.hang_up("CA1/../x").await, Err(CallControlError::BadSid));
        assert_eq!(
            control.update_call_twiml("CA1", &"x".repeat(MAX_TWIML_BYTES + 1)).await,
            Err(CallControlError::TwimlTooLong)
        );
    }
}

//! A test phone: plays the provider's part against our server over a real socket.
//!
//! It posts a call's webhooks as the provider does (the same parameters, form-encoded, signed
//! with `X-Twilio-Signature` over the exact URL it posts to), reads the TwiML answered as the
//! provider would ([`crate::heard`]) and follows it on request: keys pressed into a
//! `<Gather>`, a `<Redirect>`, an `<Enqueue>`'s wait URL and action, status callbacks. Tests of
//! the server thus walk a whole call without the provider and without mocking our own code.
//! It also sends unsigned and wrongly signed requests, which the server must refuse.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher as _, Hasher as _};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::Url;

use crate::call_status::CallStatus;
use crate::heard::{parse_twiml, Heard, HeardError};
use crate::signature::{signature, SIGNATURE_HEADER};

/// The API version the provider names in its webhooks.
const API_VERSION: &str = "2010-04-01";

/// What went wrong on the phone's side (not the server's answer: see [`Call::last_status`]).
#[derive(Debug, thiserror::Error)]
pub enum TestPhoneError {
    #[error("bad URL: {0}")]
    Url(String),
    #[error("the request could not be sent: {0}")]
    Http(String),
    #[error("the answer is not TwiML: {0}")]
    Twiml(#[from] HeardError),
    #[error("the last TwiML has no {0}")]
    Nothing(&'static str),
}

struct PhoneInner {
    base_url: String,
    auth_token: String,
    account_sid: String,
    http: reqwest::Client,
}

/// A phone that calls our server as the provider would, for one account.
#[derive(Clone)]
pub struct TestPhone {
    inner: Arc<PhoneInner>,
}

impl TestPhone {
    /// A phone calling the server at `base_url` (e.g. `http://127.0.0.1:port`), signing with
    /// `auth_token` and naming `account_sid` in its requests.
    pub fn new(base_url: &str, auth_token: &str, account_sid: &str) -> TestPhone {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        TestPhone {
            inner: Arc::new(PhoneInner {
                base_url: base_url.trim_end_matches('/').to_owned(),
                auth_token: auth_token.to_owned(),
                account_sid: account_sid.to_owned(),
                http,
            }),
        }
    }

    /// The full URL for a path on the server (`/voice/incoming` → `http://…/voice/incoming`).
    pub fn url_for(&self, path: &str) -> Result<Url, TestPhoneError> {
        let base = Url::parse(&format!("{}/", self.inner.base_url)).map_err(|e| TestPhoneError::Url(e.to_string()))?;
        base.join(path).map_err(|e| TestPhoneError::Url(e.to_string()))
    }

    /// Rings the server: posts the first webhook of a new inbound call to `path` and reads the
    /// answer. A non-2xx answer is not an error: see [`Call::last_status`].
    pub async fn call(&self, path: &str, from: &str, to: &str) -> Result<Call, TestPhoneError> {
        let mut call = Call {
            phone: self.clone(),
            call_sid: new_call_sid(),
            from: from.to_owned(),
            to: to.to_owned(),
            status: CallStatus::Ringing,
            started: Instant::now(),
            current_url: self.url_for(path)?,
            heard: Heard::default(),
            last_status: 0,
            last_body: String::new(),
        };
        let url = call.current_url.clone();
        call.fetch_twiml(url, &[]).await?;
        Ok(call)
    }

    /// Posts `params` to `path` without any signature header; returns the HTTP status.
    pub async fn post_unsigned(&self, path: &str, params: &[(String, String)]) -> Result<u16, TestPhoneError> {
        let url = self.url_for(path)?;
        let (status, _) = self.post(url, params, None).await?;
        Ok(status)
    }

    /// Posts `params` to `path` with `signature` as the signature header; returns the status.
    pub async fn post_with_signature(
        &self,
        path: &str,
        params: &[(String, String)],
        signature: &str,
    ) -> Result<u16, TestPhoneError> {
        let url = self.url_for(path)?;
        let (status, _) = self.post(url, params, Some(signature)).await?;
        Ok(status)
    }

    /// Posts `params` to `path`, correctly signed; returns the status and the body.
    pub async fn post_signed(&self, path: &str, params: &[(String, String)]) -> Result<(u16, String), TestPhoneError> {
        let url = self.url_for(path)?;
        let signed = signature(&self.inner.auth_token, url.as_str(), params);
        self.post(url, params, Some(&signed)).await
    }

    async fn post(
        &self,
        url: Url,
        params: &[(String, String)],
        signature: Option<&str>,
    ) -> Result<(u16, String), TestPhoneError> {
        let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish();
        let mut request = self
            .inner
            .http
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body);
        if let Some(signature) = signature {
            request = request.header(SIGNATURE_HEADER, signature);
        }
        let response = request.send().await.map_err(|e| TestPhoneError::Http(e.to_string()))?;
        let status = response.status().as_u16();
        let text = response.text().await.map_err(|e| TestPhoneError::Http(e.to_string()))?;
        Ok((status, text))
    }
}

/// One call in progress on the test phone.
pub struct Call {
    phone: TestPhone,
    call_sid: String,
    from: String,
    to: String,
    status: CallStatus,
    started: Instant,
    current_url: Url,
    heard: Heard,
    last_status: u16,
    last_body: String,
}

impl Call {
    /// The call's id (`CallSid`), `CA` and 32 hex digits.
    pub fn sid(&self) -> &str {
        &self.call_sid
    }

    /// What the last TwiML answered made the caller hear (empty after a non-2xx answer).
    pub fn heard(&self) -> &Heard {
        &self.heard
    }

    /// The HTTP status of the last request the phone made.
    pub fn last_status(&self) -> u16 {
        self.last_status
    }

    /// The body of the last answer, as received.
    pub fn last_body(&self) -> &str {
        &self.last_body
    }

    /// The URL of the last TwiML document fetched.
    pub fn current_url(&self) -> &str {
        self.current_url.as_str()
    }

    /// Presses `digits` into the last `<Gather>`: posts `Digits` to its action.
    pub async fn press(&mut self, digits: &str) -> Result<&Heard, TestPhoneError> {
        let gather = self.heard.gather.clone().ok_or(TestPhoneError::Nothing("<Gather>"))?;
        let url = self.resolve(&gather.action)?;
        let mut extra = vec![("Digits".to_owned(), digits.to_owned())];
        if let Some(key) = gather.finish_on_key.filter(|k| !k.is_empty()) {
            if digits.ends_with(key.as_str()) {
                extra = vec![
                    ("Digits".to_owned(), digits.trim_end_matches(key.as_str()).to_owned()),
                    ("FinishedOnKey".to_owned(), key),
                ];
            }
        }
        self.fetch_twiml(url, &extra).await?;
        Ok(&self.heard)
    }

    /// Follows the last `<Redirect>`.
    pub async fn follow_redirect(&mut self) -> Result<&Heard, TestPhoneError> {
        let target = self.heard.redirect.clone().ok_or(TestPhoneError::Nothing("<Redirect>"))?;
        let url = self.resolve(&target)?;
        self.fetch_twiml(url, &[]).await?;
        Ok(&self.heard)
    }

    /// Fetches the last `<Enqueue>`'s wait URL as the provider does while the caller waits
    /// (first in the queue), and returns what it plays. The call stays in the queue.
    pub async fn wait_in_queue(&mut self) -> Result<Heard, TestPhoneError> {
        let enqueue = self.heard.enqueue.clone().ok_or(TestPhoneError::Nothing("<Enqueue>"))?;
        let url = self.resolve(&enqueue.wait_url)?;
        let waited = self.started.elapsed().as_secs().to_string();
        let extra = [
            ("QueuePosition", "1"),
            ("QueueSid", "QU00000000000000000000000000000000"),
            ("QueueTime", waited.as_str()),
            ("AvgQueueTime", waited.as_str()),
            ("CurrentQueueSize", "1"),
            ("MaxQueueSize", "100"),
        ];
        let params = self.params_with(&pairs(&extra));
        let (status, body) = self.signed_post(url, &params).await?;
        self.last_status = status;
        self.last_body = body.clone();
        if !(200..300).contains(&status) {
            return Ok(Heard::default());
        }
        Ok(parse_twiml(&body)?)
    }

    /// Ends the caller's wait as the provider does: posts `QueueResult` (`hangup`, `leave`,
    /// `bridged`, …) to the last `<Enqueue>`'s action and reads the TwiML answered.
    pub async fn leave_queue(&mut self, queue_result: &str) -> Result<&Heard, TestPhoneError> {
        let enqueue = self.heard.enqueue.clone().ok_or(TestPhoneError::Nothing("<Enqueue>"))?;
        let action = enqueue.action.ok_or(TestPhoneError::Nothing("<Enqueue action>"))?;
        let url = self.resolve(&action)?;
        let waited = self.started.elapsed().as_secs().to_string();
        let extra = [
            ("QueueResult", queue_result),
            ("QueueSid", "QU00000000000000000000000000000000"),
            ("QueueTime", waited.as_str()),
        ];
        self.fetch_twiml(url, &pairs(&extra)).await?;
        Ok(&self.heard)
    }

    /// Posts a status callback with `status` to `path` (on the server); returns the HTTP
    /// status. A final status adds `CallDuration`, as the provider does.
    pub async fn status(&mut self, path: &str, status: CallStatus) -> Result<u16, TestPhoneError> {
        self.status = status;
        let url = self.phone.url_for(path)?;
        let mut extra = vec![("CallbackSource".to_owned(), "call-progress-events".to_owned())];
        if status.is_final() {
            extra.push(("CallDuration".to_owned(), self.started.elapsed().as_secs().to_string()));
        }
        let params = self.params_with(&extra);
        let (code, body) = self.signed_post(url, &params).await?;
        self.last_status = code;
        self.last_body = body;
        Ok(code)
    }

    /// The caller hangs up: if waiting in a queue with an action, the provider first tells it
    /// `QueueResult=hangup`; then the `completed` status callback is posted to `status_path`.
    /// Returns the status callback's HTTP status.
    pub async fn hang_up(&mut self, status_path: &str) -> Result<u16, TestPhoneError> {
        if self.heard.enqueue.as_ref().is_some_and(|enqueue| enqueue.action.is_some()) {
            self.status = CallStatus::Completed;
            self.leave_queue("hangup").await?;
        }
        self.status(status_path, CallStatus::Completed).await
    }

    /// A URL from the TwiML, resolved against the document it came in, as the provider does.
    fn resolve(&self, target: &str) -> Result<Url, TestPhoneError> {
        self.current_url.join(target).map_err(|e| TestPhoneError::Url(e.to_string()))
    }

    /// The parameters the provider sends with every request of a call, and `extra`.
    fn params_with(&self, extra: &[(String, String)]) -> Vec<(String, String)> {
        let mut params = pairs(&[
            ("AccountSid", self.phone.inner.account_sid.as_str()),
            ("ApiVersion", API_VERSION),
            ("CallSid", self.call_sid.as_str()),
            ("CallStatus", self.status.as_str()),
            ("Called", self.to.as_str()),
            ("Caller", self.from.as_str()),
            ("Direction", "inbound"),
            ("From", self.from.as_str()),
            ("To", self.to.as_str()),
        ]);
        params.extend_from_slice(extra);
        params
    }

    async fn signed_post(&self, url: Url, params: &[(String, String)]) -> Result<(u16, String), TestPhoneError> {
        let signed = signature(&self.phone.inner.auth_token, url.as_str(), params);
        self.phone.post(url, params, Some(&signed)).await
    }

    /// Posts to `url` and makes its TwiML the current one.
    async fn fetch_twiml(&mut self, url: Url, extra: &[(String, String)]) -> Result<(), TestPhoneError> {
        let params = self.params_with(extra);
        let (status, body) = self.signed_post(url.clone(), &params).await?;
        self.last_status = status;
        self.last_body = body;
        if !(200..300).contains(&status) {
            self.heard = Heard::default();
            return Ok(());
        }
        self.heard = parse_twiml(&self.last_body)?;
        self.current_url = url;
        if !self.status.is_final() {
            self.status = CallStatus::InProgress;
        }
        Ok(())
    }
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(name, value)| ((*name).to_owned(), (*value).to_owned())).collect()
}

/// `CA` and 32 hex digits, random enough that two test calls never share one.
fn new_call_sid() -> String {
    // Each `RandomState` is freshly keyed, so each hash of the same input differs.
    let half = || {
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_u8(0);
        hasher.finish()
    };
    let (high, low) = (half(), half());
    format!("CA{high:016x}{low:016x}")
}

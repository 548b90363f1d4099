//! A voice webhook's form body read into a [`CallRequest`].
//!
//! The provider posts the same set of parameters to every URL of a call (the first answer,
//! a `<Gather>` action, an `<Enqueue>` wait URL or action, a status callback), adding the
//! parameters of that step (`Digits`, `QueueResult`, …): see
//! <https://www.twilio.com/docs/voice/twiml#request-parameters>. We keep the few we act on,
//! checked and bounded, and hand back every decoded parameter too, because the signature is
//! computed over all of them, including ones we do not know.

use std::fmt;

use crate::call_status::CallStatus;
use crate::form::{parse_form, FormError};

/// The largest webhook body accepted.
pub const MAX_WEBHOOK_BYTES: usize = crate::form::MAX_FORM_BYTES;
/// The most digits accepted in one `Digits` value (a gathered answer, not a text).
pub const MAX_DIGITS: usize = 64;
/// The longest call or account id accepted. Twilio's are 34 characters; SignalWire's are
/// UUIDs (36), Telnyx's call control ids are longer.
pub const MAX_SID_BYTES: usize = 128;

/// Why a webhook was refused. Never carries a parameter's value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error(transparent)]
    Form(#[from] FormError),
    #[error("webhook parameter {0} is missing")]
    Missing(&'static str),
    #[error("webhook parameter {0} appears more than once")]
    Repeated(&'static str),
    #[error("webhook parameter {0} has an unexpected value")]
    BadValue(&'static str),
}

/// Which way the call goes, from the provider's `Direction`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Someone called our number.
    Inbound,
    /// We started the call through the REST API.
    OutboundApi,
    /// The call was started by a `<Dial>`.
    OutboundDial,
    /// Telnyx TeXML spells any outgoing call `outbound`.
    Outbound,
}

impl Direction {
    fn from_provider(value: &str) -> Option<Direction> {
        match value {
            "inbound" => Some(Direction::Inbound),
            "outbound-api" => Some(Direction::OutboundApi),
            "outbound-dial" => Some(Direction::OutboundDial),
            "outbound" => Some(Direction::Outbound),
            _ => None,
        }
    }
}

/// How a caller's wait in an `<Enqueue>` ended, from `QueueResult`
/// (<https://www.twilio.com/docs/voice/twiml/enqueue#attributes-action>).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueResult {
    /// Someone dialled the queue and took the caller.
    Bridged,
    BridgingInProcess,
    QueueFull,
    Error,
    /// The caller hung up while waiting.
    Hangup,
    /// The wait URL's TwiML said `<Leave>`.
    Leave,
    /// The call was redirected through the REST API while waiting.
    Redirected,
    RedirectedFromBridged,
    SystemShutdown,
}

impl QueueResult {
    fn from_provider(value: &str) -> Option<QueueResult> {
        Some(match value {
            "bridged" => QueueResult::Bridged,
            "bridging-in-process" => QueueResult::BridgingInProcess,
            "queue-full" => QueueResult::QueueFull,
            "error" => QueueResult::Error,
            "hangup" => QueueResult::Hangup,
            "leave" => QueueResult::Leave,
            "redirected" => QueueResult::Redirected,
            "redirected-from-bridged" => QueueResult::RedirectedFromBridged,
            "system-shutdown" => QueueResult::SystemShutdown,
            _ => return None,
        })
    }
}

/// What we act on in a voice webhook. `Debug` prints neither numbers, ids nor digits.
#[derive(Clone, PartialEq, Eq)]
pub struct CallRequest {
    /// The provider's id of this call (`CallSid`).
    pub call_sid: String,
    /// The provider account the call belongs to (`AccountSid`).
    pub account_sid: String,
    /// The caller's number (`From`): may be `anonymous` or a SIP address; empty if absent.
    pub from: String,
    /// The number called (`To`); empty if absent.
    pub to: String,
    /// `CallStatus`.
    pub status: Option<CallStatus>,
    /// `Direction`.
    pub direction: Option<Direction>,
    /// Keys pressed in a `<Gather>` (`Digits`): only `0-9`, `*`, `#`; `None` if empty.
    pub digits: Option<String>,
    /// `QueueResult`, on an `<Enqueue>` action.
    pub queue_result: Option<QueueResult>,
    /// `QueueTime`: seconds the caller waited (on an `<Enqueue>` action or wait URL).
    pub queue_time: Option<u32>,
    /// `QueuePosition`: the caller's place in the queue (on a wait URL), 1 is next.
    pub queue_position: Option<u32>,
    /// `CallDuration`: seconds the call lasted (on a final status callback).
    pub call_duration: Option<u32>,
}

impl fmt::Debug for CallRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallRequest")
            .field("call_sid", &"[redacted]")
            .field("account_sid", &"[redacted]")
            .field("from", &"[redacted]")
            .field("to", &"[redacted]")
            .field("status", &self.status)
            .field("direction", &self.direction)
            .field("digits", &self.digits.as_ref().map(|_| "[redacted]"))
            .field("queue_result", &self.queue_result)
            .field("queue_time", &self.queue_time)
            .field("queue_position", &self.queue_position)
            .field("call_duration", &self.call_duration)
            .finish()
    }
}

/// Reads a webhook body. Returns the request and every decoded parameter sorted by name
/// (then value), ready for [`crate::signature::signature_is_valid`].
pub fn parse_webhook(body: &[u8]) -> Result<(CallRequest, Vec<(String, String)>), WebhookError> {
    let mut params = parse_form(body)?;
    params.sort();
    let fields = Fields(&params);
    let call_sid = sid(fields.required("CallSid")?, "CallSid")?;
    let account_sid = sid(fields.required("AccountSid")?, "AccountSid")?;
    let request = CallRequest {
        call_sid,
        account_sid,
        from: fields.optional("From")?.unwrap_or_default().to_owned(),
        to: fields.optional("To")?.unwrap_or_default().to_owned(),
        status: fields.parsed("CallStatus", CallStatus::from_provider)?,
        direction: fields.parsed("Direction", Direction::from_provider)?,
        digits: digits(fields.optional("Digits")?)?,
        queue_result: fields.parsed("QueueResult", QueueResult::from_provider)?,
        queue_time: fields.parsed("QueueTime", |v| v.parse().ok())?,
        queue_position: fields.parsed("QueuePosition", |v| v.parse().ok())?,
        call_duration: fields.parsed("CallDuration", |v| v.parse().ok())?,
    };
    Ok((request, params))
}

/// Looks up known parameters; a known one given twice is refused, so that what we act on
/// is never ambiguous.
struct Fields<'a>(&'a [(String, String)]);

impl<'a> Fields<'a> {
    fn optional(&self, name: &'static str) -> Result<Option<&'a str>, WebhookError> {
        let mut found = self.0.iter().filter(|(n, _)| n == name);
        let first = found.next().map(|(_, v)| v.as_str());
        if found.next().is_some() {
            return Err(WebhookError::Repeated(name));
        }
        Ok(first)
    }

    fn required(&self, name: &'static str) -> Result<&'a str, WebhookError> {
        self.optional(name)?.ok_or(WebhookError::Missing(name))
    }

    /// An optional parameter read by `read`; present but unreadable is an error. An empty
    /// value counts as absent.
    fn parsed<T>(&self, name: &'static str, read: impl Fn(&str) -> Option<T>) -> Result<Option<T>, WebhookError> {
        match self.optional(name)? {
            None | Some("") => Ok(None),
            Some(value) => read(value).map(Some).ok_or(WebhookError::BadValue(name)),
        }
    }
}

/// Whether `value` is usable as a provider id: it goes into REST paths and our records, so
/// only letters, digits, `-`, `_` and `:` (Telnyx's ids have `:`), at most [`MAX_SID_BYTES`].
pub fn is_plain_id(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= MAX_SID_BYTES
        && value.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':'))
}

fn sid(value: &str, name: &'static str) -> Result<String, WebhookError> {
    if is_plain_id(value) {
        Ok(value.to_owned())
    } else {
        Err(WebhookError::BadValue(name))
    }
}

fn digits(value: Option<&str>) -> Result<Option<String>, WebhookError> {
    match value {
        None | Some("") => Ok(None),
        Some(value)
            if value.len() <= MAX_DIGITS && value.bytes().all(|b| b.is_ascii_digit() || b == b'*' || b == b'#') =>
        {
            Ok(Some(value.to_owned()))
        }
        Some(_) => Err(WebhookError::BadValue("Digits")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIRST: &str = "AccountSid=AC0123456789abcdef0123456789abcdef&ApiVersion=2010-04-01\
        &CallSid=CA0123456789abcdef0123456789abcdef&CallStatus=ringing&Direction=inbound\
        &From=%2B15005550006&To=%2B15005550001&FromCountry=US";

    #[test]
    fn reads_the_first_request_of_a_call() {
        let (call, params) = parse_webhook(FIRST.as_bytes()).unwrap();
        assert_eq!(call.call_sid, "CA0123456789abcdef0123456789abcdef");
        assert_eq!(call.from, "+15005550006");
        assert_eq!(call.status, Some(CallStatus::Ringing));
        assert_eq!(call.direction, Some(Direction::Inbound));
        assert_eq!(call.digits, None);
        assert_eq!(params.len(), 8);
        assert!(params.windows(2).all(|w| w[0] <= w[1]), "sorted");
    }

    #[test]
    fn debug_hides_numbers_ids_and_digits() {
        let body = format!("{FIRST}&Digits=1234");
        let (call, _) = parse_webhook(body.as_bytes()).unwrap();
        let shown = format!("{call:?}");
        for secret in ["5005550006", "5005550001", "0123456789abcdef", "1234"] {
            assert!(!shown.contains(secret), "{shown}");
        }
    }

    #[test]
    fn reads_queue_and_digits() {
        let body = format!("{FIRST}&Digits=12%23&QueueResult=hangup&QueueTime=42");
        let (call, _) = parse_webhook(body.as_bytes()).unwrap();
        assert_eq!(call.digits.as_deref(), Some("12#"));
        assert_eq!(call.queue_result, Some(QueueResult::Hangup));
        assert_eq!(call.queue_time, Some(42));
    }

    #[test]
    fn refuses_bad_values() {
        let cases = [
            (format!("{FIRST}&Digits=12a"), WebhookError::BadValue("Digits")),
            (format!("{FIRST}&Digits={}", "1".repeat(MAX_DIGITS + 1)), WebhookError::BadValue("Digits")),
            (format!("{FIRST}&QueueTime=-1"), WebhookError::BadValue("QueueTime")),
            (format!("{FIRST}&CallSid=CA1"), WebhookError::Repeated("CallSid")),
            (FIRST.replace("CallStatus=ringing", "CallStatus=lost"), WebhookError::BadValue("CallStatus")),
            (
                FIRST.replace("CallSid=CA0123", "CallSid=..%2F0123").replace("..%2F", "%2F"),
                WebhookError::BadValue("CallSid"),
            ),
            (FIRST.replace("CallSid=", "NotCallSid="), WebhookError::Missing("CallSid")),
            (format!("{FIRST}&X=%E0%80"), WebhookError::Form(FormError::NotUtf8)),
        ];
        for (body, expected) in cases {
            assert_eq!(parse_webhook(body.as_bytes()).unwrap_err(), expected, "{body}");
        }
    }

    #[test]
    fn errors_do_not_carry_values() {
        let body = FIRST.replace("ringing", "%2B15005550006");
        let error = parse_webhook(body.as_bytes()).unwrap_err();
        assert!(!error.to_string().contains("5005550006"));
        assert!(!format!("{error:?}").contains("5005550006"));
    }
}

//! Voice calls in the TwiML dialect (Twilio; SignalWire and Telnyx TeXML speak the same
//! requests and verbs).
//!
//! This crate knows nothing of the rest of the platform: it checks that a request came from
//! the provider ([`signature`]), reads a call's webhook into a bounded [`webhook::CallRequest`],
//! writes the provider's instructions ([`twiml`]) and asks the provider's REST API to change a
//! live call ([`call_control`]). With the feature `test-phone` it also brings a test phone that
//! plays the provider's part over a real socket ([`test_phone`]) and a fake of the provider's
//! REST API ([`fake_call_api`]).
//!
//! Callers may be in mortal danger if identified: no phone number, call id, auth token or
//! pressed digits is ever logged or carried in an error or a `Debug` output of this crate.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod call_control;
pub mod call_status;
pub mod form;
pub mod signature;
pub mod twiml;
pub mod webhook;

#[cfg(feature = "test-phone")]
pub mod fake_call_api;
#[cfg(feature = "test-phone")]
pub mod heard;
#[cfg(feature = "test-phone")]
pub mod test_phone;

pub use call_control::{CallControl, CallControlError};
pub use call_status::CallStatus;
pub use signature::{signature, signature_is_valid, SIGNATURE_HEADER};
pub use twiml::{DialTarget, Response, SayVoices, Verb, VoiceLanguage};
pub use webhook::{parse_webhook, CallRequest, WebhookError};

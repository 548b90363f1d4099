//! The voice channel (calls in the TwiML dialect: Twilio, SignalWire, Telnyx TeXML): the
//! provider's webhooks (`webhook.rs`) turned into `Inbound`s for the conversation core, the
//! answer to each one written from the core's `CallPrompt` (`answer.rs`), the courier that
//! connects a waiting caller to the operator who took the call (`courier.rs`), where a call
//! may be connected to (`dial.rs`), and a line's settings (`settings.rs`).

pub mod answer;
pub mod courier;
pub mod dial;
pub mod settings;
pub(crate) mod webhook;

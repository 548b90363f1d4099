//! Channels: what a person on a channel brings in (`inbound.rs`) and what goes back out
//! (`outbound.rs`), whatever the channel; the web chat's own identity (`web.rs`).

pub mod call;
pub mod inbound;
pub mod outbound;
pub mod outbox;
pub mod receive;
pub mod web;

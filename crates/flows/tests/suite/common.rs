//! Helpers the engine's test modules share.

use safepassage_flows::engine::{Event, EventKind};

/// The events' type names, in order.
pub fn types(events: &[Event]) -> Vec<String> {
    events.iter().map(Event::type_name).collect()
}

/// The texts of the `error` events, in order.
pub fn errors(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Error { text } => Some(text.clone()),
            _ => None,
        })
        .collect()
}

/// The texts of the messages sent, in order.
pub fn texts(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::MsgCreated { msg } => Some(msg.text.clone()),
            _ => None,
        })
        .collect()
}

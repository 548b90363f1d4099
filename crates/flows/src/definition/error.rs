//! Why a flow definition was refused: which flow, which node or action, and what is wrong,
//! so that whoever imports a flow can find the place in the editor and fix it.

use std::fmt;

/// Where in a flow a problem is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Location {
    pub flow_uuid: Option<String>,
    pub flow_name: Option<String>,
    pub node_uuid: Option<String>,
    pub action_uuid: Option<String>,
    pub action_type: Option<String>,
}

/// A refused definition. `Display` reads as one line: `flow 'Intake' (uuid): node …: what`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefinitionError {
    /// Boxed: errors travel through many `Result`s and should stay small.
    pub at: Box<Location>,
    pub message: String,
}

impl DefinitionError {
    pub fn new(message: impl Into<String>) -> Self {
        Self { at: Box::default(), message: message.into() }
    }

    pub fn in_node(mut self, node_uuid: &str) -> Self {
        if self.at.node_uuid.is_none() {
            self.at.node_uuid = Some(node_uuid.to_string());
        }
        self
    }

    pub fn in_action(mut self, action_uuid: &str, action_type: &str) -> Self {
        if self.at.action_uuid.is_none() && !action_uuid.is_empty() {
            self.at.action_uuid = Some(action_uuid.to_string());
        }
        if self.at.action_type.is_none() && !action_type.is_empty() {
            self.at.action_type = Some(action_type.to_string());
        }
        self
    }

    pub fn in_flow(mut self, uuid: &str, name: &str) -> Self {
        if self.at.flow_uuid.is_none() && !uuid.is_empty() {
            self.at.flow_uuid = Some(uuid.to_string());
        }
        if self.at.flow_name.is_none() && !name.is_empty() {
            self.at.flow_name = Some(name.to_string());
        }
        self
    }
}

impl fmt::Display for DefinitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let a = &self.at;
        match (&a.flow_name, &a.flow_uuid) {
            (Some(n), Some(u)) => write!(f, "flow '{n}' ({u}): ")?,
            (Some(n), None) => write!(f, "flow '{n}': ")?,
            (None, Some(u)) => write!(f, "flow {u}: ")?,
            (None, None) => {}
        }
        if let Some(n) = &a.node_uuid {
            write!(f, "node {n}: ")?;
        }
        match (&a.action_uuid, &a.action_type) {
            (Some(u), Some(t)) => write!(f, "action {u} ({t}): ")?,
            (Some(u), None) => write!(f, "action {u}: ")?,
            (None, Some(t)) => write!(f, "action of type {t}: ")?,
            (None, None) => {}
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for DefinitionError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_place() {
        let e = DefinitionError::new("field 'text' is required")
            .in_action("a1", "send_msg")
            .in_node("n1")
            .in_flow("f1", "Intake");
        assert_eq!(e.to_string(), "flow 'Intake' (f1): node n1: action a1 (send_msg): field 'text' is required");
    }
}

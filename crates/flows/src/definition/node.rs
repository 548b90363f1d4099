//! Nodes and exits: a node runs its actions, then waits and routes, or leaves by its first exit.
//! Read field by field so that an error names the node and the action it is about.

use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};

use super::actions::{friendly, Action};
use super::error::DefinitionError;
use super::router::Router;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exit {
    pub uuid: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_uuid: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub uuid: String,
    /// `None` when the definition has no `actions` key (kept so an export matches the import).
    pub actions: Option<Vec<Action>>,
    pub router: Option<Router>,
    pub exits: Vec<Exit>,
    pub extra: Map<String, Value>,
}

impl Exit {
    /// The node this exit leads to, if any (an empty destination ends the run).
    pub fn destination(&self) -> Option<&str> {
        self.destination_uuid.as_deref().filter(|d| !d.is_empty())
    }
}

impl Node {
    pub fn actions(&self) -> &[Action] {
        self.actions.as_deref().unwrap_or(&[])
    }

    pub fn exit(&self, uuid: &str) -> Option<&Exit> {
        self.exits.iter().find(|e| e.uuid == uuid)
    }

    /// Reads a node; errors name the node, and the action by index and UUID.
    pub fn from_json(v: &Value) -> Result<Node, DefinitionError> {
        let Value::Object(obj) = v else {
            return Err(DefinitionError::new("node must be an object"));
        };
        let mut props = obj.clone();
        let uuid = match props.remove("uuid") {
            Some(Value::String(s)) if !s.is_empty() => s,
            _ => return Err(DefinitionError::new("unable to read node: field 'uuid' is required")),
        };
        let at = |e: DefinitionError| e.in_node(&uuid);
        let actions = match props.remove("actions") {
            None => None,
            Some(Value::Null) => Some(Vec::new()),
            Some(Value::Array(items)) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, a) in items.iter().enumerate() {
                    if a.is_null() {
                        return Err(at(DefinitionError::new(format!(
                            "unable to read action[{i}]: field 'type' is required"
                        ))));
                    }
                    let action = Action::from_json(a).map_err(|mut e| {
                        e.message = format!("unable to read action[{i}]: {}", e.message);
                        at(e)
                    })?;
                    out.push(action);
                }
                Some(out)
            }
            Some(_) => return Err(at(DefinitionError::new("field 'actions' must be a list"))),
        };
        let router = match props.remove("router") {
            None | Some(Value::Null) => None,
            Some(r) => Some(read_router(r).map_err(at)?),
        };
        let exits = match props.remove("exits") {
            Some(Value::Array(items)) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, e) in items.iter().enumerate() {
                    if e.is_null() {
                        return Err(at(DefinitionError::new(format!(
                            "unable to read node: field 'exits[{i}]' is required"
                        ))));
                    }
                    let exit: Exit = serde_json::from_value(e.clone()).map_err(|err| {
                        at(DefinitionError::new(format!("unable to read node: exit[{i}]: {}", friendly(&err))))
                    })?;
                    out.push(exit);
                }
                out
            }
            None | Some(Value::Null) => Vec::new(),
            Some(_) => return Err(at(DefinitionError::new("field 'exits' must be a list"))),
        };
        if exits.is_empty() {
            return Err(at(DefinitionError::new("unable to read node: field 'exits' must have a minimum of 1 items")));
        }
        Ok(Node { uuid, actions, router, exits, extra: props })
    }

    pub fn to_json(&self) -> Value {
        let mut map = self.extra.clone();
        map.insert("uuid".into(), Value::String(self.uuid.clone()));
        if let Some(actions) = &self.actions {
            map.insert("actions".into(), Value::Array(actions.iter().map(Action::to_json).collect()));
        }
        if let Some(r) = &self.router {
            if let Ok(v) = serde_json::to_value(r) {
                map.insert("router".into(), v);
            }
        }
        map.insert(
            "exits".into(),
            Value::Array(self.exits.iter().filter_map(|e| serde_json::to_value(e).ok()).collect()),
        );
        Value::Object(map)
    }
}

fn read_router(r: Value) -> Result<Router, DefinitionError> {
    // Categories first, so a category without an exit is named as such rather than as a router.
    if let Some(cats) = r.get("categories").and_then(Value::as_array) {
        for c in cats {
            if c.is_null() || c.get("exit_uuid").is_none_or(|e| e.is_null()) {
                return Err(DefinitionError::new(
                    "unable to read router: unable to read category: field 'exit_uuid' is required",
                ));
            }
        }
    }
    serde_json::from_value(r).map_err(|e| DefinitionError::new(format!("unable to read router: {}", friendly(&e))))
}

impl Serialize for Node {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(s)
    }
}

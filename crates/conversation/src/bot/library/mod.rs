//! The flow library as the platform runs it: checking a flow file (one definition or a RapidPro
//! export) with no outside call allowed unless an administrator allowed one the platform can run,
//! importing it into the store as an audited event, and the set of flows the bot runs: the
//! shipped export first, then every import in order (each loaded with its own allowance), a
//! later import of a flow UUID winning. The set is rebuilt after an import or an intake choice on
//! this node, and when another process changed the library (`watch`), without a restart; flows of
//! sessions already running stay loadable because nothing ever leaves the set.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use safepassage_domain::{Channel, UserId};
use safepassage_flows::definition::export::is_export;
use safepassage_flows::definition::{ActionKind, Flow, FlowRef, FlowType, LoadOptions};
use safepassage_flows::engine::{Assets, Session};
use safepassage_store::{FlowImport, IntakeFlow, Store, StoreError};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::bot::{topics_named, INTAKE, RETURNING, SHIPPED};
use crate::Conversations;

mod check;
mod result_names;

pub use check::{allowance, check_file, CheckError, CheckedFile, FlowInfo, ALLOWABLE_OUTSIDE, MAX_FILE};
use check::{load_file, Entered};

/// The action type that calls a webhook.
const WEBHOOK: &str = "call_webhook";
/// The export version written when a single flow definition is wrapped as an export.
const EXPORT_VERSION: &str = "13";
/// Asset lists of an export merged across files, each with the property that identifies an item.
const ASSET_LISTS: &[(&str, &str)] = &[
    ("fields", "key"),
    ("groups", "uuid"),
    ("labels", "uuid"),
    ("topics", "uuid"),
    ("optins", "uuid"),
    ("users", "uuid"),
    ("channels", "uuid"),
    ("globals", "key"),
];

/// The export the platform ships (`flows/safepassage.json`), as compiled in.
pub fn shipped_export() -> &'static str {
    SHIPPED
}

/// A flow's UUID as the audit log carries it (the loader accepts only UUIDs).
fn flow_id(uuid: &str) -> Option<Uuid> {
    Uuid::parse_str(uuid).ok()
}

/// Why an import or an intake choice was refused.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Check(#[from] CheckError),
    #[error("no flow named '{0}' in the file")]
    NoSuchFlow(String),
    #[error("flow '{name}' is a {flow_type} flow; the {channel} channel needs a {needed} flow")]
    WrongType { name: String, flow_type: &'static str, channel: Channel, needed: &'static str },
    #[error("with this file the bot would have no intake flow: {0}")]
    NoIntake(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The flow type a channel runs: voice calls speak, the others write.
fn type_for(channel: Channel) -> FlowType {
    match channel {
        Channel::Voice => FlowType::Voice,
        Channel::Web | Channel::Telegram | Channel::Whatsapp => FlowType::Messaging,
    }
}

fn fits(channel: Channel, name: &str, flow_type: &'static str) -> Result<(), ImportError> {
    let needed = type_for(channel).as_str();
    if flow_type == needed {
        Ok(())
    } else {
        Err(ImportError::WrongType { name: name.to_owned(), flow_type, channel, needed })
    }
}

/// Checks a file and stores it in the library as an event of `by`, with no outside action
/// allowed; with `intake`, also makes the flow of that name the channel's intake.
pub async fn import_file(
    store: &Store,
    bytes: &[u8],
    by: UserId,
    intake: Option<(Channel, &str)>,
) -> Result<(FlowImport, Vec<FlowInfo>), ImportError> {
    import_file_allowing(store, bytes, &[] as &[&str], by, intake).await
}

/// As [`import_file`], with the outside action types an administrator allowed for this file
/// (checked: only those the platform can run); the allowance is stored and audited with the
/// file, and its flows are always loaded with it. For the console and the command line alike.
pub async fn import_file_allowing<S: AsRef<str>>(
    store: &Store,
    bytes: &[u8],
    allow: &[S],
    by: UserId,
    intake: Option<(Channel, &str)>,
) -> Result<(FlowImport, Vec<FlowInfo>), ImportError> {
    let allowed = allowance(allow)?;
    let owned = bytes.to_vec();
    // Validating a large file takes a while: off the async threads.
    let checked = tokio::task::spawn_blocking(move || load_file(&owned, allowed)).await.map_err(StoreError::from)??;
    let chosen = match intake {
        Some((channel, name)) => {
            let flow = checked.flows.iter().find(|f| f.name == name).ok_or(ImportError::NoSuchFlow(name.to_owned()))?;
            fits(channel, &flow.name, flow.flow_type)?;
            Some((channel, flow_id(&flow.uuid)))
        }
        None => None,
    };
    // The running set with this file on top must still have an intake (a file could rename the
    // one flow named "Intake", say), and every flow the file enters: tried before anything is
    // stored.
    let mut imports = store.flow_imports().await?;
    let choices = store.intake_flows().await?;
    imports.push(FlowImport {
        id: Uuid::nil(),
        seq: i64::MAX,
        export: checked.text,
        digest: [0; 32],
        by,
        at_ms: 0,
        allowed_outside: checked.allowed_outside.clone(),
    });
    let entered = checked.entered;
    let (tried, text) = tokio::task::spawn_blocking(move || {
        let tried = match Library::build(&imports, choices, 0) {
            Ok(library) => library.enters_known(&entered).map_err(ImportError::Check),
            Err(e) => Err(ImportError::NoIntake(e)),
        };
        (tried, imports.pop().map(|i| i.export).unwrap_or_default())
    })
    .await
    .map_err(StoreError::from)?;
    tried?;
    let ids = checked.flows.iter().filter_map(|f| flow_id(&f.uuid)).collect();
    let import = store.import_flows(text, ids, checked.allowed_outside, by).await?;
    if let Some((channel, flow)) = chosen {
        store.set_intake_flow(channel, flow, by).await?;
    }
    Ok((import, checked.flows))
}

/// Where a flow of the running set comes from.
#[derive(Debug, Clone)]
pub enum Source {
    Shipped,
    Imported { seq: i64, by: UserId, at_ms: i64 },
}

/// One flow of the running set.
#[derive(Debug, Clone)]
pub struct Entry {
    pub uuid: String,
    pub name: String,
    /// The definition as written in its file (`_ui` and all).
    pub raw: Value,
    pub source: Source,
    /// Index into `Library::files` of the file it came from.
    file: usize,
    /// None when it does not load (a file imported by an older version, say), with the reason.
    pub info: Result<FlowInfo, String>,
}

/// The flows the bot runs, and what the console shows of them.
pub struct Library {
    pub assets: Arc<Assets>,
    /// In order of first appearance: the shipped flows, then new ones by import.
    pub entries: Vec<Entry>,
    /// Every file, parsed: the shipped export first, then the imports oldest first.
    files: Vec<Value>,
    pub imports: Vec<ImportMeta>,
    pub choices: Vec<IntakeFlow>,
    /// The intake of each channel, resolved once (a new conversation asks for it).
    intakes: HashMap<Channel, FlowRef>,
    /// The flows that can call a webhook, themselves or through a flow they enter (by UUID as
    /// the engine names them): only steps of sessions in these wait for one. Empty unless an
    /// administrator allowed `call_webhook` for a file.
    calls_out: HashSet<String>,
    /// The store's library version this was built from.
    pub version: i64,
    /// The names of the flows' result categories in the staff's languages.
    pub result_names: result_names::ResultNames,
}

/// An imported file, for the console's list (the text itself stays in the store).
#[derive(Debug, Clone)]
pub struct ImportMeta {
    pub id: Uuid,
    pub by: UserId,
    pub at_ms: i64,
    pub digest: String,
    pub flows: usize,
    pub bytes: usize,
    pub allowed_outside: Vec<String>,
}

impl Library {
    /// Builds the running set from the shipped export and the library's files. A stored file
    /// that no longer parses is skipped with a warning (it passed the check when imported).
    pub fn build(imports: &[FlowImport], choices: Vec<IntakeFlow>, version: i64) -> Result<Library, String> {
        let shipped: Value = serde_json::from_str(SHIPPED).map_err(|e| format!("flows/safepassage.json: {e}"))?;
        let mut files = vec![as_export(shipped)];
        let mut sources = vec![Source::Shipped];
        // Each file's flows load with what was allowed for that file, and nothing else.
        let mut options = vec![LoadOptions::default()];
        let mut metas = Vec::with_capacity(imports.len());
        for import in imports {
            let Ok(value) = serde_json::from_str::<Value>(&import.export) else {
                tracing::warn!(import = %import.id, "flow library: a stored file is not JSON; skipped");
                continue;
            };
            let value = as_export(value);
            metas.push(ImportMeta {
                id: import.id,
                by: import.by,
                at_ms: import.at_ms,
                digest: hex::encode(import.digest),
                flows: value.get("flows").and_then(Value::as_array).map_or(0, Vec::len),
                bytes: import.export.len(),
                allowed_outside: import.allowed_outside.clone(),
            });
            options.push(LoadOptions::allowing(&import.allowed_outside));
            files.push(value);
            sources.push(Source::Imported { seq: import.seq, by: import.by, at_ms: import.at_ms });
        }
        let mut entries: Vec<Entry> = Vec::new();
        let mut at: HashMap<String, usize> = HashMap::new();
        for (file, (value, source)) in files.iter().zip(&sources).enumerate() {
            for raw in value.get("flows").and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[]) {
                let uuid = raw.get("uuid").and_then(Value::as_str).unwrap_or_default().to_owned();
                let name = raw.get("name").and_then(Value::as_str).unwrap_or_default().to_owned();
                let entry = Entry {
                    uuid: uuid.clone(),
                    name,
                    raw: raw.clone(),
                    source: source.clone(),
                    file,
                    info: Err(String::new()),
                };
                match at.get(&uuid.to_ascii_lowercase()) {
                    Some(i) => entries[*i] = entry,
                    None => {
                        at.insert(uuid.to_ascii_lowercase(), entries.len());
                        entries.push(entry);
                    }
                }
            }
        }
        let mut merged = merge(&files, &entries);
        if let Some(m) = merged.as_object_mut() {
            m.remove("flows");
        }
        let nothing = LoadOptions::default();
        let mut assets = Assets::from_json(&merged, &nothing);
        for entry in &mut entries {
            assets.load_flow(&entry.raw, options.get(entry.file).unwrap_or(&nothing));
            entry.info = assets.flow(&entry.uuid).map(|f| FlowInfo::of(f, &entry.raw)).map_err(|e| e.to_string());
        }
        let calls_out = calling_out(&assets, &entries);
        let mut library = Library {
            assets: Arc::new(assets),
            entries,
            files,
            imports: metas,
            choices,
            intakes: HashMap::new(),
            calls_out,
            version,
            result_names: result_names::ResultNames::default(),
        };
        library.result_names = result_names::ResultNames::from_flows(library.entries.iter().map(|e| &e.raw));
        if library.default_intake(Channel::Web).is_none() {
            return Err(format!("no flow named {INTAKE} loads"));
        }
        library.intakes = Channel::ALL.iter().filter_map(|c| library.resolve_intake(*c).map(|f| (*c, f))).collect();
        Ok(library)
    }

    /// The flow a new conversation on `channel` starts.
    pub fn intake(&self, channel: Channel) -> Option<FlowRef> {
        self.intakes.get(&channel).cloned()
    }

    /// The flow a returning applicant who joined their case by codename is given: the newest
    /// flow named "Returning" of the channel's type, if any loads.
    pub fn returning(&self, channel: Channel) -> Option<FlowRef> {
        let wanted = type_for(channel).as_str();
        self.entries
            .iter()
            .filter(|e| e.name == RETURNING && e.info.as_ref().is_ok_and(|i| i.flow_type == wanted))
            .max_by_key(|e| match e.source {
                Source::Shipped => 0,
                Source::Imported { seq, .. } => seq,
            })
            .map(|e| FlowRef::new(&e.uuid, &e.name))
    }

    /// Whether starting `flow` may call a webhook.
    pub fn starts_calling_out(&self, flow: &FlowRef) -> bool {
        !self.calls_out.is_empty() && self.calls_out.contains(&flow.uuid)
    }

    /// Whether a step of `session` may call a webhook: one of its runs is in a flow that can.
    /// For a library without such flows (the usual case), a check of an empty set.
    pub fn may_call_out(&self, session: &Session) -> bool {
        !self.calls_out.is_empty() && session.runs.iter().any(|r| self.calls_out.contains(&r.flow.uuid))
    }

    /// Refuses the first `enter_flow` of `entered` whose flow this set lacks or cannot load.
    fn enters_known(&self, entered: &[Entered]) -> Result<(), CheckError> {
        for e in entered {
            if let Err(why) = self.assets.flow(&e.target.uuid) {
                return Err(if self.entries.iter().any(|en| en.uuid == e.target.uuid) {
                    e.refused(&format!("which does not load: {why}"))
                } else {
                    e.refused("which is not in this file, nor shipped, nor imported before")
                });
            }
        }
        Ok(())
    }

    /// The one chosen for the channel if it loads, else the newest flow named "Intake" of the
    /// channel's type.
    fn resolve_intake(&self, channel: Channel) -> Option<FlowRef> {
        let chosen = self.choices.iter().find(|c| c.channel == channel).and_then(|c| c.flow);
        if let Some(flow) = chosen {
            if let Some(entry) = self.entry_by_id(flow).filter(|e| e.info.is_ok()) {
                return Some(FlowRef::new(&entry.uuid, &entry.name));
            }
            tracing::warn!(channel = %channel, "the chosen intake flow is not in the library; using the default");
        }
        self.default_intake(channel)
    }

    fn default_intake(&self, channel: Channel) -> Option<FlowRef> {
        let wanted = type_for(channel).as_str();
        self.entries
            .iter()
            .filter(|e| e.name == INTAKE && e.info.as_ref().is_ok_and(|i| i.flow_type == wanted))
            .max_by_key(|e| match e.source {
                Source::Shipped => 0,
                Source::Imported { seq, .. } => seq,
            })
            .map(|e| FlowRef::new(&e.uuid, &e.name))
    }

    pub fn entry(&self, uuid: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.uuid.eq_ignore_ascii_case(uuid))
    }

    pub fn entry_by_id(&self, id: Uuid) -> Option<&Entry> {
        self.entries.iter().find(|e| flow_id(&e.uuid) == Some(id))
    }

    /// The loaded definition of a flow of the set.
    pub fn flow(&self, uuid: &str) -> Option<&Flow> {
        self.assets.flow(uuid).ok()
    }

    /// Every flow of the set as one RapidPro export: definitions as written, asset lists merged.
    pub fn export_all(&self) -> Value {
        merge(&self.files, &self.entries)
    }

    /// One flow as a RapidPro export, with the asset lists of the file it came from.
    pub fn export_one(&self, entry: &Entry) -> Value {
        let mut out = Map::new();
        let file = self.files.get(entry.file);
        let version = file.and_then(|f| f.get("version")).cloned().unwrap_or_else(|| EXPORT_VERSION.into());
        out.insert("version".into(), version);
        if let Some(site) = file.and_then(|f| f.get("site")) {
            out.insert("site".into(), site.clone());
        }
        out.insert("flows".into(), Value::Array(vec![entry.raw.clone()]));
        for (list, _) in ASSET_LISTS {
            if let Some(items) = file.and_then(|f| f.get(*list)) {
                out.insert((*list).into(), items.clone());
            }
        }
        Value::Object(out)
    }
}

/// The flows that can call a webhook: those with a `call_webhook` action (loaded, so allowed),
/// then, until nothing changes, those that enter one of them.
fn calling_out(assets: &Assets, entries: &[Entry]) -> HashSet<String> {
    fn kinds(flow: &Flow) -> impl Iterator<Item = &ActionKind> {
        flow.nodes.iter().flat_map(|n| n.actions()).map(|a| &a.kind)
    }
    let loaded: Vec<&Flow> = entries.iter().filter_map(|e| assets.flow(&e.uuid).ok()).collect();
    let mut out: HashSet<String> = loaded
        .iter()
        .filter(|f| kinds(f).any(|k| matches!(k, ActionKind::Outside(o) if o.action_type == WEBHOOK)))
        .map(|f| f.uuid.clone())
        .collect();
    if out.is_empty() {
        return out;
    }
    loop {
        let more: Vec<String> = loaded
            .iter()
            .filter(|f| !out.contains(&f.uuid))
            .filter(|f| kinds(f).any(|k| matches!(k, ActionKind::EnterFlow(e) if out.contains(&e.flow.uuid))))
            .map(|f| f.uuid.clone())
            .collect();
        if more.is_empty() {
            return out;
        }
        out.extend(more);
    }
}

/// A file as an export: a single definition is wrapped in one.
fn as_export(value: Value) -> Value {
    if is_export(&value) {
        value
    } else {
        let mut out = Map::new();
        out.insert("version".into(), EXPORT_VERSION.into());
        out.insert("flows".into(), Value::Array(vec![value]));
        Value::Object(out)
    }
}

/// The running set as one export: the flows of `entries`, the asset lists of every file (a later
/// file's item winning over an earlier one with the same identity), and every ticket topic the
/// flows name (the general queue first, as the bot expects).
fn merge(files: &[Value], entries: &[Entry]) -> Value {
    let mut out = Map::new();
    out.insert("version".into(), EXPORT_VERSION.into());
    out.insert("flows".into(), Value::Array(entries.iter().map(|e| e.raw.clone()).collect()));
    for (list, key) in ASSET_LISTS {
        let mut items: Vec<Value> = Vec::new();
        for item in files.iter().filter_map(|f| f.get(*list)).filter_map(Value::as_array).flatten() {
            let id = item.get(*key);
            match items.iter_mut().find(|i| id.is_some() && i.get(*key) == id) {
                Some(slot) => *slot = item.clone(),
                None => items.push(item.clone()),
            }
        }
        if !items.is_empty() {
            out.insert((*list).into(), Value::Array(items));
        }
    }
    if let Some(locations) = files.iter().rev().find_map(|f| f.get("locations").filter(|l| !l.is_null())) {
        out.insert("locations".into(), locations.clone());
    }
    let mut merged = Value::Object(out);
    let mut topics = topics_named(&merged);
    for t in merged.get("topics").and_then(Value::as_array).into_iter().flatten() {
        if !topics.iter().any(|n| n.get("uuid") == t.get("uuid")) {
            topics.push(t.clone());
        }
    }
    merged["topics"] = Value::Array(topics);
    merged
}

impl Conversations {
    /// Reads the library and the intake choices from the store and gives the bot the new set.
    /// Reloads run one at a time, so an older set never replaces a newer one.
    pub async fn reload_flows(&self) -> Result<(), StoreError> {
        let Some(bot) = self.bot.clone() else { return Ok(()) };
        let _one_at_a_time = bot.reloading().await;
        let version = self.store.flow_library_version().await?;
        let imports = self.store.flow_imports().await?;
        let choices = self.store.intake_flows().await?;
        let built = tokio::task::spawn_blocking(move || Library::build(&imports, choices, version)).await?;
        match built {
            Ok(library) => {
                bot.set_library(Arc::new(library));
                Ok(())
            }
            Err(e) => {
                tracing::error!(error = %e, "flow library: the new set does not load; keeping the running one");
                Err(StoreError::Conflict("the flow library does not load"))
            }
        }
    }

    /// Imports a file for a member of staff, with the outside action types they allowed for it,
    /// and puts it to work on this node at once.
    pub async fn import_flows(&self, bytes: &[u8], allow: &[String], by: UserId) -> Result<Vec<FlowInfo>, ImportError> {
        let (_, flows) = import_file_allowing(&self.store, bytes, allow, by, None).await?;
        self.reload_flows().await?;
        Ok(flows)
    }

    /// Chooses the intake flow of a channel (None: the flow named "Intake"), if it is in the
    /// running set, loads, and is of the channel's type.
    pub async fn choose_intake(&self, channel: Channel, flow: Option<Uuid>, by: UserId) -> Result<(), ImportError> {
        if let Some(id) = flow {
            let library = self.flow_library().ok_or(StoreError::Conflict("the flows did not load"))?;
            let entry = library.entry_by_id(id).ok_or(StoreError::NotFound("flow"))?;
            let info = entry.info.as_ref().map_err(|_| StoreError::Conflict("the flow does not load"))?;
            fits(channel, &info.name, info.flow_type)?;
        }
        self.store.set_intake_flow(channel, flow, by).await?;
        self.reload_flows().await?;
        Ok(())
    }

    /// The running set, for the console.
    pub fn flow_library(&self) -> Option<Arc<Library>> {
        self.bot.as_ref().map(|bot| bot.library())
    }
}

/// Reloads the flows whenever the library changed in the store (an import from the command line
/// or another node), checking every `every`; runs for as long as the process. The first round
/// loads the library at start.
pub async fn watch_flow_library(state: Conversations, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let Some(running) = state.flow_library() else { return };
        match state.store.flow_library_version().await {
            Ok(version) if version == running.version => {}
            Ok(_) => {
                if let Err(e) = state.reload_flows().await {
                    tracing::warn!(error = %e, "flow library: reload failed");
                }
            }
            Err(e) => tracing::warn!(error = %e, "flow library: cannot read its version"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flow(uuid: &str, name: &str, action: &str) -> String {
        format!(
            r#"{{"uuid": "{uuid}", "name": "{name}", "spec_version": "13.1.0", "language": "eng", "type": "messaging",
            "_ui": {{"nodes": {{}}}},
            "nodes": [{{"uuid": "3f6d3d5e-4b4f-4a44-8f4e-1b2a3c4d5e6f",
              "actions": [{action}],
              "exits": [{{"uuid": "a1b2c3d4-0000-4000-8000-000000000001"}}]}}]}}"#
        )
    }

    const NONE: &[&str] = &[];
    /// A stored import of `text` at `seq`, with the outside action types `allowed`.
    fn stored(seq: i64, text: String, allowed: &[&str]) -> FlowImport {
        FlowImport {
            id: Uuid::now_v7(),
            seq,
            digest: [0; 32],
            export: text,
            by: UserId::SYSTEM,
            at_ms: 0,
            allowed_outside: allowed.iter().map(|t| (*t).to_owned()).collect(),
        }
    }

    const SAY: &str = r#"{"uuid": "5e0f1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b", "type": "send_msg", "text": "Hi"}"#;
    const HOOK: &str = r#"{"uuid": "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a", "type": "call_webhook", "method": "GET", "url": "http://x.example", "headers": {}, "body": "", "result_name": "r"}"#;

    #[test]
    fn a_single_flow_and_an_export_are_checked() {
        let one = flow("0b9ab1a4-8a42-4d3c-9c0e-1d6b7f7f0001", "One", SAY);
        let checked = check_file(one.as_bytes(), NONE).unwrap();
        assert_eq!(checked.flows.len(), 1);
        let info = &checked.flows[0];
        assert_eq!(
            (info.name.as_str(), info.flow_type, info.spec_version.as_str(), info.nodes),
            ("One", "messaging", "13.1.0", 1)
        );
        assert_eq!(info.languages, ["eng"]);
        assert_eq!(check_file(SHIPPED.as_bytes(), NONE).unwrap().flows.len(), 6);
    }

    #[test]
    fn refusals_say_what_and_where() {
        let hook = flow("0b9ab1a4-8a42-4d3c-9c0e-1d6b7f7f0002", "Hook", HOOK);
        let e = check_file(hook.as_bytes(), NONE).unwrap_err().to_string();
        assert!(e.contains("flow 'Hook'") && e.contains("node 3f6d3d5e-4b4f-4a44-8f4e-1b2a3c4d5e6f"), "{e}");
        assert!(e.contains("call_webhook"), "{e}");
        assert!(matches!(check_file(b"{not json", NONE), Err(CheckError::NotJson(_))));
        assert!(matches!(check_file(&[0xff, 0xfe], NONE), Err(CheckError::NotText)));
        assert!(matches!(check_file(&vec![b' '; MAX_FILE + 1], NONE), Err(CheckError::TooLarge)));
        assert!(matches!(check_file(br#"{"version": "13", "flows": []}"#, NONE), Err(CheckError::NoFlows)));
        let twice = format!(
            r#"{{"version": "13", "flows": [{0}, {0}]}}"#,
            flow("0b9ab1a4-8a42-4d3c-9c0e-1d6b7f7f0003", "T", SAY)
        );
        assert!(matches!(check_file(twice.as_bytes(), NONE), Err(CheckError::Duplicate { .. })));
        let deep = "[".repeat(100_000);
        assert!(matches!(check_file(deep.as_bytes(), NONE), Err(CheckError::NotJson(_))));
    }

    #[test]
    fn later_imports_win_and_the_shipped_flows_stay() {
        let uuid = "0b9ab1a4-8a42-4d3c-9c0e-1d6b7f7f0004";
        let import = |seq: i64, text: String| stored(seq, text, &[]);
        let first = import(1, flow(uuid, "Intake", SAY));
        let second = import(2, flow(uuid, "Intake", &SAY.replace("Hi", "Hello")));
        let library = Library::build(&[first, second], Vec::new(), 2).unwrap();
        assert_eq!(library.entries.len(), 7, "six shipped flows and the imported one");
        let intake = library.intake(Channel::Web).unwrap();
        assert_eq!(intake.uuid, uuid, "the newest flow named Intake");
        assert!(library.entry(uuid).unwrap().raw.to_string().contains("Hello"));
        assert!(library.entry(uuid).unwrap().raw.get("_ui").is_some());
        assert!(library.flow("e8c2a44f-53ef-4765-8954-372b74f063d0").is_some(), "the shipped intake still loads");
        assert_eq!(library.export_all()["flows"].as_array().unwrap().len(), 7);

        // Renaming the one flow named Intake leaves the bot without an intake: refused.
        let shipped_intake = "e8c2a44f-53ef-4765-8954-372b74f063d0";
        let renamed = import(3, flow(shipped_intake, "Renamed", SAY));
        assert!(Library::build(&[renamed], Vec::new(), 3).is_err());
    }

    #[test]
    fn only_what_the_platform_runs_can_be_allowed() {
        assert_eq!(allowance(&["call_webhook", " call_webhook"]).unwrap(), ["call_webhook"]);
        assert!(allowance(NONE).unwrap().is_empty());
        let e = allowance(&["send_email"]).unwrap_err().to_string();
        assert!(e.contains("'send_email' cannot be allowed") && e.contains("only call_webhook"), "{e}");
        let e = allowance(&["send_msg"]).unwrap_err().to_string();
        assert!(e.contains("'send_msg' is not an outside action type"), "{e}");

        let hook = flow("0b9ab1a4-8a42-4d3c-9c0e-1d6b7f7f0005", "Hook", HOOK);
        let checked = check_file(hook.as_bytes(), &["call_webhook"]).unwrap();
        assert_eq!(checked.allowed_outside, ["call_webhook"]);
        let e = check_file(hook.as_bytes(), &["send_email"]).unwrap_err().to_string();
        assert!(e.contains("send_email"), "an allowance the platform cannot run is refused first: {e}");
    }

    #[test]
    fn a_flow_entered_must_be_there() {
        let enter = |uuid: &str| {
            format!(
                r#"{{"uuid": "1e0f1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b", "type": "enter_flow", "flow": {{"uuid": "{uuid}", "name": "Gone"}}}}"#
            )
        };
        let missing = "0b9ab1a4-8a42-4d3c-9c0e-1d6b7f7f0099";
        let lost = flow("0b9ab1a4-8a42-4d3c-9c0e-1d6b7f7f0006", "Lost", &enter(missing));
        let e = check_file(lost.as_bytes(), NONE).unwrap_err().to_string();
        assert!(e.contains("flow 'Lost'") && e.contains("node 3f6d3d5e-4b4f-4a44-8f4e-1b2a3c4d5e6f"), "{e}");
        assert!(e.contains("action 1e0f1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b (enter_flow)"), "{e}");
        assert!(e.contains(&format!("enters flow 'Gone' ({missing})")), "{e}");

        // A shipped flow, or one of the same file, is there.
        let shipped =
            flow("0b9ab1a4-8a42-4d3c-9c0e-1d6b7f7f0007", "Back", &enter("e8c2a44f-53ef-4765-8954-372b74f063d0"));
        assert!(check_file(shipped.as_bytes(), NONE).is_ok());
        let sibling = flow("0b9ab1a4-8a42-4d3c-9c0e-1d6b7f7f0008", "Sibling", SAY);
        let both = format!(
            r#"{{"version": "13", "flows": [{}, {sibling}]}}"#,
            flow("0b9ab1a4-8a42-4d3c-9c0e-1d6b7f7f0009", "Caller", &enter("0b9ab1a4-8a42-4d3c-9c0e-1d6b7f7f0008"))
        );
        assert!(check_file(both.as_bytes(), NONE).is_ok());

        // In the running set: an earlier import counts.
        let import = |seq: i64, text: String| stored(seq, text, &[]);
        let earlier = import(1, flow(missing, "Gone", SAY));
        let checked = load_file(lost.as_bytes(), Vec::new()).unwrap();
        let with = Library::build(&[earlier, import(2, lost.clone())], Vec::new(), 2).unwrap();
        assert!(with.enters_known(&checked.entered).is_ok());
        let without = Library::build(&[import(2, lost)], Vec::new(), 2).unwrap();
        let e = without.enters_known(&checked.entered).unwrap_err().to_string();
        assert!(e.contains("nor imported before"), "{e}");
    }

    #[test]
    fn each_import_loads_with_its_own_allowance() {
        let hooked = "0b9ab1a4-8a42-4d3c-9c0e-1d6b7f7f000a";
        let caller = "0b9ab1a4-8a42-4d3c-9c0e-1d6b7f7f000b";
        let import = stored;
        let enter = format!(
            r#"{{"uuid": "1e0f1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5c", "type": "enter_flow", "flow": {{"uuid": "{hooked}", "name": "Hook"}}}}"#
        );
        let files =
            [import(1, flow(hooked, "Hook", HOOK), &["call_webhook"]), import(2, flow(caller, "Caller", &enter), &[])];
        let library = Library::build(&files, Vec::new(), 2).unwrap();
        assert!(library.flow(hooked).is_some(), "loaded with its allowance");
        assert!(library.starts_calling_out(&FlowRef::new(hooked, "Hook")));
        assert!(library.starts_calling_out(&FlowRef::new(caller, "Caller")), "it enters one that calls");
        let intake = library.intake(Channel::Web).unwrap();
        assert!(!library.starts_calling_out(&intake), "the shipped flows never wait for a webhook");

        // The same file without the allowance does not load; the set has nothing calling out.
        let refused = Library::build(&[import(1, flow(hooked, "Hook", HOOK), &[])], Vec::new(), 1).unwrap();
        assert!(refused.flow(hooked).is_none());
        let why = refused.entry(hooked).unwrap().info.as_ref().unwrap_err();
        assert!(why.contains("call_webhook"), "{why}");
        assert!(refused.calls_out.is_empty());
    }
}

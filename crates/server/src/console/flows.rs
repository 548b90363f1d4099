//! The flows page, for administrators: the flows the bot runs and where each came from, import of
//! a flow file (a file upload that works without JavaScript; refusals name the flow and node;
//! a box per outside action type the platform can run, to allow it for this file),
//! downloads as RapidPro exports, the intake flow per channel, and a read-only outline of a flow
//! in one of its languages. Flow definitions are configuration: no case content here.

use std::convert::Infallible;

use askama::Template;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use safepassage_domain::Channel;
use safepassage_flows::definition::{ActionKind, Flow, Router, RouterType};
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use super::csrf;
use super::errors::{self, OrPage};
use super::form::Form;
use super::lang::Lang;
use super::roles::{Administration, Allowed};
use super::timeline::Names;
use super::views::{self, clock, short_id, Chrome};
use crate::error::PageError;
use crate::flow_library::{ImportError, Library, Source, ALLOWABLE_OUTSIDE, MAX_FILE};
use crate::AppState;

const PATH: &str = "/console/flows";
/// The one console path that takes a large body (the CSRF check reads up to this much there).
pub(crate) const IMPORT_PATH: &str = "/console/flows/import";
pub(crate) const UPLOAD_LIMIT: usize = MAX_FILE + 64 * 1024;
/// The import form's file field; the others are the CSRF token (`csrf::FIELD`) and the outside
/// action types allowed (`ALLOW_FIELD`, once per box ticked).
const FILE_FIELD: &str = "file";
const ALLOW_FIELD: &str = "allow";
/// More ticked boxes than there are outside action types is not our form.
const MAX_ALLOW: usize = 16;
/// A CSRF token is 64 hex digits; a longer field is not one of ours.
const TOKEN_LIMIT: u64 = 1024;
/// The channels an intake can be chosen for, in the order the page shows them.
const CHANNELS: [Channel; 3] = [Channel::Web, Channel::Telegram, Channel::Voice];
const DEFAULT: &str = "default";

pub(crate) struct FlowRow {
    pub uuid: String,
    pub href: String,
    pub name: String,
    pub flow_type: String,
    pub spec_version: String,
    pub nodes: usize,
    pub languages: String,
    pub intake_for: String,
    pub origin: String,
    pub error: Option<String>,
}

pub(crate) struct ImportRow {
    pub href: String,
    pub at: String,
    pub by: String,
    pub digest: String,
    pub flows: usize,
    pub bytes: usize,
    pub allowed: String,
}

/// A box on the import form that allows one outside action type for the file.
pub(crate) struct AllowBox {
    pub value: &'static str,
    pub label: String,
    /// What allowing it means for applicants, in plain words.
    pub warning: String,
}

pub(crate) struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub(crate) struct ChannelRow {
    pub value: &'static str,
    pub label: String,
    pub current: String,
    pub choices: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "console/flows.html")]
struct FlowsPage {
    chrome: Chrome,
    flows: Vec<FlowRow>,
    imports: Vec<ImportRow>,
    channels: Vec<ChannelRow>,
    /// Why the last file was refused, as the loader says it (flow, node, action, what).
    refused: Option<String>,
    max_mib: usize,
    allowable: Vec<AllowBox>,
}

/// `GET /console/flows`.
pub(crate) async fn page(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<Administration>,
    uri: Uri,
) -> Result<Response, PageError> {
    show(&state, lang, &who, uri.query(), None, StatusCode::OK).await
}

fn library(state: &AppState, lang: Lang) -> Result<std::sync::Arc<Library>, PageError> {
    state.flow_library().ok_or_else(|| errors::unavailable(&state.i18n, lang))
}

async fn show(
    state: &AppState,
    lang: Lang,
    who: &Allowed<Administration>,
    query: Option<&str>,
    refused: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let i18n = &state.i18n;
    let library = library(state, lang)?;
    let by: Vec<_> = library.imports.iter().map(|i| i.by).collect();
    let names = Names::load(state, lang, by).await.or_page(i18n, lang)?;
    let channel_label = |c: Channel| i18n.text(lang.language, &views::vocab_id("channel", c.as_str()));
    let intakes: Vec<(Channel, Option<String>)> =
        CHANNELS.iter().map(|c| (*c, library.intake(*c).map(|f| f.uuid))).collect();
    let flows = library
        .entries
        .iter()
        .map(|e| {
            let intake_for: Vec<String> = intakes
                .iter()
                .filter(|(_, uuid)| uuid.as_deref() == Some(e.uuid.as_str()))
                .map(|(c, _)| channel_label(*c))
                .collect();
            let origin = match &e.source {
                Source::Shipped => i18n.text(lang.language, "flows-shipped"),
                Source::Imported { at_ms, by, .. } => i18n.text_with(
                    lang.language,
                    "flows-imported-at-by",
                    &[("at", clock(*at_ms).into()), ("who", names.of(*by).to_owned().into())],
                ),
            };
            let (flow_type, spec_version, nodes, languages, error) = match &e.info {
                Ok(i) => (i.flow_type.to_owned(), i.spec_version.clone(), i.nodes, i.languages.join(", "), None),
                Err(why) => (String::new(), String::new(), 0, String::new(), Some(why.clone())),
            };
            FlowRow {
                uuid: e.uuid.clone(),
                href: format!("{PATH}/{}", e.uuid),
                name: e.name.clone(),
                flow_type,
                spec_version,
                nodes,
                languages,
                intake_for: intake_for.join(", "),
                origin,
                error,
            }
        })
        .collect();
    let imports = library
        .imports
        .iter()
        .rev()
        .map(|i| ImportRow {
            href: format!("{PATH}/files/{}", i.id),
            at: clock(i.at_ms),
            by: names.of(i.by).to_owned(),
            digest: i.digest.chars().take(16).collect(),
            flows: i.flows,
            bytes: i.bytes,
            allowed: i.allowed_outside.join(", "),
        })
        .collect();
    let channels = intakes
        .iter()
        .map(|(channel, current)| {
            let chosen = library.choices.iter().find(|c| c.channel == *channel).and_then(|c| c.flow);
            let mut choices = vec![Choice {
                value: DEFAULT.to_owned(),
                label: i18n.text(lang.language, "flows-intake-default"),
                selected: chosen.is_none(),
            }];
            for e in library.entries.iter().filter(|e| e.info.is_ok()) {
                let id = Uuid::parse_str(&e.uuid).ok();
                choices.push(Choice {
                    value: e.uuid.clone(),
                    label: e.name.clone(),
                    selected: chosen.is_some() && id == chosen,
                });
            }
            let current = current
                .as_deref()
                .and_then(|u| library.entry(u))
                .map(|e| e.name.clone())
                .unwrap_or_else(|| i18n.text(lang.language, "flows-intake-none"));
            ChannelRow { value: channel.as_str(), label: channel_label(*channel), current, choices }
        })
        .collect();
    let chrome = Chrome::staff(state, lang, &who.staff, PATH, query, "flows-title");
    let allowable = ALLOWABLE_OUTSIDE
        .iter()
        .map(|t| {
            // Fluent ids of the box: `flows-allow-call_webhook` and its `-warning`.
            let id = format!("flows-allow-{t}");
            AllowBox {
                value: t,
                label: i18n.text(lang.language, &id),
                warning: i18n.text(lang.language, &format!("{id}-warning")),
            }
        })
        .collect();
    let max_mib = MAX_FILE / (1024 * 1024);
    let page = FlowsPage { chrome, flows, imports, channels, refused, max_mib, allowable };
    Ok(views::render(state, lang, status, &page))
}

/// The import form as its `multipart/form-data` body carries it: the CSRF token and the file,
/// each at most once, the outside action types allowed, nothing else.
#[derive(Debug, Default)]
pub(crate) struct Upload {
    pub csrf: Option<Bytes>,
    pub file: Option<Bytes>,
    pub allow: Vec<String>,
}

/// Why a body is not the import form.
#[derive(Debug, thiserror::Error)]
pub(crate) enum UploadError {
    #[error("malformed multipart body: {0}")]
    Multipart(#[from] multer::Error),
    #[error("a field is given twice")]
    Repeated,
    #[error("too many outside action types")]
    TooMany,
}

impl Upload {
    /// The boundary, when the request says its body is `multipart/form-data`.
    pub(crate) fn boundary(headers: &HeaderMap) -> Option<String> {
        let content_type = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
        multer::parse_boundary(content_type).ok()
    }

    /// Reads the form from a body already in memory; the caller bounded it to `UPLOAD_LIMIT`,
    /// and the parser bounds it again, the token and each allowed type to `TOKEN_LIMIT`, and
    /// refuses other fields.
    pub(crate) async fn read(boundary: String, body: Bytes) -> Result<Upload, UploadError> {
        let limits = multer::SizeLimit::new()
            .whole_stream(UPLOAD_LIMIT as u64)
            .per_field(TOKEN_LIMIT)
            .for_field(FILE_FIELD, UPLOAD_LIMIT as u64);
        let fields = vec![csrf::FIELD, FILE_FIELD, ALLOW_FIELD];
        let constraints = multer::Constraints::new().allowed_fields(fields).size_limit(limits);
        let stream = futures_util::stream::once(async move { Ok::<_, Infallible>(body) });
        let mut multipart = multer::Multipart::with_constraints(stream, boundary, constraints);
        let mut upload = Upload::default();
        while let Some(field) = multipart.next_field().await? {
            if field.name() == Some(ALLOW_FIELD) {
                if upload.allow.len() == MAX_ALLOW {
                    return Err(UploadError::TooMany);
                }
                upload.allow.push(field.text().await?);
                continue;
            }
            // `allowed_fields` let only our three names through.
            let slot = if field.name() == Some(FILE_FIELD) { &mut upload.file } else { &mut upload.csrf };
            if slot.is_some() {
                return Err(UploadError::Repeated);
            }
            *slot = Some(field.bytes().await?);
        }
        Ok(upload)
    }
}

/// `POST /console/flows/import`: a `multipart/form-data` body with the CSRF field and `file`.
/// The extractors prove a live administrator session before the body is read (the CSRF
/// middleware leaves this path's body alone); the token is checked here, before anything else.
pub(crate) async fn import(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<Administration>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, PageError> {
    let i18n = &state.i18n;
    let bad_request = || errors::bad_request(i18n, lang);
    // Not multipart as it says: no token can be found in it.
    let boundary = Upload::boundary(&headers).ok_or_else(|| errors::csrf(i18n, lang))?;
    let bytes = axum::body::to_bytes(body, UPLOAD_LIMIT).await.map_err(|_| bad_request())?;
    let upload = match Upload::read(boundary, bytes).await {
        Ok(upload) => upload,
        Err(why) => {
            tracing::debug!(error = %why, "console upload refused");
            return Err(bad_request());
        }
    };
    if !upload.csrf.as_ref().is_some_and(|given| csrf::token_matches(who.staff.csrf(), given)) {
        return Err(errors::csrf(i18n, lang));
    }
    let file = upload.file.unwrap_or_default();
    if file.iter().all(u8::is_ascii_whitespace) {
        let why = i18n.text(lang.language, "flows-no-file");
        return show(&state, lang, &who, None, Some(why), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    match state.import_flows(&file, &upload.allow, who.staff.id).await {
        Ok(_) => Ok(views::see_other(&format!("{PATH}?notice=flows-imported"))),
        Err(ImportError::Check(why)) => {
            show(&state, lang, &who, None, Some(why.to_string()), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(ImportError::Store(e)) => Err(errors::store(i18n, lang, e)),
        Err(other) => show(&state, lang, &who, None, Some(other.to_string()), StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

#[derive(Deserialize)]
pub(crate) struct IntakeForm {
    #[serde(default)]
    channel: String,
    #[serde(default)]
    flow: String,
}

/// `POST /console/flows/intake`: the flow new conversations on a channel start.
pub(crate) async fn intake(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<Administration>,
    Form(form): Form<IntakeForm>,
) -> Result<Response, PageError> {
    let i18n = &state.i18n;
    let channel = form
        .channel
        .parse::<Channel>()
        .ok()
        .filter(|c| CHANNELS.contains(c))
        .ok_or_else(|| errors::bad_request(i18n, lang))?;
    let flow = match form.flow.as_str() {
        DEFAULT => None,
        other => Some(Uuid::parse_str(other).map_err(|_| errors::bad_request(i18n, lang))?),
    };
    match state.choose_intake(channel, flow, who.staff.id).await {
        Ok(()) => Ok(views::see_other(&format!("{PATH}?notice=intake-set"))),
        Err(ImportError::Store(e)) => Err(errors::store(i18n, lang, e)),
        Err(other) => show(&state, lang, &who, None, Some(other.to_string()), StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

/// A JSON document as a download.
fn attachment(filename: &str, body: impl Into<Body>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/json; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
        ],
        body.into(),
    )
        .into_response()
}

fn pretty(state: &AppState, lang: Lang, value: &Value) -> Result<String, PageError> {
    serde_json::to_string_pretty(value).map_err(|_| errors::unavailable(&state.i18n, lang))
}

/// `GET /console/flows/export`: every flow the bot runs, as one RapidPro export.
pub(crate) async fn export_all(
    State(state): State<AppState>,
    lang: Lang,
    _who: Allowed<Administration>,
) -> Result<Response, PageError> {
    let library = library(&state, lang)?;
    Ok(attachment("flows.json", pretty(&state, lang, &library.export_all())?))
}

/// `GET /console/flows/{uuid}/export`: one flow as a RapidPro export.
pub(crate) async fn export_one(
    State(state): State<AppState>,
    lang: Lang,
    _who: Allowed<Administration>,
    Path(uuid): Path<String>,
) -> Result<Response, PageError> {
    let library = library(&state, lang)?;
    let entry = library.entry(&uuid).ok_or_else(|| errors::not_found(&state.i18n, lang))?;
    let body = pretty(&state, lang, &library.export_one(entry))?;
    Ok(attachment(&format!("flow-{}.json", entry.uuid.to_ascii_lowercase()), body))
}

/// `GET /console/flows/files/{id}`: an imported file exactly as it was given.
pub(crate) async fn file(
    State(state): State<AppState>,
    lang: Lang,
    _who: Allowed<Administration>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let i18n = &state.i18n;
    let id = Uuid::parse_str(&id).map_err(|_| errors::not_found(i18n, lang))?;
    let imports = state.store.flow_imports().await.or_page(i18n, lang)?;
    let found = imports.into_iter().find(|i| i.id == id).ok_or_else(|| errors::not_found(i18n, lang))?;
    Ok(attachment(&format!("flows-{}.json", short_id(&id)), found.export))
}

pub(crate) struct LanguageChoice {
    pub href: String,
    pub code: String,
    pub current: bool,
}

pub(crate) struct ActionLine {
    pub kind: String,
    pub texts: Vec<String>,
    pub quick_replies: Vec<String>,
}

pub(crate) struct CaseLine {
    pub test: String,
    pub arguments: String,
    pub category: String,
}

pub(crate) struct RouterLine {
    pub kind: &'static str,
    pub waits: bool,
    pub operand: String,
    pub result_name: String,
    pub cases: Vec<CaseLine>,
    pub categories: Vec<String>,
}

pub(crate) struct NodeLine {
    pub number: usize,
    pub uuid: String,
    pub actions: Vec<ActionLine>,
    pub router: Option<RouterLine>,
}

#[derive(Template)]
#[template(path = "console/flow.html")]
struct OutlinePage {
    chrome: Chrome,
    uuid: String,
    flow_type: &'static str,
    language: String,
    languages: Vec<LanguageChoice>,
    nodes: Vec<NodeLine>,
    export_href: String,
}

#[derive(Deserialize)]
pub(crate) struct OutlineQuery {
    #[serde(default)]
    language: Option<String>,
}

/// `GET /console/flows/{uuid}?language=eng`: what the flow says and how it routes, node by node,
/// in its base language or one of its translations. Read-only.
pub(crate) async fn outline(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<Administration>,
    Path(uuid): Path<String>,
    Query(q): Query<OutlineQuery>,
    uri: Uri,
) -> Result<Response, PageError> {
    let library = library(&state, lang)?;
    let not_found = || errors::not_found(&state.i18n, lang);
    let entry = library.entry(&uuid).ok_or_else(not_found)?;
    let flow = library.flow(&entry.uuid).ok_or_else(not_found)?;
    let mut codes = vec![flow.language.clone()];
    if let Some(l) = &flow.localization {
        codes.extend(l.languages().filter(|c| **c != flow.language).cloned());
    }
    let language = q.language.filter(|l| codes.contains(l)).unwrap_or_else(|| flow.language.clone());
    let path = format!("{PATH}/{}", flow.uuid);
    let languages = codes
        .iter()
        .map(|c| LanguageChoice { href: format!("{path}?language={c}"), code: c.clone(), current: *c == language })
        .collect();
    let nodes = flow.nodes.iter().enumerate().map(|(i, n)| node_line(flow, &language, i, n)).collect();
    let mut chrome = Chrome::staff(&state, lang, &who.staff, &path, uri.query(), "flows-outline-title");
    chrome.title = format!("{} · {}", chrome.title, flow.name);
    let page = OutlinePage {
        chrome,
        uuid: flow.uuid.clone(),
        flow_type: flow.flow_type.as_str(),
        language,
        languages,
        nodes,
        export_href: format!("{path}/export"),
    };
    Ok(views::render(&state, lang, StatusCode::OK, &page))
}

/// The texts of an item's property in `language`, falling back to the base language.
fn texts(flow: &Flow, language: &str, uuid: &str, property: &str, base: Vec<String>) -> Vec<String> {
    flow.translation(language, uuid, property).unwrap_or(base)
}

fn node_line(flow: &Flow, language: &str, index: usize, node: &safepassage_flows::definition::Node) -> NodeLine {
    let actions = node
        .actions()
        .iter()
        .map(|a| {
            let (texts, quick_replies) = match &a.kind {
                ActionKind::SendMsg(m) => (
                    texts(flow, language, &a.uuid, "text", vec![m.text.clone()]),
                    texts(flow, language, &a.uuid, "quick_replies", m.quick_replies.clone().unwrap_or_default()),
                ),
                ActionKind::SayMsg(m) => (texts(flow, language, &a.uuid, "text", vec![m.text.clone()]), Vec::new()),
                ActionKind::SetRunResult(r) => {
                    (vec![format!("{} = {}", r.name, r.value.clone().unwrap_or_default())], Vec::new())
                }
                ActionKind::EnterFlow(e) => (vec![e.flow.name.clone()], Vec::new()),
                ActionKind::OpenTicket(t) => (t.topic_ref().map(|t| t.name).into_iter().collect(), Vec::new()),
                _ => (Vec::new(), Vec::new()),
            };
            ActionLine { kind: a.type_name().to_owned(), texts, quick_replies }
        })
        .collect();
    NodeLine {
        number: index + 1,
        uuid: node.uuid.clone(),
        actions,
        router: node.router.as_ref().map(|r| router_line(flow, language, r)),
    }
}

fn router_line(flow: &Flow, language: &str, router: &Router) -> RouterLine {
    let category_name = |uuid: &str| {
        router
            .category(uuid)
            .map(|c| texts(flow, language, &c.uuid, "name", vec![c.name.clone()]).join(" "))
            .unwrap_or_default()
    };
    RouterLine {
        kind: match router.kind {
            RouterType::Switch => "switch",
            RouterType::Random => "random",
        },
        waits: router.wait.is_some(),
        operand: router.operand.clone().unwrap_or_default(),
        result_name: router.result_name().unwrap_or_default().to_owned(),
        cases: router
            .cases()
            .iter()
            .map(|c| CaseLine {
                test: c.test.clone(),
                arguments: texts(flow, language, &c.uuid, "arguments", c.arguments.clone().unwrap_or_default())
                    .join(" · "),
                category: category_name(&c.category_uuid),
            })
            .collect(),
        categories: router.categories.iter().map(|c| category_name(&c.uuid)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use safepassage_domain::Language;

    #[test]
    fn flows_texts_exist_in_every_console_language() {
        let i18n = crate::i18n::load();
        for line in include_str!("../../locales/en/flows.ftl").lines() {
            let Some((id, _)) = line.split_once(" = ") else { continue };
            if id.starts_with('#') || id.starts_with(' ') {
                continue;
            }
            for lang in [Language::Uk, Language::Ru, Language::En] {
                assert!(i18n.has(lang, id.trim()), "{id} is missing in {lang}");
            }
        }
    }
}

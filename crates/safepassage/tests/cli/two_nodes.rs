//! Two `serve` nodes on one PostgreSQL database, as behind a load balancer: live updates cross
//! from one node to the other, taking a conversation stays exclusive, a TOTP code opens one
//! session whichever node it reaches, and a node killed with SIGKILL loses no acknowledged
//! message while the applicant goes on through the other node.

use std::path::Path;
use std::time::{Duration, Instant};

use safepassage_domain::Role;
use safepassage_store::{KeySource, Store, StoreConfig};
use serde_json::{json, Value};

use super::{start_serve_with, Running};

const POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/test";
const PASSWORD: &str = "correct horse battery staple 42";

/// A fresh schema of the local PostgreSQL server, dropped at the end.
struct Schema {
    name: String,
    url: String,
}

impl Schema {
    async fn create() -> Schema {
        let base = std::env::var("SAFEPASSAGE_TEST_POSTGRES_URL").unwrap_or_else(|_| POSTGRES.into());
        let name = format!("two_nodes_{}", uuid::Uuid::new_v4().simple());
        psql(&base, &format!("CREATE SCHEMA {name}"));
        let sep = if base.contains('?') { '&' } else { '?' };
        Schema { url: format!("{base}{sep}options=-csearch_path%3D{name}"), name }
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        let base = std::env::var("SAFEPASSAGE_TEST_POSTGRES_URL").unwrap_or_else(|_| POSTGRES.into());
        psql(&base, &format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name));
    }
}

/// Runs one statement with `psql` (the test crate has no PostgreSQL driver of its own).
fn psql(url: &str, statement: &str) {
    let status = std::process::Command::new("psql")
        .args([url, "-qc", statement])
        .env("PGOPTIONS", "--client-min-messages=warning")
        .status()
        .unwrap();
    assert!(status.success(), "psql {statement}");
}

/// A staff member with a known password and TOTP secret, made in the store.
struct Staff {
    name: String,
    secret: Vec<u8>,
}

impl Staff {
    async fn create(store: &Store, name: &str, role: Role) -> Staff {
        let secret: Vec<u8> = (0..20).map(|i| (i * 7 + name.len()) as u8).collect();
        let hash = safepassage_keys::password::hash(PASSWORD);
        store.create_user(name, role, hash, &secret).await.unwrap();
        Staff { name: name.to_owned(), secret }
    }

    fn code(&self) -> String {
        let totp =
            totp_rs::TOTP::new_unchecked(totp_rs::Algorithm::SHA1, 6, 1, 30, self.secret.clone(), None, String::new());
        totp.generate_current().unwrap()
    }
}

/// A browser's cookies on one node's console.
struct Console {
    client: reqwest::Client,
    base: String,
    csrf: String,
}

fn csrf_in(html: &str) -> String {
    html.split("name=\"csrf\" value=\"").nth(1).and_then(|r| r.split('"').next()).unwrap().to_owned()
}

/// Submits the login form on `node` with `code`; the session if it was accepted.
async fn login(node: &Running, staff: &Staff, code: &str) -> Option<Console> {
    let client =
        reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let base = node.console.clone();
    let page = client.get(format!("{base}/console/login")).send().await.unwrap().text().await.unwrap();
    let form = [
        ("csrf", csrf_in(&page)),
        ("username", staff.name.clone()),
        ("password", PASSWORD.into()),
        ("totp", code.into()),
    ];
    let response = client.post(format!("{base}/console/login")).form(&form).send().await.unwrap();
    let to = response.headers().get("location").map(|l| l.to_str().unwrap().to_owned()).unwrap_or_default();
    if response.status() != 303 || to.starts_with("/console/login") {
        return None;
    }
    let home = client.get(format!("{base}/console")).send().await.unwrap().text().await.unwrap();
    Some(Console { client, csrf: csrf_in(&home), base })
}

impl Console {
    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut form = vec![("csrf", self.csrf.as_str())];
        form.extend_from_slice(fields);
        self.client.post(format!("{}{path}", self.base)).form(&form).send().await.unwrap()
    }

    async fn stream(&self, path: &str) -> reqwest::Response {
        let response = self.client.get(format!("{}{path}", self.base)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        response
    }
}

/// Reads an event stream until `needle` shows, within `limit`.
async fn read_until(stream: &mut reqwest::Response, seen: &mut String, needle: &str, limit: Duration) {
    let deadline = Instant::now() + limit;
    while !seen.contains(needle) {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.chunk()).await {
            Ok(Ok(Some(chunk))) => seen.push_str(&String::from_utf8_lossy(&chunk)),
            other => panic!("no {needle:?} within {limit:?} ({other:?}); got {seen:?}"),
        }
    }
}

/// An applicant of the web chat's API, on whichever node `base` is.
struct Applicant {
    token: String,
}

impl Applicant {
    async fn start(client: &reqwest::Client, base: &str) -> Applicant {
        let response =
            client.post(format!("{base}/api/v1/chat/sessions")).json(&json!({"language": "ru"})).send().await.unwrap();
        assert_eq!(response.status(), 201);
        let body: Value = response.json().await.unwrap();
        Applicant { token: body["token"].as_str().unwrap().to_owned() }
    }

    async fn say(&self, client: &reqwest::Client, base: &str, text: &str) -> reqwest::StatusCode {
        let response = client
            .post(format!("{base}/api/v1/chat/messages"))
            .bearer_auth(&self.token)
            .json(&json!({ "text": text }))
            .send()
            .await;
        match response {
            Ok(response) => response.status(),
            Err(_) => reqwest::StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    async fn stream(&self, client: &reqwest::Client, base: &str) -> reqwest::Response {
        let response = client.get(format!("{base}/api/v1/chat/events")).bearer_auth(&self.token).send().await.unwrap();
        assert_eq!(response.status(), 200);
        response
    }

    async fn texts(&self, client: &reqwest::Client, base: &str) -> Vec<String> {
        let page: Value = client
            .get(format!("{base}/api/v1/chat/messages?after=0&limit=200"))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        page["messages"].as_array().unwrap().iter().filter_map(|m| m["text"].as_str().map(str::to_owned)).collect()
    }
}

/// Waits until the store's queue holds a conversation not in `known`, and returns it.
async fn newly_queued(store: &Store, known: &[uuid::Uuid]) -> uuid::Uuid {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let queue = store.queue(50).await.unwrap();
        if let Some(c) = queue.iter().find(|c| !known.contains(&c.id.0)) {
            return c.id.0;
        }
        assert!(Instant::now() < deadline, "nothing new reached the queue");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn node(dir: &Path, schema: &Schema) -> Running {
    let key = dir.join("master.key");
    let key = key.to_str().unwrap();
    start_serve_with(dir, &["--database", &schema.url, "--key-file", key, "--chat-message-limit", "off"]).await
}

#[tokio::test]
async fn two_nodes_on_one_postgres_share_live_updates_takes_totp_codes_and_survive_a_kill() {
    let dir = tempfile::tempdir().unwrap();
    let schema = Schema::create().await;
    // The key file and the staff first, through the store as a node would open it.
    let store = Store::open(StoreConfig::new(schema.url.clone(), KeySource::File(dir.path().join("master.key"))))
        .await
        .unwrap();
    let olena = Staff::create(&store, "op.olena", Role::Operator).await;
    let petro = Staff::create(&store, "op.petro", Role::Operator).await;
    let node_a = node(dir.path(), &schema).await;
    let node_b = node(dir.path(), &schema).await;
    let (a, b) = (node_a.base.clone(), node_b.base.clone());
    let client = reqwest::Client::new();

    // A TOTP code used on A is refused on B (and the same code cannot open a second session on A).
    let code = olena.code();
    let olena_a = login(&node_a, &olena, &code).await.expect("the first use of a code logs in");
    assert!(login(&node_b, &olena, &code).await.is_none(), "the code was used on node A");
    // Petro logs in on B (his own code).
    let petro_b = login(&node_b, &petro, &petro.code()).await.expect("petro logs in on B");

    // An applicant on A, Petro's console on B: the queue signal crosses nodes.
    let mut queue_b = petro_b.stream("/console/events").await;
    let applicant = Applicant::start(&client, &a).await;
    let mut applicant_stream = applicant.stream(&client, &a).await;
    let mut heard = String::new();
    for text in ["Русский", "оператор"] {
        assert_eq!(applicant.say(&client, &a, text).await, 202);
    }
    let mut queue_seen = String::new();
    read_until(&mut queue_b, &mut queue_seen, "event: queue", Duration::from_secs(5)).await;
    let first = newly_queued(&store, &[]).await;

    // Petro takes it on B and watches it live there; the applicant writes on A and Petro sees it.
    let taken = petro_b.post(&format!("/console/conversations/{first}/take"), &[]).await;
    assert_eq!(taken.headers()["location"], format!("/console/conversations/{first}").as_str());
    let mut petro_watch = petro_b.stream(&format!("/console/conversations/{first}/events")).await;
    let mut petro_seen = String::new();
    assert_eq!(applicant.say(&client, &a, "меня зовут на фронт, что делать").await, 202);
    read_until(&mut petro_watch, &mut petro_seen, "меня зовут на фронт", Duration::from_secs(3)).await;
    // Petro replies on B; the applicant's stream on A shows it.
    let replied =
        petro_b.post(&format!("/console/conversations/{first}/reply"), &[("text", "Мы на связи, не волнуйтесь")]).await;
    assert_eq!(replied.status(), 303);
    read_until(&mut applicant_stream, &mut heard, "Мы на связи, не волнуйтесь", Duration::from_secs(3)).await;
    assert_eq!(heard.matches("Мы на связи, не волнуйтесь").count(), 1, "shown once: {heard}");

    // Two operators on two nodes take one conversation at once: exactly one gets it.
    let second_applicant = Applicant::start(&client, &b).await;
    for text in ["Русский", "оператор"] {
        assert_eq!(second_applicant.say(&client, &b, text).await, 202);
    }
    let second = newly_queued(&store, &[first]).await;
    let path = format!("/console/conversations/{second}/take");
    let (by_olena, by_petro) = tokio::join!(olena_a.post(&path, &[]), petro_b.post(&path, &[]));
    let got = |r: &reqwest::Response| r.headers()["location"] == format!("/console/conversations/{second}").as_str();
    assert_eq!([got(&by_olena), got(&by_petro)].iter().filter(|g| **g).count(), 1, "exactly one operator takes it");

    // The applicant writes on A, each message acknowledged; A is killed; he goes on through B.
    let mut acknowledged = Vec::new();
    for i in 0..20 {
        let text = format!("сообщение {i}");
        assert_eq!(applicant.say(&client, &a, &text).await, 202);
        acknowledged.push(text);
    }
    drop(applicant_stream);
    drop(node_a); // SIGKILL, right after the last 202.
    let mut on_b = applicant.stream(&client, &b).await;
    let mut seen_on_b = String::new();
    assert_eq!(applicant.say(&client, &b, "я всё ещё здесь").await, 202);
    read_until(&mut petro_watch, &mut petro_seen, "я всё ещё здесь", Duration::from_secs(3)).await;
    let replied = petro_b.post(&format!("/console/conversations/{first}/reply"), &[("text", "Видим вас")]).await;
    assert_eq!(replied.status(), 303);
    read_until(&mut on_b, &mut seen_on_b, "Видим вас", Duration::from_secs(3)).await;
    let texts = applicant.texts(&client, &b).await;
    for text in &acknowledged {
        assert!(texts.contains(text), "{text} was acknowledged on A but lost");
    }
    drop(node_b);
    drop(store);
}

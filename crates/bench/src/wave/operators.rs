//! The operators of a wave: accounts made in the store before the nodes start (a known
//! password and TOTP secret, as the demo makes them), then each logs in to the console of a
//! node and, over and over, reads the queue, takes a conversation and replies by the console's
//! own forms (CSRF token and session cookie handled by hand, redirects not followed).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use safepassage_domain::Role;
use safepassage_store::Store;
use tokio::sync::watch;
use totp_rs::{Algorithm, TOTP};

use super::nodes::NodeTable;

const PASSWORD: &str = "wave-operator-password-7Kq!";
const TOTP_SECRET: &[u8] = b"wave-bench-totp-secret-20b";
/// How long an operator waits for a node to be up again.
const PATIENCE: Duration = Duration::from_secs(60);

fn name_of(index: usize) -> String {
    format!("wave.operator.{index}")
}

/// Creates `count` active operator accounts.
pub async fn create_accounts(store: &Store, count: usize) -> anyhow::Result<()> {
    for index in 0..count {
        let hash = tokio::task::spawn_blocking(|| safepassage_keys::password::hash(PASSWORD)).await?;
        store.create_user(&name_of(index), Role::Operator, hash, TOTP_SECRET).await.context("operator account")?;
    }
    Ok(())
}

/// What the operators did together.
#[derive(Default)]
pub struct OperatorTally {
    pub logins: AtomicU64,
    pub taken: AtomicU64,
    /// Takes another operator won first.
    pub lost_races: AtomicU64,
    pub replies: AtomicU64,
    /// Requests that failed (a node down, an unexpected answer), retried after a pause.
    pub errors: AtomicU64,
}

/// Operator `index` at work on node `index % nodes` (another when that one is down) until `stop`.
pub async fn work(
    table: Arc<NodeTable>,
    index: usize,
    pause: Duration,
    tally: Arc<OperatorTally>,
    mut stop: watch::Receiver<bool>,
) {
    let client = match reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
    {
        Ok(client) => client,
        Err(_) => return,
    };
    let mut console =
        Console { client, node: index % table.len().max(1), base: String::new(), cookie: None, csrf: String::new() };
    let mut replied = 0u64;
    while !*stop.borrow() {
        let round = async {
            console.base(&table).await?;
            if console.cookie.is_none() {
                console.login(&table, index).await?;
                tally.logins.fetch_add(1, Ordering::Relaxed);
            }
            console.round(index, &mut replied, &tally).await
        };
        // A round is never cut short: a reply sent is a reply counted.
        match round.await {
            Ok(true) => {}
            Ok(false) => {
                // Nothing waiting: look again in a moment.
                let _ = tokio::time::timeout(Duration::from_millis(200), stop.changed()).await;
                continue;
            }
            Err(_) => {
                tally.errors.fetch_add(1, Ordering::Relaxed);
                // Maybe the node went down: the cookie works on every node (sessions are stored).
                console.base.clear();
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        if !pause.is_zero() {
            let _ = tokio::time::timeout(pause, stop.changed()).await;
        }
    }
}

struct Console {
    client: reqwest::Client,
    node: usize,
    base: String,
    /// `sp_staff=…`
    cookie: Option<String>,
    csrf: String,
}

impl Console {
    async fn base(&mut self, table: &NodeTable) -> anyhow::Result<String> {
        if self.base.is_empty() || table.address(self.node).is_none() {
            let (node, address) = table.up_from(self.node, PATIENCE).await?;
            self.node = node;
            self.base = format!("http://{address}");
        }
        Ok(self.base.clone())
    }

    /// The login form (its nonce cookie and token), then name, password and the current code.
    async fn login(&mut self, table: &NodeTable, index: usize) -> anyhow::Result<()> {
        let base = self.base(table).await?;
        let page = self.client.get(format!("{base}/console/login")).send().await?;
        let nonce = cookie_of(&page, "sp_login_csrf").context("no login nonce")?;
        let csrf = csrf_in(&page.text().await?).context("no csrf on the login form")?;
        let secs = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
        let code =
            TOTP::new_unchecked(Algorithm::SHA1, 6, 1, 30, TOTP_SECRET.to_vec(), None, String::new()).generate(secs);
        let name = name_of(index);
        let form = [("csrf", csrf.as_str()), ("username", &name), ("password", PASSWORD), ("totp", &code)];
        let response =
            self.client.post(format!("{base}/console/login")).header("Cookie", nonce).form(&form).send().await?;
        let session = cookie_of(&response, "sp_staff").with_context(|| format!("login of {name} refused"))?;
        let home = self.client.get(format!("{base}/console")).header("Cookie", &session).send().await?;
        self.csrf = csrf_in(&home.text().await?).context("no csrf on the console")?;
        self.cookie = Some(session);
        Ok(())
    }

    /// Reads the queue, takes one conversation and replies; false when the queue is empty.
    async fn round(&mut self, index: usize, replied: &mut u64, tally: &OperatorTally) -> anyhow::Result<bool> {
        let base = self.base.clone();
        anyhow::ensure!(!base.is_empty(), "no node");
        let cookie = self.cookie.clone().context("not logged in")?;
        let queue =
            self.client.get(format!("{base}/console/queue?fragment=1")).header("Cookie", &cookie).send().await?;
        if queue.status() != 200 {
            // A session that ended (idle, over-long) sends the browser to the login page.
            self.cookie = None;
            anyhow::bail!("queue: {}", queue.status());
        }
        let html = queue.text().await?;
        let waiting: Vec<&str> = html
            .split("action=\"/console/conversations/")
            .skip(1)
            .filter_map(|rest| rest.split_once("/take\"").map(|(id, _)| id))
            .collect();
        if waiting.is_empty() {
            return Ok(false);
        }
        // Operators start at different places in the list so that they seldom race.
        let id = waiting[index % waiting.len()].to_owned();
        let page = format!("/console/conversations/{id}");
        let take = self.form(&format!("{page}/take"), &[]).await?;
        if take != page {
            tally.lost_races.fetch_add(1, Ordering::Relaxed);
            return Ok(true);
        }
        tally.taken.fetch_add(1, Ordering::Relaxed);
        *replied += 1;
        let text = format!("Здравствуйте, я оператор. Чем могу помочь? (wave {index}-{replied})");
        let sent = self.form(&format!("{page}/reply"), &[("text", &text)]).await?;
        anyhow::ensure!(sent == page, "reply refused: {sent}");
        tally.replies.fetch_add(1, Ordering::Relaxed);
        Ok(true)
    }

    /// A console form POST with this session's CSRF token; returns where it redirects.
    async fn form(&self, path: &str, fields: &[(&str, &str)]) -> anyhow::Result<String> {
        let cookie = self.cookie.clone().context("not logged in")?;
        let mut form: Vec<(&str, &str)> = vec![("csrf", self.csrf.as_str())];
        form.extend_from_slice(fields);
        let started = Instant::now();
        let response =
            self.client.post(format!("{}{path}", self.base)).header("Cookie", cookie).form(&form).send().await?;
        anyhow::ensure!(response.status() == 303, "{path}: {} after {:?}", response.status(), started.elapsed());
        Ok(response.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned())
    }
}

/// `name=value` of the response's cookie `name`.
fn cookie_of(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with(&format!("{name}=")))
        .and_then(|c| c.split(';').next())
        .map(str::to_owned)
}

/// The value of the first hidden `csrf` field of a page.
fn csrf_in(html: &str) -> Option<String> {
    let rest = html.split("name=\"csrf\" value=\"").nth(1)?;
    Some(rest.split('"').next()?.to_owned())
}

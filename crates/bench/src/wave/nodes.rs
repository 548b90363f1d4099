//! The `safepassage serve` processes of a wave, all on one database with one key file, and the
//! table of where each listens now: a node that is killed and restarted comes back on a new port.

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use anyhow::Context;
use tokio::io::AsyncBufReadExt;
use tokio::process::{Child, Command};

/// How long a node may take to say where it listens (a debug build migrating a fresh schema).
const STARTUP: Duration = Duration::from_secs(120);

/// What every node is started with.
pub struct NodeSpec {
    pub bin: PathBuf,
    pub database: String,
    pub key_file: PathBuf,
    /// Codenames hashed fast (`--unsafe-fast-codename-hash`), as the in-process benches do.
    pub fast_codename_hash: bool,
}

/// Where each node listens (`127.0.0.1:PORT`), or `None` while it is down. Applicants and
/// operators read it on every (re)connection: a sticky load balancer's routing table.
pub struct NodeTable {
    addresses: RwLock<Vec<Option<String>>>,
}

impl NodeTable {
    pub fn len(&self) -> usize {
        self.addresses.read().map(|a| a.len()).unwrap_or(0)
    }

    pub fn address(&self, node: usize) -> Option<String> {
        self.addresses.read().ok()?.get(node).cloned().flatten()
    }

    fn set(&self, node: usize, address: Option<String>) {
        if let Ok(mut addresses) = self.addresses.write() {
            if let Some(slot) = addresses.get_mut(node) {
                *slot = address;
            }
        }
    }

    /// A node that is up, `preferred` first, then the ones after it in turn; waits (up to
    /// `patience`) while none is, as with one node that is restarting.
    pub async fn up_from(&self, preferred: usize, patience: Duration) -> anyhow::Result<(usize, String)> {
        let deadline = Instant::now() + patience;
        let n = self.len().max(1);
        loop {
            for node in (0..n).map(|k| (preferred + k) % n) {
                if let Some(address) = self.address(node) {
                    return Ok((node, address));
                }
            }
            anyhow::ensure!(Instant::now() < deadline, "no node up for {patience:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// The running nodes; every process is killed when this is dropped.
pub struct Nodes {
    spec: NodeSpec,
    children: Vec<Child>,
    pub table: std::sync::Arc<NodeTable>,
}

impl Nodes {
    pub async fn start(spec: NodeSpec, count: usize) -> anyhow::Result<Nodes> {
        let table = std::sync::Arc::new(NodeTable { addresses: RwLock::new(vec![None; count]) });
        let mut nodes = Nodes { spec, children: Vec::with_capacity(count), table };
        // One after another: the first applies the migrations of the fresh database.
        for node in 0..count {
            let (child, address) = start_one(&nodes.spec).await.with_context(|| format!("node {node}"))?;
            nodes.children.push(child);
            nodes.table.set(node, Some(address));
        }
        Ok(nodes)
    }

    /// SIGKILL of `node` (no shutdown, nothing flushed beyond what was acknowledged), then a
    /// fresh process in its place on a new port; returns how long it was down.
    pub async fn kill_and_restart(&mut self, node: usize) -> anyhow::Result<Duration> {
        let down_at = Instant::now();
        self.table.set(node, None);
        let child = self.children.get_mut(node).context("no such node")?;
        child.start_kill()?;
        child.wait().await?;
        let (child, address) = start_one(&self.spec).await.context("restarting the killed node")?;
        self.children[node] = child;
        self.table.set(node, Some(address));
        Ok(down_at.elapsed())
    }

    /// The process ids, for reading their memory.
    pub fn pids(&self) -> Vec<u32> {
        self.children.iter().filter_map(Child::id).collect()
    }
}

/// Starts one `serve` on 127.0.0.1 port 0 and waits until it answers `/healthz`.
async fn start_one(spec: &NodeSpec) -> anyhow::Result<(Child, String)> {
    let mut child = Command::new(&spec.bin)
        .arg("serve")
        .arg("--database")
        .arg(&spec.database)
        .arg("--key-file")
        .arg(&spec.key_file)
        .args(["--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0"])
        // A wave measures capacity: the flood limits are off.
        .args(["--new-chat-limit", "off", "--chat-message-limit", "off"])
        .args(spec.fast_codename_hash.then_some("--unsafe-fast-codename-hash"))
        .env("SAFEPASSAGE_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("cannot start {}", spec.bin.display()))?;
    let stdout = child.stdout.take().context("no server output")?;
    let address = tokio::time::timeout(STARTUP, bound_address(stdout))
        .await
        .context("the node did not say where it listens in time")??;
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while client.get(format!("http://{address}/healthz")).send().await.map(|r| r.status() != 200).unwrap_or(true) {
        anyhow::ensure!(Instant::now() < deadline, "the node at {address} did not come up");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok((child, address))
}

/// `127.0.0.1:PORT` from the node's first line (`Safe Passage at http://127.0.0.1:PORT/ …`);
/// the rest of its output is drained so that the pipe never fills.
async fn bound_address(stdout: tokio::process::ChildStdout) -> anyhow::Result<String> {
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    while let Some(line) = lines.next_line().await? {
        let Some((_, rest)) = line.split_once(" at http://") else { continue };
        let address = rest.split('/').next().unwrap_or_default().to_owned();
        anyhow::ensure!(address.starts_with("127.0.0.1:"), "the node listens on {address}, not 127.0.0.1");
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        return Ok(address);
    }
    anyhow::bail!("the node exited before saying where it listens")
}

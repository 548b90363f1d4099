//! `streams`: how much server memory an open web-chat event stream costs. Starts the
//! `safepassage` binary as its own process, opens many Server-Sent Event streams with a lean raw
//! TCP client, and reads the server's resident memory before and after. It measures capacity:
//! the server runs with the chat's flood limits off.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::Context;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[derive(Debug, clap::Args)]
pub struct StreamsArgs {
    /// Event streams to hold open.
    #[arg(long, default_value_t = 10_000)]
    count: usize,
    /// The server binary (default: `safepassage` next to this one).
    #[arg(long)]
    server_bin: Option<PathBuf>,
}

/// Kills the server on every way out.
struct Server(tokio::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.start_kill();
    }
}

fn rss_kib(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).context("no VmRSS")?;
    Ok(line.split_whitespace().nth(1).context("bad VmRSS")?.parse()?)
}

pub async fn run(args: StreamsArgs) -> anyhow::Result<()> {
    let bin = match args.server_bin {
        Some(bin) => bin,
        None => std::env::current_exe()?.with_file_name("safepassage"),
    };
    anyhow::ensure!(bin.exists(), "{} not found: build it (cargo build --release) or pass --server-bin", bin.display());
    let dir = tempfile::tempdir()?;
    let mut child = tokio::process::Command::new(&bin)
        .arg("serve")
        .arg("--database")
        .arg(format!("sqlite:{}", dir.path().join("streams.db").display()))
        .arg("--key-file")
        .arg(dir.path().join("streams.key"))
        // Port 0: the kernel picks free ports and the server prints them.
        .args(["--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0"])
        .args(["--new-chat-limit", "off", "--chat-message-limit", "off"])
        .env("SAFEPASSAGE_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()?;
    let stdout = child.stdout.take().context("no server output")?;
    let server = Server(child);
    let pid = server.0.id().context("server exited")?;
    let port = tokio::time::timeout(Duration::from_secs(120), bound_port(stdout))
        .await
        .context("the server did not say where it listens within 120 s")??;
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while client.get(format!("{base}/healthz")).send().await.map(|r| r.status() != 200).unwrap_or(true) {
        anyhow::ensure!(Instant::now() < deadline, "server did not come up");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    eprintln!("streams: creating {} sessions", args.count);
    let mut tokens = Vec::with_capacity(args.count);
    for _ in 0..args.count {
        let body: serde_json::Value = client
            .post(format!("{base}/api/v1/chat/sessions"))
            .json(&serde_json::json!({"language": "ru"}))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        tokens.push(body["token"].as_str().context("no token")?.to_owned());
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let before = rss_kib(pid)?;

    eprintln!("streams: opening {} event streams", args.count);
    let mut streams = Vec::with_capacity(args.count);
    for token in &tokens {
        streams.push(open_stream(port, token).await?);
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = rss_kib(pid)?;

    // The streams are live: a message posted now arrives on its stream.
    let probe = client
        .post(format!("{base}/api/v1/chat/messages"))
        .bearer_auth(&tokens[0])
        .json(&serde_json::json!({"text": "probe-7d1"}))
        .send()
        .await?;
    anyhow::ensure!(probe.status() == 202, "probe message: {}", probe.status());
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = Instant::now() + Duration::from_secs(5);
    while !String::from_utf8_lossy(&seen).contains("probe-7d1") {
        anyhow::ensure!(Instant::now() < deadline, "the probe message never arrived on its stream");
        let n = tokio::time::timeout(Duration::from_secs(5), streams[0].read(&mut buf)).await??;
        anyhow::ensure!(n > 0, "stream closed");
        seen.extend_from_slice(&buf[..n]);
    }
    let per_stream = (after.saturating_sub(before)) as f64 / args.count as f64;
    eprintln!("server RSS: {before} KiB with sessions, {after} KiB with {} open streams", args.count);
    println!(
        "streams count={} rss_before_kib={before} rss_after_kib={after} per_stream_kib={per_stream:.1}",
        args.count
    );
    drop(streams);
    drop(server);
    Ok(())
}

/// The public port from the server's first line (`Safe Passage at http://127.0.0.1:PORT/ …`);
/// the rest of its output is drained so the pipe never fills.
async fn bound_port(stdout: tokio::process::ChildStdout) -> anyhow::Result<u16> {
    use tokio::io::AsyncBufReadExt;
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    while let Some(line) = lines.next_line().await? {
        let Some((_, rest)) = line.split_once(" at http://") else { continue };
        let address = rest.split('/').next().unwrap_or_default();
        let port = address.rsplit(':').next().unwrap_or_default().parse().context("no port in the address line")?;
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        return Ok(port);
    }
    anyhow::bail!("the server exited before saying where it listens")
}

/// Opens one event stream and reads its response head; the connection stays open.
async fn open_stream(port: u16, token: &str) -> anyhow::Result<TcpStream> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await?;
    let request = format!(
        "GET /api/v1/chat/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\
         Accept: text/event-stream\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await?;
    let mut head = Vec::with_capacity(512);
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        anyhow::ensure!(head.len() < 8192, "response head too long");
        let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut byte)).await??;
        anyhow::ensure!(n == 1, "stream closed before its head");
        head.push(byte[0]);
    }
    anyhow::ensure!(head.starts_with(b"HTTP/1.1 200"), "stream refused: {}", String::from_utf8_lossy(&head));
    Ok(stream)
}

//! `flows check` and `flows import`: the same check the console runs on an upload (every flow
//! loads, no outside call unless `--allow` names one the platform can run), then, for an import,
//! the file joins the library as an audited event, with what was allowed.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use safepassage_domain::{Channel, UserId};
use safepassage_server::flow_library::{self, FlowInfo, ImportError, MAX_FILE};
use safepassage_store::Store;

/// Reads a flow file, refusing one larger than the library takes before reading it all.
fn read(file: &Path) -> anyhow::Result<Vec<u8>> {
    let size = std::fs::metadata(file).with_context(|| format!("cannot read {}", file.display()))?.len();
    if size > MAX_FILE as u64 {
        anyhow::bail!("{}: the file is larger than {MAX_FILE} bytes", file.display());
    }
    std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))
}

fn line(flow: &FlowInfo) -> String {
    format!(
        "{}  {}  type={}  spec={}  nodes={}  languages={}",
        flow.name,
        flow.uuid,
        flow.flow_type,
        flow.spec_version,
        flow.nodes,
        flow.languages.join(",")
    )
}

pub fn check(file: &Path, allow: &[String]) -> anyhow::Result<ExitCode> {
    let bytes = read(file)?;
    match flow_library::check_file(&bytes, allow) {
        Ok(checked) => {
            for flow in &checked.flows {
                println!("{}", line(flow));
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("safepassage: {}: refused: {e}", file.display());
            Ok(ExitCode::FAILURE)
        }
    }
}

/// `--intake CHANNEL --flow NAME`, parsed.
pub fn intake<'a>(channel: Option<&str>, flow: Option<&'a str>) -> anyhow::Result<Option<(Channel, &'a str)>> {
    match (channel, flow) {
        (Some(channel), Some(flow)) => {
            let channel: Channel = channel.parse().context("--intake")?;
            Ok(Some((channel, flow)))
        }
        (None, None) => Ok(None),
        _ => anyhow::bail!("--intake and --flow go together"),
    }
}

pub async fn import(
    store: &Store,
    file: &Path,
    allow: &[String],
    intake: Option<(Channel, &str)>,
) -> anyhow::Result<ExitCode> {
    let bytes = read(file)?;
    match flow_library::import_file_allowing(store, &bytes, allow, UserId::SYSTEM, intake).await {
        Ok((import, flows)) => {
            for flow in &flows {
                println!("{}", line(flow));
            }
            println!("imported {} flow(s) from {} (sha256 {})", flows.len(), file.display(), hex(&import.digest));
            if !import.allowed_outside.is_empty() {
                println!("outside calls allowed for this file: {}", import.allowed_outside.join(", "));
            }
            if let Some((channel, name)) = intake {
                println!("{name} is now the intake flow of the {channel} channel");
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(ImportError::Store(e)) => Err(e).context("cannot store the flow file"),
        Err(e) => {
            eprintln!("safepassage: {}: refused: {e}", file.display());
            Ok(ExitCode::FAILURE)
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

//! `console`: console pages with a large store (being written).

#[derive(Debug, clap::Args)]
pub struct ConsoleArgs {}

pub async fn run(_args: ConsoleArgs) -> anyhow::Result<()> {
    anyhow::bail!("not built yet")
}

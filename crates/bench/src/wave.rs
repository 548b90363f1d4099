//! `wave`: a mobilisation wave (being written).

#[derive(Debug, clap::Args)]
pub struct WaveArgs {}

pub async fn run(_args: WaveArgs) -> anyhow::Result<()> {
    anyhow::bail!("not built yet")
}

//! `keys rotate`: a new master key, every data key re-wrapped, the old key retired.

use std::process::ExitCode;

use safepassage_keys::MasterKey;
use safepassage_store::Store;

pub async fn rotate(store: &Store) -> anyhow::Result<ExitCode> {
    let report = store.rotate_master_key(MasterKey::generate()).await?;
    println!(
        "master key rotated: {} -> {}; {} data keys re-wrapped; the old key is retired",
        report.from, report.to, report.rewrapped
    );
    Ok(ExitCode::SUCCESS)
}

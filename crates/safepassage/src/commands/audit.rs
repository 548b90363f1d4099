//! `audit verify`: recompute the chain; exit 0 when intact, 1 naming the first broken link.

use std::process::ExitCode;

use safepassage_store::{ChainReport, Store};

pub async fn verify(store: &Store) -> anyhow::Result<ExitCode> {
    let report = store.verify_chain().await?;
    println!("{report}");
    Ok(match report {
        ChainReport::Intact { .. } => ExitCode::SUCCESS,
        ChainReport::Broken { .. } => ExitCode::from(1),
    })
}

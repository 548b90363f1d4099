//! `audit verify [--expect HEAD]` and `audit head`: the chain of keyed links, checked against
//! the stored head and, given one, a head kept outside the database.

use std::process::ExitCode;

use anyhow::Context;
use safepassage_store::{ChainReport, SignedHead, Store};

pub fn parse_head(text: &str) -> anyhow::Result<SignedHead> {
    text.parse().context("--expect")
}

pub async fn verify(store: &Store, expect: Option<&SignedHead>) -> anyhow::Result<ExitCode> {
    let report = match expect {
        Some(head) => store.verify_chain_against(head).await?,
        None => store.verify_chain().await?,
    };
    println!("{report}");
    Ok(match report {
        ChainReport::Intact { .. } => ExitCode::SUCCESS,
        ChainReport::Broken { .. } => ExitCode::from(1),
    })
}

pub async fn head(store: &Store) -> anyhow::Result<ExitCode> {
    let head = store.signed_head().await?;
    println!("{head}");
    Ok(ExitCode::SUCCESS)
}

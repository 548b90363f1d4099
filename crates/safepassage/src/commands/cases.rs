//! `cases shred ID --reason REASON`: crypto-shredding from the command line, recorded as done
//! by the system (the console records the coordinator).

use std::process::ExitCode;

use anyhow::Context;
use safepassage_domain::{CaseId, ShredReason, UserId};
use safepassage_store::{Store, StoreError};

pub fn parse(id: &str, reason: &str) -> anyhow::Result<(CaseId, ShredReason)> {
    let case = CaseId(id.trim().parse().with_context(|| format!("{id:?} is not a case id (a UUID)"))?);
    let reason = reason.parse::<ShredReason>().context("--reason")?;
    Ok((case, reason))
}

pub async fn shred(store: &Store, case: CaseId, reason: ShredReason) -> anyhow::Result<ExitCode> {
    match store.shred_case(case, UserId::SYSTEM, reason).await {
        Ok(()) => {
            println!("case {} shredded ({reason}): its keys are destroyed", case.0);
            Ok(ExitCode::SUCCESS)
        }
        Err(StoreError::NotFound(_)) => anyhow::bail!("no case {}", case.0),
        Err(StoreError::Conflict(_)) => anyhow::bail!("case {} was shredded already", case.0),
        Err(e) => Err(e.into()),
    }
}

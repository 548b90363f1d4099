//! The flow library: imported flow files kept as they were given, and the intake flow chosen per
//! channel. Both are audited: the file or the choice commits with its event in one job.

use safepassage_domain::{Channel, Event, UserId};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::Store;
use crate::error::StoreError;
use crate::model::{FlowImport, IntakeFlow};
use crate::ops::Op;

/// The largest flow file the library takes (the console and the command line check before).
pub const MAX_FLOW_FILE: usize = 4 * 1024 * 1024;
/// The most flows one file may declare in its event.
const MAX_FLOWS_PER_FILE: usize = 1_000;
/// The most outside action types one import may allow (the format has fewer).
const MAX_ALLOWED: usize = 16;

impl Store {
    /// Adds a flow file (already checked by the caller) to the library, with a `flows_imported`
    /// event naming who imported it, its digest, its flows and the outside action types an
    /// administrator allowed for it (the caller checked that the platform can run them).
    pub async fn import_flows(
        &self,
        export: String,
        flows: Vec<Uuid>,
        allowed_outside: Vec<String>,
        by: UserId,
    ) -> Result<FlowImport, StoreError> {
        if export.len() > MAX_FLOW_FILE {
            return Err(StoreError::Conflict("the flow file is too large"));
        }
        if flows.is_empty() || flows.len() > MAX_FLOWS_PER_FILE {
            return Err(StoreError::Conflict("a flow file holds 1 to 1000 flows"));
        }
        let is_name = |t: &String| !t.is_empty() && t.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
        if allowed_outside.len() > MAX_ALLOWED || !allowed_outside.iter().all(is_name) {
            return Err(StoreError::Conflict("allowed outside actions are a few action type names"));
        }
        let digest: [u8; 32] = Sha256::digest(export.as_bytes()).into();
        let id = Uuid::now_v7();
        let event = Event::FlowsImported {
            import: id,
            by,
            digest: hex::encode(digest),
            flows,
            allowed_outside: allowed_outside.clone(),
        };
        let op = Op::InsertFlowImport {
            id,
            event_index: 0,
            export: export.clone(),
            digest,
            by,
            allowed_outside: allowed_outside.join(","),
        };
        let seqs = self.submit(vec![op], vec![event]).await?;
        let seq = seqs.first().copied().ok_or(StoreError::Conflict("import not recorded"))?;
        Ok(FlowImport { id, seq, export, digest, by, at_ms: super::now_ms(), allowed_outside })
    }

    /// Every imported file, oldest first (later ones win for a flow they share).
    pub async fn flow_imports(&self) -> Result<Vec<FlowImport>, StoreError> {
        self.backend.flow_imports().await
    }

    /// Chooses the flow new conversations on `channel` start (None: the flow named "Intake").
    pub async fn set_intake_flow(&self, channel: Channel, flow: Option<Uuid>, by: UserId) -> Result<i64, StoreError> {
        let op = Op::SetIntakeFlow { channel, flow, event_index: 0, by };
        let seqs = self.submit(vec![op], vec![Event::IntakeFlowSet { channel, flow, by }]).await?;
        seqs.first().copied().ok_or(StoreError::Conflict("intake choice not recorded"))
    }

    /// The intake choices made, one per channel at most.
    pub async fn intake_flows(&self) -> Result<Vec<IntakeFlow>, StoreError> {
        self.backend.intake_flows().await
    }

    /// Changes whenever a file is imported or an intake chosen: cheap to poll, so that every
    /// process serving the database can notice another's change.
    pub async fn flow_library_version(&self) -> Result<i64, StoreError> {
        self.backend.flow_library_version().await
    }
}

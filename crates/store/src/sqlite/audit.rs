//! The audit key, the chain's head and switch-over record, and the shreds other processes made,
//! on SQLite.

use rusqlite::{params, OptionalExtension};
use safepassage_domain::CaseId;
use uuid::Uuid;

use super::SqliteBackend;
use crate::backend::{AuditState, NewAuditKey, WrappedKey};
use crate::chain::{self, SwitchOver};
use crate::error::StoreError;

const AUDIT_PURPOSE: &str = "audit";

fn switch_of(seq: Option<i64>, base: Option<Vec<u8>>, mac: Option<Vec<u8>>) -> Option<SwitchOver> {
    Some(SwitchOver { keyed_from: seq?, base: base?, mac: mac? })
}

fn uuid_of(bytes: Vec<u8>) -> Result<Uuid, StoreError> {
    Uuid::from_slice(&bytes).map_err(|e| StoreError::Database(format!("unreadable id in the database: {e}")))
}

impl SqliteBackend {
    pub(crate) async fn read_audit_state(&self) -> Result<AuditState, StoreError> {
        self.read(|c| {
            Ok(c.query_row(
                "SELECT seq, hash, keyed_from, keyed_base, keyed_mac FROM audit_head WHERE id = 1",
                [],
                |r| {
                    Ok(AuditState {
                        head_seq: r.get(0)?,
                        head_hash: r.get(1)?,
                        switch: switch_of(r.get(2)?, r.get(3)?, r.get(4)?),
                    })
                },
            )?)
        })
        .await
    }

    pub(crate) async fn init_audit_key(
        &self,
        new: NewAuditKey,
    ) -> Result<(Uuid, WrappedKey, Option<SwitchOver>), StoreError> {
        let writer = self.writer.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = writer.lock().unwrap_or_else(|p| p.into_inner());
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let existing = tx
                .query_row(
                    "SELECT id, master_key_id, wrapped FROM data_keys WHERE purpose = ?1",
                    params![AUDIT_PURPOSE],
                    |r| Ok((r.get::<_, Vec<u8>>(0)?, WrappedKey { master_key_id: r.get(1)?, wrapped: r.get(2)? })),
                )
                .optional()?;
            if let Some((id, stored)) = existing {
                let switch =
                    tx.query_row("SELECT keyed_from, keyed_base, keyed_mac FROM audit_head WHERE id = 1", [], |r| {
                        Ok(switch_of(r.get(0)?, r.get(1)?, r.get(2)?))
                    })?;
                return Ok((uuid_of(id)?, stored, switch));
            }
            let (seq, base): (i64, Vec<u8>) =
                tx.query_row("SELECT seq, hash FROM audit_head WHERE id = 1", [], |r| Ok((r.get(0)?, r.get(1)?)))?;
            let keyed_from = seq + 1;
            let mac = chain::switch_mac(&new.key, keyed_from, &base);
            tx.execute(
                "INSERT INTO data_keys (id, purpose, master_key_id, wrapped, created_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![new.id.as_bytes(), AUDIT_PURPOSE, new.master_key_id, new.wrapped, crate::store::now_ms()],
            )?;
            tx.execute(
                "UPDATE audit_head SET keyed_from = ?1, keyed_base = ?2, keyed_mac = ?3 WHERE id = 1",
                params![keyed_from, base, mac.as_slice()],
            )?;
            tx.commit()?;
            let stored = WrappedKey { master_key_id: new.master_key_id, wrapped: Some(new.wrapped) };
            Ok((new.id, stored, Some(SwitchOver { keyed_from, base, mac: mac.to_vec() })))
        })
        .await?
    }

    pub(crate) async fn read_shreds_after(&self, after_seq: i64) -> Result<Vec<(i64, CaseId)>, StoreError> {
        self.read(move |c| {
            let mut stmt =
                c.prepare_cached("SELECT shredded_seq, id FROM cases WHERE shredded_seq > ?1 ORDER BY shredded_seq")?;
            let rows = stmt.query_map(params![after_seq], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)))?;
            let mut out = Vec::new();
            for row in rows {
                let (seq, id) = row?;
                out.push((seq, CaseId(uuid_of(id)?)));
            }
            Ok(out)
        })
        .await
    }
}

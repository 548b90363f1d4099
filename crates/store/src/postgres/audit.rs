//! The audit key, the chain's head and switch-over record, and the shreds other nodes made, on
//! PostgreSQL.

use safepassage_domain::CaseId;
use sqlx::Row;
use uuid::Uuid;

use super::PgBackend;
use crate::backend::{AuditState, NewAuditKey, WrappedKey};
use crate::chain::{self, SwitchOver};
use crate::error::StoreError;

const AUDIT_PURPOSE: &str = "audit";

fn switch_of(seq: Option<i64>, base: Option<Vec<u8>>, mac: Option<Vec<u8>>) -> Option<SwitchOver> {
    Some(SwitchOver { keyed_from: seq?, base: base?, mac: mac? })
}

impl PgBackend {
    pub(crate) async fn read_audit_state(&self) -> Result<AuditState, StoreError> {
        let r = sqlx::query("SELECT seq, hash, keyed_from, keyed_base, keyed_mac FROM audit_head WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        Ok(AuditState {
            head_seq: r.try_get(0)?,
            head_hash: r.try_get(1)?,
            switch: switch_of(r.try_get(2)?, r.try_get(3)?, r.try_get(4)?),
        })
    }

    /// Under the head's row lock, so that of several nodes starting at once exactly one stores
    /// its key and the others read it.
    pub(crate) async fn init_audit_key(
        &self,
        new: NewAuditKey,
    ) -> Result<(Uuid, WrappedKey, Option<SwitchOver>), StoreError> {
        let mut tx = self.pool.begin().await?;
        let head =
            sqlx::query("SELECT seq, hash, keyed_from, keyed_base, keyed_mac FROM audit_head WHERE id = 1 FOR UPDATE")
                .fetch_one(&mut *tx)
                .await?;
        let existing = sqlx::query("SELECT id, master_key_id, wrapped FROM data_keys WHERE purpose = $1")
            .bind(AUDIT_PURPOSE)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(r) = existing {
            let stored = WrappedKey { master_key_id: r.try_get(1)?, wrapped: r.try_get(2)? };
            let switch = switch_of(head.try_get(2)?, head.try_get(3)?, head.try_get(4)?);
            return Ok((r.try_get(0)?, stored, switch));
        }
        let seq: i64 = head.try_get(0)?;
        let base: Vec<u8> = head.try_get(1)?;
        let keyed_from = seq + 1;
        let mac = chain::switch_mac(&new.key, keyed_from, &base);
        sqlx::query(
            "INSERT INTO data_keys (id, purpose, master_key_id, wrapped, created_ms) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(new.id)
        .bind(AUDIT_PURPOSE)
        .bind(new.master_key_id.as_str())
        .bind(new.wrapped.as_slice())
        .bind(crate::store::now_ms())
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE audit_head SET keyed_from = $1, keyed_base = $2, keyed_mac = $3 WHERE id = 1")
            .bind(keyed_from)
            .bind(base.as_slice())
            .bind(mac.as_slice())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        let stored = WrappedKey { master_key_id: new.master_key_id, wrapped: Some(new.wrapped) };
        Ok((new.id, stored, Some(SwitchOver { keyed_from, base, mac: mac.to_vec() })))
    }

    pub(crate) async fn read_shreds_after(&self, after_seq: i64) -> Result<Vec<(i64, CaseId)>, StoreError> {
        let rows = sqlx::query("SELECT shredded_seq, id FROM cases WHERE shredded_seq > $1 ORDER BY shredded_seq")
            .bind(after_seq)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok((r.try_get(0)?, CaseId(r.try_get(1)?)))).collect()
    }
}

//! How cases wait for their applicant, on PostgreSQL. Open cases by holder use `cases_holder`,
//! all open cases `cases_state`; the returning check `conversations_case`.

use safepassage_domain::{CaseId, ConversationId, UserId};
use sqlx::postgres::PgRow;
use sqlx::Row;

use super::{limit, PgBackend};
use crate::error::StoreError;
use crate::store::CaseWait;

const WAIT_SELECT: &str = "SELECT c.id, c.state, c.assigned_to, COALESCE(c.state_since_ms, c.created_ms), \
     c.last_contact_ms, c.next_contact_ms, \
     EXISTS (SELECT 1 FROM conversations v WHERE v.case_id = c.id AND v.status = 'queued'), \
     c.deployed_reported_ms FROM cases c";

fn wait_row(r: &PgRow) -> Result<CaseWait, StoreError> {
    let state: String = r.try_get(1)?;
    Ok(CaseWait {
        case: CaseId(r.try_get(0)?),
        state: state.parse().map_err(|e| StoreError::Database(format!("unreadable case state: {e}")))?,
        holder: r.try_get::<Option<uuid::Uuid>, _>(2)?.map(UserId),
        state_since_ms: r.try_get(3)?,
        last_contact_ms: r.try_get(4)?,
        next_contact_ms: r.try_get(5)?,
        returning: r.try_get(6)?,
        deployed_reported_ms: r.try_get(7)?,
    })
}

impl PgBackend {
    pub(crate) async fn read_case_waits(&self, holder: Option<UserId>, n: i64) -> Result<Vec<CaseWait>, StoreError> {
        let open = "c.state NOT IN ('exited', 'closed')";
        let rows = match holder {
            Some(h) => {
                let sql = format!("{WAIT_SELECT} WHERE c.assigned_to = $1 AND {open} LIMIT $2");
                sqlx::query(&sql).bind(h.0).bind(limit(n)).fetch_all(&self.pool).await?
            }
            None => {
                let sql = format!("{WAIT_SELECT} WHERE {open} LIMIT $1");
                sqlx::query(&sql).bind(limit(n)).fetch_all(&self.pool).await?
            }
        };
        rows.iter().map(wait_row).collect()
    }

    pub(crate) async fn read_case_wait(&self, id: CaseId) -> Result<Option<CaseWait>, StoreError> {
        let sql = format!("{WAIT_SELECT} WHERE c.id = $1");
        let row = sqlx::query(&sql).bind(id.0).fetch_optional(&self.pool).await?;
        row.as_ref().map(wait_row).transpose()
    }

    pub(crate) async fn read_relative_of(&self, conversation: ConversationId) -> Result<Option<CaseId>, StoreError> {
        let row = sqlx::query("SELECT relative_of FROM conversations WHERE id = $1")
            .bind(conversation.0)
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(r) => r.try_get::<Option<uuid::Uuid>, _>(0)?.map(CaseId),
            None => None,
        })
    }

    pub(crate) async fn read_relatives(&self, case: CaseId) -> Result<Vec<ConversationId>, StoreError> {
        let rows = sqlx::query("SELECT id FROM conversations WHERE relative_of = $1 ORDER BY created_ms")
            .bind(case.0)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok(ConversationId(r.try_get(0)?))).collect()
    }

    /// Uses `cases_state (state, updated_ms)`.
    pub(crate) async fn read_archived_cases(
        &self,
        states: &'static [safepassage_domain::CaseState],
        (from_ms, to_ms): (i64, i64),
        (n, offset): (i64, i64),
    ) -> Result<Vec<CaseId>, StoreError> {
        let names: Vec<String> = states.iter().map(|s| s.as_str().to_owned()).collect();
        let rows = sqlx::query(
            "SELECT id FROM cases WHERE state = ANY($1) AND updated_ms >= $2 AND updated_ms < $3 \
             ORDER BY updated_ms DESC, id LIMIT $4 OFFSET $5",
        )
        .bind(names)
        .bind(from_ms)
        .bind(to_ms)
        .bind(limit(n))
        .bind(offset.max(0))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok(CaseId(r.try_get(0)?))).collect()
    }
}

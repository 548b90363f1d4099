//! How cases wait for their applicant, on SQLite. Open cases by holder use `cases_holder`,
//! all open cases `cases_state`; the returning check `conversations_case`.

use rusqlite::{params, OptionalExtension, Row};
use safepassage_domain::{CaseId, ConversationId, UserId};
use uuid::Uuid;

use super::SqliteBackend;
use crate::error::StoreError;
use crate::store::CaseWait;

const WAIT_SELECT: &str = "SELECT c.id, c.state, c.assigned_to, COALESCE(c.state_since_ms, c.created_ms), \
     c.last_contact_ms, c.next_contact_ms, \
     EXISTS (SELECT 1 FROM conversations v WHERE v.case_id = c.id AND v.status = 'queued'), \
     c.deployed_reported_ms FROM cases c";

fn uuid_at(r: &Row<'_>, i: usize) -> rusqlite::Result<Uuid> {
    let b: Vec<u8> = r.get(i)?;
    Uuid::from_slice(&b)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Blob, e.into()))
}

fn wait_row(r: &Row<'_>) -> rusqlite::Result<CaseWait> {
    let state: String = r.get(1)?;
    let holder: Option<Vec<u8>> = r.get(2)?;
    Ok(CaseWait {
        case: CaseId(uuid_at(r, 0)?),
        state: state
            .parse()
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Text, Box::new(e)))?,
        holder: holder.and_then(|b| Uuid::from_slice(&b).ok()).map(UserId),
        state_since_ms: r.get(3)?,
        last_contact_ms: r.get(4)?,
        next_contact_ms: r.get(5)?,
        returning: r.get(6)?,
        deployed_reported_ms: r.get(7)?,
    })
}

impl SqliteBackend {
    pub(crate) async fn read_case_waits(
        &self,
        holder: Option<UserId>,
        limit: i64,
    ) -> Result<Vec<CaseWait>, StoreError> {
        self.read(move |c| {
            let open = "c.state NOT IN ('exited', 'closed')";
            let rows = match holder {
                Some(h) => {
                    let sql = format!("{WAIT_SELECT} WHERE c.assigned_to = ?1 AND {open} LIMIT ?2");
                    let mut stmt = c.prepare_cached(&sql)?;
                    let rows = stmt.query_map(params![h.as_bytes(), limit], wait_row)?;
                    rows.collect::<Result<Vec<_>, _>>()?
                }
                None => {
                    let sql = format!("{WAIT_SELECT} WHERE {open} LIMIT ?1");
                    let mut stmt = c.prepare_cached(&sql)?;
                    let rows = stmt.query_map(params![limit], wait_row)?;
                    rows.collect::<Result<Vec<_>, _>>()?
                }
            };
            Ok(rows)
        })
        .await
    }

    pub(crate) async fn read_case_wait(&self, id: CaseId) -> Result<Option<CaseWait>, StoreError> {
        self.read(move |c| {
            let sql = format!("{WAIT_SELECT} WHERE c.id = ?1");
            Ok(c.prepare_cached(&sql)?.query_row(params![id.as_bytes()], wait_row).optional()?)
        })
        .await
    }

    pub(crate) async fn read_relative_of(&self, conversation: ConversationId) -> Result<Option<CaseId>, StoreError> {
        self.read(move |c| {
            let found: Option<Option<Vec<u8>>> = c
                .prepare_cached("SELECT relative_of FROM conversations WHERE id = ?1")?
                .query_row(params![conversation.as_bytes()], |r| r.get(0))
                .optional()?;
            Ok(found.flatten().and_then(|b| Uuid::from_slice(&b).ok()).map(CaseId))
        })
        .await
    }

    pub(crate) async fn read_relatives(&self, case: CaseId) -> Result<Vec<ConversationId>, StoreError> {
        self.read(move |c| {
            let mut stmt =
                c.prepare_cached("SELECT id FROM conversations WHERE relative_of = ?1 ORDER BY created_ms")?;
            let rows = stmt.query_map(params![case.as_bytes()], |r| uuid_at(r, 0))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?.into_iter().map(ConversationId).collect())
        })
        .await
    }

    /// Uses `cases_state (state, updated_ms)`, one range per state.
    pub(crate) async fn read_archived_cases(
        &self,
        states: &'static [safepassage_domain::CaseState],
        (from_ms, to_ms): (i64, i64),
        (limit, offset): (i64, i64),
    ) -> Result<Vec<CaseId>, StoreError> {
        self.read(move |c| {
            let names: Vec<&str> = states.iter().map(|s| s.as_str()).collect();
            let first = names.first().copied().unwrap_or("closed");
            let second = names.get(1).copied().unwrap_or(first);
            let mut stmt = c.prepare_cached(
                "SELECT id FROM cases WHERE state IN (?1, ?2) AND updated_ms >= ?3 AND updated_ms < ?4 \
                 ORDER BY updated_ms DESC, id LIMIT ?5 OFFSET ?6",
            )?;
            let rows = stmt.query_map(params![first, second, from_ms, to_ms, limit, offset], |r| uuid_at(r, 0))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?.into_iter().map(CaseId).collect())
        })
        .await
    }
}

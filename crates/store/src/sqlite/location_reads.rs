//! Reads of location reports on SQLite: a case's (its own and those its conversations brought
//! before they joined it) and a conversation's, newest true time first.

use rusqlite::{params, Row};
use safepassage_domain::{CaseId, ConversationId};
use uuid::Uuid;

use super::SqliteBackend;
use crate::backend::RawLocationReport;
use crate::error::StoreError;

const COLUMNS: &str = "r.id, r.case_id, r.conversation_id, r.key_id, k.wrapped IS NOT NULL, r.source, \
                       r.recorded_by, r.true_at_ms, r.at_ms, r.body_ct \
                       FROM location_reports r JOIN data_keys k ON k.id = r.key_id";
const ORDER: &str = "ORDER BY r.true_at_ms DESC, r.at_ms DESC, r.id DESC LIMIT ?2";

fn uuid_at(r: &Row<'_>, i: usize) -> rusqlite::Result<Uuid> {
    let b: Vec<u8> = r.get(i)?;
    Uuid::from_slice(&b)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Blob, e.into()))
}

fn opt_uuid_at(r: &Row<'_>, i: usize) -> rusqlite::Result<Option<Uuid>> {
    let b: Option<Vec<u8>> = r.get(i)?;
    b.map(|b| {
        Uuid::from_slice(&b)
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Blob, e.into()))
    })
    .transpose()
}

fn report_row(r: &Row<'_>) -> rusqlite::Result<RawLocationReport> {
    Ok(RawLocationReport {
        id: uuid_at(r, 0)?,
        case: opt_uuid_at(r, 1)?,
        conversation: opt_uuid_at(r, 2)?,
        key_id: uuid_at(r, 3)?,
        key_alive: r.get(4)?,
        source: r.get(5)?,
        recorded_by: opt_uuid_at(r, 6)?,
        true_at_ms: r.get(7)?,
        at_ms: r.get(8)?,
        body_ct: r.get(9)?,
    })
}

impl SqliteBackend {
    pub(crate) async fn read_case_location_reports(
        &self,
        case: CaseId,
        limit: i64,
    ) -> Result<Vec<RawLocationReport>, StoreError> {
        self.read(move |c| {
            let sql = format!(
                "SELECT {COLUMNS} WHERE r.case_id = ?1 OR (r.case_id IS NULL AND r.conversation_id IN \
                 (SELECT id FROM conversations WHERE case_id = ?1)) {ORDER}"
            );
            let mut stmt = c.prepare_cached(&sql)?;
            let rows = stmt.query_map(params![case.as_bytes(), limit], report_row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    pub(crate) async fn read_conversation_location_reports(
        &self,
        conversation: ConversationId,
        limit: i64,
    ) -> Result<Vec<RawLocationReport>, StoreError> {
        self.read(move |c| {
            let sql = format!("SELECT {COLUMNS} WHERE r.conversation_id = ?1 {ORDER}");
            let mut stmt = c.prepare_cached(&sql)?;
            let rows = stmt.query_map(params![conversation.as_bytes(), limit], report_row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }
}

//! Reads of location reports on PostgreSQL: a case's (its own and those its conversations
//! brought before they joined it) and a conversation's, newest true time first.

use safepassage_domain::{CaseId, ConversationId};
use sqlx::postgres::PgRow;
use sqlx::Row;

use super::{limit, PgBackend};
use crate::backend::RawLocationReport;
use crate::error::StoreError;

const COLUMNS: &str = "r.id, r.case_id, r.conversation_id, r.key_id, k.wrapped IS NOT NULL, r.source, \
                       r.recorded_by, r.true_at_ms, r.at_ms, r.body_ct \
                       FROM location_reports r JOIN data_keys k ON k.id = r.key_id";
const ORDER: &str = "ORDER BY r.true_at_ms DESC, r.at_ms DESC, r.id DESC LIMIT $2";

fn report_row(r: &PgRow) -> Result<RawLocationReport, StoreError> {
    Ok(RawLocationReport {
        id: r.try_get(0)?,
        case: r.try_get(1)?,
        conversation: r.try_get(2)?,
        key_id: r.try_get(3)?,
        key_alive: r.try_get(4)?,
        source: r.try_get(5)?,
        recorded_by: r.try_get(6)?,
        true_at_ms: r.try_get(7)?,
        at_ms: r.try_get(8)?,
        body_ct: r.try_get(9)?,
    })
}

impl PgBackend {
    pub(crate) async fn read_case_location_reports(
        &self,
        case: CaseId,
        limit_n: i64,
    ) -> Result<Vec<RawLocationReport>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} WHERE r.case_id = $1 OR (r.case_id IS NULL AND r.conversation_id IN \
             (SELECT id FROM conversations WHERE case_id = $1)) {ORDER}"
        );
        let rows = sqlx::query(&sql).bind(case.0).bind(limit(limit_n)).fetch_all(&self.pool).await?;
        rows.iter().map(report_row).collect()
    }

    pub(crate) async fn read_conversation_location_reports(
        &self,
        conversation: ConversationId,
        limit_n: i64,
    ) -> Result<Vec<RawLocationReport>, StoreError> {
        let sql = format!("SELECT {COLUMNS} WHERE r.conversation_id = $1 {ORDER}");
        let rows = sqlx::query(&sql).bind(conversation.0).bind(limit(limit_n)).fetch_all(&self.pool).await?;
        rows.iter().map(report_row).collect()
    }
}

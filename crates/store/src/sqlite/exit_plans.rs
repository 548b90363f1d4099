//! The exit path on SQLite: guarded writes of plans, reports and outcomes, and their reads.

use rusqlite::{params, Row, Transaction};
use safepassage_domain::{CaseId, UserId};
use uuid::Uuid;

use super::SqliteBackend;
use crate::error::StoreError;
use crate::exit_ops::{ExitOp, PlanToApprove, RawOutcome, RawPlan, RawReport};
use crate::ops::expect_one;

fn uuid_at(r: &Row<'_>, i: usize) -> rusqlite::Result<Uuid> {
    let bytes: Vec<u8> = r.get(i)?;
    Uuid::from_slice(&bytes)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Blob, Box::new(e)))
}

fn opt_uuid_at(r: &Row<'_>, i: usize) -> rusqlite::Result<Option<Uuid>> {
    let bytes: Option<Vec<u8>> = r.get(i)?;
    bytes
        .map(|b| Uuid::from_slice(&b))
        .transpose()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Blob, Box::new(e)))
}

pub(super) fn apply_exit(tx: &Transaction<'_>, op: &ExitOp, at: i64) -> Result<(), StoreError> {
    match op {
        ExitOp::InsertPlan { id, case, version, author, body_ct, case_state } => {
            let changed = tx
                .prepare_cached(
                    "INSERT INTO exit_plans (id, case_id, version, status, author, body_ct, created_ms) \
                     SELECT ?1, ?2, ?3, 'draft', ?4, ?5, ?6 \
                     WHERE EXISTS (SELECT 1 FROM cases WHERE id = ?2 AND state = ?7) \
                     AND NOT EXISTS (SELECT 1 FROM exit_plans WHERE case_id = ?2 AND version >= ?3)",
                )?
                .execute(params![
                    id.as_bytes(),
                    case.as_bytes(),
                    version,
                    author.as_bytes(),
                    body_ct,
                    at,
                    case_state.as_str()
                ])?;
            expect_one(changed, "the plan or the case changed meanwhile")?;
        }
        ExitOp::SetPlanStatus { id, from, to, reviewer, comment_ct } => {
            let changed = tx
                .prepare_cached(
                    "UPDATE exit_plans SET status = ?3, reviewer = COALESCE(?4, reviewer), \
                     comment_ct = COALESCE(?5, comment_ct), \
                     submitted_ms = CASE WHEN ?3 = 'submitted' THEN ?6 ELSE submitted_ms END, \
                     decided_ms = CASE WHEN ?3 IN ('approved', 'returned') THEN ?6 ELSE decided_ms END \
                     WHERE id = ?1 AND status = ?2 \
                     AND version = (SELECT MAX(p.version) FROM exit_plans p WHERE p.case_id = exit_plans.case_id)",
                )?
                .execute(params![
                    id.as_bytes(),
                    from.as_str(),
                    to.as_str(),
                    reviewer.map(|u| u.as_bytes().to_vec()),
                    comment_ct,
                    at
                ])?;
            expect_one(changed, "the plan was decided or changed meanwhile")?;
        }
        ExitOp::MarkHandedOff { id } => {
            let changed = tx
                .prepare_cached(
                    "UPDATE exit_plans SET handed_off_ms = ?2 WHERE id = ?1 AND status = 'approved' \
                     AND handed_off_ms IS NULL",
                )?
                .execute(params![id.as_bytes(), at])?;
            expect_one(changed, "the plan was handed off meanwhile")?;
        }
        ExitOp::InsertReport { id, case, plan, status, by, reason_ct, reports_before } => {
            let changed = tx
                .prepare_cached(
                    "INSERT INTO operations_reports (id, case_id, plan_id, status, by_user, reason_ct, at_ms) \
                     SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7 \
                     WHERE (SELECT COUNT(*) FROM operations_reports WHERE plan_id = ?3) = ?8",
                )?
                .execute(params![
                    id.as_bytes(),
                    case.as_bytes(),
                    plan.as_bytes(),
                    status.as_str(),
                    by.as_bytes(),
                    reason_ct,
                    at,
                    reports_before
                ])?;
            expect_one(changed, "operations reported meanwhile")?;
        }
        ExitOp::InsertOutcome { id, case, aspect, value, by } => {
            tx.prepare_cached(
                "INSERT INTO case_outcomes (id, case_id, aspect, value, by_user, at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![id.as_bytes(), case.as_bytes(), aspect, value, by.as_bytes(), at])?;
        }
    }
    Ok(())
}

impl SqliteBackend {
    pub(super) async fn read_exit_plans(&self, case: CaseId) -> Result<Vec<RawPlan>, StoreError> {
        self.read(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT p.id, p.case_id, p.version, p.status, p.author, p.reviewer, p.body_ct, p.comment_ct, \
                 p.created_ms, p.submitted_ms, p.decided_ms, p.handed_off_ms, c.key_id, k.wrapped IS NOT NULL \
                 FROM exit_plans p JOIN cases c ON c.id = p.case_id JOIN data_keys k ON k.id = c.key_id \
                 WHERE p.case_id = ?1 ORDER BY p.version DESC",
            )?;
            let rows = stmt.query_map(params![case.as_bytes()], |r| {
                Ok(RawPlan {
                    id: uuid_at(r, 0)?,
                    case: uuid_at(r, 1)?,
                    version: r.get(2)?,
                    status: r.get(3)?,
                    author: uuid_at(r, 4)?,
                    reviewer: opt_uuid_at(r, 5)?,
                    body_ct: r.get(6)?,
                    comment_ct: r.get(7)?,
                    created_ms: r.get(8)?,
                    submitted_ms: r.get(9)?,
                    decided_ms: r.get(10)?,
                    handed_off_ms: r.get(11)?,
                    key_id: uuid_at(r, 12)?,
                    key_alive: r.get(13)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    pub(super) async fn read_plans_to_approve(&self, limit: i64) -> Result<Vec<PlanToApprove>, StoreError> {
        self.read(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT p.case_id, p.id, p.version, p.author, p.submitted_ms \
                 FROM exit_plans p JOIN cases c ON c.id = p.case_id \
                 WHERE p.status = 'submitted' AND c.state = 'located' \
                 AND p.version = (SELECT MAX(q.version) FROM exit_plans q WHERE q.case_id = p.case_id) \
                 ORDER BY p.submitted_ms LIMIT ?1",
            )?;
            let rows = stmt.query_map(params![limit], |r| {
                let version: i64 = r.get(2)?;
                Ok(PlanToApprove {
                    case: CaseId(uuid_at(r, 0)?),
                    plan: uuid_at(r, 1)?,
                    version: u32::try_from(version).unwrap_or(u32::MAX),
                    author: UserId(uuid_at(r, 3)?),
                    submitted_ms: r.get::<_, Option<i64>>(4)?.unwrap_or(0),
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    pub(super) async fn read_operations_reports(&self, case: CaseId) -> Result<Vec<RawReport>, StoreError> {
        self.read(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT o.id, o.plan_id, o.status, o.by_user, o.reason_ct, o.at_ms, c.key_id, k.wrapped IS NOT NULL \
                 FROM operations_reports o JOIN cases c ON c.id = o.case_id JOIN data_keys k ON k.id = c.key_id \
                 WHERE o.case_id = ?1 ORDER BY o.at_ms, o.rowid",
            )?;
            let rows = stmt.query_map(params![case.as_bytes()], |r| {
                Ok(RawReport {
                    id: uuid_at(r, 0)?,
                    plan: uuid_at(r, 1)?,
                    status: r.get(2)?,
                    by: uuid_at(r, 3)?,
                    reason_ct: r.get(4)?,
                    at_ms: r.get(5)?,
                    key_id: uuid_at(r, 6)?,
                    key_alive: r.get(7)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    pub(super) async fn read_case_outcomes(&self, case: CaseId) -> Result<Vec<RawOutcome>, StoreError> {
        self.read(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT aspect, value, by_user, at_ms FROM case_outcomes WHERE case_id = ?1 ORDER BY at_ms, rowid",
            )?;
            let rows = stmt.query_map(params![case.as_bytes()], |r| {
                Ok(RawOutcome { aspect: r.get(0)?, value: r.get(1)?, by: uuid_at(r, 2)?, at_ms: r.get(3)? })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }
}

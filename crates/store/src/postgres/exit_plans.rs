//! The exit path on PostgreSQL: guarded writes of plans, reports and outcomes, and their reads.

use safepassage_domain::{CaseId, UserId};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};

use super::{limit, PgBackend};
use crate::error::StoreError;
use crate::exit_ops::{ExitOp, PlanToApprove, RawOutcome, RawPlan, RawReport};
use crate::ops::expect_one;

pub(super) async fn apply_exit(conn: &mut PgConnection, op: &ExitOp, at: i64) -> Result<(), StoreError> {
    match op {
        ExitOp::InsertPlan { id, case, version, author, body_ct, case_state } => {
            // The case's row is locked first, so two saves of one case queue up behind it.
            sqlx::query("SELECT 1 FROM cases WHERE id = $1 FOR UPDATE").bind(case.0).execute(&mut *conn).await?;
            let changed = sqlx::query(
                "INSERT INTO exit_plans (id, case_id, version, status, author, body_ct, created_ms) \
                 SELECT $1, $2, $3, 'draft', $4, $5, $6 \
                 WHERE EXISTS (SELECT 1 FROM cases WHERE id = $2 AND state = $7) \
                 AND NOT EXISTS (SELECT 1 FROM exit_plans WHERE case_id = $2 AND version >= $3)",
            )
            .bind(*id)
            .bind(case.0)
            .bind(i64::from(*version))
            .bind(author.0)
            .bind(body_ct.as_slice())
            .bind(at)
            .bind(case_state.as_str())
            .execute(&mut *conn)
            .await?
            .rows_affected();
            expect_one(changed, "the plan or the case changed meanwhile")?;
        }
        ExitOp::SetPlanStatus { id, from, to, reviewer, comment_ct } => {
            let changed = sqlx::query(
                "UPDATE exit_plans SET status = $3, reviewer = COALESCE($4, reviewer), \
                 comment_ct = COALESCE($5, comment_ct), \
                 submitted_ms = CASE WHEN $3 = 'submitted' THEN $6 ELSE submitted_ms END, \
                 decided_ms = CASE WHEN $3 IN ('approved', 'returned') THEN $6 ELSE decided_ms END \
                 WHERE id = $1 AND status = $2 \
                 AND version = (SELECT MAX(p.version) FROM exit_plans p WHERE p.case_id = exit_plans.case_id)",
            )
            .bind(*id)
            .bind(from.as_str())
            .bind(to.as_str())
            .bind(reviewer.map(|u| u.0))
            .bind(comment_ct.as_deref())
            .bind(at)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            expect_one(changed, "the plan was decided or changed meanwhile")?;
        }
        ExitOp::MarkHandedOff { id } => {
            let changed = sqlx::query(
                "UPDATE exit_plans SET handed_off_ms = $2 WHERE id = $1 AND status = 'approved' \
                 AND handed_off_ms IS NULL",
            )
            .bind(*id)
            .bind(at)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            expect_one(changed, "the plan was handed off meanwhile")?;
        }
        ExitOp::InsertReport { id, case, plan, status, by, reason_ct, reports_before } => {
            // The plan's row is locked first, so two reports on one hand-off are counted in turn.
            sqlx::query("SELECT 1 FROM exit_plans WHERE id = $1 FOR UPDATE").bind(*plan).execute(&mut *conn).await?;
            let changed = sqlx::query(
                "INSERT INTO operations_reports (id, case_id, plan_id, status, by_user, reason_ct, at_ms) \
                 SELECT $1, $2, $3, $4, $5, $6, $7 \
                 WHERE (SELECT COUNT(*) FROM operations_reports WHERE plan_id = $3) = $8",
            )
            .bind(*id)
            .bind(case.0)
            .bind(*plan)
            .bind(status.as_str())
            .bind(by.0)
            .bind(reason_ct.as_deref())
            .bind(at)
            .bind(*reports_before)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            expect_one(changed, "operations reported meanwhile")?;
        }
        ExitOp::InsertOutcome { id, case, aspect, value, by } => {
            sqlx::query(
                "INSERT INTO case_outcomes (id, case_id, aspect, value, by_user, at_ms) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(*id)
            .bind(case.0)
            .bind(*aspect)
            .bind(*value)
            .bind(by.0)
            .bind(at)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

fn plan_row(r: &PgRow) -> Result<RawPlan, StoreError> {
    Ok(RawPlan {
        id: r.try_get(0)?,
        case: r.try_get(1)?,
        version: r.try_get(2)?,
        status: r.try_get(3)?,
        author: r.try_get(4)?,
        reviewer: r.try_get(5)?,
        body_ct: r.try_get(6)?,
        comment_ct: r.try_get(7)?,
        created_ms: r.try_get(8)?,
        submitted_ms: r.try_get(9)?,
        decided_ms: r.try_get(10)?,
        handed_off_ms: r.try_get(11)?,
        key_id: r.try_get(12)?,
        key_alive: r.try_get(13)?,
    })
}

impl PgBackend {
    pub(super) async fn read_exit_plans(&self, case: CaseId) -> Result<Vec<RawPlan>, StoreError> {
        let rows = sqlx::query(
            "SELECT p.id, p.case_id, p.version, p.status, p.author, p.reviewer, p.body_ct, p.comment_ct, \
             p.created_ms, p.submitted_ms, p.decided_ms, p.handed_off_ms, c.key_id, k.wrapped IS NOT NULL \
             FROM exit_plans p JOIN cases c ON c.id = p.case_id JOIN data_keys k ON k.id = c.key_id \
             WHERE p.case_id = $1 ORDER BY p.version DESC",
        )
        .bind(case.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(plan_row).collect()
    }

    pub(super) async fn read_plans_to_approve(&self, limit_n: i64) -> Result<Vec<PlanToApprove>, StoreError> {
        let rows = sqlx::query(
            "SELECT p.case_id, p.id, p.version, p.author, p.submitted_ms \
             FROM exit_plans p JOIN cases c ON c.id = p.case_id \
             WHERE p.status = 'submitted' AND c.state = 'located' \
             AND p.version = (SELECT MAX(q.version) FROM exit_plans q WHERE q.case_id = p.case_id) \
             ORDER BY p.submitted_ms LIMIT $1",
        )
        .bind(limit(limit_n))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let version: i64 = r.try_get(2)?;
                let submitted: Option<i64> = r.try_get(4)?;
                Ok(PlanToApprove {
                    case: CaseId(r.try_get(0)?),
                    plan: r.try_get(1)?,
                    version: u32::try_from(version).unwrap_or(u32::MAX),
                    author: UserId(r.try_get(3)?),
                    submitted_ms: submitted.unwrap_or(0),
                })
            })
            .collect()
    }

    pub(super) async fn read_operations_reports(&self, case: CaseId) -> Result<Vec<RawReport>, StoreError> {
        let rows = sqlx::query(
            "SELECT o.id, o.plan_id, o.status, o.by_user, o.reason_ct, o.at_ms, c.key_id, k.wrapped IS NOT NULL \
             FROM operations_reports o JOIN cases c ON c.id = o.case_id JOIN data_keys k ON k.id = c.key_id \
             WHERE o.case_id = $1 ORDER BY o.at_ms, o.id",
        )
        .bind(case.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(RawReport {
                    id: r.try_get(0)?,
                    plan: r.try_get(1)?,
                    status: r.try_get(2)?,
                    by: r.try_get(3)?,
                    reason_ct: r.try_get(4)?,
                    at_ms: r.try_get(5)?,
                    key_id: r.try_get(6)?,
                    key_alive: r.try_get(7)?,
                })
            })
            .collect()
    }

    pub(super) async fn read_case_outcomes(&self, case: CaseId) -> Result<Vec<RawOutcome>, StoreError> {
        let rows = sqlx::query(
            "SELECT aspect, value, by_user, at_ms FROM case_outcomes WHERE case_id = $1 ORDER BY at_ms, id",
        )
        .bind(case.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(RawOutcome { aspect: r.try_get(0)?, value: r.try_get(1)?, by: r.try_get(2)?, at_ms: r.try_get(3)? })
            })
            .collect()
    }
}

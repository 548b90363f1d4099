//! The figures on PostgreSQL: the same tables and SQL as SQLite's. The cursor's guarded move
//! makes two nodes' projectors exclusive: the second waits for the first's row lock, finds the
//! cursor moved and its job conflicts, and it reads again from the new cursor.

use std::collections::HashMap;

use safepassage_domain::figures::tally::{CaseClock, QueueClock};
use safepassage_domain::{CaseId, ConversationId};
use sqlx::{PgConnection, Row};
use uuid::Uuid;

use super::PgBackend;
use crate::error::StoreError;
use crate::figures_ops::{kind_str, FigureRow, FiguresOp, RawCaseClock};
use crate::ops::expect_one;

pub(super) async fn apply_figures(conn: &mut PgConnection, op: &FiguresOp) -> Result<(), StoreError> {
    match op {
        FiguresOp::Advance { from, to } => {
            let changed = sqlx::query("UPDATE figures_cursor SET seq = $2 WHERE id = 1 AND seq = $1")
                .bind(*from)
                .bind(*to)
                .execute(&mut *conn)
                .await?
                .rows_affected();
            expect_one(changed, "the figures were projected by someone else")?;
        }
        FiguresOp::Count { metric, day, a, b, delta } => {
            sqlx::query(
                "INSERT INTO figure_counts (metric, day, a, b, n) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (metric, day, a, b) DO UPDATE SET n = figure_counts.n + excluded.n",
            )
            .bind(*metric)
            .bind(*day)
            .bind(a.as_str())
            .bind(b.as_str())
            .bind(*delta)
            .execute(&mut *conn)
            .await?;
        }
        FiguresOp::CaseClock { case, clock } => {
            sqlx::query(
                "INSERT INTO figure_case_clocks (case_id, state, kind, size, officers, since_ms) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (case_id) DO UPDATE SET state = excluded.state, \
                 kind = excluded.kind, size = excluded.size, officers = excluded.officers, since_ms = excluded.since_ms",
            )
            .bind(case.0)
            .bind(clock.state.as_str())
            .bind(kind_str(clock.kind))
            .bind(i64::from(clock.size) as i32)
            .bind(i64::from(clock.officers) as i32)
            .bind(clock.since_ms)
            .execute(&mut *conn)
            .await?;
        }
        FiguresOp::QueueClock { conversation, clock: Some(clock) } => {
            sqlx::query(
                "INSERT INTO figure_queue_clocks (conversation_id, queued_ms, urgent) VALUES ($1, $2, $3) \
                 ON CONFLICT (conversation_id) DO UPDATE SET queued_ms = excluded.queued_ms, urgent = excluded.urgent",
            )
            .bind(conversation.0)
            .bind(clock.queued_ms)
            .bind(clock.urgent)
            .execute(&mut *conn)
            .await?;
        }
        FiguresOp::QueueClock { conversation, clock: None } => {
            sqlx::query("DELETE FROM figure_queue_clocks WHERE conversation_id = $1")
                .bind(conversation.0)
                .execute(&mut *conn)
                .await?;
        }
        FiguresOp::Taken { day, user, delta } => {
            sqlx::query(
                "INSERT INTO figures_taken (day, user_id, n) VALUES ($1, $2, $3) \
                 ON CONFLICT (day, user_id) DO UPDATE SET n = figures_taken.n + excluded.n",
            )
            .bind(*day)
            .bind(user.0)
            .bind(*delta)
            .execute(&mut *conn)
            .await?;
        }
        FiguresOp::SetMapping { rules } => {
            sqlx::query(
                "INSERT INTO figures_mapping (id, rules) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET rules = excluded.rules",
            )
            .bind(rules.as_str())
            .execute(&mut *conn)
            .await?;
        }
        FiguresOp::SetInternal { user, internal } => {
            let changed = sqlx::query("UPDATE users SET figures_internal = $2 WHERE id = $1")
                .bind(user.0)
                .bind(*internal)
                .execute(&mut *conn)
                .await?
                .rows_affected();
            expect_one(changed, "no such user")?;
        }
    }
    Ok(())
}

impl PgBackend {
    pub(crate) async fn read_figures_cursor(&self) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT seq FROM figures_cursor WHERE id = 1").fetch_one(&self.pool).await?;
        Ok(row.try_get(0)?)
    }

    pub(crate) async fn read_figure_clocks(
        &self,
        cases: Vec<CaseId>,
        conversations: Vec<ConversationId>,
    ) -> Result<(HashMap<CaseId, CaseClock>, HashMap<ConversationId, QueueClock>), StoreError> {
        let ids: Vec<Uuid> = cases.iter().map(|c| c.0).collect();
        let rows = sqlx::query(
            "SELECT case_id, state, kind, size, officers, since_ms FROM figure_case_clocks WHERE case_id = ANY($1)",
        )
        .bind(&ids)
        .fetch_all(&self.pool)
        .await?;
        let mut case_clocks = HashMap::with_capacity(rows.len());
        for r in &rows {
            let raw = RawCaseClock {
                case: r.try_get(0)?,
                state: r.try_get(1)?,
                kind: r.try_get(2)?,
                size: i64::from(r.try_get::<i32, _>(3)?),
                officers: i64::from(r.try_get::<i32, _>(4)?),
                since_ms: r.try_get(5)?,
            };
            if let Some((id, clock)) = raw.read() {
                case_clocks.insert(id, clock);
            }
        }
        let ids: Vec<Uuid> = conversations.iter().map(|c| c.0).collect();
        let rows = sqlx::query(
            "SELECT conversation_id, queued_ms, urgent FROM figure_queue_clocks WHERE conversation_id = ANY($1)",
        )
        .bind(&ids)
        .fetch_all(&self.pool)
        .await?;
        let mut queue_clocks = HashMap::with_capacity(rows.len());
        for r in &rows {
            let id: Uuid = r.try_get(0)?;
            queue_clocks.insert(ConversationId(id), QueueClock { queued_ms: r.try_get(1)?, urgent: r.try_get(2)? });
        }
        Ok((case_clocks, queue_clocks))
    }

    pub(crate) async fn read_figure_counts(
        &self,
        metrics: &[&'static str],
        from_day: i32,
        to_day: i32,
    ) -> Result<Vec<FigureRow>, StoreError> {
        let names: Vec<String> = metrics.iter().map(|m| (*m).to_owned()).collect();
        let rows = sqlx::query(
            "SELECT metric, day, a, b, n FROM figure_counts \
             WHERE metric = ANY($1) AND day BETWEEN $2 AND $3 AND n <> 0",
        )
        .bind(&names)
        .bind(from_day)
        .bind(to_day)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(FigureRow {
                    metric: r.try_get(0)?,
                    day: r.try_get(1)?,
                    a: r.try_get(2)?,
                    b: r.try_get(3)?,
                    n: r.try_get(4)?,
                })
            })
            .collect()
    }

    pub(crate) async fn read_figures_taken(&self, from_day: i32, to_day: i32) -> Result<Vec<(i32, i64)>, StoreError> {
        let rows = sqlx::query("SELECT day, n FROM figures_taken WHERE day BETWEEN $1 AND $2")
            .bind(from_day)
            .bind(to_day)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).collect()
    }

    pub(crate) async fn read_figures_mapping(&self) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT rules FROM figures_mapping WHERE id = 1").fetch_optional(&self.pool).await?;
        row.map(|r| r.try_get(0)).transpose().map_err(StoreError::from)
    }

    pub(crate) async fn read_figures_internal(&self, user: Uuid) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT figures_internal FROM users WHERE id = $1")
            .bind(user)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get(0)).transpose()?.unwrap_or(false))
    }
}

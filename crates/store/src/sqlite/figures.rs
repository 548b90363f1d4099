//! The figures on SQLite: counters added to, the projection's clocks and cursor, the mapping,
//! and their reads (ARCHITECTURE.md, "Figures").

use std::collections::HashMap;

use rusqlite::{params, OptionalExtension, Transaction};
use safepassage_domain::figures::tally::{CaseClock, QueueClock};
use safepassage_domain::{CaseId, ConversationId};
use uuid::Uuid;

use super::SqliteBackend;
use crate::error::StoreError;
use crate::figures_ops::{kind_str, FigureRow, FiguresOp, RawCaseClock};
use crate::ops::expect_one;

pub(super) fn apply_figures(tx: &Transaction<'_>, op: &FiguresOp) -> Result<(), StoreError> {
    match op {
        FiguresOp::Advance { from, to } => {
            let changed = tx
                .prepare_cached("UPDATE figures_cursor SET seq = ?2 WHERE id = 1 AND seq = ?1")?
                .execute(params![from, to])?;
            expect_one(changed, "the figures were projected by someone else")?;
        }
        FiguresOp::Count { metric, day, a, b, delta } => {
            tx.prepare_cached(
                "INSERT INTO figure_counts (metric, day, a, b, n) VALUES (?1, ?2, ?3, ?4, ?5) \
                 ON CONFLICT (metric, day, a, b) DO UPDATE SET n = n + excluded.n",
            )?
            .execute(params![metric, day, a, b, delta])?;
        }
        FiguresOp::CaseClock { case, clock } => {
            tx.prepare_cached(
                "INSERT INTO figure_case_clocks (case_id, state, kind, size, officers, since_ms) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (case_id) DO UPDATE SET state = excluded.state, \
                 kind = excluded.kind, size = excluded.size, officers = excluded.officers, since_ms = excluded.since_ms",
            )?
            .execute(params![
                case.as_bytes(),
                clock.state.as_str(),
                kind_str(clock.kind),
                clock.size,
                clock.officers,
                clock.since_ms
            ])?;
        }
        FiguresOp::QueueClock { conversation, clock: Some(clock) } => {
            tx.prepare_cached(
                "INSERT INTO figure_queue_clocks (conversation_id, queued_ms, urgent) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (conversation_id) DO UPDATE SET queued_ms = excluded.queued_ms, urgent = excluded.urgent",
            )?
            .execute(params![conversation.as_bytes(), clock.queued_ms, clock.urgent])?;
        }
        FiguresOp::QueueClock { conversation, clock: None } => {
            tx.prepare_cached("DELETE FROM figure_queue_clocks WHERE conversation_id = ?1")?
                .execute(params![conversation.as_bytes()])?;
        }
        FiguresOp::Taken { day, user, delta } => {
            tx.prepare_cached(
                "INSERT INTO figures_taken (day, user_id, n) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (day, user_id) DO UPDATE SET n = n + excluded.n",
            )?
            .execute(params![day, user.as_bytes(), delta])?;
        }
        FiguresOp::SetMapping { rules } => {
            tx.prepare_cached(
                "INSERT INTO figures_mapping (id, rules) VALUES (1, ?1) ON CONFLICT (id) DO UPDATE SET rules = excluded.rules",
            )?
            .execute(params![rules])?;
        }
        FiguresOp::SetInternal { user, internal } => {
            let changed = tx
                .prepare_cached("UPDATE users SET figures_internal = ?2 WHERE id = ?1")?
                .execute(params![user.as_bytes(), internal])?;
            expect_one(changed, "no such user")?;
        }
    }
    Ok(())
}

impl SqliteBackend {
    pub(crate) async fn read_figures_cursor(&self) -> Result<i64, StoreError> {
        self.read(|c| {
            Ok(c.prepare_cached("SELECT seq FROM figures_cursor WHERE id = 1")?.query_row([], |r| r.get(0))?)
        })
        .await
    }

    pub(crate) async fn read_figure_clocks(
        &self,
        cases: Vec<CaseId>,
        conversations: Vec<ConversationId>,
    ) -> Result<(HashMap<CaseId, CaseClock>, HashMap<ConversationId, QueueClock>), StoreError> {
        self.read(move |c| {
            let mut case_clocks = HashMap::with_capacity(cases.len());
            let mut stmt = c.prepare_cached(
                "SELECT state, kind, size, officers, since_ms FROM figure_case_clocks WHERE case_id = ?1",
            )?;
            for case in cases {
                let raw = stmt
                    .query_row(params![case.as_bytes()], |r| {
                        Ok(RawCaseClock {
                            case: case.0,
                            state: r.get(0)?,
                            kind: r.get(1)?,
                            size: r.get(2)?,
                            officers: r.get(3)?,
                            since_ms: r.get(4)?,
                        })
                    })
                    .optional()?;
                if let Some((id, clock)) = raw.and_then(RawCaseClock::read) {
                    case_clocks.insert(id, clock);
                }
            }
            let mut queue_clocks = HashMap::new();
            let mut stmt =
                c.prepare_cached("SELECT queued_ms, urgent FROM figure_queue_clocks WHERE conversation_id = ?1")?;
            for conversation in conversations {
                let clock = stmt
                    .query_row(params![conversation.as_bytes()], |r| {
                        Ok(QueueClock { queued_ms: r.get(0)?, urgent: r.get(1)? })
                    })
                    .optional()?;
                if let Some(clock) = clock {
                    queue_clocks.insert(conversation, clock);
                }
            }
            Ok((case_clocks, queue_clocks))
        })
        .await
    }

    pub(crate) async fn read_figure_counts(
        &self,
        metrics: &[&'static str],
        from_day: i32,
        to_day: i32,
    ) -> Result<Vec<FigureRow>, StoreError> {
        let metrics = metrics.to_vec();
        self.read(move |c| {
            let mut out = Vec::new();
            let mut stmt = c.prepare_cached(
                "SELECT day, a, b, n FROM figure_counts WHERE metric = ?1 AND day BETWEEN ?2 AND ?3 AND n <> 0",
            )?;
            for metric in metrics {
                let rows = stmt.query_map(params![metric, from_day, to_day], |r| {
                    Ok(FigureRow {
                        metric: metric.to_owned(),
                        day: r.get(0)?,
                        a: r.get(1)?,
                        b: r.get(2)?,
                        n: r.get(3)?,
                    })
                })?;
                for row in rows {
                    out.push(row?);
                }
            }
            Ok(out)
        })
        .await
    }

    pub(crate) async fn read_figures_taken(&self, from_day: i32, to_day: i32) -> Result<Vec<(i32, i64)>, StoreError> {
        self.read(move |c| {
            let mut stmt = c.prepare_cached("SELECT day, n FROM figures_taken WHERE day BETWEEN ?1 AND ?2")?;
            let rows = stmt.query_map(params![from_day, to_day], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    pub(crate) async fn read_figures_mapping(&self) -> Result<Option<String>, StoreError> {
        self.read(|c| {
            Ok(c.prepare_cached("SELECT rules FROM figures_mapping WHERE id = 1")?
                .query_row([], |r| r.get(0))
                .optional()?)
        })
        .await
    }

    pub(crate) async fn read_figures_internal(&self, user: Uuid) -> Result<bool, StoreError> {
        self.read(move |c| {
            let internal: Option<bool> = c
                .prepare_cached("SELECT figures_internal FROM users WHERE id = ?1")?
                .query_row(params![user.as_bytes()], |r| r.get(0))
                .optional()?;
            Ok(internal.unwrap_or(false))
        })
        .await
    }
}

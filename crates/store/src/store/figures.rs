//! The figures (ARCHITECTURE.md, "Figures"): the event log projected into counters per day,
//! batch by batch after a cursor, in jobs of their own (never on a writer's path); the bot's
//! categories counted in its steps; and the reads the dashboard and the public page make.
//! Counters hold no content and no id of an applicant, so shredding leaves them as they are.

use safepassage_domain::figures::classify::Mapping;
use safepassage_domain::figures::tally::{clocks_needed, Key, Projection};
use safepassage_domain::{EventEnvelope, UserId};

use super::Store;
use crate::error::StoreError;
use crate::figures_ops::{FigureRow, FiguresOp};
use crate::ops::Op;

/// Events projected per job: one read of the log, one read of the clocks, one commit.
const BATCH: i64 = 5_000;

impl Store {
    /// Projects every event not yet counted; returns how many were. Safe to run on every node
    /// at once: the cursor's guarded move lets one batch win, the others read again.
    pub async fn project_figures(&self) -> Result<usize, StoreError> {
        let mut projected = 0;
        let mut conflicts = 0;
        loop {
            let cursor = self.backend.figures_cursor().await?;
            let events = self.events(cursor, BATCH).await?;
            let Some(last) = events.last().map(|e| e.seq) else { return Ok(projected) };
            let envelopes: Vec<EventEnvelope> =
                events.into_iter().map(|e| EventEnvelope { seq: e.seq, at_ms: e.at_ms, event: e.event }).collect();
            let (cases, conversations) = clocks_needed(&envelopes);
            let (case_clocks, queue_clocks) = self.backend.figure_clocks(cases, conversations).await?;
            let mut projection = Projection::new(case_clocks, queue_clocks);
            for envelope in &envelopes {
                projection.apply(envelope);
            }
            let mut ops = vec![Op::Figures(FiguresOp::Advance { from: cursor, to: last })];
            ops.extend(projection.counts.iter().filter(|(_, n)| **n != 0).map(|(k, n)| count_op(k, *n)));
            ops.extend(
                projection.changed_cases().map(|(case, clock)| Op::Figures(FiguresOp::CaseClock { case, clock })),
            );
            ops.extend(
                projection
                    .changed_queue()
                    .map(|(conversation, clock)| Op::Figures(FiguresOp::QueueClock { conversation, clock })),
            );
            ops.extend(
                projection
                    .taken_by
                    .iter()
                    .map(|((day, user), n)| Op::Figures(FiguresOp::Taken { day: *day, user: *user, delta: *n })),
            );
            match self.submit(ops, Vec::new()).await {
                Ok(_) => projected += envelopes.len(),
                // Another node projected these first: read on from where it left the cursor.
                Err(StoreError::Conflict(_)) if conflicts < 10 => conflicts += 1,
                Err(e) => return Err(e),
            }
            if (envelopes.len() as i64) < BATCH {
                return Ok(projected);
            }
        }
    }

    /// The non-zero counters of `metrics` on the days `from_day..=to_day`.
    pub async fn figure_counts(
        &self,
        metrics: &[&'static str],
        from_day: i32,
        to_day: i32,
    ) -> Result<Vec<FigureRow>, StoreError> {
        self.backend.figure_counts(metrics, from_day, to_day).await
    }

    /// Conversations taken per member of staff and day (day, count), without who took them.
    pub async fn figures_taken(&self, from_day: i32, to_day: i32) -> Result<Vec<(i32, i64)>, StoreError> {
        self.backend.figures_taken(from_day, to_day).await
    }

    /// The mapping of the bot's results into the figures' categories: the administrator's, or
    /// the one for the shipped flows.
    pub async fn figures_mapping(&self) -> Result<Mapping, StoreError> {
        match self.backend.figures_mapping().await? {
            Some(text) => Mapping::parse(&text).map_err(|e| StoreError::Database(format!("figures mapping: {e}"))),
            None => Ok(Mapping::shipped()),
        }
    }

    /// An administrator's new mapping (checked by the caller with `Mapping::parse`).
    pub async fn set_figures_mapping(&self, mapping: &Mapping, by: UserId) -> Result<(), StoreError> {
        let op = Op::Figures(FiguresOp::SetMapping { rules: mapping.to_text() });
        self.submit(vec![op], vec![safepassage_domain::Event::FiguresMappingSet { by }]).await?;
        Ok(())
    }

    /// Whether `user` may see figures without disclosure control.
    pub async fn figures_internal(&self, user: UserId) -> Result<bool, StoreError> {
        self.backend.figures_internal(user).await
    }

    pub async fn set_figures_internal(&self, user: UserId, internal: bool, by: UserId) -> Result<(), StoreError> {
        let op = Op::Figures(FiguresOp::SetInternal { user, internal });
        let event = safepassage_domain::Event::UserFiguresAccessChanged { user, internal, by };
        self.submit(vec![op], vec![event]).await?;
        Ok(())
    }
}

/// A counter's addition as an op.
pub(super) fn count_op(key: &Key, delta: i64) -> Op {
    Op::Figures(FiguresOp::Count {
        metric: key.metric.as_str(),
        day: key.day,
        a: key.a.clone(),
        b: key.b.clone(),
        delta,
    })
}

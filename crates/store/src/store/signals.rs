//! Screening signals for coordinators: registrations in a burst with the same bot answers, cases
//! located near each other in the same days, a codename joined from many conversations.
//! Computed from keyed hashes and events, or in memory from opened data; nothing in clear is
//! written to find them, and nothing is merged: they are leads for a person to look at.

use std::collections::BTreeMap;
use std::time::Duration;

use safepassage_domain::screening::burst::{bursts, Burst};
use safepassage_domain::screening::intake::normal_answers;
use safepassage_domain::screening::joins::{many_joins, ManyJoins};
use safepassage_domain::screening::nearby::{nearby, Nearby, Point};
use safepassage_domain::{CaseId, CaseState, Event};

use super::Store;
use crate::error::StoreError;
use crate::model::CaseFilter;
use crate::ops::Op;

/// What the intake MAC binds, before the normal form of the answers.
const INTAKE_MAC: &[u8] = b"cases.intake_mac\0";
/// Bounds on what one look reads.
const MAX_OPENINGS: i64 = 20_000;
const MAX_JOIN_EVENTS: i64 = 50_000;
const MAX_LOCATED_CASES: i64 = 500;

/// How the signals are looked for (settings).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SignalSettings {
    /// Registrations with the same answers that make a burst (5)...
    pub burst_cases: usize,
    /// ...when opened within this long of each other (1 hour).
    pub burst_window: Duration,
    /// Conversations joining one case by its codename that make a signal (3)...
    pub join_conversations: usize,
    /// ...within this long (7 days).
    pub join_window: Duration,
    /// Locations of different cases at most this far apart, in metres (300)...
    pub nearby_metres: f64,
    /// ...and this close in time (2 days).
    pub nearby_window: Duration,
    /// How far back the signals look (30 days).
    pub lookback: Duration,
}

impl Default for SignalSettings {
    fn default() -> SignalSettings {
        const HOUR: u64 = 3600;
        SignalSettings {
            burst_cases: 5,
            burst_window: Duration::from_secs(HOUR),
            join_conversations: 3,
            join_window: Duration::from_secs(7 * 24 * HOUR),
            nearby_metres: 300.0,
            nearby_window: Duration::from_secs(2 * 24 * HOUR),
            lookback: Duration::from_secs(30 * 24 * HOUR),
        }
    }
}

/// The signals found, each with its evidence (cases, counts, times).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Signals {
    pub bursts: Vec<Burst>,
    pub nearby: Vec<Nearby>,
    pub joins: Vec<ManyJoins>,
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl Store {
    /// Keeps the bot's intake answers of a case it registered as a keyed hash of their normal
    /// form (under the identity system key, so equal answers of two cases match); the answers
    /// themselves are not kept. False when there was nothing to compare.
    pub async fn record_intake_answers(
        &self,
        case: CaseId,
        results: &BTreeMap<String, String>,
    ) -> Result<bool, StoreError> {
        let Some(normal) = normal_answers(results) else { return Ok(false) };
        let mut input = Vec::with_capacity(INTAKE_MAC.len() + normal.len());
        input.extend_from_slice(INTAKE_MAC);
        input.extend_from_slice(normal.as_bytes());
        let mac = self.keys.identity.mac(&input);
        // Derived from the case's opening (its `case_opened` event): no event of its own.
        self.submit(vec![Op::SetIntakeMac { case, mac }], Vec::new()).await?;
        Ok(true)
    }

    /// The signals as of `now_ms`. Recording that someone looked is the caller's (the console
    /// records `signals_viewed`).
    pub async fn signals(&self, settings: &SignalSettings, now_ms: i64) -> Result<Signals, StoreError> {
        let since = now_ms.saturating_sub(millis(settings.lookback));
        let openings = self.backend.intake_macs_since(since, MAX_OPENINGS).await?;
        let bursts = bursts(&openings, settings.burst_cases, millis(settings.burst_window));

        let join_since = now_ms.saturating_sub(millis(settings.join_window));
        let mut events = Vec::new();
        for raw in self.backend.case_join_events_since(join_since, MAX_JOIN_EVENTS).await? {
            match serde_json::from_slice::<Event>(&raw.payload) {
                Ok(event) => events.push((raw.at_ms, event)),
                Err(e) => tracing::warn!(seq = raw.seq, error = %e, "unreadable event skipped by the signals"),
            }
        }
        let joins = many_joins(&events, settings.join_conversations);

        let points = self.located_points(since).await?;
        let nearby = nearby(&points, settings.nearby_metres, millis(settings.nearby_window));
        Ok(Signals { bursts, nearby, joins })
    }

    /// Where open cases were, each location report true since `since_ms`: opened in memory only.
    async fn located_points(&self, since_ms: i64) -> Result<Vec<Point>, StoreError> {
        const OPEN: &[CaseState] = &[
            CaseState::Inquiry,
            CaseState::Registered,
            CaseState::Deployed,
            CaseState::Located,
            CaseState::PlanApproved,
            CaseState::HandedOff,
        ];
        let filter = CaseFilter { assigned_to: None, states: OPEN };
        let mut points = Vec::new();
        for case in self.backend.cases(filter, MAX_LOCATED_CASES).await? {
            if case.shredded {
                continue;
            }
            for report in self.locations(case.id).await? {
                if report.true_at_ms < since_ms {
                    continue;
                }
                if let (Some(lat), Some(lon)) = (report.lat, report.lon) {
                    points.push((case.id, lat, lon, report.true_at_ms));
                }
            }
        }
        Ok(points)
    }
}

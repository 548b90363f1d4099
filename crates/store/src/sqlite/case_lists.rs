//! Case lists on SQLite, newest change first, that stay fast with a million cases: each state
//! is one ordered index range (`cases_state (state, updated_ms)`, or `cases_holder (assigned_to,
//! state, updated_ms)` for one holder or for nobody) read backwards for at most `limit` rows,
//! and the ranges are merged here. One query over all states would sort every matching case
//! (hundreds of thousands of closed and open ones) to return the newest 500.

use rusqlite::{params, Connection};
use safepassage_domain::{CaseState, UserId};

use super::reads::{case_row, CASE_SELECT};
use super::SqliteBackend;
use crate::error::StoreError;
use crate::model::{CaseFilter, CaseView};

const OPEN: [CaseState; 6] = [
    CaseState::Inquiry,
    CaseState::Registered,
    CaseState::Deployed,
    CaseState::Located,
    CaseState::PlanApproved,
    CaseState::HandedOff,
];

/// Whose cases a range holds.
#[derive(Clone, Copy)]
enum Holder {
    Anyone,
    Nobody,
    User(UserId),
}

impl SqliteBackend {
    pub(super) async fn read_cases(&self, filter: CaseFilter, limit: i64) -> Result<Vec<CaseView>, StoreError> {
        self.read(move |c| {
            let holder = filter.assigned_to.map_or(Holder::Anyone, Holder::User);
            let states = if filter.states.is_empty() { &CaseState::ALL[..] } else { filter.states };
            let mut out = Vec::new();
            for state in states {
                newest(c, holder, *state, limit, &mut out)?;
            }
            Ok(merged(out, limit))
        })
        .await
    }

    /// Open cases no specialist holds: nobody's per open state, and those held by someone else
    /// (the operator who opened them) per holder. Asked as one query with `assigned_to IN
    /// (SELECT … FROM users …)`, SQLite walks every case of the state instead.
    pub(super) async fn read_unassigned_cases(&self, limit: i64) -> Result<Vec<CaseView>, StoreError> {
        self.read(move |c| {
            let mut out = Vec::new();
            for state in OPEN {
                newest(c, Holder::Nobody, state, limit, &mut out)?;
            }
            let others: Vec<Vec<u8>> = c
                .prepare_cached("SELECT id FROM users WHERE role <> 'specialist'")?
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            let open = OPEN.map(|s| format!("'{}'", s.as_str())).join(", ");
            let sql = format!(
                "{CASE_SELECT} WHERE c.assigned_to = ?1 AND c.state IN ({open}) ORDER BY c.updated_ms DESC LIMIT ?2"
            );
            let mut stmt = c.prepare_cached(&sql)?;
            for holder in others {
                let rows = stmt.query_map(params![holder, limit], case_row)?;
                out.extend(rows.collect::<Result<Vec<_>, _>>()?);
            }
            Ok(merged(out, limit))
        })
        .await
    }
}

/// Appends the newest `limit` cases of `holder` in `state`.
fn newest(
    c: &Connection,
    holder: Holder,
    state: CaseState,
    limit: i64,
    out: &mut Vec<CaseView>,
) -> Result<(), StoreError> {
    // By the index's own order alone: a second key would sort the whole range.
    let order = "ORDER BY c.updated_ms DESC LIMIT ?2";
    let rows = match holder {
        Holder::Anyone => {
            let mut stmt = c.prepare_cached(&format!("{CASE_SELECT} WHERE c.state = ?1 {order}"))?;
            let rows = stmt.query_map(params![state.as_str(), limit], case_row)?;
            rows.collect::<Result<Vec<_>, _>>()?
        }
        Holder::Nobody => {
            let sql = format!("{CASE_SELECT} WHERE c.assigned_to IS NULL AND c.state = ?1 {order}");
            let mut stmt = c.prepare_cached(&sql)?;
            let rows = stmt.query_map(params![state.as_str(), limit], case_row)?;
            rows.collect::<Result<Vec<_>, _>>()?
        }
        Holder::User(user) => {
            let sql = format!("{CASE_SELECT} WHERE c.assigned_to = ?3 AND c.state = ?1 {order}");
            let mut stmt = c.prepare_cached(&sql)?;
            let rows = stmt.query_map(params![state.as_str(), limit, user.as_bytes()], case_row)?;
            rows.collect::<Result<Vec<_>, _>>()?
        }
    };
    out.extend(rows);
    Ok(())
}

/// The newest `limit` of the ranges, newest change first (the newer id first on a tie).
fn merged(mut cases: Vec<CaseView>, limit: i64) -> Vec<CaseView> {
    cases.sort_unstable_by(|a, b| b.updated_ms.cmp(&a.updated_ms).then_with(|| b.id.0.cmp(&a.id.0)));
    cases.truncate(usize::try_from(limit).unwrap_or(0));
    cases
}

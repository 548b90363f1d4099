//! Case lists on PostgreSQL, newest change first, that stay fast with a million cases: for
//! each state a lateral subquery reads at most `limit` rows backwards along an ordered index
//! (`cases_state (state, updated_ms)`, or `cases_holder (assigned_to, state, updated_ms)` for
//! one holder or for nobody), and only those few are joined and sorted. One filter over all
//! states would sort every matching case to return the newest 500.

use safepassage_domain::CaseState;

use super::reads::{case_row, CASE_SELECT};
use super::{limit, PgBackend};
use crate::error::StoreError;
use crate::model::{CaseFilter, CaseView};

const OPEN: [&str; 6] = ["inquiry", "registered", "deployed", "located", "plan_approved", "handed_off"];

/// The newest `$2` cases per state of `$1`; `holder` narrows the lateral subquery `x`, and
/// `by_user` (`u`, filtered by `users`) repeats it per user.
fn per_state(holder: &str, by_user: Option<&str>) -> String {
    let (from, filter) = match by_user {
        Some(users) => (" CROSS JOIN users u", format!(" WHERE {users}")),
        None => ("", String::new()),
    };
    format!(
        "SELECT pick.id FROM unnest($1::text[]) AS s(state){from} CROSS JOIN LATERAL \
         (SELECT x.id FROM cases x WHERE x.state = s.state {holder} ORDER BY x.updated_ms DESC LIMIT $2) pick{filter}"
    )
}

impl PgBackend {
    pub(super) async fn read_cases(&self, filter: CaseFilter, limit_n: i64) -> Result<Vec<CaseView>, StoreError> {
        let states = if filter.states.is_empty() { &CaseState::ALL[..] } else { filter.states };
        let states: Vec<&str> = states.iter().map(|s| s.as_str()).collect();
        let holder = if filter.assigned_to.is_some() { "AND x.assigned_to = $3" } else { "" };
        let sql = format!(
            "{CASE_SELECT} WHERE c.id IN ({}) ORDER BY c.updated_ms DESC, c.id DESC LIMIT $2",
            per_state(holder, None)
        );
        let mut query = sqlx::query(&sql).bind(states).bind(limit(limit_n));
        if let Some(user) = filter.assigned_to {
            query = query.bind(user.0);
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter().map(case_row).collect()
    }

    /// Open cases no specialist holds: nobody's, and those held by someone else (the operator
    /// who opened them), per open state.
    pub(super) async fn read_unassigned_cases(&self, limit_n: i64) -> Result<Vec<CaseView>, StoreError> {
        let sql = format!(
            "{CASE_SELECT} WHERE c.id IN ({} UNION ALL {}) ORDER BY c.updated_ms DESC, c.id DESC LIMIT $2",
            per_state("AND x.assigned_to IS NULL", None),
            per_state("AND x.assigned_to = u.id", Some("u.role <> 'specialist'")),
        );
        let rows = sqlx::query(&sql).bind(&OPEN[..]).bind(limit(limit_n)).fetch_all(&self.pool).await?;
        rows.iter().map(case_row).collect()
    }
}

//! Pacing shared work (GCRA, "virtual scheduling"): each turn is reserved at once, in arrival
//! order, and comes `every_ms` after the previous one, with bursts of `burst` when idle. The
//! state is one number per pacer, the theoretical arrival time of the next turn, so a database
//! row can hold it for every node and one statement can take a turn.

/// The new theoretical arrival time after taking a turn at `now_ms`.
pub(crate) fn next_tat(tat_ms: i64, now_ms: i64, every_ms: i64) -> i64 {
    tat_ms.max(now_ms).saturating_add(every_ms.max(0))
}

/// How long the turn that moved the arrival time to `new_tat_ms` waits from `now_ms`.
pub(crate) fn wait_ms(new_tat_ms: i64, now_ms: i64, every_ms: i64, burst: i64) -> i64 {
    new_tat_ms.saturating_sub(every_ms.max(0).saturating_mul(burst.max(1))).saturating_sub(now_ms).max(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_passes_then_turns_come_one_period_apart() {
        let (every, burst, now) = (100, 3, 1_000);
        let mut tat = 0;
        let waits: Vec<i64> = (0..6)
            .map(|_| {
                tat = next_tat(tat, now, every);
                wait_ms(tat, now, every, burst)
            })
            .collect();
        assert_eq!(waits, vec![0, 0, 0, 100, 200, 300]);
        // Idle for long enough, the burst is back.
        let later = tat + 10 * every;
        tat = next_tat(tat, later, every);
        assert_eq!(wait_ms(tat, later, every, burst), 0);
    }
}

//! Registrations in a burst with the same bot answers: cases whose intake hashes are equal and
//! whose openings fall within one window. Each group is reported once, with every case of the
//! largest run that fits in the window.

use std::collections::BTreeMap;

use crate::ids::CaseId;

/// A group of registrations with the same answers opened within the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Burst {
    /// The cases, oldest first.
    pub cases: Vec<(CaseId, i64)>,
    pub first_ms: i64,
    pub last_ms: i64,
}

/// Finds, for each intake hash, the largest run of cases opened within `window_ms` of each
/// other; a run of at least `min_cases` is a burst. Bursts come newest first.
pub fn bursts(openings: &[(CaseId, [u8; 32], i64)], min_cases: usize, window_ms: i64) -> Vec<Burst> {
    let min_cases = min_cases.max(2);
    let mut by_mac: BTreeMap<[u8; 32], Vec<(CaseId, i64)>> = BTreeMap::new();
    for (case, mac, at) in openings {
        by_mac.entry(*mac).or_default().push((*case, *at));
    }
    let mut out = Vec::new();
    for (_, mut cases) in by_mac {
        if cases.len() < min_cases {
            continue;
        }
        cases.sort_by_key(|(id, at)| (*at, *id));
        let mut best: Option<(usize, usize)> = None;
        let mut start = 0;
        for end in 0..cases.len() {
            while cases[end].1 - cases[start].1 > window_ms {
                start += 1;
            }
            let len = end + 1 - start;
            let longer = match best {
                None => true,
                Some((s, e)) => len > e + 1 - s,
            };
            if longer {
                best = Some((start, end));
            }
        }
        if let Some((s, e)) = best.filter(|(s, e)| e + 1 - s >= min_cases) {
            let run = cases[s..=e].to_vec();
            out.push(Burst { first_ms: run[0].1, last_ms: run[run.len() - 1].1, cases: run });
        }
    }
    out.sort_by_key(|b| std::cmp::Reverse(b.last_ms));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn case(n: u128) -> CaseId {
        CaseId(Uuid::from_u128(n))
    }

    #[test]
    fn three_equal_answers_within_the_window_are_a_burst() {
        let a = [1u8; 32];
        let b = [2u8; 32];
        let openings = vec![
            (case(1), a, 1_000),
            (case(2), a, 2_000),
            (case(3), b, 2_500),
            (case(4), a, 3_000),
            (case(5), a, 900_000),
        ];
        let found = bursts(&openings, 3, 60_000);
        assert_eq!(found.len(), 1);
        let ids: Vec<CaseId> = found[0].cases.iter().map(|c| c.0).collect();
        assert_eq!(ids, vec![case(1), case(2), case(4)]);
        assert_eq!((found[0].first_ms, found[0].last_ms), (1_000, 3_000));
    }

    #[test]
    fn spread_out_or_too_few_is_no_burst() {
        let a = [1u8; 32];
        let openings = vec![(case(1), a, 0), (case(2), a, 100_000), (case(3), a, 200_000)];
        assert!(bursts(&openings, 3, 60_000).is_empty());
        assert!(bursts(&openings[..2], 3, 1_000_000).is_empty());
        assert_eq!(bursts(&openings, 3, 200_000).len(), 1);
    }

    #[test]
    fn a_minimum_below_two_still_needs_two() {
        let openings = vec![(case(1), [9u8; 32], 0)];
        assert!(bursts(&openings, 0, 1_000).is_empty());
    }
}

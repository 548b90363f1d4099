//! Durations kept as counts in log-scale buckets, so medians and 90th percentiles can be read
//! from counters that are simply summed: per day, per week, across nodes.
//!
//! Bucket 0 holds durations under one second. Buckets 1 to 100 split each doubling from 1 s up
//! to 2^25 s (about 388 days) into four, so a bucket is 2^(1/4) ≈ 1.19 times as wide at its top
//! as at its bottom. The last bucket, 101, holds everything longer.

use std::collections::BTreeMap;

/// Buckets per doubling of the duration.
const PER_DOUBLING: usize = 4;
/// Doublings from one second covered by the regular buckets (2^25 s ≈ 388 days).
const DOUBLINGS: usize = 25;
/// The number of buckets: one under a second, four per doubling, one for longer durations.
pub const BUCKETS: u16 = (1 + PER_DOUBLING * DOUBLINGS + 1) as u16;

/// 2^(k/4) for k = 0..3, in millionths: exact integers so bucket bounds are the same on every
/// machine.
const STEPS: [i64; PER_DOUBLING] = [1_000_000, 1_189_207, 1_414_214, 1_681_793];

/// The lower bound (ms, inclusive) of every bucket.
const LOWER: [i64; BUCKETS as usize] = lower_bounds();

const fn lower_bounds() -> [i64; BUCKETS as usize] {
    let mut out = [0i64; BUCKETS as usize];
    let mut b = 1;
    while b < BUCKETS as usize - 1 {
        let doubling = (b - 1) / PER_DOUBLING;
        let step = (b - 1) % PER_DOUBLING;
        out[b] = (1000i64 << doubling) * STEPS[step] / 1_000_000;
        b += 1;
    }
    out[BUCKETS as usize - 1] = 1000i64 << DOUBLINGS;
    out
}

/// The last bucket's index.
const LAST: u16 = BUCKETS - 1;

/// The bucket a duration of `ms` milliseconds is counted in. Negative durations (clock skew)
/// count as under a second; durations past the regular buckets go to the last one.
pub fn bucket_of(ms: i64) -> u16 {
    // LOWER starts at 0 and rises strictly, so for ms >= 0 at least one bound is <= ms.
    let above = LOWER.partition_point(|&lower| lower <= ms.max(0));
    u16::try_from(above.saturating_sub(1)).unwrap_or(LAST)
}

/// The durations bucket `b` holds, in milliseconds: lower bound inclusive, upper exclusive. The
/// last bucket's upper bound is `i64::MAX`. Buckets past the last are treated as the last.
pub fn bucket_bounds(b: u16) -> (i64, i64) {
    let b = usize::from(b.min(LAST));
    let lower = LOWER.get(b).copied().unwrap_or(0);
    let upper = LOWER.get(b + 1).copied().unwrap_or(i64::MAX);
    (lower, upper)
}

/// The duration reported for bucket `b` by [`Histogram::quantile`]: the geometric midpoint
/// √(lower·upper) of a regular bucket, so the report is within 2^(1/8) − 1 ≈ 9% of any duration
/// in it; 500 ms for bucket 0 (under a second, where a ratio means little); and the lower bound
/// of the last, open-ended bucket ("more than 388 days").
pub fn bucket_value(b: u16) -> i64 {
    let b = b.min(LAST);
    let (lower, upper) = bucket_bounds(b);
    if b == 0 {
        upper / 2
    } else if b == LAST {
        lower
    } else {
        // Rounded to the nearest millisecond; both bounds are far below 2^53.
        ((lower as f64) * (upper as f64)).sqrt().round() as i64
    }
}

/// Counts of durations per bucket. Stored as rows (bucket, count); histograms of several days
/// or nodes add up with [`Histogram::merge`]. Buckets with a zero count are never kept, so two
/// histograms with the same counts are equal.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Histogram {
    counts: BTreeMap<u16, u64>,
}

impl Histogram {
    /// An empty histogram.
    pub fn new() -> Histogram {
        Histogram::default()
    }

    /// A histogram from stored rows (bucket, count); rows for the same bucket add up.
    pub fn from_rows(rows: impl IntoIterator<Item = (u16, u64)>) -> Histogram {
        let mut h = Histogram::default();
        for (bucket, n) in rows {
            h.add(bucket, n);
        }
        h
    }

    /// The rows to store: (bucket, count) for each bucket with a count, smallest bucket first.
    pub fn rows(&self) -> impl Iterator<Item = (u16, u64)> + '_ {
        self.counts.iter().map(|(&b, &n)| (b, n))
    }

    /// Adds `n` durations to bucket `bucket`. A bucket past the last (a row written by a newer
    /// version with more buckets) counts in the last; counts saturate rather than wrap.
    pub fn add(&mut self, bucket: u16, n: u64) {
        if n == 0 {
            return;
        }
        let count = self.counts.entry(bucket.min(LAST)).or_insert(0);
        *count = count.saturating_add(n);
    }

    /// Counts one duration of `ms` milliseconds.
    pub fn record(&mut self, ms: i64) {
        self.add(bucket_of(ms), 1);
    }

    /// How many durations are counted.
    pub fn total(&self) -> u64 {
        self.counts.values().fold(0u64, |sum, &n| sum.saturating_add(n))
    }

    /// Whether nothing is counted.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// Adds another histogram's counts to this one.
    pub fn merge(&mut self, other: &Histogram) {
        for (bucket, n) in other.rows() {
            self.add(bucket, n);
        }
    }

    /// The duration (ms) below which a share `q` of the counted durations lie, or `None` when
    /// nothing is counted. `q` is clamped to [0, 1] (NaN counts as 0). The nearest-rank method
    /// picks the bucket holding the ⌈q·total⌉-th smallest duration (at least the first), and
    /// reports [`bucket_value`] of it, so the answer never decreases as `q` grows.
    pub fn quantile(&self, q: f64) -> Option<i64> {
        let total = self.total();
        if total == 0 {
            return None;
        }
        let q = if q.is_nan() { 0.0 } else { q.clamp(0.0, 1.0) };
        // The float-to-int cast saturates; the clamp keeps the rank within 1..=total.
        let rank = ((q * total as f64).ceil() as u64).clamp(1, total);
        let mut seen = 0u64;
        for (bucket, n) in self.rows() {
            seen = seen.saturating_add(n);
            if seen >= rank {
                return Some(bucket_value(bucket));
            }
        }
        self.counts.keys().next_back().map(|&b| bucket_value(b))
    }

    /// The median duration (ms), or `None` when nothing is counted.
    pub fn median(&self) -> Option<i64> {
        self.quantile(0.5)
    }

    /// The 90th percentile duration (ms), or `None` when nothing is counted.
    pub fn p90(&self) -> Option<i64> {
        self.quantile(0.9)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: i64 = 1000;
    const DAY: i64 = 86_400 * SECOND;

    // Few enough buckets that a day's rows stay small.
    const _: () = assert!(BUCKETS < 160);

    #[test]
    fn buckets_tile_the_durations() {
        assert_eq!(bucket_bounds(0), (0, 1000));
        let mut expected_lower = 0;
        for b in 0..BUCKETS {
            let (lower, upper) = bucket_bounds(b);
            assert_eq!(lower, expected_lower, "bucket {b}");
            assert!(upper > lower, "bucket {b}");
            assert_eq!(bucket_of(lower), b);
            assert_eq!(bucket_of(upper - 1), b);
            if b > 0 && b < LAST {
                let ratio = upper as f64 / lower as f64;
                assert!((ratio - 2f64.powf(0.25)).abs() < 0.001, "bucket {b}: {ratio}");
                let v = bucket_value(b);
                assert!(lower <= v && v < upper);
            }
            expected_lower = upper;
        }
        assert_eq!(expected_lower, i64::MAX);
        assert_eq!(bucket_bounds(LAST).0, 1000 << 25);
        assert!(bucket_bounds(LAST).0 > 365 * DAY);
        assert_eq!(bucket_bounds(u16::MAX), bucket_bounds(LAST));
    }

    #[test]
    fn bucket_of_handles_the_edges() {
        assert_eq!(bucket_of(-5), 0);
        assert_eq!(bucket_of(i64::MIN), 0);
        assert_eq!(bucket_of(0), 0);
        assert_eq!(bucket_of(999), 0);
        assert_eq!(bucket_of(1000), 1);
        assert_eq!(bucket_of(2000), 5);
        assert_eq!(bucket_of(400 * DAY), LAST);
        assert_eq!(bucket_of(i64::MAX), LAST);
    }

    #[test]
    fn an_empty_histogram_has_no_quantiles() {
        let h = Histogram::new();
        assert!(h.is_empty());
        assert_eq!(h.total(), 0);
        assert_eq!(h.median(), None);
        assert_eq!(h.p90(), None);
        assert_eq!(h.quantile(0.0), None);
        let mut zero = Histogram::new();
        zero.add(3, 0);
        assert_eq!(zero, h);
    }

    #[test]
    fn a_single_duration_is_reported_within_a_bucket_width() {
        let mut ms = 1000i64;
        while ms < 300 * DAY {
            let mut h = Histogram::new();
            h.record(ms);
            for q in [0.0, 0.5, 0.9, 1.0] {
                let got = h.quantile(q).unwrap();
                let err = (got - ms).abs() as f64 / ms as f64;
                assert!(err < 0.2, "{ms} ms reported as {got}");
                assert!(err <= 2f64.powf(0.125) - 1.0 + 1e-6, "{ms} ms reported as {got}");
            }
            ms = ms * 21 / 20 + 7;
        }
        let mut short = Histogram::new();
        short.record(120);
        assert_eq!(short.median(), Some(500));
        let mut long = Histogram::new();
        long.record(1000 * DAY);
        assert_eq!(long.median(), Some(bucket_bounds(LAST).0));
    }

    #[test]
    fn quantiles_of_a_uniform_spread() {
        // 1..=1000 minutes, one each: the median is 500 min, the 90th percentile 900 min.
        let mut h = Histogram::new();
        for minutes in 1..=1000i64 {
            h.record(minutes * 60 * SECOND);
        }
        assert_eq!(h.total(), 1000);
        let close = |got: Option<i64>, want: i64| {
            let got = got.unwrap();
            ((got - want).abs() as f64 / want as f64) < 0.2
        };
        assert!(close(h.median(), 500 * 60 * SECOND), "{:?}", h.median());
        assert!(close(h.p90(), 900 * 60 * SECOND), "{:?}", h.p90());
        assert!(close(h.quantile(0.0), 60 * SECOND));
        assert!(close(h.quantile(1.0), 1000 * 60 * SECOND));
    }

    #[test]
    fn quantiles_of_two_clusters() {
        // 60 chats of about 5 minutes and 40 of about 3 hours.
        let mut h = Histogram::new();
        for i in 0..60 {
            h.record(5 * 60 * SECOND + i * 100);
        }
        for i in 0..40 {
            h.record(3 * 3600 * SECOND + i * 1000);
        }
        // Within a half bucket (9.1%) of the true nearest-rank values, the 50th and 90th durations.
        let within = |got: i64, want: i64| ((got - want).abs() as f64 / want as f64) < 0.091;
        let five_min = h.median().unwrap();
        assert!(within(five_min, 300_000 + 49 * 100), "{five_min}");
        let three_h = h.p90().unwrap();
        assert!(within(three_h, 10_800_000 + 29 * 1000), "{three_h}");
        assert_eq!(h.quantile(0.6), h.median());
        assert_eq!(h.quantile(0.61), h.p90());
    }

    #[test]
    fn quantile_is_monotone_and_clamps_q() {
        let mut h = Histogram::new();
        let mut x: i64 = 12345;
        for _ in 0..500 {
            x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
            h.record(x % (30 * DAY));
        }
        let mut last = i64::MIN;
        for i in 0..=1000 {
            let v = h.quantile(f64::from(i) / 1000.0).unwrap();
            assert!(v >= last);
            last = v;
        }
        assert_eq!(h.quantile(-3.0), h.quantile(0.0));
        assert_eq!(h.quantile(7.0), h.quantile(1.0));
        assert_eq!(h.quantile(f64::NAN), h.quantile(0.0));
        assert_eq!(h.quantile(f64::INFINITY), h.quantile(1.0));
    }

    #[test]
    fn merged_histograms_equal_one_fed_everything() {
        let durations: Vec<i64> = (0..300).map(|i| i * i * 997 - 50).collect();
        let mut all = Histogram::new();
        let mut a = Histogram::new();
        let mut b = Histogram::new();
        for (i, &d) in durations.iter().enumerate() {
            all.record(d);
            if i % 3 == 0 {
                a.record(d);
            } else {
                b.record(d);
            }
        }
        let mut merged = a.clone();
        merged.merge(&b);
        assert_eq!(merged, all);
        assert_eq!(merged.total(), 300);
        assert_eq!(merged.median(), all.median());
        // Stored rows give the same histogram back.
        assert_eq!(Histogram::from_rows(all.rows()), all);
        let mut empty = Histogram::new();
        empty.merge(&Histogram::new());
        assert!(empty.is_empty());
    }

    #[test]
    fn add_tolerates_odd_rows() {
        let mut h = Histogram::from_rows([(5000, 2), (LAST, 1), (0, u64::MAX), (0, 9)]);
        assert_eq!(h.rows().collect::<Vec<_>>(), vec![(0, u64::MAX), (LAST, 3)]);
        assert_eq!(h.total(), u64::MAX);
        h.add(1, 1);
        assert_eq!(h.median(), Some(500));
    }
}

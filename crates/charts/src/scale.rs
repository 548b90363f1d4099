//! The value axis: a top and a step of 1, 2 or 5 times a power of ten, so every tick is a round
//! number, computed in integers (values reach `u64::MAX` and stacked sums beyond it).

/// Ticks `0, step, 2 × step, …, top`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Scale {
    pub(crate) step: u128,
    pub(crate) top: u128,
}

/// At most this many steps between zero and the top.
const MAX_STEPS: u128 = 5;

impl Scale {
    /// The smallest round step that reaches `max` in at most five steps; all zeros (or no
    /// values) still get an axis from 0 to 1.
    pub(crate) fn for_max(max: u128) -> Scale {
        let mut power: u128 = 1;
        loop {
            for factor in [1u128, 2, 5] {
                let Some(step) = power.checked_mul(factor) else {
                    return Scale { step: u128::MAX, top: u128::MAX };
                };
                let steps = max.div_ceil(step).max(1);
                if steps <= MAX_STEPS {
                    return match steps.checked_mul(step) {
                        Some(top) => Scale { step, top },
                        None => Scale { step: u128::MAX, top: u128::MAX },
                    };
                }
            }
            match power.checked_mul(10) {
                Some(next) => power = next,
                None => return Scale { step: u128::MAX, top: u128::MAX },
            }
        }
    }

    pub(crate) fn ticks(&self) -> impl Iterator<Item = u128> + '_ {
        (0..=self.top / self.step).map(|i| i * self.step)
    }

    /// Where `value` sits between 0 (the baseline) and 1 (the top).
    pub(crate) fn fraction(&self, value: u128) -> f64 {
        // The top is never zero; a stacked sum is never above it.
        (value as f64 / self.top as f64).clamp(0.0, 1.0)
    }
}

/// A tick's text: grouped digits up to a trillion, above that `5×10¹⁸` (a count that large is a
/// bug somewhere, but the chart must still draw and stay narrow).
pub(crate) fn tick_label(value: u128) -> String {
    if value < 1_000_000_000_000 {
        return crate::svg::group_digits(value);
    }
    let (mut mantissa, mut exponent) = (value, 0u32);
    while mantissa % 10 == 0 {
        mantissa /= 10;
        exponent += 1;
    }
    const SUPERSCRIPTS: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    let power: String = exponent.to_string().bytes().map(|b| SUPERSCRIPTS[usize::from(b - b'0')]).collect();
    format!("{mantissa}×10{power}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_round_and_reach_the_maximum() {
        assert_eq!(Scale::for_max(0), Scale { step: 1, top: 1 });
        assert_eq!(Scale::for_max(3), Scale { step: 1, top: 3 });
        assert_eq!(Scale::for_max(7), Scale { step: 2, top: 8 });
        assert_eq!(Scale::for_max(10), Scale { step: 2, top: 10 });
        assert_eq!(Scale::for_max(11), Scale { step: 5, top: 15 });
        assert_eq!(Scale::for_max(1234), Scale { step: 500, top: 1500 });
        for max in (0..5000u128).chain([u128::from(u64::MAX), u128::from(u64::MAX) * 40, u128::MAX]) {
            let scale = Scale::for_max(max);
            assert!(scale.top >= max && scale.top / scale.step <= MAX_STEPS && scale.top.is_multiple_of(scale.step));
            let mut s = scale.step;
            while s.is_multiple_of(10) {
                s /= 10;
            }
            assert!(matches!(s, 1 | 2 | 5) || scale.step == u128::MAX, "{max}: {scale:?}");
        }
    }

    #[test]
    fn tick_labels() {
        assert_eq!(tick_label(0), "0");
        assert_eq!(tick_label(15_000), "15\u{202f}000");
        assert_eq!(tick_label(5_000_000_000_000_000_000), "5×10¹⁸");
        assert_eq!(tick_label(15 * 10u128.pow(18)), "15×10¹⁸");
    }
}

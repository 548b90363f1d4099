//! The coordinate grid (a step in degrees that gives a handful of lines, labelled like
//! `48.0°N` and `37.5°E`) and the scale bar (a round number of metres or kilometres).

const STEPS: [f64; 14] = [0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 45.0];

/// The smallest step that draws at most `max_lines` lines over `span` degrees.
pub(crate) fn step_for(span: f64, max_lines: f64) -> f64 {
    STEPS.iter().copied().find(|step| span / step <= max_lines).unwrap_or(90.0)
}

/// The multiples of `step` from `from` to `to`, computed from integers so no error builds up.
pub(crate) fn lines(from: f64, to: f64, step: f64) -> Vec<f64> {
    let (first, last) = ((from / step).ceil() as i64, (to / step).floor() as i64);
    (first..=last).take(200).map(|i| i as f64 * step).collect()
}

fn decimals(step: f64) -> usize {
    if (step * 10.0).fract().abs() > 1e-9 {
        2
    } else {
        1
    }
}

pub(crate) fn latitude_label(lat: f64, step: f64) -> String {
    let hemisphere = if lat < -1e-9 { 'S' } else { 'N' };
    format!("{:.*}°{hemisphere}", decimals(step), lat.abs())
}

pub(crate) fn longitude_label(lon: f64, step: f64) -> String {
    let hemisphere = if lon < -1e-9 { 'W' } else { 'E' };
    format!("{:.*}°{hemisphere}", decimals(step), lon.abs())
}

/// A round length in metres (1, 2 or 5 times a power of ten) no longer than `max_metres`,
/// with its label (the units' names as given).
pub(crate) fn scale_bar(max_metres: f64, kilometres: &str, metres: &str) -> (f64, String) {
    let mut best = 1.0;
    for exponent in 0..8 {
        for factor in [1.0, 2.0, 5.0] {
            let metres = factor * 10f64.powi(exponent);
            if metres <= max_metres {
                best = metres;
            }
        }
    }
    let label = if best >= 1000.0 { format!("{} {kilometres}", best / 1000.0) } else { format!("{best} {metres}") };
    (best, label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_steps() {
        assert_eq!(latitude_label(48.0, 0.5), "48.0°N");
        assert_eq!(longitude_label(37.5, 0.5), "37.5°E");
        assert_eq!(longitude_label(-3.75, 0.25), "3.75°W");
        assert_eq!(latitude_label(-0.05, 0.05), "0.05°S");
        assert_eq!(step_for(0.2, 6.0), 0.05);
        assert_eq!(step_for(10.0, 6.0), 2.0);
        let labels: Vec<String> = lines(47.93, 48.07, 0.05).iter().map(|&l| latitude_label(l, 0.05)).collect();
        assert_eq!(labels, ["47.95°N", "48.00°N", "48.05°N"]);
        assert_eq!(scale_bar(7_300.0, "km", "m"), (5_000.0, "5 km".to_owned()));
        assert_eq!(scale_bar(450.0, "км", "м"), (200.0, "200 м".to_owned()));
    }
}

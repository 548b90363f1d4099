//! Cases whose locations fall within a few hundred metres of each other in the same days.
//! Points are bucketed on a grid of cells at least `radius_m` wide, so only points in the
//! same or a neighbouring cell are compared (haversine distance); pairs of different cases
//! within the radius and the time window are joined into groups (connected components).
//! Works on coordinates opened in memory; nothing here is stored.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::ids::CaseId;

/// The mean Earth radius, metres.
const EARTH_RADIUS_M: f64 = 6_371_008.8;
/// Metres per degree of latitude (approximately).
const M_PER_DEGREE: f64 = 111_195.0;
/// A bound on the work: more points than this are not looked at (the newest are kept).
pub const MAX_POINTS: usize = 20_000;

/// One location of a case at a time: `(case, latitude, longitude, when it was true in ms)`.
pub type Point = (CaseId, f64, f64, i64);

/// Cases found near each other, with the closest distance seen between two of them.
#[derive(Debug, Clone, PartialEq)]
pub struct Nearby {
    pub cases: Vec<CaseId>,
    pub closest_m: f64,
    pub first_ms: i64,
    pub last_ms: i64,
}

/// Great-circle distance in metres.
pub fn haversine_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * a.sqrt().min(1.0).asin()
}

/// Groups of two or more cases with points within `radius_m` of each other and within
/// `window_ms` of each other in time; points outside valid coordinates are ignored. Groups come
/// with the most cases first.
pub fn nearby(points: &[Point], radius_m: f64, window_ms: i64) -> Vec<Nearby> {
    if !(radius_m > 0.0 && radius_m.is_finite()) {
        return Vec::new();
    }
    let mut points: Vec<Point> = points
        .iter()
        .copied()
        .filter(|(_, lat, lon, _)| lat.is_finite() && lon.is_finite() && lat.abs() <= 90.0 && lon.abs() <= 180.0)
        .collect();
    points.sort_by_key(|p| std::cmp::Reverse(p.3));
    points.truncate(MAX_POINTS);
    let cell_deg = radius_m / M_PER_DEGREE;
    let cell = |lat: f64, lon: f64| -> (i64, i64) {
        // Longitude cells widen towards the poles; dividing by cos(lat) keeps them at least
        // `radius_m` wide (capped near the poles, where few people are).
        let shrink = lat.to_radians().cos().max(0.01);
        ((lat / cell_deg).floor() as i64, (lon * shrink / cell_deg).floor() as i64)
    };
    let mut grid: HashMap<(i64, i64), Vec<usize>> = HashMap::new();
    for (i, (_, lat, lon, _)) in points.iter().enumerate() {
        grid.entry(cell(*lat, *lon)).or_default().push(i);
    }
    let mut parent: BTreeMap<CaseId, CaseId> = BTreeMap::new();
    let mut closest: BTreeMap<CaseId, f64> = BTreeMap::new();
    let mut times: BTreeMap<CaseId, (i64, i64)> = BTreeMap::new();
    for (i, (case, lat, lon, at)) in points.iter().enumerate() {
        let (cy, cx) = cell(*lat, *lon);
        for dy in -1..=1 {
            for dx in -1..=1 {
                let Some(others) = grid.get(&(cy + dy, cx + dx)) else { continue };
                for &j in others {
                    let (other, olat, olon, oat) = points[j];
                    if j <= i || other == *case || (at - oat).abs() > window_ms {
                        continue;
                    }
                    let d = haversine_m(*lat, *lon, olat, olon);
                    if d > radius_m {
                        continue;
                    }
                    union(&mut parent, *case, other);
                    for (c, t) in [(*case, *at), (other, oat)] {
                        let e = closest.entry(c).or_insert(d);
                        *e = e.min(d);
                        let span = times.entry(c).or_insert((t, t));
                        span.0 = span.0.min(t);
                        span.1 = span.1.max(t);
                    }
                }
            }
        }
    }
    let mut groups: BTreeMap<CaseId, BTreeSet<CaseId>> = BTreeMap::new();
    let members: Vec<CaseId> = parent.keys().copied().collect();
    for case in members {
        let root = find(&mut parent, case);
        groups.entry(root).or_default().insert(case);
    }
    let mut out: Vec<Nearby> = groups
        .into_values()
        .filter(|g| g.len() >= 2)
        .map(|g| {
            let closest_m = g.iter().filter_map(|c| closest.get(c)).copied().fold(f64::INFINITY, f64::min);
            let first_ms = g.iter().filter_map(|c| times.get(c)).map(|t| t.0).min().unwrap_or(0);
            let last_ms = g.iter().filter_map(|c| times.get(c)).map(|t| t.1).max().unwrap_or(0);
            Nearby { cases: g.into_iter().collect(), closest_m, first_ms, last_ms }
        })
        .collect();
    out.sort_by(|a, b| b.cases.len().cmp(&a.cases.len()).then(b.last_ms.cmp(&a.last_ms)));
    out
}

fn find(parent: &mut BTreeMap<CaseId, CaseId>, case: CaseId) -> CaseId {
    let mut root = case;
    while let Some(&p) = parent.get(&root) {
        if p == root {
            break;
        }
        root = p;
    }
    // Path compression keeps later look-ups short.
    let mut at = case;
    while at != root {
        let next = parent.get(&at).copied().unwrap_or(root);
        parent.insert(at, root);
        at = next;
    }
    root
}

fn union(parent: &mut BTreeMap<CaseId, CaseId>, a: CaseId, b: CaseId) {
    parent.entry(a).or_insert(a);
    parent.entry(b).or_insert(b);
    let (ra, rb) = (find(parent, a), find(parent, b));
    if ra != rb {
        parent.insert(ra.max(rb), ra.min(rb));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    const DAY: i64 = 86_400_000;

    fn case(n: u128) -> CaseId {
        CaseId(Uuid::from_u128(n))
    }

    #[test]
    fn haversine_is_about_right() {
        // One degree of latitude is about 111 km.
        let d = haversine_m(48.0, 37.0, 49.0, 37.0);
        assert!((d - 111_195.0).abs() < 200.0, "{d}");
        assert!(haversine_m(48.0, 37.0, 48.0, 37.0) < 1e-6);
    }

    #[test]
    fn close_cases_in_the_same_days_are_grouped() {
        // About 150 m apart (0.00135 degrees of latitude), and a third one 1 km away.
        let points = vec![
            (case(1), 48.0159, 37.8028, 10 * DAY),
            (case(2), 48.01725, 37.8028, 10 * DAY + 3_600_000),
            (case(3), 48.0249, 37.8028, 10 * DAY),
        ];
        let found = nearby(&points, 300.0, DAY);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].cases, vec![case(1), case(2)]);
        assert!(found[0].closest_m > 100.0 && found[0].closest_m < 200.0, "{}", found[0].closest_m);
    }

    #[test]
    fn far_in_time_or_the_same_case_is_not_a_group() {
        let points =
            vec![(case(1), 48.0159, 37.8028, 0), (case(2), 48.0160, 37.8028, 5 * DAY), (case(1), 48.0160, 37.8029, 0)];
        assert!(nearby(&points, 300.0, DAY).is_empty());
    }

    #[test]
    fn neighbours_across_a_cell_border_are_found_and_chains_join() {
        let cell = 300.0 / M_PER_DEGREE;
        let border = (48.0 / cell).ceil() * cell;
        let points = vec![
            (case(1), border - 0.0002, 37.0, 0),
            (case(2), border + 0.0002, 37.0, 0),
            (case(3), border + 0.0022, 37.0, 0),
        ];
        let found = nearby(&points, 300.0, DAY);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].cases, vec![case(1), case(2), case(3)]);
    }

    #[test]
    fn bad_coordinates_and_radius_are_ignored() {
        let points = vec![(case(1), f64::NAN, 0.0, 0), (case(2), 91.0, 0.0, 0), (case(3), 0.0, 0.0, 0)];
        assert!(nearby(&points, 300.0, DAY).is_empty());
        assert!(nearby(&points, 0.0, DAY).is_empty());
        assert!(nearby(&points, f64::NAN, DAY).is_empty());
    }
}

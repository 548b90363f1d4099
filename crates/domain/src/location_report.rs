//! A location report: the place (a point with its accuracy, or words), where it came from, when
//! it was true and who recorded it; and the rule that a case is `located` only with a report.
//! Pure: the caller passes the clock.

use crate::case::{CaseError, CaseState, Transition};
use crate::ids::{ConversationId, UserId};
use crate::location::{self, LocationError, Place};
use crate::vocabulary::LocationSource;

/// How far in the future a "true at" time may be (clocks of phones and staff disagree a little).
pub const MAX_CLOCK_SKEW_MS: i64 = 5 * 60 * 1000;

/// The largest accuracy accepted, in metres (1,000 km: anything coarser says nothing).
pub const MAX_ACCURACY_M: u32 = 1_000_000;

/// Who recorded a report: a member of staff, or the applicant through their conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reporter {
    Staff(UserId),
    Applicant(ConversationId),
}

/// A checked report, ready to be sealed and recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct LocationReport {
    /// A point's `accuracy_m` is the report's accuracy: the worse of what the notation can say
    /// and what the reporter gave.
    pub place: Place,
    pub source: LocationSource,
    /// When the place was true (milliseconds since the epoch); at most now plus a small skew.
    pub true_at_ms: i64,
}

/// Why a report was refused. Never repeats the input (a place is personal data).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Place(#[from] LocationError),
    #[error("the accuracy must be a whole number of metres from 1 to {MAX_ACCURACY_M}")]
    BadAccuracy,
    #[error("the time the location was true is in the future")]
    InTheFuture,
    #[error("the time the location was true is not understood")]
    BadTime,
}

impl LocationReport {
    /// A report from what was typed (any format [`location::parse`] reads), an optional accuracy,
    /// the source and when it was true (`None`: now).
    pub fn from_input(
        input: &str,
        accuracy_m: Option<u32>,
        source: LocationSource,
        true_at_ms: Option<i64>,
        now_ms: i64,
    ) -> Result<LocationReport, ReportError> {
        let place = location::parse(input)?;
        LocationReport::new(place, accuracy_m, source, true_at_ms, now_ms)
    }

    /// A report from a place already parsed (or a point given as numbers, `format` Decimal).
    pub fn new(
        place: Place,
        accuracy_m: Option<u32>,
        source: LocationSource,
        true_at_ms: Option<i64>,
        now_ms: i64,
    ) -> Result<LocationReport, ReportError> {
        if accuracy_m.is_some_and(|a| a == 0 || a > MAX_ACCURACY_M) {
            return Err(ReportError::BadAccuracy);
        }
        let true_at_ms = true_at_ms.unwrap_or(now_ms);
        if true_at_ms < 0 {
            return Err(ReportError::BadTime);
        }
        if true_at_ms > now_ms.saturating_add(MAX_CLOCK_SKEW_MS) {
            return Err(ReportError::InTheFuture);
        }
        let place = match place {
            Place::Point { lat, lon, accuracy_m: written, format } => {
                // Checks the range (and that the point can be written back) once, here.
                location::write_point(lat, lon, None)?;
                let accuracy_m = match (written, accuracy_m) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    (a, b) => a.or(b),
                };
                Place::Point { lat, lon, accuracy_m, format }
            }
            described => described,
        };
        Ok(LocationReport { place, source, true_at_ms })
    }
}

/// Whether a report is older than the stale limit at `now_ms`.
pub fn is_stale(true_at_ms: i64, now_ms: i64, stale_after_ms: i64) -> bool {
    now_ms.saturating_sub(true_at_ms) > stale_after_ms
}

/// The location rule of a case's life: moving to `located` needs at least one report. Checked by
/// the store before [`crate::Case::decide`], with the number of reports the case has.
pub fn check_move(from: CaseState, transition: Transition, reports: usize) -> Result<(), CaseError> {
    match transition {
        Transition::Advance { to: CaseState::Located } if from != CaseState::Located && reports == 0 => {
            Err(CaseError::NoLocationYet)
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::CloseReason;
    use crate::location::Format;

    const NOW: i64 = 1_800_000_000_000;

    #[test]
    fn mgrs_keeps_its_cell_as_accuracy_unless_the_reporter_says_worse() {
        let r = LocationReport::from_input("37U DQ 123 678", None, LocationSource::StaffCall, None, NOW).unwrap();
        assert!(matches!(r.place, Place::Point { accuracy_m: Some(100), format: Format::Mgrs, .. }), "{r:?}");
        assert_eq!(r.true_at_ms, NOW);
        let r = LocationReport::from_input("37U DQ 123 678", Some(20), LocationSource::StaffCall, None, NOW).unwrap();
        assert!(matches!(r.place, Place::Point { accuracy_m: Some(100), .. }));
        let r = LocationReport::from_input("37U DQ 123 678", Some(500), LocationSource::StaffCall, None, NOW).unwrap();
        assert!(matches!(r.place, Place::Point { accuracy_m: Some(500), .. }));
    }

    #[test]
    fn decimal_dms_and_words_are_reports() {
        let r = LocationReport::from_input("48.0159, 37.8028", Some(30), LocationSource::Browser, None, NOW).unwrap();
        let Place::Point { lat, lon, accuracy_m, .. } = r.place else { panic!("{r:?}") };
        assert!((lat - 48.0159).abs() < 1e-9 && (lon - 37.8028).abs() < 1e-9);
        assert!(accuracy_m.unwrap() >= 30);
        let r =
            LocationReport::from_input("48°00'57.2\"N 37°48'10.1\"E", None, LocationSource::ApplicantTyped, None, NOW)
                .unwrap();
        assert!(matches!(r.place, Place::Point { format: Format::Dms, .. }));
        let r = LocationReport::from_input("the old mill by the river", Some(50), LocationSource::StaffCall, None, NOW)
            .unwrap();
        assert_eq!(r.place, Place::Described("the old mill by the river".into()));
    }

    #[test]
    fn malformed_places_accuracies_and_times_are_refused() {
        let src = LocationSource::StaffCall;
        assert_eq!(
            LocationReport::from_input("91.0, 37.0", None, src, None, NOW),
            Err(ReportError::Place(LocationError::LatitudeOutOfRange))
        );
        assert_eq!(LocationReport::from_input("", None, src, None, NOW), Err(ReportError::Place(LocationError::Empty)));
        assert_eq!(LocationReport::from_input("48.1, 37.2", Some(0), src, None, NOW), Err(ReportError::BadAccuracy));
        assert_eq!(
            LocationReport::from_input("48.1, 37.2", Some(MAX_ACCURACY_M + 1), src, None, NOW),
            Err(ReportError::BadAccuracy)
        );
        assert_eq!(
            LocationReport::from_input("48.1, 37.2", None, src, Some(NOW + MAX_CLOCK_SKEW_MS + 1), NOW),
            Err(ReportError::InTheFuture)
        );
        assert_eq!(LocationReport::from_input("48.1, 37.2", None, src, Some(-1), NOW), Err(ReportError::BadTime));
        // A little skew, and any time in the past, are fine.
        assert!(LocationReport::from_input("48.1, 37.2", None, src, Some(NOW + 60_000), NOW).is_ok());
        assert!(LocationReport::from_input("48.1, 37.2", None, src, Some(NOW - 86_400_000), NOW).is_ok());
    }

    #[test]
    fn a_numeric_point_out_of_range_is_refused() {
        let place = Place::Point { lat: 10.0, lon: 181.0, accuracy_m: None, format: Format::Decimal };
        assert_eq!(
            LocationReport::new(place, Some(10), LocationSource::Browser, None, NOW),
            Err(ReportError::Place(LocationError::LongitudeOutOfRange))
        );
    }

    #[test]
    fn staleness_is_past_the_limit() {
        let hour = 3_600_000;
        assert!(!is_stale(NOW - 72 * hour, NOW, 72 * hour));
        assert!(is_stale(NOW - 72 * hour - 1, NOW, 72 * hour));
    }

    #[test]
    fn located_needs_a_report() {
        let to_located = Transition::Advance { to: CaseState::Located };
        assert_eq!(check_move(CaseState::Deployed, to_located, 0), Err(CaseError::NoLocationYet));
        assert_eq!(check_move(CaseState::Deployed, to_located, 1), Ok(()));
        let close = Transition::Close { reason: CloseReason::LostContact };
        assert_eq!(check_move(CaseState::Deployed, close, 0), Ok(()));
        let other = Transition::Advance { to: CaseState::Deployed };
        assert_eq!(check_move(CaseState::Registered, other, 0), Ok(()));
    }
}

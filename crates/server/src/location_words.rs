//! Location reports in words, for staff and applicants alike: which Fluent text names what was
//! not understood in a typed location, and the words of the sources.

use safepassage_domain::{LocationError, ReportError};

/// The Fluent id that tells, in the reader's language, what was not understood. Never the input.
pub(crate) fn error_id(e: &ReportError) -> &'static str {
    match e {
        ReportError::BadAccuracy => "location-error-accuracy",
        ReportError::InTheFuture => "location-error-future",
        ReportError::BadTime => "location-error-time",
        ReportError::Place(p) => match p {
            LocationError::TooLong => "location-error-too-long",
            LocationError::Empty => "location-error-empty",
            LocationError::BadNumber => "location-error-bad-number",
            LocationError::OneCoordinate => "location-error-one-coordinate",
            LocationError::TrailingInput => "location-error-trailing",
            LocationError::MisplacedMark => "location-error-misplaced-mark",
            LocationError::MisplacedHemisphere => "location-error-misplaced-hemisphere",
            LocationError::SameAxisTwice => "location-error-same-axis",
            LocationError::SignAndHemisphere => "location-error-sign-and-hemisphere",
            LocationError::WholeNumbersOnly => "location-error-whole-numbers",
            LocationError::FractionalDegreesWithMinutes => "location-error-fractional-degrees",
            LocationError::FractionalMinutesWithSeconds => "location-error-fractional-minutes",
            LocationError::MinutesOutOfRange => "location-error-minutes",
            LocationError::SecondsOutOfRange => "location-error-seconds",
            LocationError::LatitudeOutOfRange => "location-error-latitude",
            LocationError::LongitudeOutOfRange => "location-error-longitude",
            LocationError::MgrsZone => "location-error-mgrs-zone",
            LocationError::MgrsBand => "location-error-mgrs-band",
            LocationError::MgrsSquare => "location-error-mgrs-square",
            LocationError::MgrsOddDigits => "location-error-mgrs-odd-digits",
            LocationError::MgrsUnequalGroups => "location-error-mgrs-unequal",
            LocationError::MgrsTooManyDigits => "location-error-mgrs-too-many-digits",
            LocationError::MgrsOther => "location-error-mgrs-other",
        },
    }
}

/// Every id [`error_id`] can answer, for the texts test.
#[cfg(test)]
pub(crate) const ERROR_IDS: &[&str] = &[
    "location-error-accuracy",
    "location-error-future",
    "location-error-time",
    "location-error-too-long",
    "location-error-empty",
    "location-error-bad-number",
    "location-error-one-coordinate",
    "location-error-trailing",
    "location-error-misplaced-mark",
    "location-error-misplaced-hemisphere",
    "location-error-same-axis",
    "location-error-sign-and-hemisphere",
    "location-error-whole-numbers",
    "location-error-fractional-degrees",
    "location-error-fractional-minutes",
    "location-error-minutes",
    "location-error-seconds",
    "location-error-latitude",
    "location-error-longitude",
    "location-error-mgrs-zone",
    "location-error-mgrs-band",
    "location-error-mgrs-square",
    "location-error-mgrs-odd-digits",
    "location-error-mgrs-unequal",
    "location-error-mgrs-too-many-digits",
    "location-error-mgrs-other",
];

#[cfg(test)]
mod tests {
    use super::*;
    use safepassage_domain::{Language, LocationSource};

    #[test]
    fn every_error_and_source_has_words_in_every_language() {
        let i18n = crate::i18n::load();
        for language in [Language::Ru, Language::Uk, Language::En] {
            for id in ERROR_IDS {
                assert!(i18n.has(language, id), "{id} in {language}");
            }
            for source in LocationSource::ALL {
                let id = format!("location-source-{}", source.as_str().replace('_', "-"));
                assert!(i18n.has(language, &id), "{id} in {language}");
            }
        }
    }

    #[test]
    fn a_malformed_mgrs_is_named() {
        let e = safepassage_domain::LocationReport::from_input(
            "37U DQ 1234 567",
            None,
            safepassage_domain::LocationSource::StaffCall,
            None,
            0,
        )
        .unwrap_err();
        assert!(ERROR_IDS.contains(&error_id(&e)));
    }
}

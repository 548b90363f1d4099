//! Where a person is, as typed: decimal degrees, degrees-minutes-seconds, degrees and decimal
//! minutes, MGRS, or free text. Pure: no I/O, no clock. Input over [`MAX_INPUT_BYTES`] is refused
//! before any work. Text that is not recognisable as coordinates is kept as a description; text
//! that looks like coordinates and is malformed is an error naming what is wrong. Errors never
//! repeat the input (a place is personal data and errors end up in logs).
//!
//! MGRS and UTM conversion is done by `mgrs-convert` (see the workspace `Cargo.toml` for why).

use mgrs_convert::{LatLon, Mgrs, ParseErrorKind, Precision};

/// Longest input accepted, in bytes.
pub const MAX_INPUT_BYTES: usize = 200;

/// Metres per degree of latitude (mean), used to turn a notation's last digit into metres.
const METRES_PER_DEGREE: f64 = 111_320.0;

/// How a point was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `48.0159, 37.8028`
    Decimal,
    /// `48°00'57.2"N 37°48'10.1"E`
    Dms,
    /// `48°00.953'N 37°48.168'E`
    Ddm,
    /// `37U DQ 12345 67890`
    Mgrs,
}

/// A place: a point on the WGS84 ellipsoid, or a description in words.
#[derive(Debug, Clone, PartialEq)]
pub enum Place {
    /// A point. `accuracy_m` is what the notation can say (an MGRS cell's size, the step of the
    /// last digit typed), not how true the report is.
    Point { lat: f64, lon: f64, accuracy_m: Option<u32>, format: Format },
    /// Words that are not coordinates, kept as typed (trimmed).
    Described(String),
}

/// What was not understood in an input that looks like coordinates.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LocationError {
    #[error("the location is too long (at most {MAX_INPUT_BYTES} bytes)")]
    TooLong,
    #[error("the location is empty")]
    Empty,
    #[error("a number in the coordinates is not understood")]
    BadNumber,
    #[error("only one coordinate was found: give both latitude and longitude")]
    OneCoordinate,
    #[error("there is more after the longitude than was understood")]
    TrailingInput,
    #[error("a degree, minute or second sign is out of place")]
    MisplacedMark,
    #[error("a hemisphere letter (N, S, E, W) is out of place")]
    MisplacedHemisphere,
    #[error("both coordinates name a north/south hemisphere, or both an east/west one")]
    SameAxisTwice,
    #[error("a coordinate has both a minus sign and a hemisphere letter")]
    SignAndHemisphere,
    #[error("whole numbers without a decimal point, degree sign or hemisphere are not understood as coordinates")]
    WholeNumbersOnly,
    #[error("degrees with a fraction cannot be followed by minutes")]
    FractionalDegreesWithMinutes,
    #[error("minutes with a fraction cannot be followed by seconds")]
    FractionalMinutesWithSeconds,
    #[error("minutes must be below 60")]
    MinutesOutOfRange,
    #[error("seconds must be below 60")]
    SecondsOutOfRange,
    #[error("the latitude is out of range (−90 to 90)")]
    LatitudeOutOfRange,
    #[error("the longitude is out of range (−180 to 180)")]
    LongitudeOutOfRange,
    #[error("the MGRS zone is not a number from 1 to 60")]
    MgrsZone,
    #[error("the MGRS latitude band letter is not C to X (without I and O)")]
    MgrsBand,
    #[error("the MGRS 100 km square letters are not valid for this zone and band")]
    MgrsSquare,
    #[error("the MGRS reference has an odd number of digits: easting and northing need as many digits each")]
    MgrsOddDigits,
    #[error("the MGRS easting and northing have different numbers of digits")]
    MgrsUnequalGroups,
    #[error("the MGRS reference has more than 10 digits (finer than 1 m)")]
    MgrsTooManyDigits,
    #[error("the MGRS reference is not understood")]
    MgrsOther,
}

/// Parses what a person or a staff member typed.
pub fn parse(input: &str) -> Result<Place, LocationError> {
    if input.len() > MAX_INPUT_BYTES {
        return Err(LocationError::TooLong);
    }
    let text = input.trim();
    if text.is_empty() {
        return Err(LocationError::Empty);
    }
    if let Some(place) = parse_mgrs(text)? {
        return Ok(place);
    }
    match tokenize(text) {
        Some(tokens) => parse_degrees(&tokens),
        None => Ok(Place::Described(text.to_string())),
    }
}

/// A point written for display: decimal degrees and MGRS (UTM zones; UPS at the poles).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// `48.01590, 37.80280` (5 decimals: about 1 m).
    pub decimal: String,
    /// `37U DQ 12345 67890`, at the precision that fits the accuracy.
    pub mgrs: String,
}

/// Writes a point as decimal degrees and MGRS. The MGRS precision is the coarsest cell that is no
/// larger than `accuracy_m` (1 m when unknown).
pub fn write_point(lat: f64, lon: f64, accuracy_m: Option<u32>) -> Result<Written, LocationError> {
    let position = lat_lon(lat, lon)?;
    let pairs = digit_pairs_for(accuracy_m.unwrap_or(1));
    Ok(Written { decimal: format!("{lat:.5}, {lon:.5}"), mgrs: to_mgrs(position, pairs)? })
}

/// MGRS of a point with `pairs` digit pairs (0: 100 km … 5: 1 m), spaced as `37U DQ 12345 67890`.
pub fn mgrs_of(lat: f64, lon: f64, pairs: u8) -> Result<String, LocationError> {
    to_mgrs(lat_lon(lat, lon)?, pairs.min(5))
}

fn lat_lon(lat: f64, lon: f64) -> Result<LatLon, LocationError> {
    if !(-90.0..=90.0).contains(&lat) {
        return Err(LocationError::LatitudeOutOfRange);
    }
    if !(-180.0..=180.0).contains(&lon) {
        return Err(LocationError::LongitudeOutOfRange);
    }
    LatLon::new(lat, lon).map_err(|_| LocationError::LatitudeOutOfRange)
}

fn to_mgrs(position: LatLon, pairs: u8) -> Result<String, LocationError> {
    let precision = Precision::new(pairs).map_err(|_| LocationError::MgrsTooManyDigits)?;
    let compact = position.to_mgrs(precision).to_string();
    // Zone digits (none in the polar grids), band letter, two square letters, then the digits.
    let zone_len = compact.bytes().take_while(u8::is_ascii_digit).count();
    let split = zone_len + 1;
    let (head, rest) = compact.split_at(split.min(compact.len()));
    let (square, digits) = rest.split_at(2.min(rest.len()));
    let (east, north) = digits.split_at(digits.len() / 2);
    let mut out = format!("{head} {square}");
    if !digits.is_empty() {
        out.push(' ');
        out.push_str(east);
        out.push(' ');
        out.push_str(north);
    }
    Ok(out)
}

/// The cell size in metres of an MGRS reference with `pairs` digit pairs.
pub fn mgrs_cell_m(pairs: u8) -> u32 {
    10u32.pow(u32::from(5u8.saturating_sub(pairs.min(5))))
}

/// The coarsest MGRS precision whose cell is no larger than the accuracy: 11 m gives 10 m cells.
fn digit_pairs_for(accuracy_m: u32) -> u8 {
    (0u8..=5).find(|&p| mgrs_cell_m(p) <= accuracy_m).unwrap_or(5)
}

/// `Ok(None)` when the text does not look like MGRS; an error when it does and is malformed.
fn parse_mgrs(text: &str) -> Result<Option<Place>, LocationError> {
    let groups: Vec<&str> = text.split_whitespace().collect();
    let compact: String = groups.concat();
    let bytes = compact.as_bytes();
    let zone_len = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    let letters = bytes.get(zone_len..).unwrap_or(&[]);
    let letter_len = letters.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    let digits = letters.get(letter_len..).unwrap_or(&[]);
    // The polar grids (UPS) have no zone number: their first letter is A, B, Y or Z, and only
    // upper case reads as a grid reference there.
    let polar = zone_len == 0
        && matches!(letters.first(), Some(b'A' | b'B' | b'Y' | b'Z'))
        && !compact.bytes().any(|b| b.is_ascii_lowercase());
    let looks = ((1..=2).contains(&zone_len) || polar)
        && letter_len == 3
        && digits.iter().all(u8::is_ascii_digit)
        // Without digits (a 100 km square), only upper case reads as a grid reference:
        // "10 kms" is words.
        && (!digits.is_empty() || !compact.bytes().any(|b| b.is_ascii_lowercase()));
    if !looks {
        return Ok(None);
    }
    // Easting and northing typed apart must be as long as each other.
    let trailing: Vec<&str> =
        groups.iter().rev().take_while(|g| g.bytes().all(|b| b.is_ascii_digit())).copied().collect();
    if digits.len() % 2 == 1 {
        return Err(LocationError::MgrsOddDigits);
    }
    if let [north, east] = trailing.as_slice() {
        if north.len() != east.len() {
            return Err(LocationError::MgrsUnequalGroups);
        }
    }
    if digits.len() > 10 {
        return Err(LocationError::MgrsTooManyDigits);
    }
    let cell: Mgrs = compact.parse().map_err(|e| match e {
        mgrs_convert::Error::Parse(kind) => match kind {
            ParseErrorKind::BadZoneNumber => LocationError::MgrsZone,
            ParseErrorKind::BadBandLetter => LocationError::MgrsBand,
            ParseErrorKind::BadSquareLetters
            | ParseErrorKind::SquareZoneMismatch
            | ParseErrorKind::SquareBandMismatch
            | ParseErrorKind::GridZoneOnly => LocationError::MgrsSquare,
            ParseErrorKind::OddDigitCount => LocationError::MgrsOddDigits,
            ParseErrorKind::TooManyDigits => LocationError::MgrsTooManyDigits,
            _ => LocationError::MgrsOther,
        },
        _ => LocationError::MgrsOther,
    })?;
    let center = cell.to_latlon();
    Ok(Some(Place::Point {
        lat: center.lat(),
        lon: center.lon(),
        accuracy_m: Some(mgrs_cell_m(cell.precision().get())),
        format: Format::Mgrs,
    }))
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Token {
    /// A number: its value, its sign, and how many digits follow the decimal point.
    Num {
        value: f64,
        negative: bool,
        decimals: u32,
    },
    Deg,
    Min,
    Sec,
    /// N, S, E or W (upper case).
    Hemi(u8),
    Sep,
}

/// Splits coordinate-like text into tokens; `None` when something in it is not part of a
/// coordinate (words), or it has no digit at all.
fn tokenize(text: &str) -> Option<Vec<Token>> {
    if !text.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    // A decimal comma (`48,0159 37,8028`) is read as a point when the text has no point at all
    // and exactly two commas stand between digits.
    let chars: Vec<char> = text.chars().collect();
    let between_digits = |i: usize| {
        i > 0
            && chars.get(i - 1).is_some_and(char::is_ascii_digit)
            && chars.get(i + 1).is_some_and(char::is_ascii_digit)
    };
    let decimal_comma =
        !text.contains('.') && chars.iter().enumerate().filter(|(i, c)| **c == ',' && between_digits(*i)).count() == 2;
    let mut tokens = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        match c {
            '0'..='9' | '.' | '-' | '−' | '+' => {
                let negative = matches!(c, '-' | '−');
                if matches!(c, '-' | '−' | '+') {
                    i += 1;
                }
                let mut whole = String::new();
                let mut fraction = None::<String>;
                while let Some(&d) = chars.get(i) {
                    let point = d == '.' || (decimal_comma && d == ',' && between_digits(i));
                    if d.is_ascii_digit() {
                        match fraction.as_mut() {
                            Some(f) => f.push(d),
                            None => whole.push(d),
                        }
                    } else if point && fraction.is_none() {
                        fraction = Some(String::new());
                    } else {
                        break;
                    }
                    i += 1;
                }
                let decimals = fraction.as_ref().map_or(0, String::len);
                if (whole.is_empty() && decimals == 0) || whole.len() > 12 || decimals > 12 {
                    return Some(vec![Token::Num { value: f64::NAN, negative, decimals: 0 }]);
                }
                let literal =
                    format!("{}.{}", if whole.is_empty() { "0" } else { &whole }, fraction.unwrap_or_default());
                let value: f64 = literal.trim_end_matches('.').parse().ok()?;
                tokens.push(Token::Num { value, negative, decimals: u32::try_from(decimals).ok()? });
                continue;
            }
            '°' | 'º' | '˚' => tokens.push(Token::Deg),
            '\'' | '′' | '’' | '‘' | '´' | '`' => {
                // Two apostrophes are a seconds sign.
                if chars.get(i + 1) == Some(&c) {
                    tokens.push(Token::Sec);
                    i += 1;
                } else {
                    tokens.push(Token::Min);
                }
            }
            '"' | '″' | '”' | '“' => tokens.push(Token::Sec),
            ',' | ';' | '/' => tokens.push(Token::Sep),
            c if c.is_whitespace() => {}
            c if c.is_alphabetic() => {
                let next_alpha = chars.get(i + 1).is_some_and(|n| n.is_alphabetic());
                let hemi = match c.to_ascii_uppercase() {
                    'N' => b'N',
                    'S' => b'S',
                    'E' => b'E',
                    'W' => b'W',
                    _ => return None,
                };
                if next_alpha {
                    return None;
                }
                tokens.push(Token::Hemi(hemi));
            }
            _ => return None,
        }
        i += 1;
    }
    Some(tokens)
}

/// One coordinate as written: degrees, optional minutes and seconds, sign, hemisphere.
#[derive(Debug, Default)]
struct Coordinate {
    degrees: f64,
    minutes: Option<f64>,
    seconds: Option<f64>,
    negative: bool,
    hemisphere: Option<u8>,
    /// Whether a degree sign, minutes or seconds were written.
    marked: bool,
    /// Metres of the last digit's step, along a meridian.
    step_m: f64,
}

fn parse_degrees(tokens: &[Token]) -> Result<Place, LocationError> {
    let mut pos = 0;
    let first = coordinate(tokens, &mut pos)?.ok_or(LocationError::OneCoordinate)?;
    let second = coordinate(tokens, &mut pos)?.ok_or(LocationError::OneCoordinate)?;
    while let Some(t) = tokens.get(pos) {
        if *t != Token::Sep {
            return Err(LocationError::TrailingInput);
        }
        pos += 1;
    }
    let axis = |w: &Coordinate| w.hemisphere.map(|h| matches!(h, b'N' | b'S'));
    let (lat, lon) = match (axis(&first), axis(&second)) {
        (Some(true), Some(true)) | (Some(false), Some(false)) => return Err(LocationError::SameAxisTwice),
        (Some(false), _) | (_, Some(true)) => (second, first),
        _ => (first, second),
    };
    let decimal_only = lat.minutes.is_none() && lon.minutes.is_none();
    if decimal_only
        && !lat.marked
        && !lon.marked
        && lat.hemisphere.is_none()
        && lon.hemisphere.is_none()
        && lat.step_m >= METRES_PER_DEGREE
        && lon.step_m >= METRES_PER_DEGREE
    {
        return Err(LocationError::WholeNumbersOnly);
    }
    let format = if lat.seconds.is_some() || lon.seconds.is_some() {
        Format::Dms
    } else if !decimal_only {
        Format::Ddm
    } else {
        Format::Decimal
    };
    let lat_value = value(&lat, b'S')?;
    let lon_value = value(&lon, b'W')?;
    if !(-90.0..=90.0).contains(&lat_value) {
        return Err(LocationError::LatitudeOutOfRange);
    }
    if !(-180.0..=180.0).contains(&lon_value) {
        return Err(LocationError::LongitudeOutOfRange);
    }
    let step = lat.step_m.max(lon.step_m).ceil().clamp(1.0, f64::from(u32::MAX));
    Ok(Place::Point {
        lat: lat_value,
        lon: lon_value,
        // The clamp above keeps the cast exact and in range.
        accuracy_m: Some(step as u32),
        format,
    })
}

fn value(w: &Coordinate, negative_hemisphere: u8) -> Result<f64, LocationError> {
    if w.negative && w.hemisphere.is_some() {
        return Err(LocationError::SignAndHemisphere);
    }
    let minutes = w.minutes.unwrap_or(0.0);
    let seconds = w.seconds.unwrap_or(0.0);
    if minutes >= 60.0 {
        return Err(LocationError::MinutesOutOfRange);
    }
    if seconds >= 60.0 {
        return Err(LocationError::SecondsOutOfRange);
    }
    let magnitude = w.degrees + minutes / 60.0 + seconds / 3600.0;
    let negative = w.negative || w.hemisphere == Some(negative_hemisphere);
    Ok(if negative { -magnitude } else { magnitude })
}

/// Reads one coordinate from `tokens[*pos..]`; `Ok(None)` when only separators are left.
fn coordinate(tokens: &[Token], pos: &mut usize) -> Result<Option<Coordinate>, LocationError> {
    while tokens.get(*pos) == Some(&Token::Sep) {
        *pos += 1;
    }
    let Some(&start) = tokens.get(*pos) else {
        return Ok(None);
    };
    let mut w = Coordinate::default();
    if let Token::Hemi(h) = start {
        w.hemisphere = Some(h);
        *pos += 1;
    }
    let number = |pos: &mut usize| -> Result<(f64, bool, u32), LocationError> {
        match tokens.get(*pos) {
            Some(Token::Num { value, negative, decimals }) => {
                if !value.is_finite() {
                    return Err(LocationError::BadNumber);
                }
                *pos += 1;
                Ok((*value, *negative, *decimals))
            }
            Some(Token::Deg | Token::Min | Token::Sec) => Err(LocationError::MisplacedMark),
            Some(Token::Hemi(_)) => Err(LocationError::MisplacedHemisphere),
            Some(Token::Sep) | None => Err(LocationError::OneCoordinate),
        }
    };
    let plain_num = |p: usize| matches!(tokens.get(p), Some(Token::Num { negative: false, .. }));
    let (degrees, negative, decimals) = number(pos)?;
    w.degrees = degrees;
    w.negative = negative;
    w.step_m = METRES_PER_DEGREE / 10f64.powi(decimals as i32);
    let degree_sign = tokens.get(*pos) == Some(&Token::Deg);
    if degree_sign {
        *pos += 1;
        w.marked = true;
    }
    // Minutes: after a degree sign, or when a minutes sign follows the number.
    let minutes_here = plain_num(*pos)
        && tokens.get(*pos + 1) != Some(&Token::Deg)
        && (degree_sign || tokens.get(*pos + 1) == Some(&Token::Min));
    if minutes_here {
        if decimals > 0 {
            return Err(LocationError::FractionalDegreesWithMinutes);
        }
        let (m, _, m_decimals) = number(pos)?;
        w.minutes = Some(m);
        w.marked = true;
        w.step_m = 1852.0 / 10f64.powi(m_decimals as i32);
        let minute_sign = tokens.get(*pos) == Some(&Token::Min);
        if minute_sign {
            *pos += 1;
        }
        let seconds_here = plain_num(*pos)
            && !matches!(tokens.get(*pos + 1), Some(Token::Deg | Token::Min))
            && (minute_sign || tokens.get(*pos + 1) == Some(&Token::Sec));
        if seconds_here {
            if m_decimals > 0 {
                return Err(LocationError::FractionalMinutesWithSeconds);
            }
            let (s, _, s_decimals) = number(pos)?;
            w.seconds = Some(s);
            w.step_m = 30.87 / 10f64.powi(s_decimals as i32);
            if tokens.get(*pos) == Some(&Token::Sec) {
                *pos += 1;
            }
        }
    }
    match tokens.get(*pos) {
        Some(Token::Hemi(h)) if w.hemisphere.is_none() => {
            w.hemisphere = Some(*h);
            *pos += 1;
        }
        Some(Token::Deg | Token::Min | Token::Sec) => return Err(LocationError::MisplacedMark),
        _ => {}
    }
    Ok(Some(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(input: &str) -> (f64, f64, Option<u32>, Format) {
        match parse(input) {
            Ok(Place::Point { lat, lon, accuracy_m, format }) => (lat, lon, accuracy_m, format),
            other => panic!("{input:?} should be a point, got {other:?}"),
        }
    }

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() <= tolerance
    }

    /// Ground distance in metres (haversine on the mean sphere: within 0.5 % of the ellipsoid).
    fn metres(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
        let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
        let dp = p2 - p1;
        let dl = (lon2 - lon1).to_radians();
        let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
        2.0 * 6_371_008.8 * h.sqrt().min(1.0).asin()
    }

    #[test]
    fn decimal_degrees_in_every_style() {
        let cases: &[(&str, f64, f64)] = &[
            ("48.0159, 37.8028", 48.0159, 37.8028),
            ("48.0159 37.8028", 48.0159, 37.8028),
            ("  48.0159,37.8028  ", 48.0159, 37.8028),
            ("48.0159 N 37.8028 E", 48.0159, 37.8028),
            ("48.0159N, 37.8028E", 48.0159, 37.8028),
            ("N48.0159 E37.8028", 48.0159, 37.8028),
            ("n48.0159 e37.8028", 48.0159, 37.8028),
            ("48.0159° N, 37.8028° E", 48.0159, 37.8028),
            ("48.0159°, 37.8028°", 48.0159, 37.8028),
            ("37.8028 E 48.0159 N", 48.0159, 37.8028),
            ("E37.8028 N48.0159", 48.0159, 37.8028),
            ("-33.8688, 151.2093", -33.8688, 151.2093),
            ("−33.8688, −70.6693", -33.8688, -70.6693),
            ("33.8688 S 70.6693 W", -33.8688, -70.6693),
            ("S33.8688; W70.6693", -33.8688, -70.6693),
            ("48,0159 37,8028", 48.0159, 37.8028),
            ("48,0159; 37,8028", 48.0159, 37.8028),
            ("+48.5 +37.25", 48.5, 37.25),
            ("90.0, 180.0", 90.0, 180.0),
            ("-90.0, -180.0", -90.0, -180.0),
            ("48 N 37 E", 48.0, 37.0),
            ("48.0159 / 37.8028", 48.0159, 37.8028),
        ];
        for &(input, lat, lon) in cases {
            let (a, b, accuracy, format) = point(input);
            assert!(close(a, lat, 1e-9) && close(b, lon, 1e-9), "{input:?} gave {a}, {b}");
            assert_eq!(format, Format::Decimal, "{input:?}");
            assert!(accuracy.is_some(), "{input:?}");
        }
        // Four decimals of a degree are about 11 m.
        assert_eq!(point("48.0159, 37.8028").2, Some(12));
        assert_eq!(point("48.015912, 37.802812").2, Some(1));
    }

    #[test]
    fn degrees_minutes_seconds() {
        let lat = 48.0 + 0.0 / 60.0 + 57.2 / 3600.0;
        let lon = 37.0 + 48.0 / 60.0 + 10.1 / 3600.0;
        let cases: &[&str] = &[
            "48°00'57.2\"N 37°48'10.1\"E",
            "48°00′57.2″N 37°48′10.1″E",
            "48° 00' 57.2\" N, 37° 48' 10.1\" E",
            "N 48°00'57.2\" E 37°48'10.1\"",
            "48°00'57.2''N 37°48'10.1''E",
            "48º00’57.2”N 37º48’10.1”E",
            "48 00' 57.2\" N 37 48' 10.1\" E",
            "37°48'10.1\"E 48°00'57.2\"N",
        ];
        for &input in cases {
            let (a, b, accuracy, format) = point(input);
            assert!(close(a, lat, 1e-9) && close(b, lon, 1e-9), "{input:?} gave {a}, {b}");
            assert_eq!(format, Format::Dms, "{input:?}");
            assert_eq!(accuracy, Some(4), "{input:?}: a tenth of a second is about 3 m");
        }
        let (a, b, _, _) = point("33°52'7.7\"S 151°12'33.5\"W");
        assert!(a < 0.0 && b < 0.0);
        let (a, _, _, _) = point("-33°52'7.7\", 151°12'33.5\"");
        assert!(close(a, -(33.0 + 52.0 / 60.0 + 7.7 / 3600.0), 1e-9));
    }

    #[test]
    fn degrees_decimal_minutes() {
        let lat = 48.0 + 0.953 / 60.0;
        let lon = 37.0 + 48.168 / 60.0;
        for input in ["48°00.953'N 37°48.168'E", "48° 0.953′ N, 37° 48.168′ E", "N48°00.953' E37°48.168'"] {
            let (a, b, accuracy, format) = point(input);
            assert!(close(a, lat, 1e-9) && close(b, lon, 1e-9), "{input:?} gave {a}, {b}");
            assert_eq!(format, Format::Ddm, "{input:?}");
            assert_eq!(accuracy, Some(2), "{input:?}: a thousandth of a minute is about 1.9 m");
        }
    }

    #[test]
    fn mgrs_at_every_precision() {
        // The cell centre of each reference, and the cell size as the accuracy.
        let cases: &[(&str, u32)] = &[
            ("37U DQ 12345 67890", 1),
            ("37UDQ1234567890", 1),
            ("37udq 12345 67890", 1),
            ("37U DQ 1234 6789", 10),
            ("37U DQ 123 678", 100),
            ("37U DQ 12 67", 1_000),
            ("37U DQ 1 6", 10_000),
            ("37UDQ16", 10_000),
            ("37U DQ", 100_000),
            ("37UDQ", 100_000),
        ];
        for &(input, cell) in cases {
            let (lat, lon, accuracy, format) = point(input);
            assert_eq!(format, Format::Mgrs, "{input:?}");
            assert_eq!(accuracy, Some(cell), "{input:?}");
            // Zone 37U is 36–42° E, 48–56° N.
            assert!((47.0..57.0).contains(&lat) && (35.0..43.0).contains(&lon), "{input:?} gave {lat}, {lon}");
        }
        // The polar grids (UPS) have no zone number.
        let (lat, _, accuracy, format) = point("Z AH 12345 67890");
        assert!(lat > 83.0 && format == Format::Mgrs && accuracy == Some(1), "{lat}");
        let (lat, _, _, _) = point("A TN 5 5");
        assert!(lat < -80.0, "{lat}");
        // Coarser references name cells that hold the finer ones.
        let (lat1, lon1, _, _) = point("37U DQ 12345 67890");
        let (lat2, lon2, _, _) = point("37U DQ 123 678");
        assert!(metres(lat1, lon1, lat2, lon2) < 100.0);
    }

    #[test]
    fn malformed_coordinates_are_errors_naming_the_fault() {
        use LocationError as E;
        let long = "1".repeat(MAX_INPUT_BYTES + 1);
        let cases: &[(&str, LocationError)] = &[
            ("", E::Empty),
            ("   ", E::Empty),
            (&long, E::TooLong),
            ("95.0, 37.8", E::LatitudeOutOfRange),
            ("-90.5 37.8", E::LatitudeOutOfRange),
            ("95.0 N, 37.8 E", E::LatitudeOutOfRange),
            ("48.0, 180.5", E::LongitudeOutOfRange),
            ("37.8 E 95.0 N", E::LatitudeOutOfRange),
            ("48°60'00\"N 37°48'10\"E", E::MinutesOutOfRange),
            ("48°00'60\"N 37°48'10\"E", E::SecondsOutOfRange),
            ("48°75.5'N 37°48.1'E", E::MinutesOutOfRange),
            ("48.5°30'N 37°48'E", E::FractionalDegreesWithMinutes),
            ("48°30.5'10\"N 37°48'E", E::FractionalMinutesWithSeconds),
            ("48.0159", E::OneCoordinate),
            ("48.0159 N", E::OneCoordinate),
            ("48.0159, 37.8028, 12.5", E::TrailingInput),
            ("48.0159 N 37.8028 N", E::SameAxisTwice),
            ("E48.0159 W37.8028", E::SameAxisTwice),
            ("-48.0159 S 37.8028 E", E::SignAndHemisphere),
            ("48 37", E::WholeNumbersOnly),
            ("48, 37", E::WholeNumbersOnly),
            ("° 48.1 37.2", E::MisplacedMark),
            ("48.1 37.2 ° °", E::MisplacedMark),
            ("48.1 ''' 37.2", E::MisplacedMark),
            ("N S 48.1 37.2", E::MisplacedHemisphere),
            ("48..1 37.2", E::TrailingInput),
            ("- 48.1 37.2", E::BadNumber),
            ("1234567890123.5 1", E::BadNumber),
            ("37U DQ 12345 6789", E::MgrsOddDigits),
            ("37UDQ123", E::MgrsOddDigits),
            ("37U DQ 12 3456", E::MgrsUnequalGroups),
            ("37U DQ 123456 678901", E::MgrsTooManyDigits),
            ("61U DQ 12345 67890", E::MgrsZone),
            ("0U DQ 12345 67890", E::MgrsZone),
            ("37I DQ 12345 67890", E::MgrsBand),
            ("37A DQ 12345 67890", E::MgrsBand),
            ("37U DI 12345 67890", E::MgrsSquare),
            ("37U ZZ 12345 67890", E::MgrsSquare),
        ];
        for (input, expected) in cases {
            assert_eq!(parse(input).as_ref(), Err(expected), "{input:?}");
            // Every error reads as an English sentence and never repeats the input.
            let message = expected.to_string();
            assert!(!message.is_empty());
            if input.trim().len() > 3 {
                assert!(!message.contains(input.trim()), "{message} repeats {input:?}");
            }
        }
    }

    #[test]
    fn words_are_kept_as_a_description() {
        for input in [
            "near the railway station in Bakhmut",
            "біля залізничного вокзалу",
            "у лесополосы за селом, 2 км на север",
            "Sector 5, building 12",
            "5 km north of the bridge",
            "10 kms east",
            "lat 48.01 lon 37.80",
            "the checkpoint",
            "S",
            "Zed 12",
            "Bay 5",
        ] {
            assert_eq!(parse(input), Ok(Place::Described(input.to_string())), "{input:?}");
        }
        assert_eq!(parse("  the river  "), Ok(Place::Described("the river".into())));
    }

    #[test]
    fn round_trip_decimal_mgrs_decimal_within_the_cell() {
        let points = [
            (90.0, 37.8),
            (-89.5, 10.0),
            (84.5, -170.0),
            (48.0159, 37.8028),
            (50.4501, 30.5234),
            (-33.8688, 151.2093),
            (46.4825, 30.7233),
            (0.0, 0.0),
            (71.5, -20.25),
        ];
        for (lat, lon) in points {
            for pairs in 0..=5u8 {
                let reference = mgrs_of(lat, lon, pairs).unwrap();
                let (lat2, lon2, accuracy, format) = point(&reference);
                assert_eq!(format, Format::Mgrs);
                let cell = f64::from(mgrs_cell_m(pairs));
                assert_eq!(accuracy, Some(mgrs_cell_m(pairs)), "{reference}");
                // The centre of the cell is at most half its diagonal away.
                let d = metres(lat, lon, lat2, lon2);
                // The grid's scale (0.994 at the poles, up to 1.001 in a UTM zone) and the sphere
                // stay within 1 %.
                assert!(d <= cell * 0.7072 * 1.01 + 0.01, "{lat},{lon} at {pairs} pairs: {reference} is {d} m away");
            }
        }
    }

    #[test]
    fn writes_a_point_for_display() {
        let w = write_point(48.0159, 37.8028, Some(1)).unwrap();
        assert_eq!(w.decimal, "48.01590, 37.80280");
        let parts: Vec<&str> = w.mgrs.split(' ').collect();
        assert_eq!(parts.len(), 4, "{}", w.mgrs);
        assert_eq!(parts[0], "37U");
        assert_eq!((parts[2].len(), parts[3].len()), (5, 5));
        // The accuracy chooses the precision: 12 m shows 10 m cells, 100 km shows the square.
        assert_eq!(write_point(48.0159, 37.8028, Some(12)).unwrap().mgrs.split(' ').nth(2).map(str::len), Some(4));
        assert_eq!(write_point(48.0159, 37.8028, Some(150_000)).unwrap().mgrs.split(' ').count(), 2);
        assert_eq!(write_point(48.0159, 37.8028, None).unwrap().mgrs, w.mgrs);
        assert_eq!(write_point(95.0, 37.0, None), Err(LocationError::LatitudeOutOfRange));
        assert_eq!(write_point(48.0, 181.0, None), Err(LocationError::LongitudeOutOfRange));
        // What is written reads back as the same place.
        let (lat, lon, _, _) = point(&w.mgrs);
        assert!(metres(lat, lon, 48.0159, 37.8028) < 1.0);
        let (lat, lon, _, _) = point(&w.decimal);
        assert!(close(lat, 48.0159, 1e-9) && close(lon, 37.8028, 1e-9));
    }
}

//! The format's date and time patterns (`YYYY-MM-DD`, `tt:mm`, `h:mm aa`, `Z`…): writing
//! dates and times with them, and reading text that follows one.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};

use crate::datetime::{offset_text, TimeOfDay, XDateTime};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    DateOnly,
    TimeOnly,
    DateTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    Year2,
    Year4,
    Month1,
    Month2,
    Day1,
    Day2,
    Hour12,
    Hour12Padded,
    Hour24,
    Minute1,
    Minute2,
    Second1,
    Second2,
    Fraction(usize),
    AmPmLower,
    AmPmUpper,
    /// `Z`: `Z` for UTC, else `±hh:mm`.
    ZoneZ,
    /// `ZZZ`: always `±hh:mm`.
    ZoneOffset,
    Literal(char),
}

const IGNORED: [char; 8] = [' ', ':', '/', '.', 'T', '-', '_', ','];

fn tokenize(format: &str, mode: Mode) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = format.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let dates = mode != Mode::TimeOnly;
    let times = mode != Mode::DateOnly;
    while i < chars.len() {
        let c = chars[i];
        let count = chars[i..].iter().take_while(|&&x| x == c).count();
        let bad = |what: char| Err(format!("invalid date format, invalid count of '{what}' format: {count}"));
        let (tok, used) = match c {
            'Y' if dates => match count {
                2 => (Tok::Year2, 2),
                4 => (Tok::Year4, 4),
                _ => return bad('Y'),
            },
            'M' if dates => match count {
                1 => (Tok::Month1, 1),
                2 => (Tok::Month2, 2),
                _ => return bad('M'),
            },
            'D' if dates => {
                if count == 1 {
                    (Tok::Day1, 1)
                } else {
                    (Tok::Day2, 2)
                }
            }
            'f' if times => match count {
                3 | 6 | 9 => (Tok::Fraction(count), count),
                _ => return bad('f'),
            },
            'h' if times => {
                if count == 1 {
                    (Tok::Hour12, 1)
                } else {
                    (Tok::Hour12Padded, 2)
                }
            }
            't' if times => match count {
                2 => (Tok::Hour24, 2),
                _ => return bad('t'),
            },
            'm' if times => match count {
                1 => (Tok::Minute1, 1),
                2 => (Tok::Minute2, 2),
                _ => return bad('m'),
            },
            's' if times => match count {
                1 => (Tok::Second1, 1),
                2 => (Tok::Second2, 2),
                _ => return bad('s'),
            },
            'a' if times => match count {
                2 => (Tok::AmPmLower, 2),
                _ => return bad('a'),
            },
            'A' if times => match count {
                2 => (Tok::AmPmUpper, 2),
                _ => return bad('A'),
            },
            'Z' if mode == Mode::DateTime => match count {
                1 => (Tok::ZoneZ, 1),
                3 => (Tok::ZoneOffset, 3),
                _ => return bad('Z'),
            },
            c if IGNORED.contains(&c) => (Tok::Literal(c), 1),
            c => return Err(format!("invalid date format, unknown format char: {c}")),
        };
        out.push(tok);
        i += used;
    }
    Ok(out)
}

fn write(toks: &[Tok], local: &NaiveDateTime, offset: i32) -> String {
    let mut s = String::new();
    let hour12 = match local.hour() % 12 {
        0 => 12,
        h => h,
    };
    for t in toks {
        match t {
            Tok::Year2 => s.push_str(&format!("{:02}", local.year().rem_euclid(100))),
            Tok::Year4 => s.push_str(&format!("{:04}", local.year())),
            Tok::Month1 => s.push_str(&local.month().to_string()),
            Tok::Month2 => s.push_str(&format!("{:02}", local.month())),
            Tok::Day1 => s.push_str(&local.day().to_string()),
            Tok::Day2 => s.push_str(&format!("{:02}", local.day())),
            Tok::Hour12 => s.push_str(&hour12.to_string()),
            Tok::Hour12Padded => s.push_str(&format!("{hour12:02}")),
            Tok::Hour24 => s.push_str(&format!("{:02}", local.hour())),
            Tok::Minute1 => s.push_str(&local.minute().to_string()),
            Tok::Minute2 => s.push_str(&format!("{:02}", local.minute())),
            Tok::Second1 => s.push_str(&local.second().to_string()),
            Tok::Second2 => s.push_str(&format!("{:02}", local.second())),
            Tok::Fraction(n) => {
                let nanos = format!("{:09}", local.nanosecond().min(999_999_999));
                s.push_str(&nanos[..*n]);
            }
            Tok::AmPmLower => s.push_str(if local.hour() < 12 { "am" } else { "pm" }),
            Tok::AmPmUpper => s.push_str(if local.hour() < 12 { "AM" } else { "PM" }),
            Tok::ZoneZ => s.push_str(&offset_text(offset, true, true)),
            Tok::ZoneOffset => s.push_str(&offset_text(offset, false, true)),
            Tok::Literal(c) => s.push(*c),
        }
    }
    s
}

pub fn format_datetime(dt: &XDateTime, format: &str) -> Result<String, String> {
    let toks = tokenize(format, Mode::DateTime)?;
    Ok(write(&toks, &dt.local(), dt.offset_seconds()))
}

pub fn format_date(d: &NaiveDate, format: &str) -> Result<String, String> {
    let toks = tokenize(format, Mode::DateOnly)?;
    Ok(write(&toks, &d.and_time(chrono::NaiveTime::MIN), 0))
}

pub fn format_time(t: &TimeOfDay, format: &str) -> Result<String, String> {
    let toks = tokenize(format, Mode::TimeOnly)?;
    let base = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default();
    Ok(write(&toks, &base.and_time(t.to_naive()), 0))
}

/// What a pattern read out of text.
#[derive(Debug, Default)]
pub struct Parsed {
    pub year: Option<i32>,
    pub month: Option<u32>,
    pub day: Option<u32>,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub nano: u32,
    pub pm: Option<bool>,
    /// Seconds east of UTC, and whether it was written `Z`.
    pub offset: Option<(i32, bool)>,
}

impl Parsed {
    pub fn date(&self) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(self.year.unwrap_or(0), self.month.unwrap_or(1), self.day.unwrap_or(1))
    }

    pub fn time(&self) -> Option<TimeOfDay> {
        let mut h = self.hour;
        match self.pm {
            Some(true) if h < 12 => h += 12,
            Some(false) if h == 12 => h = 0,
            _ => {}
        }
        TimeOfDay::new(h, self.minute, self.second, self.nano)
    }
}

struct Reader<'a> {
    s: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn digits(&mut self, min: usize, max: usize) -> Result<u32, String> {
        let start = self.pos;
        while self.pos < self.s.len() && self.pos - start < max && self.s[self.pos].is_ascii_digit() {
            self.pos += 1;
        }
        if self.pos - start < min {
            return Err("cannot parse number".into());
        }
        std::str::from_utf8(&self.s[start..self.pos])
            .ok()
            .and_then(|t| t.parse().ok())
            .ok_or_else(|| "cannot parse number".into())
    }

    fn take(&mut self, lit: &str) -> bool {
        if self.s[self.pos..].starts_with(lit.as_bytes()) {
            self.pos += lit.len();
            true
        } else {
            false
        }
    }

    fn fraction(&mut self) -> Option<u32> {
        let start = self.pos;
        while self.pos < self.s.len() && self.s[self.pos].is_ascii_digit() {
            self.pos += 1;
        }
        let digits = std::str::from_utf8(&self.s[start..self.pos]).ok()?;
        let d: String = digits.chars().take(9).collect();
        let n: u32 = d.parse().ok()?;
        Some(n * 10u32.pow(9 - u32::try_from(d.len()).ok()?))
    }
}

/// Reads `text` that must follow `format` entirely, as Go's `time.Parse` does with the
/// equivalent layout: padded fields take exactly two digits, others one or two, and
/// fractional seconds may follow the seconds even when the pattern does not ask for them.
pub fn parse(text: &str, format: &str, mode: Mode) -> Result<Parsed, String> {
    let toks = tokenize(format, mode)?;
    let mut r = Reader { s: text.as_bytes(), pos: 0 };
    let mut p = Parsed::default();
    for (i, t) in toks.iter().enumerate() {
        match t {
            Tok::Year2 => {
                let y = r.digits(2, 2)?;
                p.year = Some(if y >= 69 { 1900 + y as i32 } else { 2000 + y as i32 });
            }
            Tok::Year4 => p.year = Some(r.digits(4, 4)? as i32),
            Tok::Month1 => p.month = Some(r.digits(1, 2)?),
            Tok::Month2 => p.month = Some(r.digits(2, 2)?),
            Tok::Day1 => p.day = Some(r.digits(1, 2)?),
            Tok::Day2 => p.day = Some(r.digits(2, 2)?),
            Tok::Hour12 | Tok::Hour24 => p.hour = r.digits(1, 2)?,
            Tok::Hour12Padded => p.hour = r.digits(2, 2)?,
            Tok::Minute1 => p.minute = r.digits(1, 2)?,
            Tok::Minute2 => p.minute = r.digits(2, 2)?,
            Tok::Second1 | Tok::Second2 => {
                p.second = if *t == Tok::Second1 { r.digits(1, 2)? } else { r.digits(2, 2)? };
                let next_is_fraction = matches!(toks.get(i + 1), Some(Tok::Literal('.')))
                    && matches!(toks.get(i + 2), Some(Tok::Fraction(_)));
                if !next_is_fraction && r.s.get(r.pos) == Some(&b'.') {
                    r.pos += 1;
                    p.nano = r.fraction().ok_or("cannot parse fraction")?;
                }
            }
            Tok::Fraction(n) => {
                let start = r.pos;
                p.nano = r.fraction().ok_or("cannot parse fraction")?;
                if r.pos - start != *n {
                    return Err("fraction has the wrong length".into());
                }
            }
            Tok::AmPmLower => {
                if r.take("am") {
                    p.pm = Some(false);
                } else if r.take("pm") {
                    p.pm = Some(true);
                } else {
                    return Err("cannot parse am/pm".into());
                }
            }
            Tok::AmPmUpper => {
                if r.take("AM") {
                    p.pm = Some(false);
                } else if r.take("PM") {
                    p.pm = Some(true);
                } else {
                    return Err("cannot parse AM/PM".into());
                }
            }
            Tok::ZoneZ | Tok::ZoneOffset => {
                if *t == Tok::ZoneZ && r.take("Z") {
                    p.offset = Some((0, true));
                } else {
                    let sign = if r.take("+") {
                        1
                    } else if r.take("-") {
                        -1
                    } else {
                        return Err("cannot parse offset".into());
                    };
                    let h = r.digits(2, 2)?;
                    if !r.take(":") {
                        return Err("cannot parse offset".into());
                    }
                    let m = r.digits(2, 2)?;
                    p.offset = Some((sign * i32::try_from(h * 3600 + m * 60).unwrap_or(0), false));
                }
            }
            Tok::Literal(c) => {
                let mut buf = [0u8; 4];
                if !r.take(c.encode_utf8(&mut buf)) {
                    return Err(format!("expected '{c}'"));
                }
            }
        }
    }
    if r.pos != r.s.len() {
        return Err("extra text after the date".into());
    }
    if p.pm.is_some() && !(1..=12).contains(&p.hour) {
        return Err("hour out of range".into());
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_patterns() {
        let t = TimeOfDay::new(14, 50, 30, 0).unwrap();
        assert_eq!(format_time(&t, "h:mm aa").unwrap(), "2:50 pm");
        assert_eq!(format_time(&t, "tt:mm").unwrap(), "14:50");
        let d = NaiveDate::from_ymd_opt(2010, 5, 10).unwrap();
        assert_eq!(format_date(&d, "YYYY M DD").unwrap(), "2010 5 10");
        assert!(format_date(&d, "YYY").is_err());
        assert!(format_date(&d, "Q").is_err());
    }

    #[test]
    fn reads_patterns() {
        let p = parse("2010 5 10 12:50", "YYYY M DD tt:mm", Mode::DateTime).unwrap();
        assert_eq!(p.date(), NaiveDate::from_ymd_opt(2010, 5, 10));
        assert_eq!(p.time().unwrap().to_text(), "12:50:00.000000");
        let t = parse("2:40 pm", "h:mm aa", Mode::TimeOnly).unwrap();
        assert_eq!(t.time().unwrap().to_text(), "14:40:00.000000");
        assert!(parse("NOT DATE", "YYYY-MM-DD", Mode::DateTime).is_err());
        assert!(parse("2010-05-10x", "YYYY-MM-DD", Mode::DateTime).is_err());
    }
}

//! The evaluation environment: date and time formats, timezone, number format, country,
//! collation, the current time (passed in, never read), and the location tree if any.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::locations::LocationTree;

/// How day, month and year are ordered when people type dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOrder {
    YearMonthDay,
    DayMonthYear,
    MonthDayYear,
}

/// Symbols used to read and write numbers for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberFormat {
    pub decimal_symbol: String,
    pub digit_grouping_symbol: String,
}

impl Default for NumberFormat {
    fn default() -> Self {
        Self { decimal_symbol: ".".into(), digit_grouping_symbol: ",".into() }
    }
}

/// How input text is normalised before words are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Collation {
    #[default]
    Default,
    /// Arabic and Persian letter variants (ي ى ی, ك ک …) compare equal.
    ArabicVariants,
}

/// Everything an expression may depend on besides its context.
#[derive(Debug, Clone)]
pub struct Env {
    /// The date format as written, e.g. `DD-MM-YYYY`.
    pub date_format: String,
    /// The time format as written, e.g. `tt:mm`.
    pub time_format: String,
    pub timezone: Tz,
    pub default_country: Option<String>,
    pub number_format: NumberFormat,
    pub collation: Collation,
    /// The current time; the engine never reads a clock.
    pub now: DateTime<Utc>,
    pub locations: Option<LocationTree>,
    /// Named LLM prompts (`prompt()`), kept as text only.
    pub prompts: Vec<(String, String)>,
    /// Seed of `rand()`: the engine draws from it, never from the system.
    pub random_seed: u64,
    /// Languages flows may be shown in, in order of preference; empty means any.
    pub allowed_languages: Vec<String>,
    /// The language to fall back to before a flow's own.
    pub default_language: Option<String>,
}

impl Env {
    /// An environment with the format's defaults at the given instant.
    pub fn new(now: DateTime<Utc>) -> Self {
        Self {
            date_format: "YYYY-MM-DD".into(),
            time_format: "tt:mm".into(),
            timezone: Tz::UTC,
            default_country: None,
            number_format: NumberFormat::default(),
            collation: Collation::Default,
            now,
            locations: None,
            prompts: Vec::new(),
            random_seed: 0,
            allowed_languages: Vec::new(),
            default_language: None,
        }
    }

    /// The order in which typed dates are read, from the date format.
    pub fn date_order(&self) -> DateOrder {
        let f = self.date_format.as_str();
        let y = f.find('Y').unwrap_or(usize::MAX);
        let m = f.find('M').unwrap_or(usize::MAX);
        let d = f.find('D').unwrap_or(usize::MAX);
        if y < m && m < d {
            DateOrder::YearMonthDay
        } else if m < d && d < y {
            DateOrder::MonthDayYear
        } else {
            DateOrder::DayMonthYear
        }
    }

    /// Reads an environment from the format's JSON (`date_format`, `timezone`, …). Unknown
    /// timezones are an error so a typo does not silently become UTC.
    pub fn from_json(v: &serde_json::Value, now: DateTime<Utc>) -> Result<Self, String> {
        let mut env = Env::new(now);
        if let Some(s) = v.get("date_format").and_then(|x| x.as_str()) {
            env.date_format = s.to_string();
        }
        if let Some(s) = v.get("time_format").and_then(|x| x.as_str()) {
            env.time_format = s.to_string();
        }
        if let Some(s) = v.get("timezone").and_then(|x| x.as_str()) {
            if !s.is_empty() {
                env.timezone = s.parse::<Tz>().map_err(|_| format!("unknown timezone {s}"))?;
            }
        }
        if let Some(s) = v.get("default_country").and_then(|x| x.as_str()) {
            if !s.is_empty() {
                env.default_country = Some(s.to_string());
            }
        }
        if let Some(nf) = v.get("number_format") {
            if let Some(s) = nf.get("decimal_symbol").and_then(|x| x.as_str()) {
                env.number_format.decimal_symbol = s.to_string();
            }
            if let Some(s) = nf.get("digit_grouping_symbol").and_then(|x| x.as_str()) {
                env.number_format.digit_grouping_symbol = s.to_string();
            }
        }
        if let Some("arabic_variants") = v.get("input_collation").and_then(|x| x.as_str()) {
            env.collation = Collation::ArabicVariants;
        }
        if let Some(a) = v.get("allowed_languages").and_then(|x| x.as_array()) {
            env.allowed_languages = a.iter().filter_map(|l| l.as_str().map(String::from)).collect();
        }
        if let Some(l) = v.get("default_language").and_then(|x| x.as_str()).filter(|l| !l.is_empty()) {
            env.default_language = Some(l.to_string());
        }
        if let Some(p) = v.get("prompts").and_then(|x| x.as_object()) {
            env.prompts = p.iter().filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string()))).collect();
        }
        Ok(env)
    }
}

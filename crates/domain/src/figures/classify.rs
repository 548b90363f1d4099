//! Who applicants are and where they say they are, read from the bot's results by a mapping an
//! administrator can edit when the flows change. The mapping is a short text, one rule a line:
//!
//! ```text
//! # result = value -> dimension: category
//! situation = called_up -> who: mobilised
//! role = serviceman -> who: serviceman
//! where = russia -> whereabouts: inside_russia
//! ```
//!
//! For each dimension the first rule that matches wins, so the more specific rules go first.
//! Only the category is ever counted; the results themselves stay sealed with the conversation.

use std::collections::BTreeMap;

use crate::vocabulary::{Whereabouts, Who};

/// The most rules a mapping may hold, and the longest text accepted for one.
pub const MAX_RULES: usize = 200;
pub const MAX_TEXT: usize = 16 * 1024;
const MAX_NAME: usize = 64;

/// What a rule sorts an applicant into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    Who(Who),
    Whereabouts(Whereabouts),
}

/// One line of the mapping: when the result `result` has the value `value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub result: String,
    pub value: String,
    pub then: Category,
}

/// The rules, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    rules: Vec<Rule>,
}

/// An applicant's categories; None where no rule matched (they did not say, or the flows ask
/// differently).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Classified {
    pub who: Option<Who>,
    pub whereabouts: Option<Whereabouts>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MappingError {
    #[error("the mapping is longer than {MAX_TEXT} bytes")]
    TooLong,
    #[error("the mapping has more than {MAX_RULES} rules")]
    TooManyRules,
    #[error("line {line}: {problem}")]
    Line { line: usize, problem: String },
}

/// The mapping for the shipped flows (`flows/safepassage.json`): their `role` and `situation`
/// results. The shipped intake does not ask where a person is; the `where` rules are ready for
/// a flow that does.
pub const SHIPPED: &str = "\
# result = value -> dimension: category (the first matching rule of a dimension wins)
rank = officer -> who: officer
situation = called_up -> who: mobilised
situation = deployed -> who: mobilised
role = serviceman -> who: serviceman
role = relative -> who: relative
role = other -> who: other
where = russia -> whereabouts: inside_russia
where = occupied -> whereabouts: occupied
where = elsewhere -> whereabouts: elsewhere
";

impl Mapping {
    /// Reads a mapping's text; a bad line is named with what is wrong with it.
    pub fn parse(text: &str) -> Result<Mapping, MappingError> {
        if text.len() > MAX_TEXT {
            return Err(MappingError::TooLong);
        }
        let mut rules = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            if rules.len() == MAX_RULES {
                return Err(MappingError::TooManyRules);
            }
            rules.push(parse_rule(line).map_err(|problem| MappingError::Line { line: i + 1, problem })?);
        }
        Ok(Mapping { rules })
    }

    /// The mapping for the shipped flows.
    pub fn shipped() -> Mapping {
        // The constant is checked by a test; an empty mapping is the safe fallback.
        Mapping::parse(SHIPPED).unwrap_or(Mapping { rules: Vec::new() })
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The mapping as text, one rule a line (what `parse` reads back).
    pub fn to_text(&self) -> String {
        self.rules
            .iter()
            .map(|r| {
                let (dimension, category) = match r.then {
                    Category::Who(w) => ("who", w.as_str()),
                    Category::Whereabouts(w) => ("whereabouts", w.as_str()),
                };
                format!("{} = {} -> {dimension}: {category}\n", r.result, r.value)
            })
            .collect()
    }

    /// The categories a conversation's results put it in.
    pub fn classify(&self, results: &BTreeMap<String, String>) -> Classified {
        let mut out = Classified::default();
        for rule in &self.rules {
            if results.get(&rule.result) != Some(&rule.value) {
                continue;
            }
            match rule.then {
                Category::Who(w) => {
                    out.who.get_or_insert(w);
                }
                Category::Whereabouts(w) => {
                    out.whereabouts.get_or_insert(w);
                }
            }
        }
        out
    }
}

fn parse_rule(line: &str) -> Result<Rule, String> {
    let (condition, then) = line.split_once("->").ok_or("expected `result = value -> dimension: category`")?;
    let (result, value) = condition.split_once('=').ok_or("expected `result = value` before `->`")?;
    let (dimension, category) = then.split_once(':').ok_or("expected `dimension: category` after `->`")?;
    let (result, value, dimension, category) = (result.trim(), value.trim(), dimension.trim(), category.trim());
    for (what, name) in [("result name", result), ("value", value)] {
        if name.is_empty() || name.len() > MAX_NAME || name.chars().any(char::is_control) {
            return Err(format!("the {what} must be 1 to {MAX_NAME} characters"));
        }
    }
    let then = match dimension {
        "who" => Category::Who(category.parse().map_err(|e| format!("{e}"))?),
        "whereabouts" => Category::Whereabouts(category.parse().map_err(|e| format!("{e}"))?),
        other => return Err(format!("unknown dimension `{other}`; expected who or whereabouts")),
    };
    Ok(Rule { result: result.to_owned(), value: value.to_owned(), then })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn results(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn the_shipped_mapping_parses_and_reads_back_as_written() {
        let mapping = Mapping::parse(SHIPPED).unwrap();
        assert_eq!(mapping.rules().len(), 9);
        assert_eq!(Mapping::parse(&mapping.to_text()).unwrap(), mapping);
        assert_eq!(Mapping::shipped(), mapping);
    }

    #[test]
    fn the_first_matching_rule_of_each_dimension_wins() {
        let m = Mapping::shipped();
        let mobilised = m.classify(&results(&[("role", "serviceman"), ("situation", "called_up")]));
        assert_eq!(mobilised.who, Some(Who::Mobilised));
        assert_eq!(m.classify(&results(&[("role", "serviceman"), ("situation", "hiding")])).who, Some(Who::Serviceman));
        let officer = m.classify(&results(&[("rank", "officer"), ("situation", "called_up"), ("where", "occupied")]));
        assert_eq!(officer, Classified { who: Some(Who::Officer), whereabouts: Some(Whereabouts::Occupied) });
        assert_eq!(m.classify(&results(&[("want", "register")])), Classified::default());
    }

    #[test]
    fn a_bad_line_is_named_with_its_number_and_problem() {
        let err = Mapping::parse("role = serviceman -> who: serviceman\nrole -> who: other\n").unwrap_err();
        assert!(matches!(err, MappingError::Line { line: 2, .. }), "{err}");
        let err = Mapping::parse("role = x -> who: general").unwrap_err();
        assert!(err.to_string().contains("kind of applicant"), "{err}");
        let err = Mapping::parse("role = x -> city: kyiv").unwrap_err();
        assert!(err.to_string().contains("unknown dimension"), "{err}");
        assert_eq!(Mapping::parse(&"x".repeat(MAX_TEXT + 1)), Err(MappingError::TooLong));
        let many: String = (0..=MAX_RULES).map(|i| format!("r{i} = v -> who: other\n")).collect();
        assert_eq!(Mapping::parse(&many), Err(MappingError::TooManyRules));
        assert!(Mapping::parse(" = v -> who: other").is_err());
        assert!(Mapping::parse("# only a comment\n\n").unwrap().rules().is_empty());
    }
}

//! Translations of a flow's texts: language → item UUID → property → list of texts, and the
//! checks on them (ISO 639-3 languages, UUID items, plain property names).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::error::DefinitionError;
use crate::ids::is_uuid;

/// Longest property name accepted in a translation.
pub const MAX_PROPERTY_NAME: usize = 64;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Localization(pub BTreeMap<String, BTreeMap<String, Map<String, Value>>>);

/// Whether `code` is an ISO 639-3 language code (`und` and `mul` included).
pub fn is_language(code: &str) -> bool {
    code.len() == 3 && isolang::Language::from_639_3(code).is_some()
}

fn short(s: &str) -> String {
    if s.chars().count() > 32 {
        format!("{}...", s.chars().take(29).collect::<String>())
    } else {
        s.to_string()
    }
}

impl Localization {
    /// The translated texts of `property` of item `uuid` in `lang`, if there are any.
    pub fn texts(&self, lang: &str, uuid: &str, property: &str) -> Option<Vec<String>> {
        let arr = self.0.get(lang)?.get(uuid)?.get(property)?.as_array()?;
        let texts: Vec<String> = arr.iter().filter_map(|v| v.as_str().map(String::from)).collect();
        if texts.is_empty() {
            None
        } else {
            Some(texts)
        }
    }

    pub fn languages(&self) -> impl Iterator<Item = &String> {
        self.0.keys()
    }

    pub fn validate(&self) -> Result<(), DefinitionError> {
        for (lang, items) in &self.0 {
            if !is_language(lang) {
                return Err(DefinitionError::new(format!("invalid localization: invalid language code '{lang}'")));
            }
            for (uuid, props) in items {
                if !is_uuid(uuid) {
                    return Err(DefinitionError::new(format!(
                        "invalid localization: invalid translation for '{lang}': invalid item uuid '{uuid}'"
                    )));
                }
                for (prop, texts) in props {
                    let ok_name = !prop.is_empty()
                        && prop.len() <= MAX_PROPERTY_NAME
                        && prop.chars().all(|c| c.is_ascii_lowercase() || c == '_');
                    if !ok_name {
                        return Err(DefinitionError::new(format!(
                            "invalid localization: invalid translation for '{lang}': invalid item translation for '{uuid}': invalid property name '{}'",
                            short(prop)
                        )));
                    }
                    let all_text = texts.as_array().is_some_and(|a| a.iter().all(Value::is_string));
                    if !all_text {
                        return Err(DefinitionError::new(format!(
                            "invalid localization: invalid translation for '{lang}': '{uuid}' property '{prop}' must be a list of texts"
                        )));
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_are_iso_639_3() {
        assert!(is_language("eng"));
        assert!(is_language("rus"));
        assert!(is_language("ukr"));
        assert!(is_language("und"));
        assert!(!is_language("vvv"));
        assert!(!is_language("en"));
        assert!(!is_language("base"));
    }
}

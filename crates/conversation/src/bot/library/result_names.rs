//! What staff read for a flow's results: the category names of the flows in their language.
//! A category's name in the base language is the flow's own (a stable code in the shipped
//! flows); its names in other languages come from the flow's `localization`: `category` of a
//! `set_run_result` action, `name` of a router's category. Built once per set of flows.

use std::collections::HashMap;

use safepassage_domain::Language;
use serde_json::Value;

/// A category as written, and its names by engine language (`ukr`, `eng`, ...).
#[derive(Debug, Clone, Default)]
struct Names {
    base: String,
    localized: HashMap<String, String>,
}

#[derive(Debug, Clone, Default)]
pub struct ResultNames {
    /// (result, category as written) → its names.
    by_category: HashMap<(String, String), Names>,
    /// (result, literal value) → the category a `set_run_result` gives it.
    by_value: HashMap<(String, String), String>,
}

fn engine_language(language: Language) -> &'static str {
    match language {
        Language::Ru => "rus",
        Language::Uk => "ukr",
        Language::En => "eng",
    }
}

impl ResultNames {
    /// From flow definitions as written (later flows win: imports come after the shipped ones).
    pub fn from_flows<'a>(flows: impl Iterator<Item = &'a Value>) -> ResultNames {
        let mut out = ResultNames::default();
        for flow in flows {
            let localization = flow.get("localization").and_then(Value::as_object);
            let translated = |uuid: &str, key: &str| -> HashMap<String, String> {
                let Some(localization) = localization else { return HashMap::new() };
                localization
                    .iter()
                    .filter_map(|(lang, items)| {
                        let name = items.get(uuid)?.get(key)?.get(0)?.as_str()?.trim();
                        (!name.is_empty()).then(|| (lang.clone(), name.to_owned()))
                    })
                    .collect()
            };
            for node in flow.get("nodes").and_then(Value::as_array).into_iter().flatten() {
                for action in node.get("actions").and_then(Value::as_array).into_iter().flatten() {
                    if action.get("type").and_then(Value::as_str) != Some("set_run_result") {
                        continue;
                    }
                    let text = |k: &str| action.get(k).and_then(Value::as_str).unwrap_or("");
                    let (name, value, category, uuid) = (text("name"), text("value"), text("category"), text("uuid"));
                    if name.is_empty() || category.is_empty() {
                        continue;
                    }
                    if !value.contains('@') {
                        out.by_value.insert((name.to_owned(), value.to_owned()), category.to_owned());
                    }
                    out.add(name, category, translated(uuid, "category"));
                }
                let Some(router) = node.get("router") else { continue };
                let Some(name) = router.get("result_name").and_then(Value::as_str).filter(|n| !n.is_empty()) else {
                    continue;
                };
                for category in router.get("categories").and_then(Value::as_array).into_iter().flatten() {
                    let text = |k: &str| category.get(k).and_then(Value::as_str).unwrap_or("");
                    if !text("name").is_empty() {
                        out.add(name, text("name"), translated(text("uuid"), "name"));
                    }
                }
            }
        }
        out
    }

    fn add(&mut self, result: &str, category: &str, localized: HashMap<String, String>) {
        let names = self.by_category.entry((result.to_owned(), category.to_owned())).or_default();
        names.base = category.to_owned();
        names.localized.extend(localized);
    }

    /// The category of result `name` in `language`: the flow's translation, else its base
    /// name; the category is the one the run reported, or the one a flow gives `value`.
    /// None when no flow names a category for it (the caller shows the value).
    pub fn category(&self, name: &str, value: &str, category: Option<&str>, language: Language) -> Option<String> {
        let category = match category.filter(|c| !c.is_empty()) {
            Some(c) => c.to_owned(),
            None => self.by_value.get(&(name.to_owned(), value.to_owned()))?.clone(),
        };
        let Some(names) = self.by_category.get(&(name.to_owned(), category.clone())) else { return Some(category) };
        Some(names.localized.get(engine_language(language)).cloned().unwrap_or_else(|| names.base.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_category_is_named_in_the_staff_language_else_as_written() {
        let shipped: Value = serde_json::from_str(crate::bot::SHIPPED).unwrap_or_default();
        let flows = shipped.get("flows").and_then(Value::as_array).cloned().unwrap_or_default();
        let names = ResultNames::from_flows(flows.iter());
        let of = |name, value, language| names.category(name, value, None, language);
        assert_eq!(of("role", "serviceman", Language::Uk).as_deref(), Some("Військовий"));
        assert_eq!(of("role", "serviceman", Language::En).as_deref(), Some("Serviceman"));
        assert_eq!(of("situation", "deployed", Language::Uk).as_deref(), Some("На фронті"));
        assert_eq!(of("want", "register", Language::Uk).as_deref(), Some("Зареєструватися"));
        assert_eq!(of("deployed", "yes", Language::En).as_deref(), Some("Sent to the front"));
        // Russian is the flows' base language; their category names are codes, named in Russian
        // by a `rus` localisation of the categories alone.
        assert_eq!(of("role", "serviceman", Language::Ru).as_deref(), Some("Военный"));
        assert_eq!(of("role", "astronaut", Language::En), None, "no category: the caller shows the value");
        assert_eq!(names.category("role", "x", Some("Custom"), Language::Uk).as_deref(), Some("Custom"));
    }
}

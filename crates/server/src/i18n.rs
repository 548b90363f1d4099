//! Texts in Fluent: the applicant pages and the console in Russian, Ukrainian and English (the
//! console defaults to Ukrainian, the applicant pages to Russian). Files live in
//! `locales/<lang>/` and are compiled into the binary.

use std::collections::HashMap;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use safepassage_domain::Language;

const SOURCES: &[(Language, &str, &str)] = &[
    (Language::Ru, "ru", include_str!("../locales/ru/chat.ftl")),
    (Language::Uk, "uk", include_str!("../locales/uk/chat.ftl")),
    (Language::En, "en", include_str!("../locales/en/chat.ftl")),
    (Language::Uk, "uk", include_str!("../locales/uk/console.ftl")),
    (Language::En, "en", include_str!("../locales/en/console.ftl")),
    (Language::Uk, "uk", include_str!("../locales/uk/flows.ftl")),
    (Language::En, "en", include_str!("../locales/en/flows.ftl")),
    (Language::Uk, "uk", include_str!("../locales/uk/account.ftl")),
    (Language::En, "en", include_str!("../locales/en/account.ftl")),
    (Language::Uk, "uk", include_str!("../locales/uk/assignment.ftl")),
    (Language::En, "en", include_str!("../locales/en/assignment.ftl")),
    (Language::Ru, "ru", include_str!("../locales/ru/console.ftl")),
    (Language::Ru, "ru", include_str!("../locales/ru/flows.ftl")),
    (Language::Ru, "ru", include_str!("../locales/ru/account.ftl")),
    (Language::Ru, "ru", include_str!("../locales/ru/assignment.ftl")),
    (Language::Ru, "ru", include_str!("../locales/ru/location.ftl")),
    (Language::Uk, "uk", include_str!("../locales/uk/location.ftl")),
    (Language::En, "en", include_str!("../locales/en/location.ftl")),
    (Language::Ru, "ru", include_str!("../locales/ru/exit_plan.ftl")),
    (Language::Uk, "uk", include_str!("../locales/uk/exit_plan.ftl")),
    (Language::En, "en", include_str!("../locales/en/exit_plan.ftl")),
    (Language::Ru, "ru", include_str!("../locales/ru/holding.ftl")),
    (Language::Uk, "uk", include_str!("../locales/uk/holding.ftl")),
    (Language::En, "en", include_str!("../locales/en/holding.ftl")),
    (Language::Ru, "ru", include_str!("../locales/ru/screening.ftl")),
    (Language::Uk, "uk", include_str!("../locales/uk/screening.ftl")),
    (Language::En, "en", include_str!("../locales/en/screening.ftl")),
    (Language::Ru, "ru", include_str!("../locales/ru/location_flow.ftl")),
    (Language::Uk, "uk", include_str!("../locales/uk/location_flow.ftl")),
    (Language::En, "en", include_str!("../locales/en/location_flow.ftl")),
];

pub struct I18n {
    bundles: HashMap<Language, FluentBundle<FluentResource>>,
}

impl I18n {
    /// Loads the shipped texts. A broken shipped file is a build mistake that the tests catch
    /// (`every_shipped_file_parses`); at run time its good messages are still served.
    pub fn load() -> I18n {
        let mut bundles: HashMap<Language, FluentBundle<FluentResource>> = HashMap::new();
        for (language, tag, source) in SOURCES {
            let resource = FluentResource::try_new((*source).to_owned()).unwrap_or_else(|(partial, errors)| {
                tracing::error!(language = tag, errors = errors.len(), "Fluent file has syntax errors");
                partial
            });
            let bundle = bundles.entry(*language).or_insert_with(|| {
                let id = tag.parse().unwrap_or_default();
                let mut bundle = FluentBundle::new_concurrent(vec![id]);
                // No Unicode isolation marks: texts go into HTML, not into bidi-mixed strings.
                bundle.set_use_isolating(false);
                bundle
            });
            if let Err(errors) = bundle.add_resource(resource) {
                tracing::error!(language = tag, errors = errors.len(), "duplicate Fluent message ids");
            }
        }
        I18n { bundles }
    }

    /// The text `id` in `language`; English, then the id itself, when it is missing.
    pub fn text(&self, language: Language, id: &str) -> String {
        self.format(language, id, None)
    }

    pub fn text_with(&self, language: Language, id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            fluent_args.set(*name, value.clone());
        }
        self.format(language, id, Some(&fluent_args))
    }

    /// Whether `id` exists in `language` itself (no fallback).
    pub fn has(&self, language: Language, id: &str) -> bool {
        self.bundles.get(&language).is_some_and(|b| b.has_message(id))
    }

    fn format(&self, language: Language, id: &str, args: Option<&FluentArgs<'_>>) -> String {
        for lang in [language, Language::En] {
            let Some(bundle) = self.bundles.get(&lang) else { continue };
            let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else { continue };
            let mut errors = Vec::new();
            let text = bundle.format_pattern(pattern, args, &mut errors);
            return text.into_owned();
        }
        id.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Message ids defined in a Fluent source: lines `id = ...` at the start of a line.
    fn message_ids(source: &str) -> Vec<&str> {
        source
            .lines()
            .filter_map(|l| l.split_once(" =").map(|(id, _)| id))
            .filter(|id| id.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
            .filter(|id| id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
            .collect()
    }

    #[test]
    fn every_shipped_file_parses() {
        for (_, tag, source) in SOURCES {
            assert!(FluentResource::try_new((*source).to_owned()).is_ok(), "locales/{tag} has a syntax error");
        }
    }

    #[test]
    fn applicant_texts_exist_in_all_three_languages() {
        let i18n = I18n::load();
        for id in message_ids(include_str!("../locales/en/chat.ftl")) {
            for lang in [Language::Ru, Language::Uk] {
                assert!(i18n.has(lang, id), "{id} is missing in {lang}");
            }
        }
    }

    #[test]
    fn console_texts_exist_in_every_console_language() {
        let i18n = I18n::load();
        for id in message_ids(include_str!("../locales/en/console.ftl"))
            .into_iter()
            .chain(message_ids(include_str!("../locales/en/account.ftl")))
            .chain(message_ids(include_str!("../locales/en/flows.ftl")))
            .chain(message_ids(include_str!("../locales/en/assignment.ftl")))
        {
            for lang in [Language::Uk, Language::Ru] {
                assert!(i18n.has(lang, id), "{id} is missing in {lang}");
            }
        }
    }
}

//! Texts in Fluent, in Russian, Ukrainian and English: the core's own (`locales/<lang>/`) and,
//! loaded beside them, those of whoever serves pages (the server's chat and console).

use std::collections::HashMap;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use safepassage_domain::Language;

/// A Fluent file compiled into the binary: its language, tag and text.
pub type Source = (Language, &'static str, &'static str);

/// What the conversation core says itself, in every channel (greeting, flow expiry, the
/// transcript's location line); the server adds the texts of its pages to these.
pub const CORE_SOURCES: &[Source] = &[
    (Language::Ru, "ru", include_str!("../locales/ru/conversation.ftl")),
    (Language::Uk, "uk", include_str!("../locales/uk/conversation.ftl")),
    (Language::En, "en", include_str!("../locales/en/conversation.ftl")),
];

pub struct I18n {
    bundles: HashMap<Language, FluentBundle<FluentResource>>,
}

impl I18n {
    /// The core's texts only.
    pub fn core() -> I18n {
        I18n::load(&[])
    }

    /// Loads the core's texts and `more`. A broken shipped file is a build mistake that the
    /// tests catch (`every_shipped_file_parses`); at run time its good messages are still served.
    pub fn load(more: &[Source]) -> I18n {
        let mut bundles: HashMap<Language, FluentBundle<FluentResource>> = HashMap::new();
        for (language, tag, source) in CORE_SOURCES.iter().chain(more) {
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

    #[test]
    fn every_core_file_parses_and_speaks_all_three_languages() {
        for (_, tag, source) in CORE_SOURCES {
            assert!(FluentResource::try_new((*source).to_owned()).is_ok(), "locales/{tag} has a syntax error");
        }
        let i18n = I18n::core();
        for id in [
            "chat-greeting",
            "chat-flow-expired",
            "chat-location-in-transcript",
            "channel-refused-kind",
            "channel-codename-refused",
        ] {
            for lang in [Language::Ru, Language::Uk, Language::En] {
                assert!(i18n.has(lang, id), "{id} is missing in {lang}");
            }
        }
    }
}

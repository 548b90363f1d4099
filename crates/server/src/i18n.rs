//! The server's texts in Fluent, loaded with the conversation core's own: the applicant pages
//! and the console in Russian, Ukrainian and English (the console defaults to Ukrainian, the
//! applicant pages to Russian). Files live in `locales/<lang>/` and are compiled into the binary.

pub use safepassage_conversation::i18n::I18n;
use safepassage_conversation::i18n::Source;
use safepassage_domain::Language;

const SOURCES: &[Source] = &[
    (Language::Ru, "ru", include_str!("../locales/ru/chat.ftl")),
    (Language::Ru, "ru", include_str!("../locales/ru/figures.ftl")),
    (Language::Uk, "uk", include_str!("../locales/uk/figures.ftl")),
    (Language::En, "en", include_str!("../locales/en/figures.ftl")),
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
];

/// The core's texts and the server's.
pub fn load() -> I18n {
    I18n::load(SOURCES)
}

#[cfg(test)]
mod tests {
    use super::*;
    use fluent_bundle::FluentResource;

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
        let i18n = load();
        for id in message_ids(include_str!("../locales/en/chat.ftl")) {
            for lang in [Language::Ru, Language::Uk] {
                assert!(i18n.has(lang, id), "{id} is missing in {lang}");
            }
        }
    }

    #[test]
    fn console_texts_exist_in_every_console_language() {
        let i18n = load();
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

//! Which language the console speaks: `?lang=uk|ru|en` on any console page switches it and is
//! remembered in a small `sp_console_lang` cookie (console paths only); Ukrainian otherwise.

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Uri};
use safepassage_domain::Language;

use super::cookies;

pub(crate) const COOKIE: &str = "sp_console_lang";

/// The console's languages, in the order the switch shows them.
pub(crate) const LANGUAGES: [Language; 3] = [Language::Uk, Language::Ru, Language::En];

/// The reader's language, and whether this request switched it (then the cookie is set).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Lang {
    pub language: Language,
    pub switched: bool,
}

impl Lang {
    pub fn tag(self) -> &'static str {
        self.language.as_str()
    }
}

/// `?lang=` first, then the cookie, then Ukrainian.
pub(crate) fn choose(headers: &HeaderMap, uri: &Uri) -> Lang {
    if let Some(language) = uri.query().and_then(|q| query_value(q, "lang")).and_then(console_language) {
        return Lang { language, switched: true };
    }
    let remembered = cookies::get(headers, COOKIE).and_then(|v| console_language(&v));
    Lang { language: remembered.unwrap_or(Language::Uk), switched: false }
}

fn console_language(tag: &str) -> Option<Language> {
    tag.parse::<Language>().ok().filter(|l| LANGUAGES.contains(l))
}

/// One value of a query string, undecoded: enough for the short ASCII words the console uses.
pub(crate) fn query_value<'q>(query: &'q str, name: &str) -> Option<&'q str> {
    query.split('&').find_map(|pair| pair.split_once('=').filter(|(k, _)| *k == name).map(|(_, v)| v))
}

/// The `Set-Cookie` value remembering a switch; a year, since it says nothing about anyone.
pub(crate) fn cookie(lang: Lang, secure: bool) -> String {
    cookies::set(COOKIE, lang.tag(), "/console", secure, Some(365 * 24 * 60 * 60))
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Lang, Infallible> {
        Ok(choose(&parts.headers, &parts.uri))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lang_of(uri: &str, cookie: Option<&str>) -> Lang {
        let mut headers = HeaderMap::new();
        if let Some(c) = cookie {
            headers.insert("cookie", c.parse().unwrap());
        }
        choose(&headers, &uri.parse().unwrap())
    }

    #[test]
    fn query_beats_cookie_beats_default() {
        assert_eq!(lang_of("/console", None), Lang { language: Language::Uk, switched: false });
        assert_eq!(lang_of("/console?lang=en", None), Lang { language: Language::En, switched: true });
        assert_eq!(lang_of("/console", Some("sp_console_lang=en")).language, Language::En);
        assert_eq!(lang_of("/console?lang=uk", Some("sp_console_lang=en")).language, Language::Uk);
    }

    #[test]
    fn russian_is_a_console_language() {
        assert_eq!(lang_of("/console?lang=ru", None), Lang { language: Language::Ru, switched: true });
        assert_eq!(lang_of("/console", Some("sp_console_lang=ru")).language, Language::Ru);
        assert_eq!(lang_of("/console?lang=en", Some("sp_console_lang=ru")).language, Language::En);
    }

    #[test]
    fn nonsense_is_ignored() {
        assert_eq!(lang_of("/console?lang=%3Cx", Some("sp_console_lang=de")).language, Language::Uk);
        assert_eq!(lang_of("/console?lang=de", None), Lang { language: Language::Uk, switched: false });
    }
}

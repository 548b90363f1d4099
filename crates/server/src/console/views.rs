//! What every console page shares: the frame (title, the role's navigation, language switch,
//! logout form, notice), Fluent texts, dates and durations, and rendering a template.

use std::sync::Arc;

use askama::Template;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use safepassage_domain::{Language, Role};

use super::errors;
use super::lang::{self, Lang};
use super::session::Staff;
use crate::{AppState, I18n};

/// The frame around a page.
pub(crate) struct Chrome {
    i18n: Arc<I18n>,
    pub lang: Lang,
    pub title: String,
    pub user: Option<UserLine>,
    /// The token every form of this page carries.
    pub csrf: String,
    pub nav: Vec<NavLink>,
    pub languages: Vec<LanguageLink>,
    pub notice: Option<String>,
    /// Whether the page loads console.js (pages with live updates only).
    pub live: bool,
}

pub(crate) struct UserLine {
    pub name: String,
    pub role: String,
}

pub(crate) struct NavLink {
    pub href: &'static str,
    pub label: String,
    pub current: bool,
}

pub(crate) struct LanguageLink {
    pub href: String,
    pub tag: &'static str,
    pub label: &'static str,
    pub current: bool,
}

impl Chrome {
    /// The frame for a logged-in member of staff. `path` is the page's own path (for the
    /// language links and the current navigation entry); `query` its query string (for notices).
    pub fn staff(state: &AppState, lang: Lang, staff: &Staff, path: &str, query: Option<&str>, title: &str) -> Chrome {
        let i18n = state.i18n.clone();
        let mut nav = vec![NavLink {
            href: "/console",
            label: i18n.text(lang.language, "nav-home"),
            current: path == "/console",
        }];
        for (href, id) in nav_for(staff.role) {
            nav.push(NavLink { href, label: i18n.text(lang.language, id), current: path == *href });
        }
        Chrome {
            lang,
            title: i18n.text(lang.language, title),
            user: Some(UserLine { name: staff.name.clone(), role: role_label(&i18n, lang, staff.role) }),
            csrf: staff.csrf().to_owned(),
            nav,
            languages: language_links(lang, path),
            notice: notice(&i18n, lang, query),
            live: false,
            i18n,
        }
    }

    /// The frame of the login page: no user, the login form's own token.
    pub fn anonymous(
        state: &AppState,
        lang: Lang,
        path: &str,
        query: Option<&str>,
        title: &str,
        csrf: String,
    ) -> Chrome {
        let i18n = state.i18n.clone();
        Chrome {
            lang,
            title: i18n.text(lang.language, title),
            user: None,
            csrf,
            nav: Vec::new(),
            languages: language_links(lang, path),
            notice: notice(&i18n, lang, query),
            live: false,
            i18n,
        }
    }

    pub fn with_live(mut self) -> Chrome {
        self.live = true;
        self
    }

    /// The Fluent text `id` in the page's language.
    pub fn t(&self, id: &str) -> String {
        self.i18n.text(self.lang.language, id)
    }
}

/// Where each role works, after the start page.
fn nav_for(role: Role) -> &'static [(&'static str, &'static str)] {
    match role {
        Role::Operator | Role::Specialist => &[("/console/queue", "nav-queue"), ("/console/cases", "nav-my-cases")],
        Role::Coordinator => &[("/console/cases", "nav-open-cases"), ("/console/signals", "nav-signals")],
        Role::Operations => &[("/console/handoffs", "nav-handoffs")],
        Role::Analyst => &[("/console/figures", "nav-figures")],
        Role::Admin => &[
            ("/console/admin/users", "nav-users"),
            ("/console/flows", "nav-flows"),
            ("/console/admin/figures", "nav-figures-mapping"),
        ],
    }
}

/// Where a role lands after logging in.
pub(crate) fn landing(role: Role) -> &'static str {
    match nav_for(role).first() {
        Some((href, _)) => href,
        None => "/console",
    }
}

fn language_links(lang: Lang, path: &str) -> Vec<LanguageLink> {
    lang::LANGUAGES
        .iter()
        .map(|l| LanguageLink {
            href: format!("{path}?lang={}", l.as_str()),
            tag: l.as_str(),
            label: match l {
                Language::Uk => "Українська",
                Language::Ru => "Русский",
                Language::En => "English",
            },
            current: *l == lang.language,
        })
        .collect()
}

/// A notice named in the query (`?notice=taken`): only known Fluent ids, never free text from
/// the URL, so a crafted link cannot put words on the page.
fn notice(i18n: &I18n, lang: Lang, query: Option<&str>) -> Option<String> {
    let key = lang::query_value(query?, "notice")?;
    if key.is_empty() || key.len() > 32 || !key.bytes().all(|b| b.is_ascii_lowercase() || b == b'-') {
        return None;
    }
    let id = format!("notice-{key}");
    i18n.has(lang.language, &id).then(|| i18n.text(lang.language, &id))
}

/// A Fluent id for a word of the domain's vocabulary: `state-plan-approved`.
pub(crate) fn vocab_id(prefix: &str, word: &str) -> String {
    format!("{prefix}-{}", word.replace('_', "-"))
}

pub(crate) fn role_label(i18n: &I18n, lang: Lang, role: Role) -> String {
    i18n.text(lang.language, &vocab_id("role", role.as_str()))
}

pub(crate) fn word(i18n: &I18n, lang: Lang, prefix: &str, word: &str) -> String {
    i18n.text(lang.language, &vocab_id(prefix, word))
}

/// A moment as staff read it in logs and reports: UTC, to the minute.
pub(crate) fn clock(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02} UTC", rest / 3600, rest % 3600 / 60)
}

/// Days since 1970-01-01 to a Gregorian date (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// How long something has waited, in words of the reader's language.
pub(crate) fn waited(i18n: &I18n, lang: Lang, ms: i64) -> String {
    let minutes = ms.max(0) / 60_000;
    if minutes < 1 {
        i18n.text(lang.language, "duration-under-a-minute")
    } else if minutes < 60 {
        i18n.text_with(lang.language, "duration-minutes", &[("minutes", minutes.into())])
    } else {
        i18n.text_with(
            lang.language,
            "duration-hours",
            &[("hours", (minutes / 60).into()), ("minutes", (minutes % 60).into())],
        )
    }
}

/// Eight hex digits of an id, enough to tell rows apart on a screen. The last ones: ids are
/// UUIDv7, whose first digits are a timestamp shared by everything made in the same minute.
pub(crate) fn short_id(id: &uuid::Uuid) -> String {
    let hex = id.simple().to_string();
    hex[hex.len() - 8..].to_owned()
}

/// Renders a page; a language switch is remembered on the way out.
pub(crate) fn render(state: &AppState, lang: Lang, status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => {
            let mut response = (status, Html(html)).into_response();
            if lang.switched {
                if let Ok(value) = lang::cookie(lang, state.config.secure_cookies).parse() {
                    response.headers_mut().append(header::SET_COOKIE, value);
                }
            }
            response
        }
        Err(e) => errors::render(&state.i18n, lang, e).into_response(),
    }
}

/// Post/redirect/get: back to a page, optionally with a notice.
pub(crate) fn see_other(location: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, location.to_owned())]).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use safepassage_domain::Language;

    #[test]
    fn clock_reads_utc() {
        assert_eq!(clock(0), "1970-01-01 00:00 UTC");
        assert_eq!(clock(951_782_400_000), "2000-02-29 00:00 UTC");
        assert_eq!(clock(1_700_000_000_000), "2023-11-14 22:13 UTC");
    }

    #[test]
    fn waiting_times_read_naturally() {
        let i18n = crate::i18n::load();
        let en = Lang { language: Language::En, switched: false };
        assert_eq!(waited(&i18n, en, 5_000), "under a minute");
        assert_eq!(waited(&i18n, en, 5 * 60_000), "5 min");
        assert_eq!(waited(&i18n, en, 125 * 60_000), "2 h 5 min");
    }

    #[test]
    fn notices_come_only_from_known_ids() {
        let i18n = crate::i18n::load();
        let en = Lang { language: Language::En, switched: false };
        assert!(notice(&i18n, en, Some("notice=taken")).is_some());
        assert_eq!(notice(&i18n, en, Some("notice=you-have-been-hacked")), None);
        assert_eq!(notice(&i18n, en, Some("notice=%3Cscript%3E")), None);
    }

    #[test]
    fn short_ids_differ_for_ids_made_together() {
        let a = uuid::Uuid::now_v7();
        let b = uuid::Uuid::now_v7();
        assert_eq!(short_id(&a).len(), 8);
        assert_ne!(short_id(&a), short_id(&b));
    }

    #[test]
    fn every_role_lands_somewhere_it_may_enter() {
        for role in Role::ALL {
            assert!(landing(role).starts_with("/console"));
        }
        assert_eq!(landing(Role::Operator), "/console/queue");
        assert_eq!(landing(Role::Admin), "/console/admin/users");
        assert_eq!(landing(Role::Analyst), "/console/figures");
    }
}

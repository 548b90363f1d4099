//! The bot's results as staff read them: each result's name and its category in the staff
//! member's language (the flows' own category names), never a raw key unless nothing else
//! names it; and the same as one line for the queue. The machine-readable name and value stay
//! in attributes for scripts and tests.

use crate::bot::Summary;
use crate::AppState;

use super::codename_mask;
use super::lang::Lang;

/// One result, shown.
#[derive(Debug, Clone)]
pub(crate) struct ShownResult {
    /// The result's key (`role`), for `data-result`.
    pub name: String,
    /// Its value as saved (`serviceman`), for `data-value`.
    pub value: String,
    /// The result's name in the staff's language.
    pub label: String,
    /// The category's name in the staff's language.
    pub shown: String,
}

/// Every result of a conversation's flows (the duress phrase is never in the summary).
pub(crate) fn shown(state: &AppState, lang: Lang, summary: &Summary) -> Vec<ShownResult> {
    let library = state.bot.as_deref().map(|b| b.library());
    summary
        .results
        .iter()
        .map(|(name, value)| {
            // A value is the applicant's words in a flow that saves free text: masked like the
            // transcript.
            let value = codename_mask::masked(value).into_owned();
            let category = library.as_ref().and_then(|l| {
                l.result_names.category(name, &value, summary.categories.get(name).map(String::as_str), lang.language)
            });
            let id = format!("botresult-{name}");
            let label =
                if state.i18n.has(lang.language, &id) { state.i18n.text(lang.language, &id) } else { name.clone() };
            ShownResult { name: name.clone(), shown: category.unwrap_or_else(|| value.clone()), value, label }
        })
        .collect()
}

/// The queue's one line: the categories in the order the intake asks (who, situation, want),
/// then any other result.
pub(crate) fn one_line(results: &[ShownResult]) -> String {
    const FIRST: [&str; 3] = ["role", "situation", "want"];
    let rank = |r: &ShownResult| FIRST.iter().position(|n| *n == r.name).unwrap_or(FIRST.len());
    let mut ordered: Vec<&ShownResult> = results.iter().collect();
    ordered.sort_by_key(|r| rank(r));
    ordered.iter().map(|r| r.shown.as_str()).collect::<Vec<_>>().join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(name: &str, shown: &str) -> ShownResult {
        ShownResult { name: name.into(), value: String::new(), label: String::new(), shown: shown.into() }
    }

    #[test]
    fn the_line_follows_the_intakes_order() {
        let results = [
            result("want", "Зареєструватися"),
            result("deployed", "Так"),
            result("role", "Військовий"),
            result("situation", "На фронті"),
        ];
        assert_eq!(one_line(&results), "Військовий · На фронті · Зареєструватися · Так");
        assert_eq!(one_line(&[]), "");
    }
}

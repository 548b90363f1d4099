//! Charts drawn on the server as inline SVG for the analyst's figures dashboard and the public
//! figures page: readable without JavaScript, and accessible. Pure: no I/O, no dependencies.
//!
//! What every chart promises, because the pages' CSP and WCAG ask for it:
//! - the root `<svg>` is `role="img"` with `aria-labelledby` naming its `<title>` and `<desc>`
//!   (the page also shows the numbers in a table: the chart is never the only carrier);
//! - every element id starts with the chart's id prefix, so several charts share a page;
//! - no script, no event handler, no `style` attribute (presentation attributes only), nothing
//!   referred to outside the document (`url(#…)` names only the chart's own patterns);
//! - colours from the Okabe–Ito palette, and series told apart by fill pattern and a legend in
//!   words too, never by colour alone;
//! - a suppressed or unknown value (`None`) is a hatched stub of fixed size with its own legend
//!   entry and tooltip, never a zero-height bar;
//! - each bar has a `<title>` child (`label: value`), so hovering shows the number;
//! - a fixed `viewBox` 640 units wide and `width="100%"`, so it scales down on a phone;
//! - every number in the output finite, whatever the input (no values, all zeros, all
//!   suppressed, hundreds of categories, values up to `u64::MAX`); the same input gives the same
//!   bytes.
//!
//! Counts are written with a narrow no-break space between thousands (`12 345`), the ISO way,
//! read alike in Russian, Ukrainian and English.
//!
//! ```
//! use safepassage_charts::{bar_chart, BarChart, Series};
//!
//! let svg = bar_chart(&BarChart {
//!     id: "calls-by-month",
//!     title: "Calls by month",
//!     description: "Calls to the hotline each month; the numbers are in the table below.",
//!     categories: vec!["2026-10".into(), "2026-11".into()],
//!     series: vec![Series { name: "Calls".into(), values: vec![Some(12), None] }],
//!     stacked: false,
//!     suppressed_label: "suppressed",
//! });
//! assert!(svg.starts_with("<svg ") && svg.contains("<title>2026-11: suppressed</title>"));
//! ```
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod bars;
mod scale;
mod shares;
mod svg;

pub use bars::bar_chart;
pub use shares::share_bars;

/// One series of a bar chart: a name for the legend and tooltips, and one value per category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    pub name: String,
    /// By category, in the chart's order. `None` is suppressed or unknown (drawn as such, never
    /// as zero); a missing value at the end counts as `None`, extra values are ignored.
    pub values: Vec<Option<u64>>,
}

/// Vertical bars over categories (usually periods), one bar per series in each category, side
/// by side or stacked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BarChart<'a> {
    /// The prefix of every element id in the chart; unique on the page. Characters other than
    /// ASCII letters, digits, `-` and `_` become `-`, and `chart-` goes in front of an id not
    /// starting with a letter.
    pub id: &'a str,
    /// The chart's accessible name (`<title>`).
    pub title: &'a str,
    /// The chart's accessible description (`<desc>`): what it shows and where its numbers are.
    pub description: &'a str,
    /// The x labels, oldest first; only every k-th is written when they would crowd.
    pub categories: Vec<String>,
    pub series: Vec<Series>,
    /// Stack the series in each category (the first at the bottom) instead of grouping them.
    pub stacked: bool,
    /// The word for a suppressed value in the page's language, for tooltips and the legend.
    pub suppressed_label: &'a str,
}

/// A breakdown by category drawn as horizontal bars, each with its count and share of the
/// known total at its end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shares<'a> {
    /// As for [`BarChart::id`].
    pub id: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    /// Label and count, drawn top to bottom in this order; `None` is suppressed or unknown.
    pub items: Vec<(String, Option<u64>)>,
    /// The word for a suppressed value in the page's language, written in place of its count.
    pub suppressed_label: &'a str,
}

#[cfg(test)]
mod tests;

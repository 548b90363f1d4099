//! Horizontal bars for a breakdown by category (caller type, whereabouts, cases per state), each
//! with its count and share written at its end.

use std::fmt::Write;

use crate::svg::{self, escape, group_digits, shown_chars, text_width, w};
use crate::Shares;

const WIDTH: f64 = 640.0;
const ROW: f64 = 24.0;
const BAR: f64 = 16.0;
const FONT: f64 = 12.0;
/// Labels are cut to this many characters (the tooltip and the page's table carry them whole).
const LABEL_CHARS: usize = 32;
/// The width of a suppressed value's hatched stub: the same whatever the values.
const STUB: f64 = 14.0;

/// Draws the breakdown, one row per item in the given order. Shares are of the known total:
/// suppressed items count in neither the total nor the percentages. The same input always gives
/// the same bytes.
pub fn share_bars(shares: &Shares<'_>) -> String {
    let id = svg::clean_id(shares.id);
    let total: u128 = shares.items.iter().filter_map(|(_, v)| *v).map(u128::from).sum();
    let max: u128 = shares.items.iter().filter_map(|(_, v)| *v).map(u128::from).max().unwrap_or(0);
    let value_texts: Vec<String> = shares
        .items
        .iter()
        .map(|(_, v)| match v {
            Some(v) => format!("{} ({})", group_digits(u128::from(*v)), percent(u128::from(*v), total)),
            None => shares.suppressed_label.chars().take(svg::LABEL_MAX_CHARS).collect(),
        })
        .collect();

    let value_width = value_texts.iter().map(|t| text_width(t.chars().count(), FONT)).fold(0.0, f64::max) + 6.0;
    let label_width =
        shares.items.iter().map(|(l, _)| text_width(shown_chars(l, LABEL_CHARS), FONT)).fold(0.0, f64::max);
    // The bars keep at least 100 units, whatever the texts.
    let label_width = label_width.min(WIDTH - 24.0 - value_width - 100.0).max(40.0);
    // Labels cut to what fits their column (one character kept for the ellipsis).
    let label_chars = ((label_width / text_width(1, FONT)).floor() as usize).saturating_sub(1).clamp(4, LABEL_CHARS);
    let bar_left = 8.0 + label_width + 8.0;
    let bar_room = (WIDTH - 8.0 - value_width - bar_left).max(20.0);
    let height = 16.0 + ROW * shares.items.len() as f64;

    let mut out = String::with_capacity(2048 + shares.items.len() * 300);
    w!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="sp-chart sp-chart-shares" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" aria-labelledby="{id}-title {id}-desc" font-family="sans-serif" font-size="{FONT}">"#
    );
    w!(out, r#"<title id="{id}-title">{}</title>"#, escape(shares.title, svg::TEXT_MAX_CHARS));
    w!(out, r#"<desc id="{id}-desc">{}</desc>"#, escape(shares.description, svg::TEXT_MAX_CHARS));
    out.push_str("<defs>");
    svg::pattern_defs(&mut out, &id, 0);
    out.push_str("</defs>");
    w!(
        out,
        r#"<path class="sp-chart-axis" d="M{bar_left:.1},8V{:.1}" stroke="{}" stroke-width="1"/>"#,
        height - 8.0,
        svg::AXIS
    );
    for (i, ((label, value), value_text)) in shares.items.iter().zip(&value_texts).enumerate() {
        let row_top = 8.0 + ROW * i as f64;
        let bar_top = row_top + (ROW - BAR) / 2.0;
        let text_y = row_top + ROW / 2.0 + 4.0;
        let full_label = escape(label, svg::LABEL_MAX_CHARS);
        let value_text = escape(value_text, svg::TEXT_MAX_CHARS);
        w!(
            out,
            r#"<g class="sp-chart-row"><text x="{:.1}" y="{text_y:.1}" text-anchor="end" fill="{}">{}</text>"#,
            bar_left - 8.0,
            svg::TEXT,
            escape(label, label_chars)
        );
        let end = match value {
            Some(v) => {
                let fraction = if max == 0 { 0.0 } else { (u128::from(*v) as f64 / max as f64).clamp(0.0, 1.0) };
                let width = fraction * bar_room;
                w!(
                    out,
                    r#"<rect class="sp-chart-bar" x="{bar_left:.1}" y="{bar_top:.1}" width="{width:.2}" height="{BAR}" fill="{}"><title>{full_label}: {value_text}</title></rect>"#,
                    svg::colour(0)
                );
                bar_left + width
            }
            None => {
                w!(
                    out,
                    r#"<rect class="sp-chart-bar sp-chart-suppressed" x="{bar_left:.1}" y="{bar_top:.1}" width="{STUB}" height="{BAR}" fill="{}" stroke="{}" stroke-width="1" stroke-dasharray="2 1"><title>{full_label}: {value_text}</title></rect>"#,
                    svg::suppressed_fill(&id),
                    svg::colour(0)
                );
                bar_left + STUB
            }
        };
        w!(
            out,
            r#"<text class="sp-chart-value" x="{:.2}" y="{text_y:.1}" fill="{}">{value_text}</text></g>"#,
            end + 5.0,
            svg::TEXT
        );
    }
    out.push_str("</svg>");
    out
}

/// A whole percentage, never "0%" for something nor "100%" for less than everything.
fn percent(value: u128, total: u128) -> String {
    if total == 0 {
        return "0%".to_owned();
    }
    let rounded = (value * 100 + total / 2) / total;
    match rounded {
        0 if value > 0 => "<1%".to_owned(),
        100 if value < total => ">99%".to_owned(),
        _ => format!("{rounded}%"),
    }
}

#[cfg(test)]
mod tests {
    use super::percent;

    #[test]
    fn percentages_round_but_keep_their_meaning() {
        assert_eq!(percent(0, 0), "0%");
        assert_eq!(percent(0, 10), "0%");
        assert_eq!(percent(1, 1000), "<1%");
        assert_eq!(percent(999, 1000), ">99%");
        assert_eq!(percent(1, 3), "33%");
        assert_eq!(percent(2, 3), "67%");
        assert_eq!(percent(5, 5), "100%");
    }
}

//! Vertical bars over categories (periods), grouped or stacked, with a round value axis,
//! gridlines, thinned category labels and a legend in words.

use std::fmt::Write;

use crate::scale::{tick_label, Scale};
use crate::svg::{self, escape, group_digits, shown_chars, text_width, w};
use crate::{BarChart, Series};

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 260.0;
const TICK_FONT: f64 = 11.0;
const LEGEND_FONT: f64 = 12.0;
const LEGEND_ROW: f64 = 18.0;
/// Category labels under the axis are cut to this many characters (the bar's tooltip and the
/// page's table carry the whole label).
const CATEGORY_CHARS: usize = 16;
/// The height of a suppressed value's hatched stub: the same whatever the scale, so it never
/// reads as a quantity.
const STUB: f64 = 12.0;

/// Draws the chart. The same chart always gives the same bytes.
pub fn bar_chart(chart: &BarChart<'_>) -> String {
    let id = svg::clean_id(chart.id);
    let categories = chart.categories.len();
    let value = |series: &Series, category: usize| series.values.get(category).copied().flatten();
    let suppressed = |series: &Series, category: usize| value(series, category).is_none();
    let any_suppressed = chart.series.iter().any(|s| (0..categories).any(|c| suppressed(s, c)));

    let max: u128 = (0..categories)
        .map(|c| {
            let known = chart.series.iter().filter_map(|s| value(s, c)).map(u128::from);
            if chart.stacked {
                known.sum()
            } else {
                known.max().unwrap_or(0)
            }
        })
        .max()
        .unwrap_or(0);
    let scale = Scale::for_max(max);

    let legend = legend_items(chart, any_suppressed);
    let legend_rows = legend_layout(&legend, 8.0, WIDTH - 8.0);
    let rows = legend_rows.last().map_or(0.0, |&(_, _, row)| row as f64 + 1.0);
    let height = HEIGHT + rows * LEGEND_ROW;

    let tick_width = scale.ticks().map(|t| text_width(tick_label(t).chars().count(), TICK_FONT)).fold(0.0, f64::max);
    let (left, right) = (tick_width + 12.0, WIDTH - 12.0);
    let (plot_top, baseline) = (8.0 + rows * LEGEND_ROW + STUB + 4.0, height - 24.0);
    let plot_height = baseline - plot_top;
    let y = |v: u128| baseline - scale.fraction(v) * plot_height;
    let slot = (right - left) / categories.max(1) as f64;

    let mut out = String::with_capacity(4096 + categories * chart.series.len() * 160);
    w!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="sp-chart sp-chart-bars" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" aria-labelledby="{id}-title {id}-desc" font-family="sans-serif">"#
    );
    w!(out, r#"<title id="{id}-title">{}</title>"#, escape(chart.title, svg::TEXT_MAX_CHARS));
    w!(out, r#"<desc id="{id}-desc">{}</desc>"#, escape(chart.description, svg::TEXT_MAX_CHARS));
    out.push_str("<defs>");
    svg::pattern_defs(&mut out, &id, chart.series.len());
    out.push_str("</defs>");

    // Gridlines and tick labels.
    let mut grid = String::new();
    for tick in scale.ticks() {
        w!(grid, "M{left:.1},{:.2}H{right:.1}", y(tick));
    }
    w!(out, r#"<path class="sp-chart-grid" d="{grid}" fill="none" stroke="{}" stroke-width="1"/>"#, svg::GRID);
    w!(out, r#"<g class="sp-chart-ticks" font-size="{TICK_FONT}" fill="{}" text-anchor="end">"#, svg::MUTED_TEXT);
    for tick in scale.ticks() {
        w!(out, r#"<text x="{:.1}" y="{:.2}">{}</text>"#, left - 6.0, y(tick) + 4.0, tick_label(tick));
    }
    out.push_str("</g>");

    // Bars, category by category, series in order within each.
    w!(out, r#"<g class="sp-chart-data">"#);
    let many_series = chart.series.len() > 1;
    for (c, category) in chart.categories.iter().enumerate() {
        let slot_left = left + slot * c as f64;
        let tooltip = |series: &Series, text: &str| {
            if many_series {
                format!(
                    "{}, {}: {text}",
                    escape(category, svg::LABEL_MAX_CHARS),
                    escape(&series.name, svg::LABEL_MAX_CHARS)
                )
            } else {
                format!("{}: {text}", escape(category, svg::LABEL_MAX_CHARS))
            }
        };
        let suppressed_text = escape(chart.suppressed_label, svg::LABEL_MAX_CHARS);
        if chart.stacked {
            let (x, width) = (slot_left + slot * 0.15, slot * 0.7);
            let mut sum: u128 = 0;
            for (s, series) in chart.series.iter().enumerate() {
                if let Some(v) = value(series, c) {
                    let (bottom, top) = (y(sum), y(sum + u128::from(v)));
                    sum += u128::from(v);
                    bar(&mut out, &id, s, x, top, width, bottom - top, &tooltip(series, &group_digits(v.into())));
                }
            }
            // Suppressed parts go on top of the known ones, sharing the headroom above the plot.
            let unknown: Vec<usize> = (0..chart.series.len()).filter(|&s| suppressed(&chart.series[s], c)).collect();
            let mut stub_bottom = y(sum);
            let stub = STUB.min((stub_bottom - (plot_top - STUB)) / unknown.len().max(1) as f64).max(0.0);
            for &s in &unknown {
                stub_bar(
                    &mut out,
                    &id,
                    s,
                    x,
                    stub_bottom - stub,
                    width,
                    stub,
                    &tooltip(&chart.series[s], &suppressed_text),
                );
                stub_bottom -= stub;
            }
        } else {
            let group = slot * 0.8;
            let width = group / chart.series.len().max(1) as f64;
            for (s, series) in chart.series.iter().enumerate() {
                let x = slot_left + slot * 0.1 + width * s as f64;
                match value(series, c) {
                    Some(v) => {
                        let top = y(u128::from(v));
                        bar(&mut out, &id, s, x, top, width, baseline - top, &tooltip(series, &group_digits(v.into())));
                    }
                    None => {
                        stub_bar(&mut out, &id, s, x, baseline - STUB, width, STUB, &tooltip(series, &suppressed_text))
                    }
                }
            }
        }
    }
    out.push_str("</g>");
    w!(
        out,
        r#"<path class="sp-chart-axis" d="M{left:.1},{baseline:.2}H{right:.1}" stroke="{}" stroke-width="1"/>"#,
        svg::AXIS
    );

    // Category labels: every k-th, counted back from the newest so the latest period is named.
    let widest =
        chart.categories.iter().map(|c| text_width(shown_chars(c, CATEGORY_CHARS), TICK_FONT)).fold(0.0, f64::max);
    let every = ((widest + 8.0) / slot).ceil().max(1.0) as usize;
    // Edge labels are pulled inside the picture, which may bring them onto a neighbour: going
    // from the newest back, a label that would touch the one after it is left out.
    let mut written: Vec<(f64, f64, usize)> = Vec::new();
    for c in (0..categories).rev().filter(|c| (categories - 1 - c).is_multiple_of(every)) {
        let half = text_width(shown_chars(&chart.categories[c], CATEGORY_CHARS), TICK_FONT) / 2.0;
        let centre = left + slot * (c as f64 + 0.5);
        let x = centre.min(WIDTH - 2.0 - half).max(2.0 + half);
        if written.last().is_none_or(|&(next_x, next_half, _)| next_x - x >= next_half + half + 4.0) {
            written.push((x, half, c));
        }
    }
    w!(out, r#"<g class="sp-chart-categories" font-size="{TICK_FONT}" fill="{}" text-anchor="middle">"#, svg::TEXT);
    for &(x, _, c) in written.iter().rev() {
        w!(
            out,
            r#"<text x="{x:.1}" y="{:.1}">{}</text>"#,
            baseline + 16.0,
            escape(&chart.categories[c], CATEGORY_CHARS)
        );
    }
    out.push_str("</g>");

    draw_legend(&mut out, &id, &legend, &legend_rows);
    out.push_str("</svg>");
    out
}

/// A legend entry: its swatch (a series' index, or `None` for the suppressed hatching) and text.
struct LegendItem {
    series: Option<usize>,
    text: String,
}

/// One entry per series when there are several, and one for the hatching when anything is
/// suppressed: colour is never the only key to a bar.
fn legend_items(chart: &BarChart<'_>, any_suppressed: bool) -> Vec<LegendItem> {
    let mut items = Vec::new();
    if chart.series.len() > 1 {
        for (s, series) in chart.series.iter().enumerate() {
            items.push(LegendItem { series: Some(s), text: series.name.clone() });
        }
    }
    if any_suppressed {
        items.push(LegendItem { series: None, text: chart.suppressed_label.to_owned() });
    }
    items
}

const SWATCH: f64 = 12.0;

/// Each item's position: `(x, width, row)`, filling rows left to right.
fn legend_layout(items: &[LegendItem], left: f64, right: f64) -> Vec<(f64, f64, usize)> {
    let (mut x, mut row) = (left, 0);
    let mut placed = Vec::with_capacity(items.len());
    for item in items {
        let width = SWATCH + 5.0 + text_width(shown_chars(&item.text, svg::LABEL_MAX_CHARS), LEGEND_FONT) + 14.0;
        if x > left && x + width > right {
            x = left;
            row += 1;
        }
        placed.push((x, width, row));
        x += width;
    }
    placed
}

fn draw_legend(out: &mut String, id: &str, items: &[LegendItem], placed: &[(f64, f64, usize)]) {
    if items.is_empty() {
        return;
    }
    w!(out, r#"<g class="sp-chart-legend" font-size="{LEGEND_FONT}" fill="{}">"#, svg::TEXT);
    for (item, &(x, _, row)) in items.iter().zip(placed) {
        let y = 8.0 + row as f64 * LEGEND_ROW;
        match item.series {
            Some(s) => w!(
                out,
                r#"<rect x="{x:.1}" y="{y:.1}" width="{SWATCH}" height="{SWATCH}" fill="{}" stroke="{}" stroke-width="1"/>"#,
                svg::series_fill(id, s),
                svg::colour(s)
            ),
            None => w!(
                out,
                r##"<rect x="{x:.1}" y="{y:.1}" width="{SWATCH}" height="{SWATCH}" fill="{}" stroke="#555555" stroke-width="1" stroke-dasharray="2 1"/>"##,
                svg::suppressed_fill(id)
            ),
        }
        w!(
            out,
            r#"<text x="{:.1}" y="{:.1}">{}</text>"#,
            x + SWATCH + 5.0,
            y + SWATCH - 1.5,
            escape(&item.text, svg::LABEL_MAX_CHARS)
        );
    }
    out.push_str("</g>");
}

/// A known value's bar, with its tooltip.
#[allow(clippy::too_many_arguments)]
fn bar(out: &mut String, id: &str, series: usize, x: f64, y: f64, width: f64, height: f64, tooltip: &str) {
    // A thin white edge parts stacked segments and neighbours; on a bar a few units wide (a
    // chart of hundreds of periods) it would eat the bar instead.
    let edge = if width >= 4.0 { r##" stroke="#ffffff" stroke-width="0.5""## } else { "" };
    w!(
        out,
        r#"<rect class="sp-chart-bar" x="{x:.2}" y="{y:.2}" width="{width:.2}" height="{height:.2}" fill="{}"{edge}><title>{tooltip}</title></rect>"#,
        svg::series_fill(id, series)
    );
}

/// A suppressed value: a hatched stub outlined, dashed, in the series' colour.
#[allow(clippy::too_many_arguments)]
fn stub_bar(out: &mut String, id: &str, series: usize, x: f64, y: f64, width: f64, height: f64, tooltip: &str) {
    w!(
        out,
        r#"<rect class="sp-chart-bar sp-chart-suppressed" x="{x:.2}" y="{y:.2}" width="{width:.2}" height="{height:.2}" fill="{}" stroke="{}" stroke-width="1" stroke-dasharray="2 1"><title>{tooltip}</title></rect>"#,
        svg::suppressed_fill(id),
        svg::colour(series)
    );
}

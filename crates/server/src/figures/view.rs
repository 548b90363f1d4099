//! Figures as people read them: tables with translated labels (a hidden figure says so in
//! words), durations in human units, and the charts drawn on the server. Shared by the
//! analyst's dashboard and the public page.

use safepassage_charts::{bar_chart, share_bars, BarChart, Series, Shares};
use safepassage_conversation::i18n::I18n;
use safepassage_domain::figures::disclosure::{Cell, Protected};

use safepassage_domain::Language;

/// One table of a page: its caption, column heads and rows, each with its total.
pub(crate) struct TableView {
    pub id: String,
    pub caption: String,
    /// The head of the first column (period, category, state, ...).
    pub first: String,
    pub columns: Vec<String>,
    pub rows: Vec<RowView>,
    /// The totals row (None for one column, whose total is the last row's job).
    pub totals: Option<RowView>,
    /// A chart of the same figures (SVG), drawn beside the table.
    pub chart: Option<String>,
    /// Whether any figure is hidden (the page explains what "hidden" means).
    pub has_hidden: bool,
}

pub(crate) struct RowView {
    pub label: String,
    pub cells: Vec<String>,
    pub total: String,
}

/// Translates labels: `prefix` + the machine word, through Fluent; periods stay as they are.
pub(crate) struct Words<'a> {
    pub i18n: &'a I18n,
    pub language: Language,
}

impl Words<'_> {
    pub fn t(&self, id: &str) -> String {
        self.i18n.text(self.language, id)
    }

    /// The word for a machine label (`state`, `plan_approved` → "plan approved").
    pub fn word(&self, prefix: &str, label: &str) -> String {
        if prefix.is_empty() {
            return label.to_owned();
        }
        self.t(&crate::console::vocab_id(prefix, label))
    }

    pub fn cell(&self, cell: Cell) -> String {
        match cell {
            Cell::Shown(n) => n.to_string(),
            Cell::Suppressed => self.t("figures-suppressed"),
        }
    }

    /// A duration: seconds, minutes, hours or days, whichever reads best.
    pub fn duration(&self, ms: Option<i64>) -> String {
        let Some(ms) = ms else { return "—".to_owned() };
        let secs = ms as f64 / 1000.0;
        let (id, n) = if secs < 90.0 {
            ("figures-duration-seconds", secs.round())
        } else if secs < 90.0 * 60.0 {
            ("figures-duration-minutes", (secs / 60.0).round())
        } else if secs < 48.0 * 3600.0 {
            ("figures-duration-hours", (secs / 360.0).round() / 10.0)
        } else {
            ("figures-duration-days", (secs / 8640.0).round() / 10.0)
        };
        self.i18n.text_with(self.language, id, &[("n", n.into())])
    }
}

/// How a table's labels are translated and drawn.
pub(crate) struct Shape<'a> {
    pub id: &'a str,
    pub caption: &'a str,
    pub description: &'a str,
    pub first: &'a str,
    /// Fluent prefixes of the row and column labels ("" keeps them).
    pub row_words: &'a str,
    pub column_words: &'a str,
    pub chart: Chart,
}

/// Which chart goes with a table.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Chart {
    None,
    /// Bars over the rows (periods), one series per column, stacked.
    Stacked,
    /// The first column as shares of its total (categories).
    Shares,
}

pub(crate) fn table(words: &Words<'_>, shape: Shape<'_>, p: &Protected) -> TableView {
    let columns: Vec<String> = p.columns.iter().map(|c| words.word(shape.column_words, c)).collect();
    let rows: Vec<RowView> = p
        .rows
        .iter()
        .enumerate()
        .map(|(i, label)| RowView {
            label: words.word(shape.row_words, label),
            cells: p.cells.get(i).map(|r| r.iter().map(|c| words.cell(*c)).collect()).unwrap_or_default(),
            total: p.row_totals.get(i).map(|c| words.cell(*c)).unwrap_or_default(),
        })
        .collect();
    let totals = (p.rows.len() > 1).then(|| RowView {
        label: words.t("figures-col-total"),
        cells: p.column_totals.iter().map(|c| words.cell(*c)).collect(),
        total: words.cell(p.total),
    });
    let has_hidden = p.cells.iter().flatten().chain(&p.row_totals).chain(&p.column_totals).any(|c| c.is_suppressed())
        || p.total.is_suppressed();
    let suppressed = words.t("figures-suppressed");
    let chart = match shape.chart {
        Chart::None => None,
        _ if p.rows.is_empty() => None,
        Chart::Stacked => Some(bar_chart(&BarChart {
            id: shape.id,
            title: shape.caption,
            description: shape.description,
            categories: p.rows.iter().map(|r| words.word(shape.row_words, r)).collect(),
            series: columns
                .iter()
                .enumerate()
                .map(|(c, name)| Series {
                    name: name.clone(),
                    values: p.cells.iter().map(|r| r.get(c).copied().and_then(Cell::value)).collect(),
                })
                .collect(),
            stacked: true,
            suppressed_label: &suppressed,
        })),
        Chart::Shares => Some(share_bars(&Shares {
            id: shape.id,
            title: shape.caption,
            description: shape.description,
            items: rows
                .iter()
                .zip(&p.cells)
                .map(|(r, cells)| (r.label.clone(), cells.first().copied().and_then(Cell::value)))
                .collect(),
            suppressed_label: &suppressed,
        })),
    };
    TableView {
        id: shape.id.to_owned(),
        caption: shape.caption.to_owned(),
        first: shape.first.to_owned(),
        columns,
        rows,
        totals,
        chart,
        has_hidden,
    }
}

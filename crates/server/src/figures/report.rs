//! The figures as tables, built from the store's counters for a range of days: what the
//! analyst's dashboard, its downloads and the public page show. Labels are machine words
//! (`web`, `mobilised`, `2026-W49`); pages translate them. Disclosure control (`protected`)
//! hides small cells with complementary suppression and shows exits, and moves that could date
//! an operation, only by month and only once the month is old enough.

use std::collections::{BTreeMap, HashMap};

use safepassage_domain::figures::disclosure::{protect, Cell, Protected, Table};
use safepassage_domain::figures::histogram::Histogram;
use safepassage_domain::figures::period::{periods, Granularity, Period};
use safepassage_domain::figures::tally::Metric;
use safepassage_domain::{CaseState, Channel, CloseReason, Language, Whereabouts, Who};
use safepassage_store::{FigureRow, Store, StoreError};
use serde::Serialize;

use crate::config::FiguresSettings;

/// The states a case enters along its life, as the funnel shows them.
const ENTERED: [CaseState; 8] = CaseState::ALL;

/// Which days, grouped how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Range {
    pub by: Granularity,
    pub from_day: i32,
    pub to_day: i32,
}

/// A time between two moments: how many, the median and the 90th percentile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Spread {
    pub label: String,
    pub n: u64,
    pub median_ms: Option<i64>,
    pub p90_ms: Option<i64>,
}

/// Conversations taken per member of staff and day, per period (never per person).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Staffing {
    pub period: String,
    /// Days worked by anyone who took a conversation (one person on one day is one).
    pub staff_days: u64,
    pub taken: u64,
    pub median_per_day: Option<u64>,
    pub max_per_day: Option<u64>,
}

/// Everything the dashboard shows.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Report {
    pub by: Granularity,
    pub from: String,
    pub to: String,
    /// Without disclosure control.
    pub internal: bool,
    pub threshold: u64,
    pub contacts_by_channel: Protected,
    pub contacts_by_language: Protected,
    pub who: Protected,
    pub whereabouts: Protected,
    /// Cases in each state now (all time, not the range).
    pub cases_now: Protected,
    /// Cases entering each state, per period (per month when protected).
    pub entered: Protected,
    /// People who reached safety per period (per month when protected): individuals and
    /// people in groups; and officers among them.
    pub exits: Protected,
    pub exit_officers: Protected,
    pub closes: Protected,
    pub state_times: Vec<Spread>,
    pub queue_waits: Vec<Spread>,
    pub staffing: Vec<Staffing>,
}

/// What the public page publishes: disclosure-controlled, by month.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PublicFigures {
    pub threshold: u64,
    pub publish_after_days: i32,
    /// The newest month whose exits are published.
    pub exits_until: Option<String>,
    pub contacts_by_month: Protected,
    pub who: Protected,
    pub whereabouts: Protected,
    pub exits_by_month: Protected,
}

/// The counters a report reads, indexed by metric and cell (either part may be "any"), each a
/// running sum by day, so any range of days sums in a few steps whatever the number of rows.
struct Counts {
    sums: HashMap<CounterKey, BTreeMap<i32, i64>>,
}

/// A metric and its two words, either left open (`None`: any).
type CounterKey = (String, Option<String>, Option<String>);

impl Counts {
    fn new(rows: Vec<FigureRow>) -> Counts {
        let mut sums: HashMap<_, BTreeMap<i32, i64>> = HashMap::new();
        for r in rows {
            for (a, b) in [(Some(&r.a), Some(&r.b)), (Some(&r.a), None), (None, Some(&r.b)), (None, None)] {
                let key = (r.metric.clone(), a.cloned(), b.cloned());
                *sums.entry(key).or_default().entry(r.day).or_insert(0) += r.n;
            }
        }
        Counts { sums }
    }

    fn days(&self, metric: Metric, a: Option<&str>, b: Option<&str>) -> Option<&BTreeMap<i32, i64>> {
        self.sums.get(&(metric.as_str().to_owned(), a.map(str::to_owned), b.map(str::to_owned)))
    }

    fn sum(&self, metric: Metric, days: std::ops::RangeInclusive<i32>, a: Option<&str>, b: Option<&str>) -> u64 {
        let n: i64 = self.days(metric, a, b).map(|d| d.range(days).map(|(_, n)| n).sum()).unwrap_or(0);
        u64::try_from(n).unwrap_or(0)
    }

    /// The histogram of `metric` for `a` over `days` (its `b` is the bucket).
    fn histogram(&self, metric: Metric, a: &str, days: std::ops::RangeInclusive<i32>) -> Histogram {
        let name = metric.as_str();
        Histogram::from_rows(self.sums.iter().filter_map(|((m, ka, kb), by_day)| {
            if m != name || ka.as_deref() != Some(a) {
                return None;
            }
            let bucket = kb.as_deref()?.parse::<u16>().ok()?;
            Some((bucket, u64::try_from(by_day.range(days.clone()).map(|(_, n)| n).sum::<i64>()).ok()?))
        }))
    }
}

/// Every figure shown as it is (the internal view).
fn shown(table: &Table) -> Protected {
    let rows = table.rows.len();
    let columns = table.columns.len();
    let cells: Vec<Vec<Cell>> =
        (0..rows).map(|r| (0..columns).map(|c| Cell::Shown(table.cell(r, c))).collect()).collect();
    let row_totals = (0..rows).map(|r| Cell::Shown((0..columns).map(|c| table.cell(r, c)).sum())).collect();
    let column_totals = (0..columns).map(|c| Cell::Shown((0..rows).map(|r| table.cell(r, c)).sum())).collect();
    let total =
        Cell::Shown((0..rows).flat_map(|r| (0..columns).map(move |c| (r, c))).map(|(r, c)| table.cell(r, c)).sum());
    Protected { rows: table.rows.clone(), columns: table.columns.clone(), cells, row_totals, column_totals, total }
}

fn guard(table: &Table, internal: bool, threshold: u64) -> Protected {
    if internal {
        shown(table)
    } else {
        protect(table, threshold)
    }
}

fn words<T: Copy>(items: &[T], word: fn(T) -> &'static str) -> Vec<String> {
    items.iter().map(|i| word(*i).to_owned()).collect()
}

/// A table of periods (rows) by the cells `cell(period, column)`.
fn by_period(periods: &[Period], columns: Vec<String>, cell: impl Fn(&Period, &str) -> u64) -> Table {
    Table {
        rows: periods.iter().map(|p| p.label()).collect(),
        cells: periods.iter().map(|p| columns.iter().map(|c| cell(p, c)).collect()).collect(),
        columns,
    }
}

/// One column of counts by category.
fn by_category(rows: Vec<String>, column: &str, cell: impl Fn(&str) -> u64) -> Table {
    Table { cells: rows.iter().map(|r| vec![cell(r)]).collect(), rows, columns: vec![column.to_owned()] }
}

fn spread(label: &str, h: &Histogram, internal: bool, threshold: u64) -> Spread {
    let n = h.total();
    let hidden = !internal && n < threshold;
    Spread {
        label: label.to_owned(),
        n: if hidden { 0 } else { n },
        median_ms: if hidden { None } else { h.median() },
        p90_ms: if hidden { None } else { h.p90() },
    }
}

/// The dashboard's figures for `range`; `today` decides which months may show exits when
/// protected.
pub(crate) async fn report(
    store: &Store,
    range: Range,
    internal: bool,
    settings: FiguresSettings,
    today: i32,
) -> Result<Report, StoreError> {
    let shown_periods = periods(range.by, range.from_day, range.to_day);
    let first = shown_periods.first().map(|p| p.first_day).unwrap_or(range.from_day);
    let last = shown_periods.last().map(|p| p.last_day()).unwrap_or(range.to_day);
    // Operations are dated by month only, and only once the month is old enough.
    let dated_periods: Vec<Period> = if internal {
        shown_periods.clone()
    } else {
        periods(Granularity::Month, range.from_day, range.to_day)
            .into_iter()
            .filter(|p| p.closed_before(today, settings.publish_after_days))
            .collect()
    };
    let dated_first = dated_periods.first().map(|p| p.first_day).unwrap_or(first).min(first);
    let dated_last = dated_periods.last().map(|p| p.last_day()).unwrap_or(last).max(last);
    let metrics: Vec<&'static str> = Metric::ALL.iter().map(|m| m.as_str()).collect();
    let counts = Counts::new(store.figure_counts(&metrics, dated_first, dated_last).await?);
    let all_time = Counts::new(
        store.figure_counts(&[Metric::CasesOpened.as_str(), Metric::CaseMoves.as_str()], i32::MIN, i32::MAX).await?,
    );
    let taken = store.figures_taken(first, last).await?;
    let (t, all) = (settings.threshold, first..=last);

    let channels = words(Channel::ALL, Channel::as_str);
    let contacts_by_channel =
        by_period(&shown_periods, channels, |p, c| counts.sum(Metric::Contacts, p.days(), Some(c), None));
    let languages = words(Language::ALL, Language::as_str);
    let contacts_by_language =
        by_period(&shown_periods, languages, |p, l| counts.sum(Metric::Contacts, p.days(), None, Some(l)));
    let contacts = counts.sum(Metric::Contacts, all.clone(), None, None);
    let who = categories(&counts, Metric::Who, &words(Who::ALL, Who::as_str), contacts, all.clone());
    let whereabouts =
        categories(&counts, Metric::Whereabouts, &words(Whereabouts::ALL, Whereabouts::as_str), contacts, all.clone());

    let states = words(&ENTERED, CaseState::as_str);
    let cases_now = by_category(states.clone(), "cases", |s| {
        let opened = if s == CaseState::Inquiry.as_str() {
            all_time.sum(Metric::CasesOpened, i32::MIN..=i32::MAX, None, None)
        } else {
            0
        };
        let entered = all_time.sum(Metric::CaseMoves, i32::MIN..=i32::MAX, None, Some(s));
        let left = all_time.sum(Metric::CaseMoves, i32::MIN..=i32::MAX, Some(s), None);
        (opened + entered).saturating_sub(left)
    });
    let entered = by_period(&dated_periods, states.clone(), |p, s| {
        let opened =
            if s == CaseState::Inquiry.as_str() { counts.sum(Metric::CasesOpened, p.days(), None, None) } else { 0 };
        opened + counts.sum(Metric::CaseMoves, p.days(), None, Some(s))
    });
    let exits = by_period(&dated_periods, vec!["individual".into(), "group".into()], |p, kind| {
        counts.sum(Metric::ExitPeople, p.days(), Some(kind), None)
    });
    let exit_officers = by_period(&dated_periods, vec!["officers".into()], |p, _| {
        counts.sum(Metric::ExitOfficers, p.days(), None, None)
    });
    let closes = by_category(words(&CloseReason::ALL, CloseReason::as_str), "cases", |r| {
        counts.sum(Metric::Closes, all.clone(), None, Some(r))
    });

    let state_times = ENTERED
        .iter()
        .filter(|s| s.is_open())
        .map(|s| spread(s.as_str(), &counts.histogram(Metric::StateTime, s.as_str(), all.clone()), internal, t))
        .collect();
    let queue_waits = ["urgent", "normal"]
        .iter()
        .map(|u| spread(u, &counts.histogram(Metric::QueueWait, u, all.clone()), internal, t))
        .collect();
    let staffing = shown_periods.iter().map(|p| staffing(p, &taken)).collect();

    Ok(Report {
        by: range.by,
        from: safepassage_domain::figures::period::format_day(range.from_day),
        to: safepassage_domain::figures::period::format_day(range.to_day),
        internal,
        threshold: t,
        contacts_by_channel: guard(&contacts_by_channel, internal, t),
        contacts_by_language: guard(&contacts_by_language, internal, t),
        who: guard(&who, internal, t),
        whereabouts: guard(&whereabouts, internal, t),
        cases_now: guard(&cases_now, internal, t),
        entered: guard(&entered, internal, t),
        exits: guard(&exits, internal, t),
        exit_officers: guard(&exit_officers, internal, t),
        closes: guard(&closes, internal, t),
        state_times,
        queue_waits,
        staffing,
    })
}

/// Applicants by category over the range, with those no rule sorted (`unsaid`).
fn categories(
    counts: &Counts,
    metric: Metric,
    names: &[String],
    contacts: u64,
    days: std::ops::RangeInclusive<i32>,
) -> Table {
    let mut rows = names.to_vec();
    rows.push("unsaid".into());
    let sorted: BTreeMap<&str, u64> =
        names.iter().map(|n| (n.as_str(), counts.sum(metric, days.clone(), Some(n), None))).collect();
    let unsaid = contacts.saturating_sub(sorted.values().sum());
    by_category(rows, "applicants", |r| sorted.get(r).copied().unwrap_or(unsaid))
}

fn staffing(period: &Period, taken: &[(i32, i64)]) -> Staffing {
    let mut loads: Vec<u64> = taken
        .iter()
        .filter(|(day, n)| period.days().contains(day) && *n > 0)
        .map(|(_, n)| u64::try_from(*n).unwrap_or(0))
        .collect();
    loads.sort_unstable();
    Staffing {
        period: period.label(),
        staff_days: loads.len() as u64,
        taken: loads.iter().sum(),
        median_per_day: loads.get(loads.len() / 2).copied(),
        max_per_day: loads.last().copied(),
    }
}

/// The public figures: contacts by month and channel, who and where (over every month
/// shown), and exits by month once the month is old enough; all disclosure-controlled.
pub(crate) async fn public(
    store: &Store,
    settings: FiguresSettings,
    today: i32,
    months: i32,
) -> Result<PublicFigures, StoreError> {
    let from = Period::containing(Granularity::Month, today).first_day;
    let mut first = Period::containing(Granularity::Month, from);
    for _ in 1..months.max(1) {
        first = first.previous();
    }
    let range = Range { by: Granularity::Month, from_day: first.first_day, to_day: today };
    let report = report(store, range, false, settings, today).await?;
    let exits_until = report.exits.rows.last().cloned();
    Ok(PublicFigures {
        threshold: settings.threshold,
        publish_after_days: settings.publish_after_days,
        exits_until,
        contacts_by_month: from_first_count(report.contacts_by_channel),
        who: report.who,
        whereabouts: report.whereabouts,
        exits_by_month: from_first_count(report.exits),
    })
}

/// The table without its leading months of nothing (before the programme counted anything).
/// Zeros are never hidden, so leaving those rows out changes no total and reveals nothing.
fn from_first_count(mut p: Protected) -> Protected {
    let first = p.row_totals.iter().position(|t| *t != Cell::Shown(0)).unwrap_or(p.rows.len());
    p.rows.drain(..first);
    p.cells.drain(..first.min(p.cells.len()));
    p.row_totals.drain(..first);
    p
}

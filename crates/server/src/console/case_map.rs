//! The map of a case's places, drawn on the server as SVG (`safepassage-map`, borders from
//! Natural Earth compiled into the binary): no outside request, no JavaScript. The newest report
//! is the current place, a few earlier ones are shown fainter, and a plan's rendezvous as its own
//! mark. Reading it is reading the locations: the pages that embed it record their view
//! (`location_viewed` on the case page, `package_viewed` on the operations package).

use safepassage_map::{Accuracy, GeoPoint, MapTexts, MapView, Marker, MarkerKind};
use safepassage_store::LocationView;

use super::lang::Lang;
use super::views::clock;
use crate::AppState;

/// Earlier reports drawn beside the newest one: enough to see a movement, few enough to read.
const EARLIER_SHOWN: usize = 4;

/// One place to draw.
pub(crate) struct Place {
    pub lat: f64,
    pub lon: f64,
    pub accuracy_m: Option<u32>,
    pub kind: MarkerKind,
    pub label: String,
}

/// The newest report with coordinates as the current place, and a few earlier ones labelled by
/// the time they were true (`reports` newest first).
pub(crate) fn of_reports(state: &AppState, lang: Lang, reports: &[LocationView]) -> Vec<Place> {
    let located = reports.iter().filter(|r| !r.shredded).filter_map(|r| Some((r, r.point()?)));
    located
        .take(EARLIER_SHOWN + 1)
        .enumerate()
        .map(|(i, (report, (lat, lon)))| Place {
            lat,
            lon,
            accuracy_m: report.accuracy_m,
            kind: if i == 0 { MarkerKind::Current } else { MarkerKind::Earlier },
            label: if i == 0 { state.i18n.text(lang.language, "map-newest") } else { clock(report.true_at_ms) },
        })
        .collect()
}

/// The SVG of `places`, with element ids prefixed by `id`; None when there is nothing to draw.
pub(crate) fn draw(state: &AppState, lang: Lang, id: &str, places: Vec<Place>) -> Option<String> {
    let i18n = &state.i18n;
    let t = |key: &str| i18n.text(lang.language, key);
    let markers: Vec<Marker> = places
        .into_iter()
        .filter_map(|p| {
            let point = GeoPoint::new(p.lat, p.lon).ok()?;
            Some(Marker::new(point, p.accuracy_m.map(Accuracy::metres), p.kind, p.label))
        })
        .collect();
    if markers.is_empty() {
        return None;
    }
    let description = i18n.text_with(lang.language, "map-description", &[("count", markers.len().into())]);
    let texts = MapTexts { kilometres: t("map-km"), metres: t("map-m"), credit: t("map-credit") };
    let view = markers.into_iter().fold(MapView::new(t("map-title"), description), MapView::with_marker);
    match safepassage_map::render(&view.with_texts(texts).with_id(id)) {
        Ok(svg) => Some(svg),
        Err(e) => {
            tracing::warn!(error = %e, "a map could not be drawn");
            None
        }
    }
}

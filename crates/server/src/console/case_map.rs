//! The map of a case's places, drawn on the server as SVG (`safepassage-map`, borders from
//! Natural Earth compiled into the binary): no outside request, no JavaScript. The newest report
//! is the current place, a few earlier ones are shown fainter, and a plan's rendezvous as its own
//! mark. Reading it is reading the locations: the pages that embed it record `location_viewed`.

use safepassage_map::{Accuracy, GeoPoint, MapTexts, MapView, Marker, MarkerKind};
use safepassage_store::LocationView;

use super::lang::Lang;
use super::views::clock;
use crate::AppState;

/// Earlier reports drawn beside the newest one: enough to see a movement, few enough to read.
const EARLIER_SHOWN: usize = 4;

/// A place to draw that is not a location report (a plan's rendezvous).
pub(crate) struct ExtraPlace {
    pub lat: f64,
    pub lon: f64,
    pub accuracy_m: Option<u32>,
    pub label: String,
}

/// The SVG of the case's places (`reports` newest first), or None when none has coordinates.
pub(crate) fn draw(
    state: &AppState,
    lang: Lang,
    id: &str,
    reports: &[LocationView],
    rendezvous: Option<ExtraPlace>,
) -> Option<String> {
    let i18n = &state.i18n;
    let t = |key: &str| i18n.text(lang.language, key);
    let mut markers = Vec::new();
    let located = reports.iter().filter(|r| !r.shredded).filter_map(|r| Some((r, GeoPoint::new(r.lat?, r.lon?).ok()?)));
    for (i, (report, point)) in located.take(EARLIER_SHOWN + 1).enumerate() {
        let kind = if i == 0 { MarkerKind::Current } else { MarkerKind::Earlier };
        let label = if i == 0 { t("map-newest") } else { clock(report.true_at_ms) };
        markers.push(Marker::new(point, report.accuracy_m.map(Accuracy::metres), kind, label));
    }
    if let Some(place) = rendezvous {
        if let Ok(point) = GeoPoint::new(place.lat, place.lon) {
            markers.push(Marker::new(point, place.accuracy_m.map(Accuracy::metres), MarkerKind::Rendezvous, place.label));
        }
    }
    if markers.is_empty() {
        return None;
    }
    let description = i18n.text_with(lang.language, "map-description", &[("count", markers.len().into())]);
    let texts = MapTexts { kilometres: t("map-km"), metres: t("map-m"), credit: t("map-credit") };
    let view = markers.into_iter().fold(MapView::new(t("map-title"), description), MapView::with_marker);
    match safepassage_map::render(&view.with_texts(texts).with_id(id)) {
        Ok(svg) => Some(svg),
        Err(e) => {
            tracing::warn!(error = %e, "a case map could not be drawn");
            None
        }
    }
}

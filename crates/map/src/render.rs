//! Drawing a `MapView` as one self-contained SVG document: every colour is a presentation
//! attribute (no `style`), every text is escaped, nothing refers outside the document.

use std::fmt::Write;

use crate::atlas::{self, Atlas};
use crate::clip::{clip_line, clip_ring, thin, Px, Rect};
use crate::grid;
use crate::projection::{Frame, METRES_PER_DEGREE};
use crate::{MapError, MapTexts, MapView, Marker, MarkerKind};

const SEA: &str = "#d4e4ee";
const LAND: &str = "#f5f3ec";
const BORDER: &str = "#444444";
const REGION: &str = "#b8b8b8";
const GRID: &str = "#2f5f8a";
const GRID_TEXT: &str = "#1d3a56";
const LABEL_MAX_CHARS: usize = 60;
const TEXT_MAX_CHARS: usize = 1_000;
/// Region borders are left out of maps more than this many degrees of latitude high.
const MAX_REGION_SPAN_DEGREES: f64 = 20.0;
/// Shapes are cut this far outside the picture so that their cut edges are never seen.
const CUT_MARGIN_PX: f64 = 3.0;

/// Writing to a `String` cannot fail.
macro_rules! w {
    ($out:expr, $($arg:tt)*) => {{
        let _ = write!($out, $($arg)*);
    }};
}

/// Draws the map. The same view always gives the same bytes.
pub fn render(view: &MapView) -> Result<String, MapError> {
    let atlas = atlas::atlas()?;
    let frame = Frame::fit(view)?;
    let (width, height) = (frame.width, frame.height);
    let id = &view.id;
    let mut out = String::with_capacity(64 * 1024);
    w!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="sp-map" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-labelledby="{id}-title {id}-desc" font-family="sans-serif">"#
    );
    w!(out, r#"<title id="{id}-title">{}</title>"#, escape(&view.title, TEXT_MAX_CHARS));
    w!(out, r#"<desc id="{id}-desc">{}</desc>"#, escape(&view.description, TEXT_MAX_CHARS));
    w!(out, r#"<rect width="{width}" height="{height}" fill="{SEA}"/>"#);

    let land = land_path(atlas, &frame);
    if !land.is_empty() {
        w!(out, r#"<defs><path id="{id}-land" d="{land}"/></defs>"#);
        w!(out, r##"<use href="#{id}-land" fill="{LAND}" fill-rule="evenodd"/>"##);
    }
    let regions = region_path(atlas, &frame);
    if !regions.is_empty() {
        w!(
            out,
            r#"<path class="sp-map-regions" d="{regions}" fill="none" stroke="{REGION}" stroke-width="0.8" stroke-linejoin="round"/>"#
        );
    }
    if !land.is_empty() {
        w!(
            out,
            r##"<use class="sp-map-borders" href="#{id}-land" fill="none" stroke="{BORDER}" stroke-width="1.4" stroke-linejoin="round"/>"##
        );
    }
    draw_grid(&mut out, &frame);
    draw_markers(&mut out, &frame, &view.markers);
    draw_scale_bar(&mut out, &frame, &view.texts);
    w!(
        out,
        r##"<text x="{}" y="{}" font-size="9" text-anchor="end" fill="#666666">{}</text>"##,
        width - 4.0,
        height - 4.0,
        escape(&view.texts.credit, LABEL_MAX_CHARS)
    );
    w!(out, r##"<rect width="{width}" height="{height}" fill="none" stroke="#777777" stroke-width="1"/>"##);
    out.push_str("</svg>");
    Ok(out)
}

fn cut_rect(frame: &Frame) -> Rect {
    Rect {
        left: -CUT_MARGIN_PX,
        top: -CUT_MARGIN_PX,
        right: frame.width + CUT_MARGIN_PX,
        bottom: frame.height + CUT_MARGIN_PX,
    }
}

/// Every country as one path (even-odd, so holes and enclaves come out right).
fn land_path(atlas: &Atlas, frame: &Frame) -> String {
    let visible = frame.unit_box(CUT_MARGIN_PX);
    let rect = cut_rect(frame);
    let mut d = String::new();
    for country in &atlas.countries {
        for polygon in country.polygons.iter().filter(|p| p.bounds.intersects(&visible)) {
            for ring in &polygon.rings {
                let projected: Vec<Px> = ring.iter().map(|&p| frame.project_units(p)).collect();
                let ring = thin(&clip_ring(&projected, &rect));
                // Cutting can leave a ring squashed flat along the picture's edge: nothing to see.
                if ring.len() >= 3 && area(&ring).abs() >= 1.0 {
                    push_points(&mut d, &ring);
                    d.push('Z');
                }
            }
        }
    }
    d
}

/// Shoelace formula: the signed area of a ring, in square pixels.
fn area(ring: &[Px]) -> f64 {
    let mut twice = 0.0;
    for (i, a) in ring.iter().enumerate() {
        let b = ring[(i + 1) % ring.len()];
        twice += a.0 * b.1 - b.0 * a.1;
    }
    twice / 2.0
}

fn region_path(atlas: &Atlas, frame: &Frame) -> String {
    // Over a continent, regions are a grey blur: they help only at the scale of a country.
    if frame.north - frame.south > MAX_REGION_SPAN_DEGREES {
        return String::new();
    }
    let visible = frame.unit_box(CUT_MARGIN_PX);
    let rect = cut_rect(frame);
    let mut d = String::new();
    for line in atlas.region_lines.iter().filter(|l| l.bounds.intersects(&visible)) {
        let projected: Vec<Px> = line.points.iter().map(|&p| frame.project_units(p)).collect();
        for run in clip_line(&projected, &rect) {
            let run = thin(&run);
            if run.len() >= 2 {
                push_points(&mut d, &run);
            }
        }
    }
    d
}

/// The first point absolute, then relative moves, in tenths of a pixel: about half the bytes of
/// absolute coordinates. Rounding happens on the absolute positions, so no error builds up.
fn push_points(d: &mut String, points: &[Px]) {
    let tenths = |v: f64| (v * 10.0).round() as i64;
    let mut previous: Option<(i64, i64)> = None;
    for &(x, y) in points {
        let (x, y) = (tenths(x), tenths(y));
        match previous {
            None => {
                d.push('M');
                push_tenths(d, x);
                d.push(',');
                push_tenths(d, y);
                d.push('l');
            }
            Some((px, py)) if (px, py) == (x, y) => continue,
            Some((px, py)) => {
                if !d.ends_with('l') {
                    d.push(' ');
                }
                push_tenths(d, x - px);
                d.push(',');
                push_tenths(d, y - py);
            }
        }
        previous = Some((x, y));
    }
    if d.ends_with('l') {
        d.pop();
    }
}

fn push_tenths(d: &mut String, tenths: i64) {
    if tenths < 0 {
        d.push('-');
    }
    let (whole, fraction) = (tenths.unsigned_abs() / 10, tenths.unsigned_abs() % 10);
    if fraction == 0 {
        w!(d, "{whole}");
    } else {
        w!(d, "{whole}.{fraction}");
    }
}

fn draw_grid(out: &mut String, frame: &Frame) {
    let (width, height) = (frame.width, frame.height);
    let lat_step = grid::step_for(frame.north - frame.south, 6.0);
    let lon_step = grid::step_for(frame.east - frame.west, (6.0 * width / height).max(4.0));
    let lats = grid::lines(frame.south, frame.north, lat_step);
    let lons = grid::lines(frame.west, frame.east, lon_step);
    let mut d = String::new();
    for &lat in &lats {
        w!(d, "M0,{:.1}H{width}", frame.y(lat));
    }
    for &lon in &lons {
        w!(d, "M{:.1},0V{height}", frame.x(lon));
    }
    w!(
        out,
        r#"<path class="sp-map-grid" d="{d}" fill="none" stroke="{GRID}" stroke-width="0.7" stroke-opacity="0.45" stroke-dasharray="4 3"/>"#
    );
    w!(
        out,
        r##"<g class="sp-map-grid-labels" font-size="11" fill="{GRID_TEXT}" stroke="#ffffff" stroke-width="3" stroke-linejoin="round" paint-order="stroke">"##
    );
    for &lat in &lats {
        let y = frame.y(lat);
        if (16.0..=height - 24.0).contains(&y) {
            w!(out, r#"<text x="4" y="{:.1}">{}</text>"#, y - 3.0, grid::latitude_label(lat, lat_step));
        }
    }
    for &lon in &lons {
        let x = frame.x(lon);
        if (4.0..=width - 56.0).contains(&x) {
            w!(out, r#"<text x="{:.1}" y="12">{}</text>"#, x + 3.0, grid::longitude_label(lon, lon_step));
        }
    }
    out.push_str("</g>");
}

fn colour(kind: MarkerKind) -> &'static str {
    match kind {
        MarkerKind::Current => "#c0392b",
        MarkerKind::Earlier => "#6c7a89",
        MarkerKind::Rendezvous => "#1e7d3c",
    }
}

fn kind_class(kind: MarkerKind) -> &'static str {
    match kind {
        MarkerKind::Current => "current",
        MarkerKind::Earlier => "earlier",
        MarkerKind::Rendezvous => "rendezvous",
    }
}

fn draw_markers(out: &mut String, frame: &Frame, markers: &[Marker]) {
    // Earlier places underneath, the newest on top.
    let mut ordered: Vec<&Marker> = markers.iter().collect();
    ordered.sort_by_key(|m| match m.kind {
        MarkerKind::Earlier => 0,
        MarkerKind::Rendezvous => 1,
        MarkerKind::Current => 2,
    });
    let at = |m: &Marker| (frame.x(m.point.lon()), frame.y(m.point.lat()));
    for m in &ordered {
        if let Some(accuracy) = m.accuracy {
            let (x, y) = at(m);
            // Exact north-south; east-west it is off by cos(middle latitude) / cos(latitude),
            // under 1 % on a case map (a few tenths of a degree high).
            let r = frame.metres_to_pixels(f64::from(accuracy.as_metres()));
            let c = colour(m.kind);
            w!(
                out,
                r#"<circle class="sp-map-accuracy sp-map-{}" cx="{x:.1}" cy="{y:.1}" r="{r:.2}" fill="{c}" fill-opacity="0.15" stroke="{c}" stroke-width="1.5" stroke-opacity="0.8"/>"#,
                kind_class(m.kind)
            );
        }
    }
    for m in &ordered {
        let (x, y) = at(m);
        let c = colour(m.kind);
        let class = kind_class(m.kind);
        match m.kind {
            MarkerKind::Current => w!(
                out,
                r##"<circle class="sp-map-marker sp-map-{class}" cx="{x:.1}" cy="{y:.1}" r="6" fill="{c}" stroke="#ffffff" stroke-width="2"/>"##
            ),
            MarkerKind::Earlier => w!(
                out,
                r##"<circle class="sp-map-marker sp-map-{class}" cx="{x:.1}" cy="{y:.1}" r="4.5" fill="{c}" stroke="#ffffff" stroke-width="1.5"/>"##
            ),
            MarkerKind::Rendezvous => w!(
                out,
                r##"<path class="sp-map-marker sp-map-{class}" d="M{x:.1},{:.1}l8,8 -8,8 -8,-8Z" fill="{c}" stroke="#ffffff" stroke-width="2"/>"##,
                y - 8.0
            ),
        }
    }
    w!(
        out,
        r##"<g class="sp-map-labels" font-size="12" fill="#111111" stroke="#ffffff" stroke-width="3" stroke-linejoin="round" paint-order="stroke">"##
    );
    for m in &ordered {
        let label = escape(&m.label, LABEL_MAX_CHARS);
        if label.is_empty() {
            continue;
        }
        let (x, y) = at(m);
        let (lx, anchor) = if x > frame.width - 160.0 { (x - 11.0, "end") } else { (x + 11.0, "start") };
        w!(out, r#"<text x="{lx:.1}" y="{:.1}" text-anchor="{anchor}">{label}</text>"#, y + 4.0);
    }
    out.push_str("</g>");
}

fn draw_scale_bar(out: &mut String, frame: &Frame, texts: &MapTexts) {
    let max_metres = frame.width / 4.0 * METRES_PER_DEGREE / frame.k;
    let (metres, label) = grid::scale_bar(max_metres, &texts.kilometres, &texts.metres);
    let label = escape(&label, LABEL_MAX_CHARS);
    let length = frame.metres_to_pixels(metres);
    let (x, y) = (12.0, frame.height - 12.0);
    w!(
        out,
        r##"<g class="sp-map-scale"><rect x="{:.1}" y="{:.1}" width="{:.1}" height="26" fill="#ffffff" fill-opacity="0.8"/>"##,
        x - 6.0,
        y - 20.0,
        length + 12.0
    );
    w!(
        out,
        r##"<path d="M{x:.1},{:.1}V{y:.1}H{:.1}V{:.1}" fill="none" stroke="#222222" stroke-width="1.5"/>"##,
        y - 5.0,
        x + length,
        y - 5.0
    );
    w!(
        out,
        r##"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="middle" fill="#222222">{label}</text></g>"##,
        x + length / 2.0,
        y - 8.0
    );
}

/// Text for an SVG text node or attribute: markup characters escaped, characters XML 1.0 does
/// not allow dropped (line breaks too: every text here is one line), at most `max_chars` long.
fn escape(text: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().filter(|&c| !c.is_control() && c != '\u{fffe}' && c != '\u{ffff}').take(max_chars) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

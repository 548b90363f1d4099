//! The SVG read back as XML: structure, positions, escaping, size, and that nothing in it
//! reaches outside the document.

use crate::projection::METRES_PER_DEGREE;
use crate::*;

const SVG_NAMESPACE: &str = "http://www.w3.org/2000/svg";

fn point(lat: f64, lon: f64) -> GeoPoint {
    GeoPoint::new(lat, lon).unwrap()
}

fn donetsk(metres: u32) -> MapView {
    MapView::new("Newest location", "Donetsk, accuracy shown as a circle").with_marker(Marker::new(
        point(48.0159, 37.8028),
        Some(Accuracy::metres(metres)),
        MarkerKind::Current,
        "now",
    ))
}

fn parse(svg: &str) -> roxmltree::Document<'_> {
    roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("not well-formed XML: {e}"))
}

fn with_class<'a>(doc: &'a roxmltree::Document<'a>, class: &str) -> Vec<roxmltree::Node<'a, 'a>> {
    doc.descendants().filter(|n| n.attribute("class").is_some_and(|c| c.split(' ').any(|part| part == class))).collect()
}

fn number(node: roxmltree::Node<'_, '_>, attribute: &str) -> f64 {
    node.attribute(attribute).unwrap().parse().unwrap()
}

#[test]
fn the_map_is_well_formed_and_accessible() {
    // 100 km around Donetsk: the border with Russia and oblast borders are in the picture.
    let svg = render(&donetsk(100_000).with_id("case-map")).unwrap();
    let doc = parse(&svg);
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(root.attribute("role"), Some("img"));
    assert_eq!(root.attribute("aria-labelledby"), Some("case-map-title case-map-desc"));
    let title = doc.descendants().find(|n| n.has_tag_name("title")).unwrap();
    assert_eq!(title.attribute("id"), Some("case-map-title"));
    assert_eq!(title.text(), Some("Newest location"));
    let desc = doc.descendants().find(|n| n.has_tag_name("desc")).unwrap();
    assert_eq!(desc.attribute("id"), Some("case-map-desc"));
    // Borders, regions, grid labels and the scale bar are drawn.
    assert_eq!(with_class(&doc, "sp-map-borders").len(), 1);
    assert_eq!(with_class(&doc, "sp-map-regions").len(), 1);
    let labels: Vec<&str> = with_class(&doc, "sp-map-grid-labels")[0].children().filter_map(|n| n.text()).collect();
    assert!(labels.iter().any(|l| l.ends_with("°N")) && labels.iter().any(|l| l.ends_with("°E")), "{labels:?}");
    assert!(with_class(&doc, "sp-map-scale")[0].descendants().any(|n| n.text().is_some_and(|t| t.ends_with(" km"))));
}

#[test]
fn a_point_lands_on_its_pixel_and_its_circle_has_its_radius_in_metres() {
    // A box 0.2° high around 48°N, in 720 x 480: 2,400 px per degree of latitude, and
    // 2,400 x cos(48°) per degree of longitude, centred on 37.8°E.
    let extent = Extent::new(point(47.9, 37.7), point(48.1, 37.9)).unwrap();
    let view = MapView::new("t", "d").with_extent(extent).with_marker(Marker::new(
        point(48.05, 37.85),
        Some(Accuracy::metres(1_000)),
        MarkerKind::Current,
        "",
    ));
    let svg = render(&view).unwrap();
    let doc = parse(&svg);
    let kx = 2_400.0 * 48f64.to_radians().cos();
    let (expected_x, expected_y) = (360.0 + 0.05 * kx, 120.0);
    let marker = with_class(&doc, "sp-map-marker")[0];
    assert!((number(marker, "cx") - expected_x).abs() < 0.06, "cx {}", number(marker, "cx"));
    assert!((number(marker, "cy") - expected_y).abs() < 0.06, "cy {}", number(marker, "cy"));
    let circle = with_class(&doc, "sp-map-accuracy")[0];
    let expected_r = 1_000.0 / METRES_PER_DEGREE * 2_400.0;
    assert!((number(circle, "r") - expected_r).abs() < 0.01, "r {} vs {expected_r}", number(circle, "r"));
    assert!((expected_r - 21.58).abs() < 0.01);
}

#[test]
fn labels_and_texts_are_escaped() {
    let evil = r#"<script>alert("x")</script> & 'more'"#;
    let view = MapView::new(format!("{evil}\u{0}"), evil).with_marker(Marker::new(
        point(48.0, 37.8),
        None,
        MarkerKind::Rendezvous,
        evil,
    ));
    let svg = render(&view).unwrap();
    assert!(!svg.contains("<script"));
    let doc = parse(&svg);
    assert!(!doc.descendants().any(|n| n.has_tag_name("script")));
    let label = with_class(&doc, "sp-map-labels")[0].children().find_map(|n| n.text()).unwrap();
    assert_eq!(label, evil);
    let title = doc.descendants().find(|n| n.has_tag_name("title")).unwrap();
    assert_eq!(title.text(), Some(evil));
}

#[test]
fn nothing_in_the_map_reaches_outside_it() {
    let view = donetsk(10_000)
        .with_marker(Marker::new(point(50.4501, 30.5234), Some(Accuracy::metres(50)), MarkerKind::Earlier, "Kyiv"))
        .with_marker(Marker::new(point(47.2357, 39.7015), None, MarkerKind::Rendezvous, "RV"));
    let svg = render(&view).unwrap();
    let without_namespace = svg.replacen(&format!(r#"xmlns="{SVG_NAMESPACE}""#), "", 1);
    assert!(!without_namespace.to_lowercase().contains("http"));
    assert!(!svg.contains("style"), "no style element or attribute (CSP)");
    assert!(!svg.contains("<script") && !svg.contains("<image") && !svg.contains("@import"));
    let doc = parse(&svg);
    for node in doc.descendants() {
        for attribute in node.attributes() {
            if attribute.name() == "href" {
                assert!(attribute.value().starts_with('#'), "outside reference {}", attribute.value());
            }
            assert!(!attribute.name().starts_with("on"), "event handler {}", attribute.name());
        }
    }
}

#[test]
fn maps_are_small() {
    let wide = donetsk(500)
        .with_marker(Marker::new(point(50.4501, 30.5234), None, MarkerKind::Earlier, "Kyiv"))
        .with_marker(Marker::new(point(55.7558, 37.6173), None, MarkerKind::Rendezvous, "Moscow"));
    for view in [donetsk(10), donetsk(500), donetsk(10_000), donetsk(100_000), wide] {
        let svg = render(&view).unwrap();
        assert!(svg.len() < 200_000, "{} bytes", svg.len());
    }
    // Even the whole world (every country at once) stays near that.
    let world = Extent::new(point(-85.0, -180.0), point(85.0, 180.0)).unwrap();
    let svg = render(&MapView::new("world", "all countries").with_extent(world)).unwrap();
    assert!(svg.len() < 250_000, "{} bytes", svg.len());
    parse(&svg);
}

#[test]
fn a_single_precise_point_still_shows_its_surroundings() {
    let svg = render(&donetsk(10)).unwrap();
    let doc = parse(&svg);
    // At least 0.2° of latitude (about 22 km) is shown, so the scale bar is kilometres.
    let scale = with_class(&doc, "sp-map-scale")[0];
    assert!(scale.descendants().any(|n| n.text().is_some_and(|t| t.ends_with(" km"))));
}

#[test]
fn a_map_needs_a_marker_or_an_extent() {
    assert_eq!(render(&MapView::new("t", "d")), Err(MapError::NothingToShow));
}

#[test]
fn the_same_view_gives_the_same_bytes() {
    assert_eq!(render(&donetsk(500)), render(&donetsk(500)));
}

#[test]
fn the_words_on_the_map_can_be_given_in_the_readers_language() {
    let texts =
        MapTexts {
            kilometres: "км".to_owned(), metres: "м".to_owned(), credit: "Кордони: <Natural Earth>".to_owned()
        };
    let svg = render(&donetsk(500).with_texts(texts)).unwrap();
    let doc = parse(&svg);
    assert!(with_class(&doc, "sp-map-scale")[0].descendants().any(|n| n.text().is_some_and(|t| t.ends_with(" км"))));
    assert!(doc.descendants().any(|n| n.text() == Some("Кордони: <Natural Earth>")));
}

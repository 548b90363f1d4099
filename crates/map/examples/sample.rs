//! Writes sample maps around Donetsk to `target/map-sample-*.svg` for a person to look at, and
//! prints how long drawing took. `cargo run --release -p safepassage-map --example sample`

use std::time::Instant;

use safepassage_map::{render, Accuracy, Extent, GeoPoint, MapView, Marker, MarkerKind};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target");
    let donetsk = GeoPoint::new(48.0159, 37.8028)?;
    let samples = [
        ("500m", vec![Marker::new(donetsk, Some(Accuracy::metres(500)), MarkerKind::Current, "Newest, 500 m")]),
        ("10km", vec![Marker::new(donetsk, Some(Accuracy::metres(10_000)), MarkerKind::Current, "Newest, 10 km")]),
        (
            "wide",
            vec![
                Marker::new(donetsk, Some(Accuracy::metres(2_000)), MarkerKind::Current, "Newest"),
                Marker::new(
                    GeoPoint::new(47.0951, 37.5494)?,
                    Some(Accuracy::metres(5_000)),
                    MarkerKind::Earlier,
                    "Earlier",
                ),
                Marker::new(GeoPoint::new(47.8388, 35.1396)?, None, MarkerKind::Rendezvous, "Rendezvous"),
            ],
        ),
        (
            "crimea",
            vec![Marker::new(
                GeoPoint::new(45.3, 34.4)?,
                Some(Accuracy::metres(100_000)),
                MarkerKind::Current,
                "Crimea",
            )],
        ),
    ];
    let europe = Extent::new(GeoPoint::new(35.0, -10.0)?, GeoPoint::new(70.0, 60.0)?)?;
    let world = Extent::new(GeoPoint::new(-85.0, -180.0)?, GeoPoint::new(85.0, 180.0)?)?;
    for (name, markers) in samples.into_iter().chain([("europe", vec![]), ("world", vec![])]) {
        let mut view = MapView::new(format!("Sample {name}"), "Sample map");
        match name {
            "europe" => view = view.with_extent(europe),
            "world" => view = view.with_extent(world),
            _ => {}
        }
        for marker in markers {
            view = view.with_marker(marker);
        }
        let started = Instant::now();
        let svg = render(&view)?;
        let took = started.elapsed();
        let path = target.join(format!("map-sample-{name}.svg"));
        std::fs::write(&path, &svg)?;
        println!("{}: {} bytes in {took:?}", path.display(), svg.len());
    }
    Ok(())
}

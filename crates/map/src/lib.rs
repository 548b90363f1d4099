//! Maps drawn on the server as SVG, for the case page and the operations package: country and
//! first-level region borders (Natural Earth, committed in `data/atlas.bin`), the points with
//! their accuracy circles, a labelled coordinate grid and a scale bar. Pure: no I/O, no request
//! to anywhere, no script, no style attribute (the console's CSP forbids inline styles).
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod atlas;
mod clip;
mod error;
mod geo;
mod grid;
mod projection;
mod render;
mod view;

pub use atlas::country_at;
pub use error::MapError;
pub use geo::{Accuracy, Extent, GeoPoint};
pub use render::render;
pub use view::{MapTexts, MapView, Marker, MarkerKind};

#[cfg(test)]
mod render_tests;

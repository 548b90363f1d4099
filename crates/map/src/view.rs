//! What a caller asks to be drawn: markers with their kind and label, an optional extent, the
//! picture's size, and the texts that describe it to screen readers.

use crate::{Accuracy, Extent, GeoPoint};

/// What a marker stands for; each kind has its own shape and colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkerKind {
    /// The newest known location.
    Current,
    /// An earlier location.
    Earlier,
    /// A planned meeting point.
    Rendezvous,
}

/// One place on the map.
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    pub point: GeoPoint,
    pub accuracy: Option<Accuracy>,
    pub kind: MarkerKind,
    /// A short text drawn beside the marker (escaped; cut to 60 characters).
    pub label: String,
}

impl Marker {
    pub fn new(point: GeoPoint, accuracy: Option<Accuracy>, kind: MarkerKind, label: impl Into<String>) -> Self {
        Marker { point, accuracy, kind, label: label.into() }
    }
}

/// The few words a map draws besides the caller's labels, so the console can give them in the
/// reader's language. Coordinates are written with N/S/E/W, as coordinate tools show them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapTexts {
    /// After a scale bar length in kilometres, e.g. `km` or `км`.
    pub kilometres: String,
    /// After a scale bar length in metres, e.g. `m` or `м`.
    pub metres: String,
    /// The data credit in the corner (Natural Earth asks for none, but says where borders come from).
    pub credit: String,
}

impl Default for MapTexts {
    fn default() -> Self {
        MapTexts { kilometres: "km".to_owned(), metres: "m".to_owned(), credit: "Borders: Natural Earth".to_owned() }
    }
}

/// A map to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct MapView {
    pub(crate) title: String,
    pub(crate) description: String,
    pub(crate) markers: Vec<Marker>,
    pub(crate) extent: Option<Extent>,
    pub(crate) width: u32,
    pub(crate) height: u32,
    pub(crate) id: String,
    pub(crate) texts: MapTexts,
}

impl MapView {
    pub const DEFAULT_WIDTH: u32 = 720;
    pub const DEFAULT_HEIGHT: u32 = 480;

    /// `title` and `description` become the SVG's `<title>` and `<desc>` (read by screen readers).
    pub fn new(title: impl Into<String>, description: impl Into<String>) -> Self {
        MapView {
            title: title.into(),
            description: description.into(),
            markers: Vec::new(),
            extent: None,
            width: Self::DEFAULT_WIDTH,
            height: Self::DEFAULT_HEIGHT,
            id: "map".to_owned(),
            texts: MapTexts::default(),
        }
    }

    pub fn with_marker(mut self, marker: Marker) -> Self {
        self.markers.push(marker);
        self
    }

    /// Show at least this box instead of fitting the markers.
    pub fn with_extent(mut self, extent: Extent) -> Self {
        self.extent = Some(extent);
        self
    }

    /// Picture size in pixels, each side kept within 200..=2000.
    pub fn with_size(mut self, width: u32, height: u32) -> Self {
        self.width = width.clamp(200, 2000);
        self.height = height.clamp(200, 2000);
        self
    }

    pub fn with_texts(mut self, texts: MapTexts) -> Self {
        self.texts = texts;
        self
    }

    /// Prefix for the element ids (`<title>`, `<desc>`, clip path), so that several maps can share
    /// one page. Only ASCII letters, digits and `-` are kept; an empty result becomes `map`.
    pub fn with_id(mut self, id: &str) -> Self {
        let kept: String = id.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').take(40).collect();
        // An XML id must not start with a digit or `-`.
        self.id = if kept.starts_with(|c: char| c.is_ascii_alphabetic()) { kept } else { format!("map-{kept}") };
        self
    }
}

//! The committed map data (`data/atlas.bin`, made by `tools/map-data/generate.js`): decoded once,
//! on first use, into countries (filled polygons) and first-level region borders (lines).

use std::sync::OnceLock;

use crate::{GeoPoint, MapError};

/// Coordinates in the file and in memory are integers in these units per degree.
pub(crate) const UNITS_PER_DEGREE: f64 = 10_000.0;

const MAGIC: &[u8; 8] = b"SPATLAS1";
const ATLAS_BYTES: &[u8] = include_bytes!("../data/atlas.bin");
/// Rings across the antimeridian are stored continuous, so longitudes run past 180.
const MAX_LON: i32 = 360 * 10_000;
const MAX_LAT: i32 = 90 * 10_000;

/// A box in atlas units: west, south, east, north.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct UnitBox {
    pub west: i32,
    pub south: i32,
    pub east: i32,
    pub north: i32,
}

impl UnitBox {
    fn of(points: &[(i32, i32)]) -> Self {
        let mut b = UnitBox { west: i32::MAX, south: i32::MAX, east: i32::MIN, north: i32::MIN };
        for &(x, y) in points {
            b.west = b.west.min(x);
            b.east = b.east.max(x);
            b.south = b.south.min(y);
            b.north = b.north.max(y);
        }
        b
    }

    pub fn intersects(&self, other: &UnitBox) -> bool {
        self.west <= other.east && other.west <= self.east && self.south <= other.north && other.south <= self.north
    }
}

/// One polygon: its outer ring first, then holes. Rings are closed (last point = first).
#[derive(Debug)]
pub(crate) struct Polygon {
    pub rings: Vec<Vec<(i32, i32)>>,
    pub bounds: UnitBox,
}

#[derive(Debug)]
pub(crate) struct Country {
    pub name: String,
    pub polygons: Vec<Polygon>,
}

#[derive(Debug)]
pub(crate) struct Line {
    pub points: Vec<(i32, i32)>,
    pub bounds: UnitBox,
}

#[derive(Debug)]
pub(crate) struct Atlas {
    pub countries: Vec<Country>,
    pub region_lines: Vec<Line>,
}

/// The decoded committed atlas, decoded on first use.
pub(crate) fn atlas() -> Result<&'static Atlas, MapError> {
    static ATLAS: OnceLock<Result<Atlas, MapError>> = OnceLock::new();
    ATLAS.get_or_init(|| Atlas::decode(ATLAS_BYTES)).as_ref().map_err(Clone::clone)
}

/// The country (Natural Earth's English short name) whose territory holds the point, if any.
/// Borders are the internationally recognised ones: Crimea is in Ukraine.
pub fn country_at(point: GeoPoint) -> Result<Option<&'static str>, MapError> {
    Ok(atlas()?.country_at(point))
}

impl Atlas {
    pub(crate) fn decode(bytes: &[u8]) -> Result<Self, MapError> {
        let mut reader = Reader { bytes, at: 0 };
        if reader.take(MAGIC.len())? != MAGIC {
            return Err(MapError::CorruptAtlas("not an atlas file (bad magic)"));
        }
        let country_count = reader.count(3)?;
        let mut countries = Vec::with_capacity(country_count);
        for _ in 0..country_count {
            let name_len = reader.count(1)?;
            let name = std::str::from_utf8(reader.take(name_len)?)
                .map_err(|_| MapError::CorruptAtlas("country name is not UTF-8"))?
                .to_owned();
            let _iso_numeric = reader.varint()?;
            let polygon_count = reader.count(3)?;
            let mut polygons = Vec::with_capacity(polygon_count);
            for _ in 0..polygon_count {
                let ring_count = reader.count(3)?;
                if ring_count == 0 {
                    return Err(MapError::CorruptAtlas("polygon without a ring"));
                }
                let mut rings = Vec::with_capacity(ring_count);
                for _ in 0..ring_count {
                    let ring = reader.points()?;
                    if ring.len() < 4 || ring.first() != ring.last() {
                        return Err(MapError::CorruptAtlas("ring not closed or too short"));
                    }
                    rings.push(ring);
                }
                let bounds = UnitBox::of(&rings[0]);
                polygons.push(Polygon { rings, bounds });
            }
            countries.push(Country { name, polygons });
        }
        let line_count = reader.count(5)?;
        let mut region_lines = Vec::with_capacity(line_count);
        for _ in 0..line_count {
            let points = reader.points()?;
            if points.len() < 2 {
                return Err(MapError::CorruptAtlas("line with fewer than two points"));
            }
            let bounds = UnitBox::of(&points);
            region_lines.push(Line { points, bounds });
        }
        if reader.at != bytes.len() {
            return Err(MapError::CorruptAtlas("trailing bytes"));
        }
        Ok(Atlas { countries, region_lines })
    }

    pub(crate) fn country_at(&self, point: GeoPoint) -> Option<&str> {
        let p = (point.lon() * UNITS_PER_DEGREE, point.lat() * UNITS_PER_DEGREE);
        self.countries
            .iter()
            .find(|country| country.polygons.iter().any(|polygon| polygon.contains(p)))
            .map(|country| country.name.as_str())
    }
}

impl Polygon {
    /// Even-odd rule over all rings, so holes (lakes, enclaves) are outside.
    pub(crate) fn contains(&self, (x, y): (f64, f64)) -> bool {
        let b = &self.bounds;
        if x < f64::from(b.west) || x > f64::from(b.east) || y < f64::from(b.south) || y > f64::from(b.north) {
            return false;
        }
        let mut inside = false;
        for ring in &self.rings {
            for pair in ring.windows(2) {
                let (xi, yi) = (f64::from(pair[0].0), f64::from(pair[0].1));
                let (xj, yj) = (f64::from(pair[1].0), f64::from(pair[1].1));
                if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
                    inside = !inside;
                }
            }
        }
        inside
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], MapError> {
        let end = self.at.checked_add(n).filter(|&end| end <= self.bytes.len());
        let end = end.ok_or(MapError::CorruptAtlas("ends early"))?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }

    fn varint(&mut self) -> Result<u64, MapError> {
        let mut value: u64 = 0;
        for shift in (0..64).step_by(7) {
            let byte = *self.bytes.get(self.at).ok_or(MapError::CorruptAtlas("ends early"))?;
            self.at += 1;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(MapError::CorruptAtlas("number too long"))
    }

    /// A count of items that each take at least `min_bytes`: refusing counts the rest of the
    /// file cannot hold keeps a corrupt file from asking for a huge allocation.
    fn count(&mut self, min_bytes: usize) -> Result<usize, MapError> {
        let n = usize::try_from(self.varint()?).map_err(|_| MapError::CorruptAtlas("count too large"))?;
        let remaining = self.bytes.len() - self.at;
        if n.checked_mul(min_bytes).is_none_or(|needed| needed > remaining) {
            return Err(MapError::CorruptAtlas("count larger than the file"));
        }
        Ok(n)
    }

    fn zigzag(&mut self) -> Result<i64, MapError> {
        let v = self.varint()?;
        // Zigzag: 0, -1, 1, -2, ... ; the shifted value fits in i64 by construction.
        let magnitude = i64::try_from(v >> 1).map_err(|_| MapError::CorruptAtlas("number too large"))?;
        Ok(if v & 1 == 0 { magnitude } else { -magnitude - 1 })
    }

    fn points(&mut self) -> Result<Vec<(i32, i32)>, MapError> {
        let n = self.count(2)?;
        let mut points = Vec::with_capacity(n);
        let (mut x, mut y) = (0i64, 0i64);
        for _ in 0..n {
            x = x.checked_add(self.zigzag()?).ok_or(MapError::CorruptAtlas("coordinate overflow"))?;
            y = y.checked_add(self.zigzag()?).ok_or(MapError::CorruptAtlas("coordinate overflow"))?;
            let (px, py) = (i32::try_from(x).ok(), i32::try_from(y).ok());
            match (px, py) {
                (Some(px), Some(py)) if px.abs() <= MAX_LON && py.abs() <= MAX_LAT => points.push((px, py)),
                _ => return Err(MapError::CorruptAtlas("coordinate out of range")),
            }
        }
        Ok(points)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(lat: f64, lon: f64) -> GeoPoint {
        GeoPoint::new(lat, lon).unwrap_or_else(|e| unreachable!("{e}"))
    }

    fn country(lat: f64, lon: f64) -> Option<&'static str> {
        country_at(point(lat, lon)).unwrap_or_else(|e| unreachable!("{e}"))
    }

    #[test]
    fn the_committed_atlas_decodes() {
        let atlas = atlas().unwrap_or_else(|e| unreachable!("{e}"));
        assert!(atlas.countries.len() > 200, "{} countries", atlas.countries.len());
        assert!(atlas.region_lines.len() > 100, "{} region lines", atlas.region_lines.len());
    }

    #[test]
    fn crimea_is_in_ukraine() {
        // Simferopol, Sevastopol (south of the bay), Kerch, Yalta.
        for (lat, lon) in [(44.9521, 34.1024), (44.56, 33.60), (45.3563, 36.4679), (44.4952, 34.1663)] {
            assert_eq!(country(lat, lon), Some("Ukraine"), "({lat}, {lon})");
        }
    }

    #[test]
    fn capitals_and_front_line_cities_are_in_their_countries() {
        assert_eq!(country(50.4501, 30.5234), Some("Ukraine")); // Kyiv
        assert_eq!(country(48.0159, 37.8028), Some("Ukraine")); // Donetsk
        assert_eq!(country(55.7558, 37.6173), Some("Russia")); // Moscow
        assert_eq!(country(47.2357, 39.7015), Some("Russia")); // Rostov-on-Don
        assert_eq!(country(53.9006, 27.5590), Some("Belarus")); // Minsk
        assert_eq!(country(47.0105, 28.8638), Some("Moldova")); // Chisinau
        assert_eq!(country(52.2297, 21.0122), Some("Poland")); // Warsaw
        assert_eq!(country(43.0, 34.0), None); // the Black Sea
    }

    #[test]
    fn a_corrupt_atlas_is_an_error_not_a_panic() {
        assert!(Atlas::decode(b"").is_err());
        assert!(Atlas::decode(b"NOTATLAS").is_err());
        // Truncated anywhere.
        for cut in [9, 100, 10_000, ATLAS_BYTES.len() / 2, ATLAS_BYTES.len() - 1] {
            assert!(matches!(Atlas::decode(&ATLAS_BYTES[..cut]), Err(MapError::CorruptAtlas(_))), "cut at {cut}");
        }
        // A huge count right after the magic.
        let mut huge = MAGIC.to_vec();
        huge.extend_from_slice(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
        assert!(Atlas::decode(&huge).is_err());
        // An endless varint.
        let mut endless = MAGIC.to_vec();
        endless.extend(std::iter::repeat_n(0x80, 20));
        assert!(Atlas::decode(&endless).is_err());
        // Flipped bytes through the file: an error or (if the flip lands somewhere harmless) a
        // different atlas, never a panic.
        let mut bytes = ATLAS_BYTES.to_vec();
        for i in (8..bytes.len()).step_by(9_973) {
            bytes[i] ^= 0xa5;
            let _ = Atlas::decode(&bytes);
            bytes[i] ^= 0xa5;
        }
        // Trailing garbage.
        let mut trailing = ATLAS_BYTES.to_vec();
        trailing.push(0);
        assert!(Atlas::decode(&trailing).is_err());
    }
}

//! The map's frame: which box of the globe the picture shows and how degrees become pixels (an
//! equirectangular projection scaled by the cosine of the middle latitude, so that a kilometre is
//! as long across as up and down near the middle of the map).

use crate::atlas::{UnitBox, UNITS_PER_DEGREE};
use crate::{MapError, MapView};

/// Metres in one degree of latitude on a sphere of radius 6,371 km (the mean Earth radius).
pub(crate) const METRES_PER_DEGREE: f64 = 6_371_000.0 * std::f64::consts::PI / 180.0;
/// The smallest box fitted around the markers, in degrees of latitude (about 22 km): enough to
/// see the surrounding towns and borders around a point known to ten metres.
const MIN_SPAN_DEGREES: f64 = 0.2;
/// Room around the markers and their accuracy circles, as a share of their span on each side.
const MARGIN: f64 = 0.25;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Frame {
    pub west: f64,
    pub east: f64,
    pub south: f64,
    pub north: f64,
    /// Pixels per degree of latitude.
    pub k: f64,
    /// Pixels per degree of longitude.
    pub kx: f64,
    pub width: f64,
    pub height: f64,
}

impl Frame {
    pub(crate) fn fit(view: &MapView) -> Result<Frame, MapError> {
        let (mut south, mut west, mut north, mut east) = match view.extent {
            Some(e) => (e.south, e.west, e.north, e.east),
            None => {
                if view.markers.is_empty() {
                    return Err(MapError::NothingToShow);
                }
                let mut b = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
                for m in &view.markers {
                    let (lat, lon) = (m.point.lat(), m.point.lon());
                    let r = f64::from(m.accuracy.map_or(0, |a| a.as_metres())) / METRES_PER_DEGREE;
                    let r_lon = r / lat.to_radians().cos().max(0.05);
                    b = (b.0.min(lat - r), b.1.min(lon - r_lon), b.2.max(lat + r), b.3.max(lon + r_lon));
                }
                let (lat_pad, lon_pad) = ((b.2 - b.0) * MARGIN, (b.3 - b.1) * MARGIN);
                (b.0 - lat_pad, b.1 - lon_pad, b.2 + lat_pad, b.3 + lon_pad)
            }
        };
        south = south.max(-85.0);
        north = north.min(85.0);
        let mid = (south + north) / 2.0;
        let cos = mid.to_radians().cos().max(0.05);
        if north - south < MIN_SPAN_DEGREES {
            (south, north) = (mid - MIN_SPAN_DEGREES / 2.0, mid + MIN_SPAN_DEGREES / 2.0);
        }
        let centre_lon = (west + east) / 2.0;
        if (east - west) * cos < MIN_SPAN_DEGREES {
            let half = MIN_SPAN_DEGREES / cos / 2.0;
            (west, east) = (centre_lon - half, centre_lon + half);
        }
        let (width, height) = (f64::from(view.width), f64::from(view.height));
        let k = (width / ((east - west) * cos)).min(height / (north - south));
        let kx = k * cos;
        // Widen the box to the picture's proportions, around its centre.
        let (half_lon, half_lat) = (width / kx / 2.0, height / k / 2.0);
        Ok(Frame {
            west: centre_lon - half_lon,
            east: centre_lon + half_lon,
            south: mid - half_lat,
            north: mid + half_lat,
            k,
            kx,
            width,
            height,
        })
    }

    pub(crate) fn x(&self, lon: f64) -> f64 {
        (lon - self.west) * self.kx
    }

    pub(crate) fn y(&self, lat: f64) -> f64 {
        (self.north - lat) * self.k
    }

    /// A point of the atlas (in its integer units) in pixels.
    pub(crate) fn project_units(&self, (x, y): (i32, i32)) -> (f64, f64) {
        (self.x(f64::from(x) / UNITS_PER_DEGREE), self.y(f64::from(y) / UNITS_PER_DEGREE))
    }

    pub(crate) fn metres_to_pixels(&self, metres: f64) -> f64 {
        metres / METRES_PER_DEGREE * self.k
    }

    /// The frame (grown by `margin_px` on each side) in atlas units, to skip shapes outside it.
    pub(crate) fn unit_box(&self, margin_px: f64) -> UnitBox {
        let to_units =
            |deg: f64| (deg * UNITS_PER_DEGREE).round().clamp(f64::from(i32::MIN), f64::from(i32::MAX)) as i32;
        UnitBox {
            west: to_units(self.west - margin_px / self.kx),
            east: to_units(self.east + margin_px / self.kx),
            south: to_units(self.south - margin_px / self.k),
            north: to_units(self.north + margin_px / self.k),
        }
    }
}

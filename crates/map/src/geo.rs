//! Places on the map: a validated point, an accuracy radius in metres, and a lat/lon box.

use crate::MapError;

/// A point in WGS 84 decimal degrees, checked to be on the globe.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeoPoint {
    lat: f64,
    lon: f64,
}

impl GeoPoint {
    /// Latitude -90..=90, longitude -180..=180; NaN and infinities are refused.
    pub fn new(lat: f64, lon: f64) -> Result<Self, MapError> {
        if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
            return Err(MapError::InvalidLatitude);
        }
        if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
            return Err(MapError::InvalidLongitude);
        }
        Ok(GeoPoint { lat, lon })
    }

    pub fn lat(&self) -> f64 {
        self.lat
    }

    pub fn lon(&self) -> f64 {
        self.lon
    }
}

/// How far from the point the place may really be, as a radius in metres.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Accuracy(u32);

impl Accuracy {
    pub fn metres(metres: u32) -> Self {
        Accuracy(metres)
    }

    pub fn as_metres(&self) -> u32 {
        self.0
    }
}

/// A box to show, in decimal degrees. It is widened to the picture's proportions when drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Extent {
    pub(crate) south: f64,
    pub(crate) west: f64,
    pub(crate) north: f64,
    pub(crate) east: f64,
}

impl Extent {
    /// The two corners must be valid points, south below north and west left of east (a box
    /// across the antimeridian is not supported).
    pub fn new(south_west: GeoPoint, north_east: GeoPoint) -> Result<Self, MapError> {
        if south_west.lat >= north_east.lat || south_west.lon >= north_east.lon {
            return Err(MapError::InvalidExtent);
        }
        Ok(Extent { south: south_west.lat, west: south_west.lon, north: north_east.lat, east: north_east.lon })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_coordinates_are_refused() {
        assert_eq!(GeoPoint::new(90.5, 10.0), Err(MapError::InvalidLatitude));
        assert_eq!(GeoPoint::new(-91.0, 10.0), Err(MapError::InvalidLatitude));
        assert_eq!(GeoPoint::new(f64::NAN, 10.0), Err(MapError::InvalidLatitude));
        assert_eq!(GeoPoint::new(48.0, 180.01), Err(MapError::InvalidLongitude));
        assert_eq!(GeoPoint::new(48.0, f64::INFINITY), Err(MapError::InvalidLongitude));
        assert!(GeoPoint::new(90.0, -180.0).is_ok());
        let a = GeoPoint::new(48.0, 37.0).unwrap();
        let b = GeoPoint::new(49.0, 38.0).unwrap();
        assert!(Extent::new(a, b).is_ok());
        assert_eq!(Extent::new(b, a), Err(MapError::InvalidExtent));
    }
}

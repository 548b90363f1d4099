//! The one error type of the map crate: bad input from the caller, or a map data file that does
//! not decode (which the tests prevent, but a corrupt build must not panic the server).

/// Why a map could not be drawn.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MapError {
    #[error("latitude must be a number from -90 to 90")]
    InvalidLatitude,
    #[error("longitude must be a number from -180 to 180")]
    InvalidLongitude,
    #[error("the map extent must have its south below its north and its west left of its east")]
    InvalidExtent,
    #[error("nothing to show: no marker and no extent")]
    NothingToShow,
    #[error("the map data does not decode: {0}")]
    CorruptAtlas(&'static str),
}

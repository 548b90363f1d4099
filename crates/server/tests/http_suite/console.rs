//! console tests (being written).

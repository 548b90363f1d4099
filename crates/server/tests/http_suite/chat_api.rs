//! chat api tests (being written).

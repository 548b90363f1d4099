//! chat pages tests (being written).

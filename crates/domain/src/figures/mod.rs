//! The programme's figures, as pure functions: which day, week and month a moment falls in
//! (`period`), durations kept as histograms (`histogram`), and the disclosure control that
//! public figures pass (`disclosure`).

pub mod classify;
pub mod disclosure;
pub mod histogram;
pub mod period;
pub mod tally;

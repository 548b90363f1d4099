//! The programme's figures as the server shows them: tables built from the store's counters
//! (`report`), their words and charts (`view`), and the public page and JSON document
//! (`public`, served only when the settings say so).

pub(crate) mod public;
pub(crate) mod report;
pub(crate) mod view;

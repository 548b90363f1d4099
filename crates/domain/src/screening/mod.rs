//! Provocation screening: the pure rules behind the coordinators' signals. Nothing here merges
//! cases or decides anything; each function finds groups worth a look and says why.

pub mod burst;
pub mod flag;
pub mod intake;
pub mod joins;
pub mod nearby;

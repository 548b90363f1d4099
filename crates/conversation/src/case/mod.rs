//! What reaches a case from its conversations: the codename that joins one, any contact from
//! its applicant, and the locations they send.

mod codename;
pub mod codename_guard;
mod contact;
pub mod location;

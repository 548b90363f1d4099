//! The flow engine of Safe Passage: typed values, the excellent expression language, the
//! standard functions and router tests of the RapidPro/TextIt flow format.
//!
//! Pure: no I/O, no clock, no randomness. The current time and a random seed come in through
//! [`Env`]; every parser and every evaluation is bounded, so hostile input yields an error.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod ast;
pub mod cases;
pub mod contactql;
pub mod context;
pub mod convert;
pub mod dateformat;
pub mod datetime;
pub mod definition;
pub mod engine;
pub mod env;
pub mod error;
pub mod eval;
pub mod functions;
pub mod ids;
pub mod lexer;
pub mod locations;
pub mod migrate;
pub mod number;
pub mod parser;
mod regexes;
pub mod template;
pub mod urns;
pub mod value;
pub mod words;
pub mod xv;

pub use env::Env;
pub use error::ParseError;
pub use eval::{Evaluator, Limits};
pub use template::{evaluate_template, evaluate_template_value};
pub use value::{XError, XFunction, XObject, XValue};

//! What the command-line tests share: the binary, run in a directory of its own with no settings
//! from the environment, and its output as text.

use std::path::Path;
use std::process::{Command, Output};

pub const BIN: &str = env!("CARGO_BIN_EXE_safepassage");

/// `safepassage ARGS` in `dir`, ignoring any `SAFEPASSAGE_*` setting of the environment that
/// would point it elsewhere.
pub fn safepassage(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env_remove("SAFEPASSAGE_MASTER_KEY")
        .env_remove("SAFEPASSAGE_DATABASE")
        .env_remove("SAFEPASSAGE_KEY_FILE")
        .env_remove("SAFEPASSAGE_FLOW_WEBHOOK_HOSTS")
        .output()
        .unwrap()
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

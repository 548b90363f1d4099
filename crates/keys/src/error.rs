//! The one error type of the key layer.
//! Messages name files and line numbers but never echo key material.

/// Everything that can go wrong when loading, storing or using keys.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("key file {path} is readable by group or others (mode {mode:o}); run: chmod 600 {path}")]
    KeyFilePermissions { path: String, mode: u32 },
    #[error("key file {path} not found")]
    KeyFileMissing { path: String },
    #[error("key file {path} already exists; refusing to overwrite a master key")]
    KeyFileExists { path: String },
    #[error("key file {path} is malformed: {reason}")]
    KeyFileMalformed { path: String, reason: String },
    #[error("master key from environment is malformed: {0}")]
    EnvKeyMalformed(String),
    #[error("no master key with id {0} is loaded")]
    UnknownMasterKey(String),
    #[error("decryption failed: wrong key or tampered data")]
    Decrypt,
    #[error("I/O error on key file {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

//! The policy for errors that the library types allow but our fixed inputs rule out.
//! Such a failure means a broken platform or a bug, so we stop rather than continue unsafely.

use std::fmt::Display;

/// Aborts the process after telling the operator why.
///
/// Used instead of `expect` (denied by the workspace lints) where keeping the infallible public
/// signatures matters more than a `Result` no caller could handle: e.g. the OS refusing to hand
/// out random bytes, where carrying on would mean reusing nonces or weak keys. `abort` rather than
/// `panic` so that no unwinding code runs with half-initialised key material.
pub(crate) fn abort(context: &str, error: &dyn Display) -> ! {
    eprintln!("safepassage-keys: fatal: {context}: {error}");
    std::process::abort()
}

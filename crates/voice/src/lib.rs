//! Voice calls in the TwiML dialect.

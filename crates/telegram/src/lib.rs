//! The Telegram Bot API as Safe Passage speaks it.

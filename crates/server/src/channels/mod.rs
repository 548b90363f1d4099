//! Channels other than the web chat, as adapters around the conversation core: each turns its
//! provider's webhooks into `Inbound`s and delivers the outbox through its provider.

pub mod telegram;
pub mod voice;

use std::time::Duration;

use axum::routing::post;
use axum::Router;
use safepassage_conversation::channel::outbox::{run_outbox, Couriers};
use safepassage_domain::Channel;

use crate::AppState;

/// How often an idle outbox is looked at.
const OUTBOX_EVERY: Duration = Duration::from_millis(250);

/// The providers' webhooks: public, since the providers must reach them; each checks its own
/// signature or secret before it reads anything.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/channels/telegram/{bot}", post(telegram::webhook::update))
        .route("/channels/voice/{line}/call", post(voice::webhook::call))
        .route("/channels/voice/{line}/gather", post(voice::webhook::gather))
        .route("/channels/voice/{line}/wait", post(voice::webhook::wait))
        .route("/channels/voice/{line}/status", post(voice::webhook::status))
}

/// The couriers of the channels the settings configure.
pub fn couriers(state: &AppState) -> Couriers {
    let mut couriers = Couriers::default();
    if let Some(telegram) = telegram::courier::TelegramCourier::new(&state.config.telegram) {
        couriers = couriers.with(Channel::Telegram, telegram);
    }
    if let Some(voice) = voice::courier::VoiceCourier::new(&state.config.voice) {
        couriers = couriers.with(Channel::Voice, voice);
    }
    couriers
}

/// Delivers the outbox for as long as the process runs, when a channel needs it and there is a
/// runtime to run it (there always is in the server).
pub(crate) fn spawn_outbox(state: &AppState) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
    let couriers = couriers(state);
    if !couriers.is_empty() {
        runtime.spawn(run_outbox(state.conversations.clone(), couriers, OUTBOX_EVERY));
    }
}

//! The conversation core, without HTTP: what every channel (the web chat, Telegram, voice)
//! shares, on the path channel → conversation → bot → queue → case:
//!
//! - `channel/`: what a channel brings in (`Inbound`) and what goes back out (`Outbound`), and
//!   the web chat's own identity (its bearer token);
//! - `messages.rs`: an applicant's or a staff member's message, stored and shown live;
//! - `bot/`: the flows the bot runs (`library/`), their steps, their webhooks;
//! - `queue.rs`: people taking and closing conversations;
//! - `case/`: what reaches a case from a conversation (codename join, contact, location);
//! - `hub.rs`, `token_cache.rs`, `flow_cache.rs`, `shred_watch.rs`: live updates and the
//!   per-node caches, emptied when a case is shredded anywhere;
//! - `relay.rs`: other nodes' commits shown live on this node.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod bot;
pub mod case;
pub mod channel;
pub mod clock;
pub mod figures;
pub mod flow_cache;
pub mod hub;
pub mod i18n;
pub mod locks;
pub mod messages;
pub mod queue;
mod relay;
mod settings;
mod shred_watch;
pub mod token_cache;

use std::sync::Arc;

use safepassage_store::Store;

pub use bot::library as flow_library;
pub use hub::{Hub, LiveMessage};
pub use i18n::I18n;
pub use settings::Settings;

/// Chat token revocations an applicant's event stream may fall behind on (a wave of quick exits).
const CHAT_ENDINGS_BUFFER: usize = 1024;

/// The conversation core: one per process, shared by every channel's adapter and the console.
#[derive(Clone)]
pub struct Conversations {
    pub store: Store,
    pub hub: Hub,
    pub i18n: Arc<I18n>,
    pub settings: Arc<Settings>,
    /// Web chat tokens to their conversations, on a single-node store.
    pub tokens: Arc<token_cache::TokenCache>,
    /// The flows the bot runs; None only if the shipped file failed to load (then new
    /// conversations go straight to the operators).
    pub bot: Option<Arc<bot::Bot>>,
    /// Waiting flow sessions between steps, on a single-node store.
    pub flow_sessions: Arc<flow_cache::FlowCache<bot::Waiting>>,
    /// Webhooks of flows allowed to call one, to the hosts the settings list.
    pub(crate) webhooks: bot::webhooks::Webhooks,
    /// Conversations whose web chat token was just revoked: the applicant's event streams end.
    pub chat_endings: tokio::sync::broadcast::Sender<safepassage_domain::ConversationId>,
    /// Codename guesses: limited per conversation, paced across everyone and every channel.
    pub codenames: case::codename_guard::CodenameGuard,
    /// One inbound at a time per sender on a channel (by the hash of their id), so that two
    /// updates at once cannot both start their first conversation.
    pub(crate) senders: Arc<locks::KeyedLocks<[u8; 32]>>,
    /// Wakes the outbox's worker when something is due now (it also looks on a timer).
    pub outbox_ready: Arc<tokio::sync::Notify>,
    /// How the bot's results are sorted into the figures' categories.
    pub figures_mapping: figures::FiguresMapping,
}

impl Conversations {
    /// The core over `store`, speaking the texts of `i18n` (the core's own and its host's).
    pub fn new(store: Store, settings: Settings, i18n: Arc<I18n>) -> Conversations {
        let single_node = store.remote_commits().is_none();
        let bot = match bot::Bot::shipped() {
            Ok(bot) => Some(Arc::new(bot)),
            Err(e) => {
                tracing::error!(error = %e, "the shipped flows do not load; new conversations go to the operators");
                None
            }
        };
        let webhooks = bot::webhooks::Webhooks::new(&settings.flow_webhook_hosts);
        let codenames =
            case::codename_guard::CodenameGuard::new(settings.codename_hash_burst, settings.codename_hash_every);
        let core = Conversations {
            store,
            hub: Hub::default(),
            i18n,
            settings: Arc::new(settings),
            tokens: Arc::new(token_cache::TokenCache::new(single_node)),
            bot,
            flow_sessions: Arc::new(flow_cache::FlowCache::new(single_node)),
            webhooks,
            chat_endings: tokio::sync::broadcast::channel(CHAT_ENDINGS_BUFFER).0,
            codenames,
            senders: Arc::default(),
            outbox_ready: Arc::default(),
            figures_mapping: figures::FiguresMapping::default(),
        };
        shred_watch::spawn(&core);
        relay::spawn(&core);
        figures::spawn(&core);
        core
    }
}

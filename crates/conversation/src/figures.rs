//! The core's part in the figures: the mapping that sorts the bot's results into the figures'
//! categories (kept by the store, held here in memory and reloaded when an administrator
//! changes it on any node), and the task that projects new events into the counters.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use safepassage_domain::figures::classify::Mapping;
use safepassage_domain::UserId;
use safepassage_store::StoreError;

use crate::Conversations;

/// How often the projection looks for new events when nobody asks for figures.
const PROJECT_EVERY: Duration = Duration::from_secs(2);

/// The mapping in force on this node.
#[derive(Debug, Clone)]
pub struct FiguresMapping(Arc<RwLock<Arc<Mapping>>>);

impl Default for FiguresMapping {
    fn default() -> FiguresMapping {
        FiguresMapping(Arc::new(RwLock::new(Arc::new(Mapping::shipped()))))
    }
}

impl FiguresMapping {
    pub fn current(&self) -> Arc<Mapping> {
        match self.0.read() {
            Ok(m) => m.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn set(&self, mapping: Mapping) {
        match self.0.write() {
            Ok(mut m) => *m = Arc::new(mapping),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(mapping),
        }
    }
}

impl Conversations {
    /// Reads the mapping from the store (at start, and when a node changed it).
    pub async fn reload_figures_mapping(&self) -> Result<(), StoreError> {
        let mapping = self.store.figures_mapping().await?;
        self.figures_mapping.set(mapping);
        Ok(())
    }

    /// An administrator's new mapping: kept, audited, in force here at once (and on the other
    /// nodes when the relay brings the event).
    pub async fn set_figures_mapping(&self, mapping: Mapping, by: UserId) -> Result<(), StoreError> {
        self.store.set_figures_mapping(&mapping, by).await?;
        self.figures_mapping.set(mapping);
        Ok(())
    }
}

/// Projects new events every few seconds, for as long as the core lives.
pub(crate) fn spawn(core: &Conversations) {
    let store = core.store.clone();
    let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
    runtime.spawn(async move {
        let mut tick = tokio::time::interval(PROJECT_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = store.project_figures().await {
                tracing::warn!(error = %e, "figures: projection failed; tried again later");
            }
        }
    });
}

//! The case of a conversation, on the conversation's page: its state, holder, whether it has a
//! codename, and the case's other conversations. Only for staff within the case's need to know;
//! anyone else sees nothing of it (not even that there is one).

use safepassage_store::{CaseView, ConversationView};

use super::access;
use super::errors::OrPage;
use super::lang::Lang;
use super::session::Staff;
use super::timeline::Names;
use super::views::{short_id, word};
use crate::error::PageError;
use crate::AppState;

pub(crate) struct OtherConversation {
    pub href: String,
    pub short: String,
    pub status: String,
}

pub(crate) struct CasePanel {
    pub state: &'static str,
    pub state_label: String,
    /// The holder's name; empty when nobody holds it.
    pub holder: String,
    pub codename: bool,
    /// The case's other conversations, oldest first.
    pub others: Vec<OtherConversation>,
}

/// The panel for `conversation`'s case, if the reader sees that case.
pub(crate) async fn panel(
    state: &AppState,
    lang: Lang,
    staff: &Staff,
    conversation: &ConversationView,
    case: Option<&CaseView>,
) -> Result<Option<CasePanel>, PageError> {
    let Some(case) = case.filter(|c| access::sees_case(staff.role, staff.id, c)) else {
        return Ok(None);
    };
    let i18n = &state.i18n;
    let names = Names::load(state, lang, case.assigned_to).await.or_page(i18n, lang)?;
    let conversations = state.store.conversations_of_case(case.id).await.or_page(i18n, lang)?;
    Ok(Some(CasePanel {
        state: case.state.as_str(),
        state_label: word(i18n, lang, "state", case.state.as_str()),
        holder: case.assigned_to.map(|h| names.of(h).to_owned()).unwrap_or_default(),
        codename: case.has_codename,
        others: conversations
            .iter()
            .filter(|c| c.id != conversation.id)
            .map(|c| OtherConversation {
                href: format!("/console/conversations/{}", c.id),
                short: short_id(&c.id.0),
                status: word(i18n, lang, "status", c.status.as_str()),
            })
            .collect(),
    }))
}

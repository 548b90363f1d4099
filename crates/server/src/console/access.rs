//! Need to know, per object: which conversations and cases a member of staff may read or act
//! on. The rules are pure functions (tested below); the loaders hand out a grant only when the
//! rules say yes, and only to a caller that already proved its role through `Allowed`.

use safepassage_domain::{CaseId, CaseState, ConversationId, Role, UserId};
use safepassage_store::{CaseView, ConversationStatus, ConversationView};

use super::errors;
use super::lang::Lang;
use super::roles::{
    Allowed, Area, Assigning, CaseWork, Composition, Conversations, HandOffs, Holding, Linking, PlanReview, PlanWork,
    QueueWork,
};
use super::session;
use crate::error::PageError;
use crate::AppState;

/// Areas whose handlers may load a conversation.
pub(crate) trait SeesConversations: Area {}
impl SeesConversations for Conversations {}
impl SeesConversations for QueueWork {}
impl SeesConversations for Linking {}

/// Areas whose handlers may load a case.
pub(crate) trait SeesCases: Area {}
impl SeesCases for CaseWork {}
impl SeesCases for Composition {}
impl SeesCases for Assigning {}
impl SeesCases for PlanWork {}
impl SeesCases for PlanReview {}
/// Operations, for the hand-off package only (`CaseReach::HandOff`).
impl SeesCases for HandOffs {}
impl SeesCases for Holding {}
impl SeesCases for Linking {}

/// How far a person reaches into a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Reach {
    None,
    /// The transcript.
    Read,
    /// Also reply, close, open a case.
    Write,
}

/// What the rules look at in a conversation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConversationFacts {
    pub status: ConversationStatus,
    pub assigned_to: Option<UserId>,
    /// Back in the queue from closed: the applicant wrote again.
    pub returned: bool,
}

/// What the rules look at in a case.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CaseFacts {
    pub state: CaseState,
    pub owner: Option<UserId>,
}

impl From<&ConversationView> for ConversationFacts {
    fn from(c: &ConversationView) -> ConversationFacts {
        ConversationFacts { status: c.status, assigned_to: c.assigned_to, returned: c.returned }
    }
}

impl From<&CaseView> for CaseFacts {
    fn from(c: &CaseView) -> CaseFacts {
        CaseFacts { state: c.state, owner: c.assigned_to }
    }
}

/// Operators and specialists: what waits in the queue (to choose what to take), what is assigned
/// to them, and the conversations of cases they own. Coordinators: the conversations of open
/// cases, read only. Nobody else: operations get no chat history, admins and analysts no content.
/// A waiting conversation that is the case's (see [`kept_for_case`]) is not the queue's: only
/// the case's people read it.
pub(crate) fn conversation_reach(
    role: Role,
    me: UserId,
    conversation: ConversationFacts,
    case: Option<CaseFacts>,
) -> Reach {
    let owns_case = case.is_some_and(|c| c.owner == Some(me));
    match role {
        Role::Operator | Role::Specialist => {
            if conversation.assigned_to == Some(me) || owns_case {
                Reach::Write
            } else if conversation.status == ConversationStatus::Queued && !kept_for_case(conversation, case) {
                Reach::Read
            } else {
                Reach::None
            }
        }
        Role::Coordinator if case.is_some_and(|c| c.state.is_open()) => Reach::Read,
        _ => Reach::None,
    }
}

/// Whether a conversation belongs to its case's people rather than to the queue: its case has an
/// owner (it goes back to them), or it came back from closed while the case has none yet (then
/// coordinators read it). The first intake of a case the bot opened, ownerless and never closed,
/// is the queue's: someone must answer the registration.
pub(crate) fn kept_for_case(conversation: ConversationFacts, case: Option<CaseFacts>) -> bool {
    case.is_some_and(|c| c.owner.is_some() || conversation.returned)
}

/// Whether someone may take a conversation: as if it still waited, they would read it. Whether
/// it does still wait is the store's to decide (one of two takers loses, and is told kindly).
pub(crate) fn may_take(role: Role, me: UserId, conversation: ConversationFacts, case: Option<CaseFacts>) -> bool {
    let waiting = ConversationFacts { status: ConversationStatus::Queued, assigned_to: None, ..conversation };
    conversation_reach(role, me, waiting, case) != Reach::None
}

/// How far a person reaches into a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum CaseReach {
    None,
    /// State, kind and composition, and the moves of the role: the hand-off package.
    HandOff,
    /// Also the timeline, notes and conversations.
    Full,
}

/// Owners (whoever opened the case or was given it) see it whole; coordinators see every case (a
/// finished one read-only, through the archive); operations see only cases handed off to them,
/// without history.
pub(crate) fn case_reach(role: Role, me: UserId, case: CaseFacts) -> CaseReach {
    match role {
        Role::Operator | Role::Specialist if case.owner == Some(me) => CaseReach::Full,
        // Finished cases too: the archive, read-only (a finished case offers no move or form).
        Role::Coordinator => CaseReach::Full,
        Role::Operations if case.state == CaseState::HandedOff => CaseReach::HandOff,
        _ => CaseReach::None,
    }
}

/// A conversation someone may see, with its case when it has one.
pub(crate) struct ConversationGrant {
    pub conversation: ConversationView,
    pub case: Option<CaseView>,
    pub reach: Reach,
}

/// Loads a conversation for `who`, refusing below `need`. Not there and not visible give the
/// same answer, so ids cannot be probed.
pub(crate) async fn conversation<A: SeesConversations>(
    state: &AppState,
    who: &Allowed<A>,
    lang: Lang,
    id: ConversationId,
    need: Reach,
) -> Result<ConversationGrant, PageError> {
    let store_error = |e| errors::store(&state.i18n, lang, e);
    let Some(conversation) = state.store.conversation(id).await.map_err(store_error)? else {
        return Err(errors::not_found(&state.i18n, lang));
    };
    let case = match conversation.case {
        Some(case) => state.store.case(case).await.map_err(store_error)?,
        None => None,
    };
    let facts = (&conversation).into();
    let reach = conversation_reach(who.staff.role, who.staff.id, facts, case.as_ref().map(CaseFacts::from));
    match reach {
        Reach::None => Err(errors::not_found(&state.i18n, lang)),
        r if r < need => Err(errors::forbidden(&state.i18n, lang)),
        _ => Ok(ConversationGrant { conversation, case, reach }),
    }
}

/// Refuses a take by someone who may not (see [`may_take`]) as if the conversation were not
/// there, like every other refusal of an object.
pub(crate) async fn takeable(
    state: &AppState,
    who: &Allowed<QueueWork>,
    lang: Lang,
    id: ConversationId,
) -> Result<(), PageError> {
    let store_error = |e| errors::store(&state.i18n, lang, e);
    let Some(conversation) = state.store.conversation(id).await.map_err(store_error)? else {
        return Err(errors::not_found(&state.i18n, lang));
    };
    let case = match conversation.case {
        Some(case) => state.store.case(case).await.map_err(store_error)?,
        None => None,
    };
    if may_take(who.staff.role, who.staff.id, (&conversation).into(), case.as_ref().map(CaseFacts::from)) {
        Ok(())
    } else {
        Err(errors::not_found(&state.i18n, lang))
    }
}

/// Whether the person behind a session still reads conversation `id`, asked afresh: the session
/// stands, the account's current role is of area `A`, and the rules above still give `Read`.
/// Event streams ask on every message and periodically, so that a viewer who loses access
/// (someone else took the conversation, the case moved on, the session ended) stops receiving.
/// A store error counts as no: the stream ends rather than run unchecked.
pub(crate) async fn still_reads<A: SeesConversations>(
    state: &AppState,
    token_hash: [u8; 32],
    id: ConversationId,
) -> bool {
    if !session::still_open(state, token_hash).await {
        return false;
    }
    let Ok(Some(session)) = state.store.session(token_hash).await else { return false };
    let Ok(Some(user)) = state.store.user(session.user).await else { return false };
    if !A::ROLES.contains(&user.role) {
        return false;
    }
    let Ok(Some(conversation)) = state.store.conversation(id).await else { return false };
    let case = match conversation.case {
        Some(case) => match state.store.case(case).await {
            Ok(case) => case,
            Err(_) => return false,
        },
        None => None,
    };
    conversation_reach(user.role, user.id, (&conversation).into(), case.as_ref().map(CaseFacts::from)) >= Reach::Read
}

/// A case someone may see.
pub(crate) struct CaseGrant {
    pub case: CaseView,
    pub reach: CaseReach,
}

pub(crate) async fn case<A: SeesCases>(
    state: &AppState,
    who: &Allowed<A>,
    lang: Lang,
    id: CaseId,
    need: CaseReach,
) -> Result<CaseGrant, PageError> {
    let Some(case) = state.store.case(id).await.map_err(|e| errors::store(&state.i18n, lang, e))? else {
        return Err(errors::not_found(&state.i18n, lang));
    };
    match case_reach(who.staff.role, who.staff.id, (&case).into()) {
        CaseReach::None => Err(errors::not_found(&state.i18n, lang)),
        r if r < need => Err(errors::forbidden(&state.i18n, lang)),
        reach => Ok(CaseGrant { case, reach }),
    }
}

/// Whether `role`/`me` may follow a link to `case` (to show the link at all).
pub(crate) fn sees_case(role: Role, me: UserId, case: &CaseView) -> bool {
    case_reach(role, me, case.into()) != CaseReach::None
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn user(n: u128) -> UserId {
        UserId(Uuid::from_u128(n))
    }

    fn conversation(status: ConversationStatus, assigned_to: Option<UserId>) -> ConversationFacts {
        ConversationFacts { status, assigned_to, returned: false }
    }

    fn case(state: CaseState, owner: Option<UserId>) -> CaseFacts {
        CaseFacts { state, owner }
    }

    #[test]
    fn operators_see_the_queue_and_their_own() {
        let me = user(1);
        let queued = conversation(ConversationStatus::Queued, None);
        let mine = conversation(ConversationStatus::Assigned, Some(me));
        let theirs = conversation(ConversationStatus::Assigned, Some(user(2)));
        for role in [Role::Operator, Role::Specialist] {
            assert_eq!(conversation_reach(role, me, queued, None), Reach::Read);
            assert_eq!(conversation_reach(role, me, mine, None), Reach::Write);
            assert_eq!(conversation_reach(role, me, theirs, None), Reach::None);
        }
    }

    #[test]
    fn case_owners_reach_the_case_conversations() {
        let me = user(1);
        let theirs = conversation(ConversationStatus::Closed, Some(user(2)));
        let my_case = case(CaseState::Registered, Some(me));
        assert_eq!(conversation_reach(Role::Specialist, me, theirs, Some(my_case)), Reach::Write);
        let other_case = case(CaseState::Registered, Some(user(3)));
        assert_eq!(conversation_reach(Role::Specialist, me, theirs, Some(other_case)), Reach::None);
    }

    #[test]
    fn coordinators_read_conversations_of_open_cases_only() {
        let me = user(1);
        let c = conversation(ConversationStatus::Closed, Some(user(2)));
        assert_eq!(conversation_reach(Role::Coordinator, me, c, None), Reach::None);
        let open = case(CaseState::Located, Some(user(3)));
        assert_eq!(conversation_reach(Role::Coordinator, me, c, Some(open)), Reach::Read);
        let closed = case(CaseState::Closed, Some(user(3)));
        assert_eq!(conversation_reach(Role::Coordinator, me, c, Some(closed)), Reach::None);
        let queued = conversation(ConversationStatus::Queued, None);
        assert_eq!(conversation_reach(Role::Coordinator, me, queued, None), Reach::None);
    }

    #[test]
    fn operations_analysts_and_admins_never_see_a_conversation() {
        let me = user(1);
        let mine = conversation(ConversationStatus::Assigned, Some(me));
        let my_case = case(CaseState::HandedOff, Some(me));
        for role in [Role::Operations, Role::Analyst, Role::Admin] {
            assert_eq!(conversation_reach(role, me, mine, Some(my_case)), Reach::None, "{role}");
        }
    }

    #[test]
    fn case_reach_follows_the_table_of_people() {
        let me = user(1);
        let mine = case(CaseState::Registered, Some(me));
        let others = case(CaseState::Registered, Some(user(2)));
        let handed = case(CaseState::HandedOff, Some(user(2)));
        let exited = case(CaseState::Exited, Some(user(2)));
        assert_eq!(case_reach(Role::Specialist, me, mine), CaseReach::Full);
        assert_eq!(case_reach(Role::Specialist, me, others), CaseReach::None);
        assert_eq!(case_reach(Role::Operator, me, mine), CaseReach::Full);
        assert_eq!(case_reach(Role::Coordinator, me, others), CaseReach::Full);
        assert_eq!(case_reach(Role::Coordinator, me, exited), CaseReach::Full, "the archive");
        assert_eq!(case_reach(Role::Operations, me, others), CaseReach::None);
        assert_eq!(case_reach(Role::Operations, me, handed), CaseReach::HandOff);
        for role in [Role::Analyst, Role::Admin] {
            assert_eq!(case_reach(role, me, mine), CaseReach::None);
            assert_eq!(case_reach(role, me, handed), CaseReach::None);
        }
    }

    #[test]
    fn a_waiting_case_conversation_is_the_case_owners_not_the_queues() {
        let (owner, other) = (user(1), user(2));
        let waiting = conversation(ConversationStatus::Queued, None);
        let returned = ConversationFacts { returned: true, ..waiting };
        let owned = case(CaseState::Registered, Some(owner));
        for c in [waiting, returned] {
            assert_eq!(conversation_reach(Role::Specialist, owner, c, Some(owned)), Reach::Write);
            for role in [Role::Operator, Role::Specialist] {
                assert_eq!(conversation_reach(role, other, c, Some(owned)), Reach::None, "{role}");
                assert!(!may_take(role, other, c, Some(owned)));
            }
            assert!(may_take(Role::Specialist, owner, c, Some(owned)));
            assert_eq!(conversation_reach(Role::Coordinator, other, c, Some(owned)), Reach::Read);
        }
        // The bot's registration waits for its first answer with an ownerless case: the queue's.
        let unowned = case(CaseState::Inquiry, None);
        assert_eq!(conversation_reach(Role::Operator, other, waiting, Some(unowned)), Reach::Read);
        assert!(may_take(Role::Operator, other, waiting, Some(unowned)));
        // Back from closed with no owner yet: coordinators only.
        assert_eq!(conversation_reach(Role::Operator, other, returned, Some(unowned)), Reach::None);
        assert_eq!(conversation_reach(Role::Coordinator, other, returned, Some(unowned)), Reach::Read);
        // Without a case, a returning applicant is anyone's on the queue, as before.
        assert_eq!(conversation_reach(Role::Operator, other, returned, None), Reach::Read);
        // Someone else took it: a second taker is let through to lose the race in the store.
        let taken = conversation(ConversationStatus::Assigned, Some(owner));
        assert!(may_take(Role::Operator, other, taken, None));
    }
}

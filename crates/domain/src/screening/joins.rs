//! A codename joined from many new conversations: per case, the conversations that joined it
//! in the window, leaving out the one the case was opened from.

use std::collections::{BTreeMap, BTreeSet};

use crate::event::Event;
use crate::ids::{CaseId, ConversationId};

/// A case joined from many conversations in the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManyJoins {
    pub case: CaseId,
    pub conversations: usize,
    pub first_ms: i64,
    pub last_ms: i64,
}

/// Counts, from `case_opened` and `conversation_joined_case` events (with their times), the
/// conversations that joined each case other than its opening one; cases with at least
/// `min_joins` come back, the most joined first.
pub fn many_joins(events: &[(i64, Event)], min_joins: usize) -> Vec<ManyJoins> {
    let min_joins = min_joins.max(1);
    let mut opened_from: BTreeMap<CaseId, ConversationId> = BTreeMap::new();
    for (_, event) in events {
        if let Event::CaseOpened { case, conversation: Some(conversation), .. } = event {
            opened_from.insert(*case, *conversation);
        }
    }
    let mut joined: BTreeMap<CaseId, (BTreeSet<ConversationId>, i64, i64)> = BTreeMap::new();
    for (at, event) in events {
        let Event::ConversationJoinedCase { conversation, case } = event else { continue };
        if opened_from.get(case) == Some(conversation) {
            continue;
        }
        let entry = joined.entry(*case).or_insert_with(|| (BTreeSet::new(), *at, *at));
        entry.0.insert(*conversation);
        entry.1 = entry.1.min(*at);
        entry.2 = entry.2.max(*at);
    }
    let mut out: Vec<ManyJoins> = joined
        .into_iter()
        .filter(|(_, (set, _, _))| set.len() >= min_joins)
        .map(|(case, (set, first_ms, last_ms))| ManyJoins { case, conversations: set.len(), first_ms, last_ms })
        .collect();
    out.sort_by(|a, b| b.conversations.cmp(&a.conversations).then(b.last_ms.cmp(&a.last_ms)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::CaseKind;
    use crate::ids::UserId;
    use uuid::Uuid;

    #[test]
    fn the_opening_conversation_does_not_count() {
        let case = CaseId(Uuid::from_u128(1));
        let conv = |n: u128| ConversationId(Uuid::from_u128(100 + n));
        let mut events = vec![
            (
                10,
                Event::CaseOpened { case, kind: CaseKind::Individual, conversation: Some(conv(0)), by: UserId::SYSTEM },
            ),
            (10, Event::ConversationJoinedCase { conversation: conv(0), case }),
        ];
        for n in 1..=3 {
            events.push((20 + n as i64, Event::ConversationJoinedCase { conversation: conv(n), case }));
        }
        // The same conversation joining twice counts once.
        events.push((30, Event::ConversationJoinedCase { conversation: conv(1), case }));
        let found = many_joins(&events, 3);
        assert_eq!(found, vec![ManyJoins { case, conversations: 3, first_ms: 21, last_ms: 30 }]);
        assert!(many_joins(&events, 4).is_empty());
    }
}

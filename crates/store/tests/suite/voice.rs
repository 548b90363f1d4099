//! The voice channel's pieces of the store: where staff take calls (sealed under the staff key,
//! never in the clear on disk) and a call's states as events on its conversation.

use safepassage_domain::{CallStatusCode, Channel, Event, Language, Role};
use safepassage_store::StoreError;

use super::{contains, TestDb};
use crate::both_backends;

const NUMBER: &str = "+380441234567";
const SIP: &str = "sip:operator-7f3a9c@pbx.example.org";

both_backends!(a_staff_phone_is_kept_sealed_changed_and_cleared, |db: TestDb| async move {
    let store = db.open().await;
    let user = store.create_user("olena", Role::Operator, "hash".into(), b"secret").await.unwrap();
    let other = store.create_user("petro", Role::Operator, "hash".into(), b"secret").await.unwrap();
    assert!(store.staff_phone(user).await.unwrap().is_none(), "unset at first");
    store.set_staff_phone(user, Some(NUMBER)).await.unwrap();
    assert_eq!(store.staff_phone(user).await.unwrap().as_deref().map(String::as_str), Some(NUMBER));
    assert!(store.staff_phone(other).await.unwrap().is_none(), "only that account");
    store.set_staff_phone(other, Some(SIP)).await.unwrap();
    assert_eq!(store.staff_phone(other).await.unwrap().as_deref().map(String::as_str), Some(SIP));
    let raw = db.raw_bytes().await;
    assert!(!contains(&raw, NUMBER.as_bytes()) && !contains(&raw, b"operator-7f3a9c"), "sealed on disk");
    // Blank clears; too long is refused and changes nothing.
    store.set_staff_phone(user, Some("  ")).await.unwrap();
    assert!(store.staff_phone(user).await.unwrap().is_none());
    let long = "1".repeat(300);
    assert!(matches!(store.set_staff_phone(other, Some(&long)).await, Err(StoreError::Refused(_))));
    assert_eq!(store.staff_phone(other).await.unwrap().as_deref().map(String::as_str), Some(SIP));
    store.set_staff_phone(other, None).await.unwrap();
    assert!(store.staff_phone(other).await.unwrap().is_none());
});

both_backends!(call_states_are_events_on_the_conversation, |db: TestDb| async move {
    let store = db.open().await;
    let call = store.start_conversation(Channel::Voice, Language::Uk, Some("+380501112233"), None).await.unwrap();
    for status in [CallStatusCode::Ringing, CallStatusCode::InProgress, CallStatusCode::HungUpWaiting] {
        store.record_call_status(call.id, status).await.unwrap();
    }
    let timeline = store.timeline(call.id.0, 100).await.unwrap();
    let statuses: Vec<CallStatusCode> = timeline
        .iter()
        .filter_map(|e| match e.event {
            Event::CallStatusChanged { conversation, status } if conversation == call.id => Some(status),
            _ => None,
        })
        .collect();
    assert_eq!(statuses, [CallStatusCode::Ringing, CallStatusCode::InProgress, CallStatusCode::HungUpWaiting]);
    // Nothing else changed: the conversation is where it was.
    let after = store.conversation(call.id).await.unwrap().unwrap();
    assert_eq!(after.status, call.status);
});

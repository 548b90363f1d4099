//! Location reports: staff's on a case, the applicant's from a conversation (with a case or not
//! yet), newest first, sealed so that shredding and tampering leave nothing readable.

use safepassage_domain::{
    CaseError, CaseKind, CaseState, Channel, Event, Language, LocationReport, LocationSource, Role, ShredReason,
    Transition, UserId,
};
use safepassage_store::StoreError;

use super::{Kind, TestDb};
use crate::both_backends;

fn now_ms() -> i64 {
    i64::try_from(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis()).unwrap()
}

/// A report typed by staff from a call, true now.
pub fn report(place: &str, accuracy_m: Option<u32>) -> LocationReport {
    LocationReport::from_input(place, accuracy_m, LocationSource::StaffCall, None, now_ms()).unwrap()
}

fn report_at(place: &str, source: LocationSource, true_at_ms: i64) -> LocationReport {
    LocationReport::from_input(place, None, source, Some(true_at_ms), now_ms()).unwrap()
}

both_backends!(staff_reports_read_back_newest_first, |db: TestDb| async move {
    let store = db.open().await;
    let specialist = UserId(uuid::Uuid::now_v7());
    let case = store.open_case(None, CaseKind::Individual, specialist).await.unwrap();
    assert_eq!(store.newest_location(case).await.unwrap(), None);
    let hour = 3_600_000;
    // Recorded later but true earlier: it is not the newest.
    store.record_location(case, &report("48.0159, 37.8028", Some(30)), specialist).await.unwrap();
    store
        .record_location(
            case,
            &report_at("the old mill", LocationSource::ApplicantTyped, now_ms() - 5 * hour),
            specialist,
        )
        .await
        .unwrap();
    store
        .record_location(case, &report_at("37U DQ 123 678", LocationSource::Messenger, now_ms() - 2 * hour), specialist)
        .await
        .unwrap();
    let all = store.locations(case).await.unwrap();
    assert_eq!(all.len(), 3);
    assert!(all.windows(2).all(|w| w[0].true_at_ms >= w[1].true_at_ms), "newest first");
    let newest = &all[0];
    assert_eq!((newest.lat, newest.lon, newest.accuracy_m), (Some(48.0159), Some(37.8028), Some(30)));
    assert_eq!(
        (newest.source, newest.recorded_by, newest.case),
        (LocationSource::StaffCall, Some(specialist), Some(case))
    );
    assert!(!newest.shredded && newest.text.is_none() && newest.conversation.is_none());
    assert_eq!(all[1].accuracy_m, Some(100), "an MGRS cell of 100 m");
    assert_eq!(all[1].source, LocationSource::Messenger);
    assert_eq!((all[2].text.as_deref(), all[2].lat), (Some("the old mill"), None));
    assert!(all[2].true_at_ms < all[2].at_ms);
    assert_eq!(store.newest_location(case).await.unwrap().as_ref(), Some(newest));
    // Every report is an event carrying ids and vocabulary only.
    let events = store.timeline(case.0, 100).await.unwrap();
    let reported: Vec<_> = events
        .iter()
        .filter(|e| matches!(e.event, Event::LocationReported { by: Some(b), .. } if b == specialist))
        .collect();
    assert_eq!(reported.len(), 3);
});

both_backends!(an_applicants_report_follows_their_conversation_to_its_case, |db: TestDb| async move {
    let store = db.open().await;
    let specialist = UserId(uuid::Uuid::now_v7());
    let conv = store.start_conversation(Channel::Web, Language::Ru, None, None).await.unwrap();
    let browser = LocationReport::from_input("47.1, 37.5", Some(12), LocationSource::Browser, None, now_ms()).unwrap();
    let (_, case) = store.record_applicant_location(conv.id, &browser).await.unwrap();
    assert_eq!(case, None, "no case yet: it stays with the conversation");
    let kept = store.conversation_locations(conv.id).await.unwrap();
    assert_eq!((kept.len(), kept[0].recorded_by, kept[0].conversation), (1, None, Some(conv.id)));
    assert_eq!(kept[0].source, LocationSource::Browser);
    // Once the conversation joins a case, the case shows it; a new report is the case's own.
    let case = store.open_case(Some(conv.id), CaseKind::Individual, specialist).await.unwrap();
    assert_eq!(store.locations(case).await.unwrap().len(), 1);
    let typed = LocationReport::from_input("47.2, 37.6", None, LocationSource::ApplicantTyped, None, now_ms()).unwrap();
    let (_, joined) = store.record_applicant_location(conv.id, &typed).await.unwrap();
    assert_eq!(joined, Some(case));
    let all = store.locations(case).await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!((all[0].case, all[0].lat), (Some(case), Some(47.2)));
    assert_eq!(store.conversation_locations(conv.id).await.unwrap().len(), 2);
    // Enough for `located`.
    for to in [CaseState::Registered, CaseState::Deployed, CaseState::Located] {
        store.transition_case(case, Transition::Advance { to }, specialist, Role::Specialist).await.unwrap();
    }
    // Shredding the case destroys both keys: the report kept under the conversation's too.
    store.shred_case(case, UserId::SYSTEM, ShredReason::ApplicantRequest).await.unwrap();
    drop(store);
    let store = db.open().await;
    let all = store.locations(case).await.unwrap();
    assert!(all.iter().all(|l| l.shredded && l.lat.is_none() && l.text.is_none()), "{all:?}");
});

both_backends!(located_needs_a_report_and_finished_cases_take_none, |db: TestDb| async move {
    let store = db.open().await;
    let specialist = UserId(uuid::Uuid::now_v7());
    let case = store.open_case(None, CaseKind::Individual, specialist).await.unwrap();
    for to in [CaseState::Registered, CaseState::Deployed] {
        store.transition_case(case, Transition::Advance { to }, specialist, Role::Specialist).await.unwrap();
    }
    let refused =
        store.transition_case(case, Transition::Advance { to: CaseState::Located }, specialist, Role::Specialist).await;
    assert!(matches!(refused, Err(StoreError::Case(CaseError::NoLocationYet))), "{refused:?}");
    // The role rule speaks first: an operator is refused for their role, not for the location.
    let operator =
        store.transition_case(case, Transition::Advance { to: CaseState::Located }, specialist, Role::Operator).await;
    assert!(matches!(operator, Err(StoreError::Case(CaseError::RoleRefused { .. }))), "{operator:?}");
    store.record_location(case, &report("somewhere near the river", None), specialist).await.unwrap();
    store
        .transition_case(case, Transition::Advance { to: CaseState::Located }, specialist, Role::Specialist)
        .await
        .unwrap();
    let close = Transition::Close { reason: safepassage_domain::CloseReason::Withdrew };
    store.transition_case(case, close, specialist, Role::Specialist).await.unwrap();
    let late = store.record_location(case, &report("48.1, 37.1", None), specialist).await;
    assert!(matches!(late, Err(StoreError::Case(CaseError::Finished(CaseState::Closed)))), "{late:?}");
    assert_eq!(store.locations(case).await.unwrap().len(), 1);
});

both_backends!(changing_the_source_of_a_report_makes_it_unreadable, |db: TestDb| async move {
    let store = db.open().await;
    let specialist = UserId(uuid::Uuid::now_v7());
    let case = store.open_case(None, CaseKind::Individual, specialist).await.unwrap();
    let id = store.record_location(case, &report("48.0159, 37.8028", None), specialist).await.unwrap();
    let sql = match db.kind {
        Kind::Sqlite => {
            format!("UPDATE location_reports SET source = 'browser' WHERE id = x'{}'", hex::encode(id.as_bytes()))
        }
        Kind::Postgres => format!("UPDATE location_reports SET source = 'browser' WHERE id = '{id}'"),
    };
    db.raw_execute(&sql).await;
    let result = store.locations(case).await;
    assert!(matches!(result, Err(StoreError::Key(_))), "a report with another source must not open: {result:?}");
});

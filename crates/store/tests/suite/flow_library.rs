//! The flow library: files kept byte for byte with who imported them and their digest, intake
//! choices per channel, both in the audit chain, and a version that moves with every change.

use safepassage_domain::{Channel, Event, UserId};
use safepassage_store::{ChainReport, StoreError, MAX_FLOW_FILE};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::TestDb;
use crate::both_backends;

const FILE: &str = r#"{"version": "13", "flows": [], "_ui": {"kept": "as given"}, "vendor_field": [1, 2]}"#;

both_backends!(imports_are_kept_as_given_and_audited, |db: TestDb| async move {
    let store = db.open().await;
    assert_eq!(store.flow_library_version().await.unwrap(), 0);
    assert!(store.flow_imports().await.unwrap().is_empty());
    let admin = UserId(Uuid::now_v7());
    let flows = vec![Uuid::new_v4(), Uuid::new_v4()];

    let first = store.import_flows(FILE.to_owned(), flows.clone(), Vec::new(), admin).await.unwrap();
    let second = store.import_flows(format!("{FILE} "), vec![flows[0]], Vec::new(), UserId::SYSTEM).await.unwrap();
    assert!(second.seq > first.seq);
    assert_eq!(store.flow_library_version().await.unwrap(), second.seq);

    let stored = store.flow_imports().await.unwrap();
    assert_eq!(stored.len(), 2);
    assert_eq!(stored[0].export, FILE, "byte for byte");
    assert_eq!(stored[0].digest, <[u8; 32]>::from(Sha256::digest(FILE.as_bytes())));
    assert_eq!((stored[0].id, stored[0].seq, stored[0].by), (first.id, first.seq, admin));
    assert_eq!((stored[1].id, stored[1].by), (second.id, UserId::SYSTEM));
    assert!(stored.iter().all(|i| i.allowed_outside.is_empty()), "nothing allowed unless asked");

    let events = store.events(0, 1000).await.unwrap();
    let imported: Vec<&Event> = events.iter().filter(|e| e.seq == first.seq).map(|e| &e.event).collect();
    assert_eq!(
        imported,
        [&Event::FlowsImported {
            import: first.id,
            by: admin,
            digest: hex::encode(first.digest),
            flows,
            allowed_outside: Vec::new()
        }]
    );
    // On the timeline of whoever imported.
    let mine = store.timeline(admin.0, 100).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].event.kind(), "flows_imported");
    assert!(matches!(store.verify_chain().await.unwrap(), ChainReport::Intact { .. }));

    // Reopened, the library is still there.
    drop(store);
    let store = db.open().await;
    assert_eq!(store.flow_imports().await.unwrap().len(), 2);
});

both_backends!(an_allowance_is_kept_with_its_file_and_in_its_event, |db: TestDb| async move {
    let store = db.open().await;
    let admin = UserId(Uuid::now_v7());
    let flow = Uuid::new_v4();
    let plain = store.import_flows(FILE.to_owned(), vec![flow], Vec::new(), admin).await.unwrap();
    let allowed = vec!["call_webhook".to_owned()];
    let hooked = store.import_flows(format!("{FILE}\n"), vec![flow], allowed.clone(), admin).await.unwrap();
    assert_eq!(hooked.allowed_outside, allowed);

    let stored = store.flow_imports().await.unwrap();
    let of = |id: Uuid| stored.iter().find(|i| i.id == id).map(|i| i.allowed_outside.clone());
    assert_eq!(of(plain.id), Some(Vec::new()), "each file keeps its own");
    assert_eq!(of(hooked.id), Some(allowed.clone()));

    let events = store.events(0, 1000).await.unwrap();
    let event = events.iter().find(|e| e.seq == hooked.seq).map(|e| e.event.clone());
    assert_eq!(
        event,
        Some(Event::FlowsImported {
            import: hooked.id,
            by: admin,
            digest: hex::encode(hooked.digest),
            flows: vec![flow],
            allowed_outside: allowed.clone(),
        })
    );
    assert!(matches!(store.verify_chain().await.unwrap(), ChainReport::Intact { .. }));

    // Not a list of action type names: refused, nothing stored.
    for bad in [vec![String::new()], vec!["call_webhook,send_email".to_owned()], vec!["x".to_owned(); 17]] {
        let refused = store.import_flows(FILE.to_owned(), vec![flow], bad, admin).await;
        assert!(matches!(refused, Err(StoreError::Conflict(_))));
    }
    drop(store);
    let store = db.open().await;
    let stored = store.flow_imports().await.unwrap();
    assert_eq!(stored.len(), 2);
    assert_eq!(stored[1].allowed_outside, allowed, "kept across a reopen");
});

both_backends!(bounds_are_enforced, |db: TestDb| async move {
    let store = db.open().await;
    let by = UserId::SYSTEM;
    let big = "x".repeat(MAX_FLOW_FILE + 1);
    let none = Vec::new;
    assert!(matches!(store.import_flows(big, vec![Uuid::new_v4()], none(), by).await, Err(StoreError::Conflict(_))));
    assert!(matches!(store.import_flows(FILE.into(), Vec::new(), none(), by).await, Err(StoreError::Conflict(_))));
    assert!(store.flow_imports().await.unwrap().is_empty());
    assert_eq!(store.flow_library_version().await.unwrap(), 0);
});

both_backends!(intake_choices_replace_each_other_per_channel, |db: TestDb| async move {
    let store = db.open().await;
    let admin = UserId(Uuid::now_v7());
    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    store.set_intake_flow(Channel::Web, Some(a), admin).await.unwrap();
    store.set_intake_flow(Channel::Voice, Some(b), admin).await.unwrap();
    let last = store.set_intake_flow(Channel::Web, None, UserId::SYSTEM).await.unwrap();
    assert_eq!(store.flow_library_version().await.unwrap(), last);

    let choices = store.intake_flows().await.unwrap();
    let of = |channel: Channel| choices.iter().find(|c| c.channel == channel).map(|c| (c.flow, c.by));
    assert_eq!(choices.len(), 2);
    assert_eq!(of(Channel::Web), Some((None, UserId::SYSTEM)));
    assert_eq!(of(Channel::Voice), Some((Some(b), admin)));
    assert_eq!(of(Channel::Telegram), None);

    let kinds: Vec<&str> = store.events(0, 100).await.unwrap().iter().map(|e| e.event.kind()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "intake_flow_set").count(), 3);
    let mine = store.timeline(admin.0, 100).await.unwrap();
    assert_eq!(
        mine.last().map(|e| e.event.clone()),
        Some(Event::IntakeFlowSet { channel: Channel::Voice, flow: Some(b), by: admin })
    );
    assert!(matches!(store.verify_chain().await.unwrap(), ChainReport::Intact { .. }));
});

//! Encryption at rest: no plaintext reaches the database, ciphertexts are bound to their rows,
//! and shredding a case leaves its rows unreadable but readable as "shredded".

use safepassage_domain::{CaseKind, Channel, Language, Sender, UserId};
use safepassage_store::{Body, NoteKind, StoreError};

use super::{contains, Kind, TestDb};
use crate::both_backends;

const MARKER_TEXT: &str = "MARKER-BODY-7f3a9c Я в Мариуполе";
const MARKER_PHONE: &str = "+380501234567";
const MARKER_POINT: &str = "47.123456, 37.654321";
const MARKER_PLACE: &str = "MARKER-PLACE behind the grain silo";
const MARKER_GRID: &str = "37U DQ 48213 57964";
const MARKER_PLAN: &str = "PLAN-MARKER-51c2 Идите к элеватору";
const MARKER_RENDEZVOUS: &str = "47.09517, 37.54139";
const MARKER_SIGNALS: &str = "SIGNAL-MARKER-88 red scarf";
const MARKER_COMMENT: &str = "COMMENT-MARKER-3d move it";

both_backends!(no_plaintext_marker_in_raw_database, |db: TestDb| async move {
    let store = db.open().await;
    let conv = store.start_conversation(Channel::Voice, Language::Uk, Some(MARKER_PHONE), None).await.unwrap();
    store.append_message(&conv, Sender::Applicant, MARKER_TEXT).await.unwrap();
    let case = store.open_case(Some(conv.id), CaseKind::Individual, UserId(uuid::Uuid::now_v7())).await.unwrap();
    store.add_note(case, NoteKind::Note, UserId(uuid::Uuid::now_v7()), MARKER_TEXT).await.unwrap();
    let staff = UserId(uuid::Uuid::now_v7());
    for (place, accuracy) in [(MARKER_POINT, Some(25)), (MARKER_PLACE, None), (MARKER_GRID, None)] {
        store.record_location(case, &crate::suite::locations::report(place, accuracy), staff).await.unwrap();
    }
    assert_eq!(store.locations(case).await.unwrap().len(), 3);
    assert_eq!(store.messages(conv.id, 0, 10).await.unwrap()[0].body.text(), Some(MARKER_TEXT));
    // An exit plan, returned with a comment: every word of it sealed.
    let owner = store.create_user("sp.raw", safepassage_domain::Role::Specialist, "x".into(), b"s").await.unwrap();
    let coordinator =
        store.create_user("co.raw", safepassage_domain::Role::Coordinator, "x".into(), b"s").await.unwrap();
    let located = crate::suite::exit_plans::located_case(&store, owner).await;
    let mut plan = crate::suite::exit_plans::plan(MARKER_PLAN);
    plan.rendezvous = MARKER_RENDEZVOUS.into();
    plan.signals = MARKER_SIGNALS.into();
    let (id, _) = store.save_plan(located, &plan, owner, safepassage_domain::Role::Specialist).await.unwrap();
    store.submit_plan(located, owner, safepassage_domain::Role::Specialist).await.unwrap();
    store.return_plan(located, id, MARKER_COMMENT, coordinator, safepassage_domain::Role::Coordinator).await.unwrap();
    assert_eq!(
        store.plans(located).await.unwrap()[0].content.as_ref().map(|c| c.instructions.as_str()),
        Some(MARKER_PLAN)
    );
    drop(store);
    let raw = db.raw_bytes().await;
    assert!(raw.len() > 1000, "the dump holds the data");
    for needle in [
        MARKER_TEXT,
        "MARKER-BODY",
        "Мариуполе",
        MARKER_PHONE,
        "380501234567",
        "501234567",
        MARKER_PLACE,
        "MARKER-PLACE",
        "47.123456",
        "37.654321",
        "37U DQ 48213",
        "4821357",
        "48213 57",
        MARKER_PLAN,
        "PLAN-MARKER",
        MARKER_RENDEZVOUS,
        "47.09517",
        MARKER_SIGNALS,
        MARKER_COMMENT,
        "water tower",
    ] {
        assert!(!contains(&raw, needle.as_bytes()), "{needle:?} found in raw {:?} storage", db.kind);
        assert!(!contains(&raw, hex::encode(needle).as_bytes()), "hex of {needle:?} found in raw storage");
    }
    // Nor the coordinates as binary numbers.
    for number in [47.123456f64, 37.654321f64] {
        assert!(
            !contains(&raw, &number.to_le_bytes()) && !contains(&raw, &number.to_be_bytes()),
            "{number} in raw storage"
        );
    }
});

both_backends!(ciphertext_moved_to_another_row_fails, |db: TestDb| async move {
    let store = db.open().await;
    let conv = store.start_conversation(Channel::Web, Language::Ru, None, None).await.unwrap();
    let a = store.append_message(&conv, Sender::Applicant, "first").await.unwrap();
    let b = store.append_message(&conv, Sender::Applicant, "second").await.unwrap();
    let (ida, idb) = (hex::encode(a.id.as_bytes()), hex::encode(b.id.as_bytes()));
    let sql = match db.kind {
        Kind::Sqlite => format!(
            "UPDATE messages SET body_ct = (SELECT body_ct FROM messages WHERE id = x'{ida}') WHERE id = x'{idb}'"
        ),
        Kind::Postgres => format!(
            "UPDATE messages SET body_ct = (SELECT body_ct FROM messages WHERE id = '{}') WHERE id = '{}'",
            a.id, b.id
        ),
    };
    db.raw_execute(&sql).await;
    let result = store.messages(conv.id, a.seq, 10).await;
    assert!(matches!(result, Err(StoreError::Key(_))), "a copied ciphertext must not decrypt: {result:?}");
    // The untouched row still reads.
    assert_eq!(store.messages(conv.id, 0, 1).await.unwrap()[0].body.text(), Some("first"));
});

both_backends!(crypto_shredding_makes_a_case_unreadable, |db: TestDb| async move {
    let store = db.open().await;
    let user = UserId(uuid::Uuid::now_v7());
    let conv = store.start_conversation(Channel::Web, Language::Ru, None, None).await.unwrap();
    let other = store.start_conversation(Channel::Web, Language::Ru, None, None).await.unwrap();
    store.append_message(&conv, Sender::Applicant, "where I am").await.unwrap();
    store.append_message(&other, Sender::Applicant, "unrelated").await.unwrap();
    let case = store.open_case(Some(conv.id), CaseKind::Individual, user).await.unwrap();
    store.record_location(case, &crate::suite::locations::report("37U DQ 12345 67890", None), user).await.unwrap();
    store.shred_case(case, UserId::SYSTEM, safepassage_domain::ShredReason::ApplicantRequest).await.unwrap();

    let messages = store.messages(conv.id, 0, 10).await.unwrap();
    assert_eq!(messages.len(), 1, "rows stay");
    assert_eq!(messages[0].body, Body::Shredded);
    let locations = store.locations(case).await.unwrap();
    assert!(locations[0].shredded && locations[0].lat.is_none(), "{locations:?}");
    assert!(store.case(case).await.unwrap().unwrap().shredded);
    assert_eq!(store.messages(other.id, 0, 10).await.unwrap()[0].body.text(), Some("unrelated"));
    // A fresh process (no cached keys) sees the same.
    drop(store);
    let store = db.open().await;
    assert_eq!(store.messages(conv.id, 0, 10).await.unwrap()[0].body, Body::Shredded);
    assert!(matches!(store.verify_chain().await.unwrap(), safepassage_store::ChainReport::Intact { .. }));
});

both_backends!(flipping_the_sender_of_a_message_makes_it_unreadable, |db: TestDb| async move {
    let store = db.open().await;
    let conv = store.start_conversation(Channel::Web, Language::Ru, None, None).await.unwrap();
    let words = store.append_message(&conv, Sender::Applicant, "I will come at night").await.unwrap();
    let staff = store.append_message(&conv, Sender::Staff, "we wait for you").await.unwrap();
    // A database writer makes the applicant's words look like the operator's.
    let sql = match db.kind {
        Kind::Sqlite => {
            format!("UPDATE messages SET sender = 'staff' WHERE id = x'{}'", hex::encode(words.id.as_bytes()))
        }
        Kind::Postgres => format!("UPDATE messages SET sender = 'staff' WHERE id = '{}'", words.id),
    };
    db.raw_execute(&sql).await;
    let result = store.messages(conv.id, 0, 10).await;
    assert!(matches!(result, Err(StoreError::Key(_))), "a message with another sender must not open: {result:?}");
    // The untouched message still reads, with its sender.
    let rest = store.messages(conv.id, words.seq, 10).await.unwrap();
    assert_eq!((rest[0].sender, rest[0].body.text()), (Sender::Staff, Some("we wait for you")));
    assert_eq!(rest[0].id, staff.id);
});

both_backends!(changing_the_kind_or_author_of_a_note_makes_it_unreadable, |db: TestDb| async move {
    let store = db.open().await;
    let user = UserId(uuid::Uuid::now_v7());
    let case = store.open_case(None, CaseKind::Individual, user).await.unwrap();
    let note = store.add_note(case, NoteKind::Note, user, "rumour, not checked").await.unwrap();
    assert_eq!(store.notes(case).await.unwrap()[0].body.text(), Some("rumour, not checked"));
    let sql = match db.kind {
        Kind::Sqlite => {
            format!("UPDATE case_notes SET kind = 'location' WHERE id = x'{}'", hex::encode(note.as_bytes()))
        }
        Kind::Postgres => format!("UPDATE case_notes SET kind = 'location' WHERE id = '{note}'"),
    };
    db.raw_execute(&sql).await;
    assert!(matches!(store.notes(case).await, Err(StoreError::Key(_))));
});

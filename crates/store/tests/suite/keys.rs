//! The master key: refusals to start, and rotation that keeps everything readable.

use std::os::unix::fs::PermissionsExt;

use safepassage_domain::{Channel, Language, Sender};
use safepassage_keys::MasterKey;
use safepassage_store::{KeySource, Store, StoreError};

use super::TestDb;
use crate::both_backends;

async fn refusal(db: &TestDb, source: KeySource) -> String {
    let mut config = db.config();
    config.key_source = source;
    match Store::open(config).await {
        Err(StoreError::Refused(message)) => message,
        Err(other) => panic!("expected a refusal, got {other:?}"),
        Ok(_) => panic!("expected a refusal, the store opened"),
    }
}

both_backends!(first_start_creates_a_private_key_file, |db: TestDb| async move {
    let _store = db.open().await;
    let mode = std::fs::metadata(db.key_file()).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
});

both_backends!(wrong_key_is_refused, |db: TestDb| async move {
    let store = db.open().await;
    let conv = store.start_conversation(Channel::Web, Language::Ru, None, None).await.unwrap();
    store.append_message(&conv, Sender::Applicant, "hello").await.unwrap();
    drop(store);
    let stranger = MasterKey::generate();
    let message = refusal(&db, KeySource::Hex(stranger.to_hex())).await;
    assert!(message.contains("wrong master key"), "{message}");
});

both_backends!(missing_key_file_over_data_is_refused, |db: TestDb| async move {
    let store = db.open().await;
    store.start_conversation(Channel::Web, Language::Ru, None, None).await.unwrap();
    drop(store);
    std::fs::remove_file(db.key_file()).unwrap();
    let message = refusal(&db, KeySource::File(db.key_file())).await;
    assert!(message.contains("missing") && message.contains("holds encrypted data"), "{message}");
    assert!(!db.key_file().exists(), "no new key may be created over existing data");
});

both_backends!(world_readable_key_file_is_refused, |db: TestDb| async move {
    drop(db.open().await);
    std::fs::set_permissions(db.key_file(), std::fs::Permissions::from_mode(0o644)).unwrap();
    let message = refusal(&db, KeySource::File(db.key_file())).await;
    assert!(message.contains("readable by group or others"), "{message}");
});

both_backends!(rotation_keeps_every_message_readable, |db: TestDb| async move {
    let store = db.open().await;
    let mut conversations = Vec::new();
    for i in 0..30 {
        let conv = store.start_conversation(Channel::Web, Language::En, None, None).await.unwrap();
        store.append_message(&conv, Sender::Applicant, &format!("message {i}")).await.unwrap();
        conversations.push(conv.id);
    }
    let old_key = std::fs::read_to_string(db.key_file()).unwrap();
    let report = store.rotate_master_key(MasterKey::generate()).await.unwrap();
    assert!(report.rewrapped >= 33, "30 conversations and 3 system keys: {report:?}");
    // Writes keep working on the running store after rotation.
    let conv = store.start_conversation(Channel::Web, Language::En, None, None).await.unwrap();
    store.append_message(&conv, Sender::Applicant, "after").await.unwrap();
    drop(store);

    let store = db.open().await;
    for (i, id) in conversations.iter().enumerate() {
        let text = format!("message {i}");
        assert_eq!(store.messages(*id, 0, 10).await.unwrap()[0].body.text(), Some(text.as_str()));
    }
    assert_eq!(store.messages(conv.id, 0, 10).await.unwrap()[0].body.text(), Some("after"));
    drop(store);
    // The old key is retired: starting with it is refused.
    let old = MasterKey::from_hex(old_key.lines().find(|l| !l.starts_with('#')).unwrap()).unwrap();
    let message = refusal(&db, KeySource::Hex(old.to_hex())).await;
    assert!(message.contains("retired"), "{message}");
});

//! The duress phrase: kept only as a keyed hash bound to its case, found anywhere in a later
//! message whatever its case and punctuation, and flagging the case (with an event) when found.

use safepassage_domain::{CaseKind, Channel, DuressPhrase, Language, UserId};

use super::{contains, TestDb};
use crate::both_backends;

const PHRASE: &str = "Синий ёж у реки MARKER7c1e";

both_backends!(a_written_phrase_flags_the_case_and_only_its_hash_is_kept, |db: TestDb| async move {
    let store = db.open().await;
    let conv = store.start_conversation(Channel::Web, Language::Ru, None, None).await.unwrap();
    let case = store.open_case_by_bot(conv.id, CaseKind::Individual).await.unwrap();
    let other_conv = store.start_conversation(Channel::Web, Language::Ru, None, None).await.unwrap();
    let other = store.open_case_by_bot(other_conv.id, CaseKind::Individual).await.unwrap();

    assert!(!store.case(case).await.unwrap().unwrap().has_duress_phrase());
    assert!(!store.check_duress(case, PHRASE).await.unwrap(), "no phrase agreed yet");

    store.agree_duress_phrase(case, &DuressPhrase::parse(PHRASE).unwrap()).await.unwrap();
    let view = store.case(case).await.unwrap().unwrap();
    assert!(view.has_duress_phrase());
    assert_eq!(view.under_duress_since_ms, None);

    // Ordinary messages, and the phrase's words out of order or cut, flag nothing.
    for text in ["Здравствуйте, я на месте", "синий ёж у", "у реки синий ёж marker7c1e", ""]
    {
        assert!(!store.check_duress(case, text).await.unwrap(), "{text}");
    }
    // Another case with the same phrase does not answer to this one's.
    assert!(!store.check_duress(other, PHRASE).await.unwrap());

    // Inside a sentence, in other case, with other punctuation and е for ё: flagged.
    assert!(store.check_duress(case, "Всё в порядке. синий ЕЖ, у  реки — marker7c1e!! Жду.").await.unwrap());
    let view = store.case(case).await.unwrap().unwrap();
    let since = view.under_duress_since_ms.expect("flagged");
    assert!(store.case(other).await.unwrap().unwrap().under_duress_since_ms.is_none());

    // Written again: another event, the flag keeps its first time.
    assert!(store.check_duress(case, PHRASE).await.unwrap());
    assert_eq!(store.case(case).await.unwrap().unwrap().under_duress_since_ms, Some(since));
    let kinds: Vec<&str> = store.timeline(case.0, 100).await.unwrap().iter().map(|e| e.event.kind()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "duress_phrase_agreed").count(), 1, "{kinds:?}");
    assert_eq!(kinds.iter().filter(|k| **k == "case_flagged_under_duress").count(), 2, "{kinds:?}");

    // Neither the phrase nor its normal form is anywhere in the database.
    drop(store);
    let bytes = db.raw_bytes().await;
    for needle in ["MARKER7c1e", "marker7c1e", "синий"] {
        assert!(!contains(&bytes, needle.as_bytes()), "{needle} stored in clear");
    }
});

both_backends!(a_shredded_case_forgets_its_phrase, |db: TestDb| async move {
    let store = db.open().await;
    let conv = store.start_conversation(Channel::Web, Language::Ru, None, None).await.unwrap();
    let case = store.open_case_by_bot(conv.id, CaseKind::Individual).await.unwrap();
    store.agree_duress_phrase(case, &DuressPhrase::parse(PHRASE).unwrap()).await.unwrap();
    store.shred_case(case, UserId::SYSTEM, safepassage_domain::ShredReason::ApplicantRequest).await.unwrap();
    assert!(!store.check_duress(case, PHRASE).await.unwrap());
});

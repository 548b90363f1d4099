//! The figures: the event log projected into counters per day; the bot's categories counted in
//! its steps; counts unchanged when the cases they count are shredded; two projectors on one
//! database (a server and the command line, or two nodes) never count an event twice.

use safepassage_domain::figures::period::day_of;
use safepassage_domain::figures::tally::{Key, Metric};
use safepassage_domain::{CaseKind, CaseState, Channel, Language, Role, Sender, ShredReason, Transition, UserId};
use safepassage_store::{FigureRow, FlowWrite, StepMessage, Store};

use super::TestDb;
use crate::both_backends;

fn today() -> i32 {
    day_of(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64)
}

async fn all_counts(store: &Store) -> Vec<FigureRow> {
    let metrics: Vec<&'static str> = Metric::ALL.iter().map(|m| m.as_str()).collect();
    let mut rows = store.figure_counts(&metrics, i32::MIN, i32::MAX).await.unwrap();
    rows.sort_by(|x, y| (&x.metric, x.day, &x.a, &x.b).cmp(&(&y.metric, y.day, &y.a, &y.b)));
    rows
}

fn sum(rows: &[FigureRow], metric: Metric, a: &str, b: &str) -> i64 {
    rows.iter().filter(|r| r.metric == metric.as_str() && r.a == a && r.b == b).map(|r| r.n).sum()
}

both_backends!(figures_count_the_log_and_outlive_shredding, |db: TestDb| async move {
    let store = db.open().await;
    let operator = UserId(uuid::Uuid::now_v7());
    let web_ru = store.start_conversation(Channel::Web, Language::Ru, None, Some([1u8; 32])).await.unwrap();
    let web_uk = store.start_conversation(Channel::Web, Language::Uk, None, Some([2u8; 32])).await.unwrap();
    let call = store.start_conversation(Channel::Voice, Language::Ru, Some("+380501234567"), None).await.unwrap();
    // The bot sorted the first applicant as mobilised in its step.
    let write = FlowWrite {
        state: None,
        summary: "{}".into(),
        wait_timeout_ms: None,
        expires_ms: None,
        expected_version: 0,
        codename: None,
        counts: vec![(Key::new(Metric::Who, today(), "mobilised", ""), 1)],
    };
    store.flow_step(&web_ru, vec![StepMessage::new(Sender::Applicant, "мобилизован")], Some(write)).await.unwrap();
    assert!(store.queue_conversation(web_uk.id, true).await.unwrap());
    store.take_conversation(web_uk.id, operator).await.unwrap();
    let case = store.open_case_by_bot(web_ru.id, CaseKind::Individual).await.unwrap();
    store
        .transition_case(case, Transition::Advance { to: CaseState::Registered }, operator, Role::Operator)
        .await
        .unwrap();

    let projected = store.project_figures().await.unwrap();
    assert!(projected > 5, "{projected} events projected");
    assert_eq!(store.project_figures().await.unwrap(), 0, "nothing is counted twice");
    let before = all_counts(&store).await;
    assert_eq!(sum(&before, Metric::Contacts, "web", "ru"), 1);
    assert_eq!(sum(&before, Metric::Contacts, "web", "uk"), 1);
    assert_eq!(sum(&before, Metric::Contacts, "voice", "ru"), 1);
    assert_eq!(sum(&before, Metric::Who, "mobilised", ""), 1);
    assert_eq!(sum(&before, Metric::Queued, "urgent", ""), 1);
    assert_eq!(sum(&before, Metric::Taken, "", ""), 1);
    assert_eq!(before.iter().filter(|r| r.metric == "queue_wait").map(|r| r.n).sum::<i64>(), 1);
    assert_eq!(sum(&before, Metric::CasesOpened, "individual", ""), 1);
    assert_eq!(sum(&before, Metric::CaseMoves, "inquiry", "registered"), 1);
    assert_eq!(before.iter().filter(|r| r.metric == "state_time" && r.a == "inquiry").map(|r| r.n).sum::<i64>(), 1);
    assert_eq!(store.figures_taken(i32::MIN, i32::MAX).await.unwrap().iter().map(|(_, n)| n).sum::<i64>(), 1);
    assert!(before.iter().all(|r| r.day == today()), "every count is today's: {before:?}");

    store.shred_case(case, operator, ShredReason::ApplicantRequest).await.unwrap();
    store.project_figures().await.unwrap();
    assert_eq!(all_counts(&store).await, before, "shredding changes no figure");
    let _ = call;
});

both_backends!(two_projectors_on_one_database_count_each_event_once, |db: TestDb| async move {
    let a = db.open().await;
    let b = db.open().await;
    for i in 0..40u8 {
        let store = if i % 2 == 0 { &a } else { &b };
        store.start_conversation(Channel::Telegram, Language::En, Some(&format!("tg:{i}")), None).await.unwrap();
    }
    let (x, y) = tokio::join!(a.project_figures(), b.project_figures());
    let (x, y) = (x.unwrap(), y.unwrap());
    assert!(x + y >= 40, "between them they projected every event ({x} + {y})");
    a.project_figures().await.unwrap();
    assert_eq!(sum(&all_counts(&a).await, Metric::Contacts, "telegram", "en"), 40);
});

//! Seeds the world of `mix` through the store's own write path, the calls the console and the
//! bot make (so every row has its event and every rule of the domain is kept), with many
//! concurrent writers so that group commit batches them. Progress and rate go to stderr.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use safepassage_domain::{
    CaseId, CaseKind, CaseState, Channel, CloseReason, ConversationId, Language, LocationReport, LocationSource,
    OperationsStatus, PlanContent, Role, Sender, Transition, UserId,
};
use safepassage_store::{ConversationView, Store};

use super::mix::{Fate, Loose, Mix, Unit};
use super::staff::Cast;

const HOUR_MS: i64 = 60 * 60 * 1000;

/// What the seeding did, for the progress line.
#[derive(Default)]
struct Progress {
    units: AtomicU64,
    messages: AtomicU64,
}

/// Seeds every unit of `mix` with `writers` concurrent tasks.
pub async fn seed(store: &Store, cast: &Cast, mix: Mix, writers: u64) -> anyhow::Result<()> {
    let next = Arc::new(AtomicU64::new(0));
    let progress = Arc::new(Progress::default());
    let started = Instant::now();
    let reporter = tokio::spawn(report(store.clone(), mix, progress.clone(), started));
    let mut tasks = Vec::with_capacity(writers as usize);
    for _ in 0..writers {
        let (store, cast, next, progress) = (store.clone(), cast.clone(), next.clone(), progress.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let u = next.fetch_add(1, Ordering::Relaxed);
                if u >= mix.units() {
                    return anyhow::Ok(());
                }
                let written = unit(&store, &cast, &mix, u).await?;
                progress.messages.fetch_add(written, Ordering::Relaxed);
                progress.units.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    let mut outcome = Ok(());
    for task in tasks {
        if let Err(e) = task.await? {
            outcome = Err(e);
        }
    }
    reporter.abort();
    let elapsed = started.elapsed().as_secs_f64();
    let stats = store.stats();
    eprintln!(
        "seed: {} cases, {} messages in {elapsed:.0} s ({:.0} store writes/s, {:.1} per batch)",
        mix.cases,
        progress.messages.load(Ordering::Relaxed),
        stats.jobs as f64 / elapsed,
        stats.jobs as f64 / stats.batches.max(1) as f64
    );
    outcome
}

async fn report(store: Store, mix: Mix, progress: Arc<Progress>, started: Instant) {
    let mut last = (Instant::now(), 0u64);
    loop {
        tokio::time::sleep(Duration::from_secs(10)).await;
        let jobs = store.stats().jobs;
        let rate = (jobs - last.1) as f64 / last.0.elapsed().as_secs_f64();
        last = (Instant::now(), jobs);
        eprintln!(
            "seed: {:>4.0} s, {}/{} units, {} messages, {rate:.0} store writes/s",
            started.elapsed().as_secs_f64(),
            progress.units.load(Ordering::Relaxed),
            mix.units(),
            progress.messages.load(Ordering::Relaxed),
        );
    }
}

/// Writes unit `u`; returns how many messages it appended.
async fn unit(store: &Store, cast: &Cast, mix: &Mix, u: u64) -> anyhow::Result<u64> {
    let budget = mix.messages_of(u);
    let channel = if u % 3 == 1 { Channel::Telegram } else { Channel::Web };
    let language = if u.is_multiple_of(2) { Language::Ru } else { Language::Uk };
    match mix.unit(u) {
        Unit::Loose(loose) => {
            let conversation = store.start_conversation(channel, language, None, None).await?;
            talk(store, &conversation, budget).await?;
            match loose {
                Loose::WithBot => {}
                Loose::Queued { priority } => {
                    store.queue_conversation(conversation.id, priority).await?;
                }
                Loose::TakenByMe => {
                    store.queue_conversation(conversation.id, false).await?;
                    store.take_conversation(conversation.id, cast.me).await?;
                }
            }
        }
        Unit::Case { fate, group, second_conversation, second_queued } => {
            let kind = if group { CaseKind::Group } else { CaseKind::Individual };
            let first_budget = if second_conversation { budget - budget / 3 } else { budget };
            let conversation = store.start_conversation(channel, language, None, None).await?;
            talk(store, &conversation, first_budget).await?;
            let (case, holder, stage) = match fate {
                Fate::Mine(stage) => {
                    (store.open_case(Some(conversation.id), kind, cast.me).await?, Some(cast.me), stage)
                }
                Fate::Theirs(stage) => {
                    let holder = cast.others[(u as usize / 7) % cast.others.len()];
                    (store.open_case(Some(conversation.id), kind, holder).await?, Some(holder), stage)
                }
                Fate::Unassigned | Fate::ClosedAtInquiry => {
                    (store.open_case_by_bot(conversation.id, kind).await?, None, CaseState::Inquiry)
                }
            };
            // The applicant comes back in a second conversation with the case's codename.
            let second = match second_conversation {
                true => Some(returning(store, case, channel, language, budget / 3).await?),
                false => None,
            };
            if fate == Fate::ClosedAtInquiry {
                let close = Transition::Close { reason: CloseReason::LostContact };
                store.transition_case(case, close, cast.operator, Role::Operator).await?;
            }
            if let Some(holder) = holder {
                advance(store, cast, case, (holder, group), stage).await?;
            }
            if let (Some(second), true) = (second, second_queued) {
                store.queue_conversation(second, false).await?;
            }
        }
    }
    Ok(budget)
}

/// Appends `count` messages, the applicant and staff in turn with the bot now and then.
async fn talk(store: &Store, conversation: &ConversationView, count: u64) -> anyhow::Result<()> {
    for i in 0..count {
        let (sender, text) = match i % 4 {
            0 => (Sender::Applicant, "Здравствуйте. Меня мобилизовали, через неделю отправляют. Что делать?"),
            1 => (Sender::Bot, "Спасибо. Ваша заявка зарегистрирована. Специалист свяжется с вами."),
            2 => (Sender::Staff, "Добрий день. Дякуємо, що написали. Коли вас можуть відправити?"),
            _ => (Sender::Applicant, "Кажуть, за два-три тижні. Пишу тільки ввечері."),
        };
        store.append_message(conversation, sender, text).await?;
    }
    Ok(())
}

/// A second conversation joined to `case` with its codename; returns its id.
async fn returning(
    store: &Store,
    case: CaseId,
    channel: Channel,
    language: Language,
    count: u64,
) -> anyhow::Result<ConversationId> {
    let codename = store.issue_codename(case).await?;
    let conversation = store.start_conversation(channel, language, None, None).await?;
    talk(store, &conversation, count).await?;
    anyhow::ensure!(store.join_by_codename(conversation.id, &codename).await?.is_some(), "codename not found");
    Ok(conversation.id)
}

/// Moves a held case along the path to `stage`, by the people the domain lets make each move.
async fn advance(
    store: &Store,
    cast: &Cast,
    case: CaseId,
    (holder, group): (UserId, bool),
    stage: CaseState,
) -> anyhow::Result<()> {
    let to = |state| Transition::Advance { to: state };
    let by = (holder, Role::Specialist);
    if stage == CaseState::Inquiry {
        return Ok(());
    }
    store.transition_case(case, to(CaseState::Registered), by.0, by.1).await?;
    if stage == CaseState::Closed {
        let close = Transition::Close { reason: CloseReason::Withdrew };
        store.transition_case(case, close, by.0, by.1).await?;
        return Ok(());
    }
    if group {
        store.set_group_composition(case, 4, 1, by.0, by.1).await?;
    }
    if stage == CaseState::Registered {
        return Ok(());
    }
    store.transition_case(case, to(CaseState::Deployed), by.0, by.1).await?;
    if stage == CaseState::Deployed {
        return Ok(());
    }
    let now = super::now_ms();
    let report = LocationReport::from_input(
        "48.3101, 38.0212",
        Some(100),
        LocationSource::ApplicantTyped,
        Some(now - HOUR_MS),
        now,
    )?;
    store.record_location(case, &report, holder).await?;
    store.transition_case(case, to(CaseState::Located), by.0, by.1).await?;
    if stage == CaseState::Located {
        return Ok(());
    }
    let (plan, _) = store.save_plan(case, &plan(now), by.0, by.1).await?;
    store.submit_plan(case, by.0, by.1).await?;
    store.approve_plan(case, plan, cast.coordinator2, Role::Coordinator).await?;
    if stage == CaseState::PlanApproved {
        return Ok(());
    }
    store.hand_off(case, cast.coordinator, Role::Coordinator).await?;
    if stage == CaseState::HandedOff {
        return Ok(());
    }
    for status in [OperationsStatus::Accepted, OperationsStatus::UnderWay, OperationsStatus::Completed] {
        store.report_operations(case, status, "", cast.operations, Role::Operations).await?;
    }
    store.record_exit(case, by.0, by.1).await?;
    Ok(())
}

fn plan(now: i64) -> PlanContent {
    let tomorrow = now + 24 * HOUR_MS;
    PlanContent {
        rendezvous: "48.0390, 37.8930".to_owned(),
        rendezvous_note: "Мост через балку".to_owned(),
        window_from_ms: tomorrow,
        window_to_ms: tomorrow + 2 * HOUR_MS,
        signals: "Белая ткань на левой руке.".to_owned(),
        instructions: "Выходите без оружия, руки на виду.".to_owned(),
        language: Language::Ru,
        avoid: "Дорога вдоль посадки.".to_owned(),
        risks: "Днём работают дроны.".to_owned(),
    }
}

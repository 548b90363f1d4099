//! The demo's small world: conversations waiting, with the bot and a relative's, and cases in
//! every state along the path, made only through the store's own API (what the console and the
//! bot call), so every row has its event and every rule is kept. Invented people and places
//! near the front line in the occupied east; applicants write Russian or Ukrainian, staff notes
//! are Ukrainian or English.

use std::collections::BTreeMap;

use safepassage_domain::{
    location, ArrivalStatus, CaseId, CaseKind, CaseState, Channel, CloseReason, ExitChoice, Language, LocationReport,
    LocationSource, OperationsStatus, OutcomeFact, PlanContent, Role, Sender, Transition, UserId,
};
use safepassage_store::{ConversationView, NoteKind, Store};

const HOUR_MS: i64 = 60 * 60 * 1000;
const DAY_MS: i64 = 24 * HOUR_MS;

/// The demo staff who act in the world.
pub struct Cast {
    pub operator: UserId,
    pub specialist: UserId,
    pub coordinator: UserId,
    /// Approves what `specialist` wrote while `coordinator` reviews other plans (four eyes).
    pub coordinator2: UserId,
    pub operations: UserId,
}

fn now_ms() -> i64 {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
}

pub async fn seed(store: &Store, cast: &Cast) -> anyhow::Result<()> {
    conversations(store).await?;
    inquiries(store, cast).await?;
    registered(store, cast).await?;
    deployed(store, cast).await?;
    located(store, cast).await?;
    plans(store, cast).await?;
    exit_path(store, cast).await?;
    closed(store, cast).await?;
    Ok(())
}

/// A conversation with its first messages.
async fn talk(
    store: &Store,
    channel: Channel,
    language: Language,
    messages: &[(Sender, &str)],
) -> anyhow::Result<ConversationView> {
    let conversation = store.start_conversation(channel, language, None, None).await?;
    for (sender, text) in messages {
        store.append_message(&conversation, *sender, text).await?;
    }
    Ok(conversation)
}

/// Conversations with no case: two waiting in the queue (one urgent) and one with the bot.
async fn conversations(store: &Store) -> anyhow::Result<()> {
    let waiting = talk(
        store,
        Channel::Web,
        Language::Ru,
        &[
            (Sender::Applicant, "Здравствуйте. Мужа призвали, что ему делать?"),
            (Sender::Bot, "Здравствуйте. Вы на связи со службой помощи. Оператор скоро ответит."),
        ],
    )
    .await?;
    store.queue_conversation(waiting.id, false).await?;

    let urgent = talk(
        store,
        Channel::Telegram,
        Language::Uk,
        &[
            (Sender::Applicant, "Терміново! Нас завтра везуть на позиції під Токмак. Що робити?"),
            (Sender::Bot, "Ми вас чуємо. Оператор відповість якнайшвидше. Не пишіть тут свого імені."),
        ],
    )
    .await?;
    store.queue_conversation(urgent.id, true).await?;

    talk(
        store,
        Channel::Web,
        Language::Ru,
        &[
            (Sender::Bot, "Здравствуйте. Вы на связи со службой помощи. Чем можем помочь?"),
            (Sender::Applicant, "Хочу узнать, как у вас всё устроено. Это анонимно?"),
            (Sender::Bot, "Да. Мы не спрашиваем имени. Выберите, что вам ближе: 1) меня призвали, 2) я уже в части."),
        ],
    )
    .await?;
    Ok(())
}

/// Two registrations by the bot, unassigned, with the same intake answers an hour apart; the
/// coordinator flags the second as suspicious.
async fn inquiries(store: &Store, cast: &Cast) -> anyhow::Result<()> {
    let answers: BTreeMap<String, String> =
        [("region", "Донецкая область"), ("status", "мобилизован"), ("unit", "не знаю номер части")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
    let mut opened = Vec::new();
    for (channel, first) in [
        (Channel::Telegram, "Здравствуйте. Меня мобилизовали, через неделю отправляют под Горловку. Как сдаться?"),
        (Channel::Web, "Добрый день. Мобилизовали, отправляют под Горловку. Что делать, чтобы сдаться?"),
    ] {
        let conversation = talk(
            store,
            channel,
            Language::Ru,
            &[
                (Sender::Applicant, first),
                (Sender::Bot, "Спасибо. Ваша заявка зарегистрирована. Специалист свяжется с вами."),
            ],
        )
        .await?;
        let case = store.open_case_by_bot(conversation.id, CaseKind::Individual).await?;
        store.record_intake_answers(case, &answers).await?;
        opened.push(case);
    }
    if let Some(second) = opened.last() {
        let reason = "Ті самі відповіді, що й у попередній заявці годину тому. Перевірити перед контактом.";
        store.flag_case(*second, cast.coordinator, reason).await?;
    }
    Ok(())
}

/// A case an operator opened and registered, assigned to the specialist, with a note and the
/// next contact expected tomorrow.
async fn registered(store: &Store, cast: &Cast) -> anyhow::Result<()> {
    let conversation = talk(
        store,
        Channel::Telegram,
        Language::Uk,
        &[
            (Sender::Applicant, "Добрий день. Мене призвали в Мелітополі, поки що в навчальному центрі."),
            (Sender::Staff, "Добрий день. Дякуємо, що написали. Коли вас можуть відправити?"),
            (Sender::Applicant, "Кажуть, за два-три тижні. Пишу тільки ввечері."),
        ],
    )
    .await?;
    let case = store.open_case(Some(conversation.id), CaseKind::Individual, cast.operator).await?;
    let advance = Transition::Advance { to: CaseState::Registered };
    store.transition_case(case, advance, cast.operator, Role::Operator).await?;
    store.assign_case(case, cast.specialist, cast.coordinator, Role::Coordinator).await?;
    store
        .add_note(
            case,
            NoteKind::Note,
            cast.specialist,
            "Навчальний центр під Мелітополем, відправка очікується за 2–3 тижні. Зв'язок лише ввечері.",
        )
        .await?;
    // lead: the store has no clock to set, so this becomes overdue (the "silent" list) only a
    // day after seeding; the located cases (1 day default wait) go silent by then too.
    store.set_next_contact(case, 1, cast.specialist, Role::Specialist).await?;
    Ok(())
}

/// Opens a case for the specialist and moves it to `registered`.
async fn registered_case(
    store: &Store,
    cast: &Cast,
    kind: CaseKind,
    conversation: &ConversationView,
) -> anyhow::Result<CaseId> {
    let case = store.open_case(Some(conversation.id), kind, cast.specialist).await?;
    let advance = Transition::Advance { to: CaseState::Registered };
    store.transition_case(case, advance, cast.specialist, Role::Specialist).await?;
    Ok(case)
}

/// The applicant reported "I have been deployed" and the specialist confirmed it; the
/// applicant's mother writes too, her conversation linked to the case as a relative's.
async fn deployed(store: &Store, cast: &Cast) -> anyhow::Result<()> {
    let conversation = talk(
        store,
        Channel::Telegram,
        Language::Ru,
        &[
            (Sender::Applicant, "Нас перебросили под Донецк, стоим возле Марьинки. Связь плохая."),
            (Sender::Staff, "Понял вас. Когда сможете, напишите, где вы. Берегите телефон."),
        ],
    )
    .await?;
    let case = registered_case(store, cast, CaseKind::Individual, &conversation).await?;
    store.report_deployed(case, conversation.id).await?;
    let advance = Transition::Advance { to: CaseState::Deployed };
    store.transition_case(case, advance, cast.specialist, Role::Specialist).await?;
    store.add_note(case, NoteKind::Note, cast.specialist, "Deployed near Marinka; writes every 2–3 days.").await?;

    let mother = talk(
        store,
        Channel::Web,
        Language::Uk,
        &[(Sender::Applicant, "Доброго дня. Мій син там, під Донецьком. Він писав вам. Що я можу зробити?")],
    )
    .await?;
    store.link_relative(mother.id, case, cast.specialist, Role::Specialist).await?;
    Ok(())
}

/// A staff-recorded location report on `case`, true `ago_ms` ago.
async fn report(
    store: &Store,
    case: CaseId,
    by: UserId,
    (input, accuracy_m, source): (&str, Option<u32>, LocationSource),
    ago_ms: i64,
) -> anyhow::Result<()> {
    let now = now_ms();
    let report = LocationReport::from_input(input, accuracy_m, source, Some(now - ago_ms), now)?;
    store.record_location(case, &report, by).await?;
    Ok(())
}

/// A registered case, deployed, with a location and moved to `located`.
async fn located_case(
    store: &Store,
    cast: &Cast,
    kind: CaseKind,
    messages: &[(Sender, &str)],
    (lat, lon): (f64, f64),
) -> anyhow::Result<CaseId> {
    let conversation = talk(store, Channel::Telegram, Language::Ru, messages).await?;
    let case = registered_case(store, cast, kind, &conversation).await?;
    if kind == CaseKind::Group {
        store.set_group_composition(case, 4, 1, cast.specialist, Role::Specialist).await?;
    }
    let deployed = Transition::Advance { to: CaseState::Deployed };
    store.transition_case(case, deployed, cast.specialist, Role::Specialist).await?;
    let point = format!("{lat:.4}, {lon:.4}");
    report(store, case, cast.specialist, (&point, Some(100), LocationSource::ApplicantTyped), 3 * HOUR_MS).await?;
    let located = Transition::Advance { to: CaseState::Located };
    store.transition_case(case, located, cast.specialist, Role::Specialist).await?;
    Ok(case)
}

/// Located near Horlivka, with three reports over three days: MGRS from a call, decimal
/// degrees typed by the applicant, and words.
async fn located(store: &Store, cast: &Cast) -> anyhow::Result<()> {
    let conversation = talk(
        store,
        Channel::Telegram,
        Language::Ru,
        &[
            (Sender::Applicant, "Мы под Горловкой, на окраине. Координаты скину, когда будет связь."),
            (Sender::Applicant, "48.3101, 38.0212"),
            (Sender::Applicant, "Теперь в посадке за заправкой на выезде из Горловки в сторону Ясиноватой."),
        ],
    )
    .await?;
    let case = registered_case(store, cast, CaseKind::Individual, &conversation).await?;
    let advance = Transition::Advance { to: CaseState::Deployed };
    store.transition_case(case, advance, cast.specialist, Role::Specialist).await?;
    let mgrs = location::mgrs_of(48.3336, 38.0925, 4)?;
    let by = cast.specialist;
    report(store, case, by, (&mgrs, None, LocationSource::StaffCall), 3 * DAY_MS).await?;
    report(store, case, by, ("48.3101, 38.0212", Some(50), LocationSource::ApplicantTyped), DAY_MS).await?;
    let words = "Посадка за заправкой на выезде из Горловки в сторону Ясиноватой";
    report(store, case, by, (words, None, LocationSource::ApplicantTyped), 2 * HOUR_MS).await?;
    let advance = Transition::Advance { to: CaseState::Located };
    store.transition_case(case, advance, by, Role::Specialist).await?;
    store.add_note(case, NoteKind::Note, by, "Moves every day or two; the newest report is words only.").await?;
    Ok(())
}

/// A plan near `(lat, lon)` for tomorrow evening, in Russian for the applicant.
fn plan_near((lat, lon): (f64, f64), note: &str) -> PlanContent {
    let tomorrow = now_ms() + DAY_MS;
    PlanContent {
        rendezvous: format!("{lat:.4}, {lon:.4}"),
        rendezvous_note: note.to_owned(),
        window_from_ms: tomorrow,
        window_to_ms: tomorrow + 2 * HOUR_MS,
        signals: "Белая ткань на левой руке; на вопрос «Откуда?» ответ «С Волги».".to_owned(),
        instructions: "Выходите без оружия, руки на виду. Идите по лесополосе на запад до отметки. \
                       Телефон выключите заранее."
            .to_owned(),
        language: Language::Ru,
        avoid: "Дорога вдоль посадки заминирована, по ней не идти.".to_owned(),
        risks: "Днём работают дроны: выходить только в сумерках.".to_owned(),
    }
}

/// Located cases with a plan waiting for a coordinator, a plan sent back with a comment, and a
/// plan approved by the second coordinator.
async fn plans(store: &Store, cast: &Cast) -> anyhow::Result<()> {
    let by = cast.specialist;
    let near_melitopol = (46.8720, 35.3310);
    let case = located_case(
        store,
        cast,
        CaseKind::Individual,
        &[(Sender::Applicant, "Мы под Мелитополем, на севере, у трассы. Готов выйти в любой день.")],
        near_melitopol,
    )
    .await?;
    store
        .save_plan(case, &plan_near((46.8805, 35.3402), "Разрушенная остановка у трассы"), by, Role::Specialist)
        .await?;
    store.submit_plan(case, by, Role::Specialist).await?;

    let near_donetsk = (48.0159, 37.8028);
    let case = located_case(
        store,
        cast,
        CaseKind::Individual,
        &[(Sender::Applicant, "Я в Донецке, на западной окраине. Выйти смогу только утром.")],
        near_donetsk,
    )
    .await?;
    let (plan, _) =
        store.save_plan(case, &plan_near((48.0101, 37.7310), "Водонапорная башня"), by, Role::Specialist).await?;
    store.submit_plan(case, by, Role::Specialist).await?;
    let comment = "Вікно збігається з обстрілами ввечері; перенести на ранок і додати запасну точку.";
    store.return_plan(case, plan, comment, cast.coordinator, Role::Coordinator).await?;

    let near_makiivka = (48.0478, 37.9258);
    let case = located_case(
        store,
        cast,
        CaseKind::Individual,
        &[(Sender::Applicant, "Стоим у Макеевки, в частном секторе. Жду ваших указаний.")],
        near_makiivka,
    )
    .await?;
    let (plan, _) =
        store.save_plan(case, &plan_near((48.0390, 37.8930), "Мост через балку"), by, Role::Specialist).await?;
    store.submit_plan(case, by, Role::Specialist).await?;
    store.approve_plan(case, plan, cast.coordinator2, Role::Coordinator).await?;
    Ok(())
}

/// A located case whose plan the specialist wrote and the second coordinator approved, handed
/// to operations by the first coordinator.
async fn handed_off(
    store: &Store,
    cast: &Cast,
    kind: CaseKind,
    messages: &[(Sender, &str)],
    (at, rendezvous, note): ((f64, f64), (f64, f64), &str),
) -> anyhow::Result<CaseId> {
    let case = located_case(store, cast, kind, messages, at).await?;
    let by = cast.specialist;
    let (plan, _) = store.save_plan(case, &plan_near(rendezvous, note), by, Role::Specialist).await?;
    store.submit_plan(case, by, Role::Specialist).await?;
    store.approve_plan(case, plan, cast.coordinator2, Role::Coordinator).await?;
    store.hand_off(case, cast.coordinator, Role::Coordinator).await?;
    Ok(case)
}

/// A group of four (one officer) with operations under way, and an exit recorded with its
/// outcome.
async fn exit_path(store: &Store, cast: &Cast) -> anyhow::Result<()> {
    let ops = (cast.operations, Role::Operations);
    let group = handed_off(
        store,
        cast,
        CaseKind::Group,
        &[(Sender::Applicant, "Нас четверо, один из нас офицер. Стоим под Ясиноватой, все готовы.")],
        ((48.1283, 37.8589), (48.1190, 37.8120), "Перекрёсток у разбитой фермы"),
    )
    .await?;
    store.report_operations(group, OperationsStatus::Accepted, "", ops.0, ops.1).await?;
    store.report_operations(group, OperationsStatus::UnderWay, "", ops.0, ops.1).await?;
    store.add_note(group, NoteKind::Note, cast.specialist, "Група з чотирьох, один офіцер. Усі йдуть разом.").await?;

    let exited = handed_off(
        store,
        cast,
        CaseKind::Individual,
        &[(Sender::Applicant, "Я под Токмаком, один. Готов идти, как скажете.")],
        ((47.2547, 35.7058), (47.2710, 35.6650), "Старая водокачка у дороги"),
    )
    .await?;
    for status in [OperationsStatus::Accepted, OperationsStatus::UnderWay, OperationsStatus::Completed] {
        store.report_operations(exited, status, "", ops.0, ops.1).await?;
    }
    store.record_exit(exited, cast.specialist, Role::Specialist).await?;
    for fact in [
        OutcomeFact::Arrival { status: ArrivalStatus::PrisonerOfWar },
        OutcomeFact::GuaranteesExplained,
        OutcomeFact::Choice { choice: ExitChoice::Undecided },
    ] {
        store.record_outcome(exited, fact, cast.specialist, Role::Specialist).await?;
    }
    store.add_note(exited, NoteKind::Note, cast.specialist, "Exit done; guarantees explained on arrival.").await?;
    Ok(())
}

/// A registered applicant who withdrew.
async fn closed(store: &Store, cast: &Cast) -> anyhow::Result<()> {
    let conversation = talk(
        store,
        Channel::Web,
        Language::Uk,
        &[(Sender::Applicant, "Дякую за допомогу, але я передумав. Родина просить залишитися.")],
    )
    .await?;
    let case = registered_case(store, cast, CaseKind::Individual, &conversation).await?;
    store.add_note(case, NoteKind::Note, cast.specialist, "Відмовився сам; за потреби може написати знову.").await?;
    let close = Transition::Close { reason: CloseReason::Withdrew };
    store.transition_case(case, close, cast.specialist, Role::Specialist).await?;
    Ok(())
}

//! What the event log adds to the figures: the projection from events to counters per UTC day.
//! The store runs it over each batch of new events and keeps the sums, so figures are never
//! computed by scanning every message, and they outlive the content they count (shredding
//! destroys keys, not counters).
//!
//! A case's clock (its state and since when, its kind and group size) and a queued
//! conversation's clock (since when, urgent or not) are the projection's only memory: they
//! give the time between states and the time waiting in the queue.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::case::{Case, CaseKind, CaseState, GroupComposition};
use crate::event::{Event, EventEnvelope};
use crate::figures::classify::Classified;
use crate::figures::histogram::bucket_of;
use crate::figures::period::day_of;
use crate::ids::{CaseId, ConversationId, UserId};

/// What a counter counts. `a` and `b` say which cell (the metric's documentation names them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Metric {
    /// Conversations started: `a` channel, `b` language.
    Contacts,
    /// Cases opened: `a` kind.
    CasesOpened,
    /// A case's moves between states (closing and exiting too): `a` from, `b` to.
    CaseMoves,
    /// Cases closed: `a` the state closed from, `b` the reason.
    Closes,
    /// Exits: `a` kind. People exited (`ExitPeople`) and officers among them (`ExitOfficers`)
    /// count people; a group exit adds its size.
    Exits,
    ExitPeople,
    ExitOfficers,
    /// Time spent in a state before leaving it: `a` the state, `b` the histogram bucket.
    StateTime,
    /// Conversations put in the queue: `a` `urgent` or `normal`.
    Queued,
    /// Time waiting in the queue until taken: `a` `urgent` or `normal`, `b` the bucket.
    QueueWait,
    /// Conversations taken by a person.
    Taken,
    /// Applicants by who they are (`a`), from the bot's results.
    Who,
    /// Applicants by where they say they are (`a`), from the bot's results.
    Whereabouts,
}

impl Metric {
    pub const ALL: [Metric; 13] = [
        Metric::Contacts,
        Metric::CasesOpened,
        Metric::CaseMoves,
        Metric::Closes,
        Metric::Exits,
        Metric::ExitPeople,
        Metric::ExitOfficers,
        Metric::StateTime,
        Metric::Queued,
        Metric::QueueWait,
        Metric::Taken,
        Metric::Who,
        Metric::Whereabouts,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Contacts => "contacts",
            Metric::CasesOpened => "cases_opened",
            Metric::CaseMoves => "case_moves",
            Metric::Closes => "closes",
            Metric::Exits => "exits",
            Metric::ExitPeople => "exit_people",
            Metric::ExitOfficers => "exit_officers",
            Metric::StateTime => "state_time",
            Metric::Queued => "queued",
            Metric::QueueWait => "queue_wait",
            Metric::Taken => "taken",
            Metric::Who => "who",
            Metric::Whereabouts => "whereabouts",
        }
    }

    pub fn parse(s: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// One counter: a metric's cell on a day.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub metric: Metric,
    pub day: i32,
    pub a: String,
    pub b: String,
}

impl Key {
    pub fn new(metric: Metric, day: i32, a: impl Into<String>, b: impl Into<String>) -> Key {
        Key { metric, day, a: a.into(), b: b.into() }
    }
}

/// A case as the projection remembers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseClock {
    pub state: CaseState,
    pub kind: CaseKind,
    /// People in it (1 for an individual) and officers among them.
    pub size: u32,
    pub officers: u32,
    /// When it entered `state`.
    pub since_ms: i64,
}

/// A conversation waiting in the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueClock {
    pub queued_ms: i64,
    pub urgent: bool,
}

/// The clocks a batch of events needs read before it is projected.
pub fn clocks_needed(events: &[EventEnvelope]) -> (Vec<CaseId>, Vec<ConversationId>) {
    let mut cases = BTreeSet::new();
    let mut conversations = BTreeSet::new();
    for e in events {
        if let Some(case) = moving_case(&e.event) {
            cases.insert(case);
        }
        if let Event::ConversationQueued { conversation, .. }
        | Event::ConversationAssigned { conversation, .. }
        | Event::ConversationClosed { conversation, .. } = &e.event
        {
            conversations.insert(*conversation);
        }
    }
    (cases.into_iter().collect(), conversations.into_iter().collect())
}

/// The case an event may move or resize (`Case::apply` decides whether it does).
fn moving_case(event: &Event) -> Option<CaseId> {
    match event {
        Event::CaseAdvanced { case, .. }
        | Event::CaseClosed { case, .. }
        | Event::GroupCompositionSet { case, .. }
        | Event::PlanDrafted { case, withdraws_approval: true, .. }
        | Event::PlanApproved { case, .. }
        | Event::CaseHandedOff { case, .. }
        | Event::OperationsReported { case, .. }
        | Event::ExitRecorded { case, .. } => Some(*case),
        _ => None,
    }
}

/// The counts a batch adds, and the clocks it changed (to be written back with the counts).
#[derive(Debug, Default)]
pub struct Projection {
    pub counts: BTreeMap<Key, i64>,
    /// Conversations each member of staff took per day: for staffing figures, never shown per
    /// person.
    pub taken_by: BTreeMap<(i32, UserId), i64>,
    cases: HashMap<CaseId, CaseClock>,
    queued: HashMap<ConversationId, Option<QueueClock>>,
    changed_cases: BTreeSet<CaseId>,
    changed_queue: BTreeSet<ConversationId>,
}

fn urgency(urgent: bool) -> &'static str {
    if urgent {
        "urgent"
    } else {
        "normal"
    }
}

fn kind_str(kind: CaseKind) -> &'static str {
    match kind {
        CaseKind::Individual => "individual",
        CaseKind::Group => "group",
    }
}

impl Projection {
    /// Starts from the clocks read for the batch (`clocks_needed`).
    pub fn new(cases: HashMap<CaseId, CaseClock>, queued: HashMap<ConversationId, QueueClock>) -> Projection {
        Projection { cases, queued: queued.into_iter().map(|(id, c)| (id, Some(c))).collect(), ..Projection::default() }
    }

    fn add(&mut self, key: Key, n: i64) {
        *self.counts.entry(key).or_insert(0) += n;
    }

    /// Counts one event.
    pub fn apply(&mut self, envelope: &EventEnvelope) {
        let (at, day) = (envelope.at_ms, day_of(envelope.at_ms));
        match &envelope.event {
            Event::ConversationStarted { channel, language, .. } => {
                self.add(Key::new(Metric::Contacts, day, channel.as_str(), language.as_str()), 1);
            }
            Event::ConversationQueued { conversation, priority } => {
                self.add(Key::new(Metric::Queued, day, urgency(*priority), ""), 1);
                self.queued.insert(*conversation, Some(QueueClock { queued_ms: at, urgent: *priority }));
                self.changed_queue.insert(*conversation);
            }
            Event::ConversationAssigned { conversation, to } => {
                if let Some(Some(clock)) = self.queued.get(conversation).copied() {
                    let bucket = bucket_of(at - clock.queued_ms).to_string();
                    self.add(Key::new(Metric::QueueWait, day, urgency(clock.urgent), bucket), 1);
                    self.queued.insert(*conversation, None);
                    self.changed_queue.insert(*conversation);
                }
                self.add(Key::new(Metric::Taken, day, "", ""), 1);
                *self.taken_by.entry((day, *to)).or_insert(0) += 1;
            }
            Event::ConversationClosed { conversation, .. } => {
                if let Some(Some(_)) = self.queued.get(conversation) {
                    self.queued.insert(*conversation, None);
                    self.changed_queue.insert(*conversation);
                }
            }
            Event::CaseOpened { case, kind, .. } => {
                self.add(Key::new(Metric::CasesOpened, day, kind_str(*kind), ""), 1);
                let clock = CaseClock { state: CaseState::Inquiry, kind: *kind, size: 1, officers: 0, since_ms: at };
                self.cases.insert(*case, clock);
                self.changed_cases.insert(*case);
            }
            event => self.case_event(event, at, day),
        }
    }

    /// A case's move, by the same rules the case itself follows (`Case::apply`).
    fn case_event(&mut self, event: &Event, at: i64, day: i32) {
        let Some(id) = moving_case(event) else { return };
        let Some(clock) = self.cases.get(&id).copied() else {
            // A case the projection never saw open (its opening came before the log was
            // kept): its moves still count, its times cannot.
            if let Event::CaseAdvanced { from, to, .. } = event {
                self.add(Key::new(Metric::CaseMoves, day, from.as_str(), to.as_str()), 1);
            }
            if let Event::CaseClosed { from, reason, .. } = event {
                self.add(Key::new(Metric::CaseMoves, day, from.as_str(), CaseState::Closed.as_str()), 1);
                self.add(Key::new(Metric::Closes, day, from.as_str(), reason.as_str()), 1);
            }
            return;
        };
        let composition = GroupComposition { size: clock.size, officers: clock.officers };
        let mut case = Case { id, state: clock.state, kind: clock.kind, composition: Some(composition) };
        case.apply(event);
        let mut next = clock;
        if let Some(c) = case.composition {
            next.size = c.size;
            next.officers = c.officers;
        }
        if case.state != clock.state {
            let (from, to) = (clock.state, case.state);
            self.add(Key::new(Metric::CaseMoves, day, from.as_str(), to.as_str()), 1);
            self.add(Key::new(Metric::StateTime, day, from.as_str(), bucket_of(at - clock.since_ms).to_string()), 1);
            if let Event::CaseClosed { reason, .. } = event {
                self.add(Key::new(Metric::Closes, day, from.as_str(), reason.as_str()), 1);
            }
            if to == CaseState::Exited {
                let kind = kind_str(clock.kind);
                self.add(Key::new(Metric::Exits, day, kind, ""), 1);
                self.add(Key::new(Metric::ExitPeople, day, kind, ""), i64::from(next.size.max(1)));
                self.add(Key::new(Metric::ExitOfficers, day, kind, ""), i64::from(next.officers));
            }
            next.state = to;
            next.since_ms = at;
        }
        if next != clock {
            self.cases.insert(id, next);
            self.changed_cases.insert(id);
        }
    }

    /// The case clocks to write back.
    pub fn changed_cases(&self) -> impl Iterator<Item = (CaseId, CaseClock)> + '_ {
        self.changed_cases.iter().filter_map(|id| self.cases.get(id).map(|c| (*id, *c)))
    }

    /// The queue clocks to write back (None: the conversation no longer waits).
    pub fn changed_queue(&self) -> impl Iterator<Item = (ConversationId, Option<QueueClock>)> + '_ {
        self.changed_queue.iter().map(|id| (*id, self.queued.get(id).copied().flatten()))
    }
}

/// What a bot step that changed an applicant's categories adds: the old ones out, the new ones
/// in, on the step's day.
pub fn reclassified(before: Classified, after: Classified, day: i32) -> Vec<(Key, i64)> {
    let mut out = Vec::new();
    if before.who != after.who {
        out.extend(before.who.map(|w| (Key::new(Metric::Who, day, w.as_str(), ""), -1)));
        out.extend(after.who.map(|w| (Key::new(Metric::Who, day, w.as_str(), ""), 1)));
    }
    if before.whereabouts != after.whereabouts {
        out.extend(before.whereabouts.map(|w| (Key::new(Metric::Whereabouts, day, w.as_str(), ""), -1)));
        out.extend(after.whereabouts.map(|w| (Key::new(Metric::Whereabouts, day, w.as_str(), ""), 1)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::CloseReason;
    use crate::role::Role;
    use crate::vocabulary::{Channel, Language, Who};
    use crate::ContactId;
    use uuid::Uuid;

    const DAY: i64 = 86_400_000;

    fn at(ms: i64, event: Event) -> EventEnvelope {
        EventEnvelope { seq: 0, at_ms: ms, event }
    }

    fn count(p: &Projection, metric: Metric, a: &str, b: &str) -> i64 {
        p.counts.iter().filter(|(k, _)| k.metric == metric && k.a == a && k.b == b).map(|(_, n)| n).sum()
    }

    #[test]
    fn a_case_through_to_exit_counts_its_moves_times_and_people() {
        let (case, user) = (CaseId(Uuid::from_u128(1)), UserId(Uuid::nil()));
        let mut p = Projection::default();
        let events = [
            at(0, Event::CaseOpened { case, kind: CaseKind::Group, conversation: None, by: user }),
            at(
                DAY,
                Event::CaseAdvanced {
                    case,
                    from: CaseState::Inquiry,
                    to: CaseState::Registered,
                    by: user,
                    role: Role::Operator,
                },
            ),
            at(DAY + 5, Event::GroupCompositionSet { case, size: 4, officers: 1, by: user }),
            at(
                3 * DAY,
                Event::CaseAdvanced {
                    case,
                    from: CaseState::Registered,
                    to: CaseState::Deployed,
                    by: user,
                    role: Role::Specialist,
                },
            ),
            at(
                3 * DAY + 1,
                Event::CaseAdvanced {
                    case,
                    from: CaseState::Deployed,
                    to: CaseState::Located,
                    by: user,
                    role: Role::Specialist,
                },
            ),
            at(4 * DAY, Event::PlanApproved { case, plan: Uuid::nil(), version: 1, by: user }),
            at(5 * DAY, Event::CaseHandedOff { case, plan: Uuid::nil(), by: user }),
            at(6 * DAY, Event::ExitRecorded { case, by: user }),
        ];
        for e in &events {
            p.apply(e);
        }
        assert_eq!(count(&p, Metric::CasesOpened, "group", ""), 1);
        assert_eq!(count(&p, Metric::CaseMoves, "inquiry", "registered"), 1);
        assert_eq!(count(&p, Metric::CaseMoves, "located", "plan_approved"), 1);
        assert_eq!(count(&p, Metric::CaseMoves, "handed_off", "exited"), 1);
        assert_eq!(count(&p, Metric::Exits, "group", ""), 1);
        assert_eq!(count(&p, Metric::ExitPeople, "group", ""), 4);
        assert_eq!(count(&p, Metric::ExitOfficers, "group", ""), 1);
        // A day in inquiry, two in registered.
        assert_eq!(count(&p, Metric::StateTime, "inquiry", &bucket_of(DAY).to_string()), 1);
        assert_eq!(count(&p, Metric::StateTime, "registered", &bucket_of(2 * DAY - 5 + 5).to_string()), 1);
        let exit = p.counts.keys().find(|k| k.metric == Metric::Exits).unwrap();
        assert_eq!(exit.day, 6);
        let (_, clock) = p.changed_cases().next().unwrap();
        assert_eq!((clock.state, clock.since_ms, clock.size), (CaseState::Exited, 6 * DAY, 4));
    }

    #[test]
    fn a_case_known_from_its_clock_closes_with_its_reason_and_time() {
        let (case, user) = (CaseId(Uuid::from_u128(2)), UserId(Uuid::nil()));
        let clock =
            CaseClock { state: CaseState::Located, kind: CaseKind::Individual, size: 1, officers: 0, since_ms: 0 };
        let mut p = Projection::new(HashMap::from([(case, clock)]), HashMap::new());
        let close = Event::CaseClosed {
            case,
            from: CaseState::Located,
            reason: CloseReason::LostContact,
            by: user,
            role: Role::Coordinator,
        };
        p.apply(&at(10 * DAY, close));
        assert_eq!(count(&p, Metric::Closes, "located", "lost_contact"), 1);
        assert_eq!(count(&p, Metric::CaseMoves, "located", "closed"), 1);
        assert_eq!(count(&p, Metric::StateTime, "located", &bucket_of(10 * DAY).to_string()), 1);
        assert_eq!(count(&p, Metric::Exits, "individual", ""), 0);
    }

    #[test]
    fn queue_waits_are_timed_from_queueing_to_taking_and_taken_counted_per_person() {
        let (c1, c2) = (ConversationId(Uuid::from_u128(1)), ConversationId(Uuid::from_u128(2)));
        let op = UserId(Uuid::from_u128(9));
        let mut p = Projection::default();
        let started = Event::ConversationStarted {
            conversation: c1,
            contact: ContactId(Uuid::nil()),
            channel: Channel::Telegram,
            language: Language::Ru,
        };
        p.apply(&at(0, started));
        p.apply(&at(1000, Event::ConversationQueued { conversation: c1, priority: true }));
        p.apply(&at(61_000, Event::ConversationAssigned { conversation: c1, to: op }));
        p.apply(&at(2000, Event::ConversationQueued { conversation: c2, priority: false }));
        p.apply(&at(3000, Event::ConversationClosed { conversation: c2, by: op }));
        assert_eq!(count(&p, Metric::Contacts, "telegram", "ru"), 1);
        assert_eq!(count(&p, Metric::QueueWait, "urgent", &bucket_of(60_000).to_string()), 1);
        assert_eq!(count(&p, Metric::Queued, "normal", ""), 1);
        assert_eq!(count(&p, Metric::Taken, "", ""), 1);
        assert_eq!(p.taken_by.get(&(0, op)), Some(&1));
        let queue: Vec<_> = p.changed_queue().collect();
        assert_eq!(queue, vec![(c1, None), (c2, None)]);
    }

    #[test]
    fn a_changed_answer_moves_the_applicant_between_categories() {
        let before = Classified { who: Some(Who::Serviceman), whereabouts: None };
        let after = Classified { who: Some(Who::Mobilised), whereabouts: None };
        let moved = reclassified(before, after, 3);
        assert_eq!(
            moved,
            vec![(Key::new(Metric::Who, 3, "serviceman", ""), -1), (Key::new(Metric::Who, 3, "mobilised", ""), 1)]
        );
        assert!(reclassified(after, after, 3).is_empty());
        for m in Metric::ALL {
            assert_eq!(Metric::parse(m.as_str()), Some(m));
        }
    }
}

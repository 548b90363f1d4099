//! What the seeded world holds, decided per unit by its index alone (no randomness, so two
//! runs of one size seed the same shapes): a unit is one case with its conversations, or one
//! conversation without a case. Kept apart from the writing so the proportions read in one place.

use safepassage_domain::CaseState;

/// The fate of one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// Held by the measured specialist, in this open (or closed) stage.
    Mine(CaseState),
    /// Registered by the bot and held by nobody: the coordinators' unassigned list.
    Unassigned,
    /// Held by another specialist, in this stage.
    Theirs(CaseState),
    /// Opened by the bot, closed by an operator before anyone registered it.
    ClosedAtInquiry,
}

/// A conversation with no case: with the bot, or waiting in the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loose {
    WithBot,
    Queued {
        priority: bool,
    },
    /// Queued, then taken by the measured specialist (their "my conversations").
    TakenByMe,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Case { fate: Fate, group: bool, second_conversation: bool, second_queued: bool },
    Loose(Loose),
}

/// The proportions for `cases` cases and `messages` messages.
#[derive(Debug, Clone, Copy)]
pub struct Mix {
    pub cases: u64,
    pub messages: u64,
    /// Cases of the measured specialist: a few hundred.
    pub mine: u64,
    /// Open cases nobody holds: thousands.
    pub unassigned: u64,
    /// Conversations with no case (a tenth of the cases).
    pub loose: u64,
    /// Of the loose ones, waiting in the queue.
    pub queued: u64,
    /// Of the queued ones, taken by the measured specialist.
    pub taken: u64,
}

/// One conversation in this many is long (a case followed for months).
const LONG_EVERY: u64 = 1_000;
const LONG_MESSAGES: u64 = 300;

impl Mix {
    pub fn new(cases: u64, messages: u64) -> Mix {
        let mine = (cases / 20).clamp(1, 300);
        let unassigned = (cases / 10).clamp(1, 5_000);
        let loose = (cases / 10).max(1);
        let queued = (loose / 4).clamp(1, 2_000);
        let taken = (queued / 10).clamp(1, 20);
        Mix { cases, messages, mine, unassigned, loose, queued, taken }
    }

    pub fn units(&self) -> u64 {
        self.cases + self.loose
    }

    pub fn unit(&self, u: u64) -> Unit {
        if u >= self.cases {
            let l = u - self.cases;
            return Unit::Loose(if l < self.taken {
                Loose::TakenByMe
            } else if l < self.queued {
                Loose::Queued { priority: l.is_multiple_of(10) }
            } else {
                Loose::WithBot
            });
        }
        let fate = if u < self.mine {
            Fate::Mine(match u % 8 {
                0 => CaseState::Inquiry,
                1 | 2 => CaseState::Registered,
                3 | 4 => CaseState::Deployed,
                5 | 6 => CaseState::Located,
                _ => CaseState::Closed,
            })
        } else if u < self.mine + self.unassigned {
            Fate::Unassigned
        } else {
            match u % 1_000 {
                0..=199 => Fate::ClosedAtInquiry,
                200..=599 => Fate::Theirs(CaseState::Closed),
                600..=799 => Fate::Theirs(CaseState::Registered),
                800..=939 => Fate::Theirs(CaseState::Deployed),
                940..=989 => Fate::Theirs(CaseState::Located),
                990..=992 => Fate::Theirs(CaseState::PlanApproved),
                993..=995 => Fate::Theirs(CaseState::HandedOff),
                _ => Fate::Theirs(CaseState::Exited),
            }
        };
        let second_conversation = u % 4 == 1;
        // Applicants of the measured specialist's cases come back: their rows show as returning.
        let second_queued =
            second_conversation && matches!(fate, Fate::Mine(s) if s != CaseState::Closed) && u.is_multiple_of(3);
        Unit::Case { fate, group: u % 10 == 3, second_conversation, second_queued }
    }

    /// Messages of unit `u`: a long conversation now and then, the rest spread evenly.
    pub fn messages_of(&self, u: u64) -> u64 {
        let units = self.units();
        let long_units = units / LONG_EVERY;
        let long_total = long_units * LONG_MESSAGES;
        if long_total * 2 > self.messages {
            // Too few messages for long conversations: spread them all.
            return self.messages / units + u64::from(u < self.messages % units);
        }
        if u % LONG_EVERY == LONG_EVERY / 2 && u / LONG_EVERY < long_units {
            return LONG_MESSAGES;
        }
        let rest = self.messages - long_total;
        let short_units = units - long_units;
        // Short units are numbered in order, skipping the long ones, for an even remainder.
        let index = u - (u / LONG_EVERY + u64::from(u % LONG_EVERY > LONG_EVERY / 2)).min(long_units);
        rest / short_units + u64::from(index < rest % short_units)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_is_placed_once() {
        for (cases, messages) in [(200, 1_000), (10_000, 50_000), (1_000, 100), (7, 3)] {
            let mix = Mix::new(cases, messages);
            let total: u64 = (0..mix.units()).map(|u| mix.messages_of(u)).sum();
            assert_eq!(total, messages, "{cases} cases");
        }
    }

    #[test]
    fn every_state_and_list_is_there() {
        let mix = Mix::new(10_000, 50_000);
        let units: Vec<Unit> = (0..mix.units()).map(|u| mix.unit(u)).collect();
        let mine = units.iter().filter(|u| matches!(u, Unit::Case { fate: Fate::Mine(_), .. })).count();
        assert_eq!(mine as u64, mix.mine);
        for stage in
            [CaseState::Located, CaseState::PlanApproved, CaseState::HandedOff, CaseState::Exited, CaseState::Closed]
        {
            assert!(units.iter().any(|u| matches!(u, Unit::Case { fate: Fate::Theirs(s), .. } if *s == stage)));
        }
        assert!(units.iter().any(|u| matches!(u, Unit::Loose(Loose::Queued { priority: true }))));
        assert!((0..mix.units()).any(|u| mix.messages_of(u) == LONG_MESSAGES));
    }
}

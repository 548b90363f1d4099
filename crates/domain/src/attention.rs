//! What needs a specialist first: the order of "my cases". A returning applicant comes before
//! an overdue contact, which comes before a plan sent back; the rest follow, and within each
//! group the case longest in its state comes first.

/// Why a case asks for its holder now, most urgent first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Attention {
    /// The applicant is back: a conversation of the case waits for a person.
    Returning,
    /// The expected contact is past.
    Overdue,
    /// A coordinator sent the exit plan back.
    PlanReturned,
    /// Nothing presses.
    Waiting,
}

impl Attention {
    pub fn as_str(self) -> &'static str {
        match self {
            Attention::Returning => "returning",
            Attention::Overdue => "overdue",
            Attention::PlanReturned => "plan_returned",
            Attention::Waiting => "waiting",
        }
    }
}

/// The facts about one case that the order needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Facts {
    pub returning: bool,
    pub overdue: bool,
    pub plan_returned: bool,
    pub state_since_ms: i64,
}

impl Facts {
    pub fn attention(&self) -> Attention {
        if self.returning {
            Attention::Returning
        } else if self.overdue {
            Attention::Overdue
        } else if self.plan_returned {
            Attention::PlanReturned
        } else {
            Attention::Waiting
        }
    }
}

/// Orders items by attention, then by time in their state (oldest first). Stable: ties keep
/// the order given.
pub fn order<T>(items: &mut [T], facts: impl Fn(&T) -> Facts) {
    items.sort_by_cached_key(|item| {
        let f = facts(item);
        (f.attention(), f.state_since_ms)
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn returning_then_overdue_then_plan_sent_back_then_the_rest_by_state_age() {
        let f = |returning, overdue, plan_returned, since| Facts {
            returning,
            overdue,
            plan_returned,
            state_since_ms: since,
        };
        let mut cases = vec![
            ("rest-new", f(false, false, false, 50)),
            ("plan", f(false, false, true, 10)),
            ("overdue-new", f(false, true, false, 40)),
            ("rest-old", f(false, false, false, 5)),
            ("back", f(true, true, true, 99)),
            ("overdue-old", f(false, true, false, 1)),
        ];
        order(&mut cases, |c| c.1);
        let names: Vec<_> = cases.iter().map(|c| c.0).collect();
        assert_eq!(names, ["back", "overdue-old", "overdue-new", "plan", "rest-old", "rest-new"]);
        assert_eq!(cases[0].1.attention(), Attention::Returning);
        assert_eq!(cases[4].1.attention().as_str(), "waiting");
    }

    #[test]
    fn an_empty_list_stays_empty() {
        let mut none: Vec<Facts> = Vec::new();
        order(&mut none, |f| *f);
        assert!(none.is_empty());
    }
}

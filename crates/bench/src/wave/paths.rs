//! The mix of ways through the shipped flows (`flows/safepassage.json`) an applicant of a wave
//! takes. Buttons are pressed by their place, so that one path serves Russian, Ukrainian and
//! English alike: the flows keep the same order of buttons in every language.

/// What the applicant does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Sends the label of the current question's button at this place.
    Press(usize),
    /// Writes this text.
    Say(&'static str),
    /// Gives a codename handed out earlier in this wave (`POST /api/v1/chat/codename`).
    Codename,
}

/// What the bot does after a step, as the applicant waits for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// A question with buttons (maybe after other messages).
    Buttons,
    /// Some answer, with or without buttons.
    Reply,
    /// Nothing: a person reads this one.
    Nothing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Serviceman, where they are, "apply", "yes": a case and a codename (sometimes a duress phrase).
    Registers,
    /// A common question, then "talk to an operator", then their own words to the person.
    AsksAPerson,
    /// A codename from earlier in the wave in a new conversation, the returning flow, own words.
    Returns,
    /// Urgent help at once, then their own words.
    Urgent,
    /// A relative: the relatives' flow, how to tell safely, then an operator.
    Relative,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Registers => "registers",
            Kind::AsksAPerson => "asks_a_person",
            Kind::Returns => "returns",
            Kind::Urgent => "urgent",
            Kind::Relative => "relative",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    Ru,
    Uk,
    En,
}

impl Language {
    /// The tag of `POST /api/v1/chat/sessions`.
    pub fn tag(self) -> &'static str {
        match self {
            Language::Ru => "ru",
            Language::Uk => "uk",
            Language::En => "en",
        }
    }

    /// The place of its button in the intake's first question.
    fn button(self) -> usize {
        match self {
            Language::Ru => 0,
            Language::Uk => 1,
            Language::En => 2,
        }
    }
}

/// One applicant's way through the flows.
#[derive(Debug, Clone)]
pub struct Path {
    pub kind: Kind,
    pub language: Language,
    pub steps: Vec<(Step, Expect)>,
}

/// Scrambles the applicant's number so that kinds, languages and nodes do not line up.
fn mix(i: u64, salt: u64) -> u64 {
    let mut x = i.wrapping_add(salt).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^= x >> 31;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^ (x >> 29)
}

/// The path of applicant `i`: deterministic, about 65% register, 15% ask a person, 5% come
/// back with a codename (a wave is mostly new people; every codename tried waits for the pace
/// of the slow hashes, 10 a second across every node, by design), 10% urgent help, 5% a
/// relative; half Russian, a third Ukrainian, the rest English.
pub fn path_of(i: u64) -> Path {
    let language = match mix(i, 1) % 20 {
        0..=9 => Language::Ru,
        10..=16 => Language::Uk,
        _ => Language::En,
    };
    let kind = match mix(i, 2) % 20 {
        0..=12 => Kind::Registers,
        13..=15 => Kind::AsksAPerson,
        16 => Kind::Returns,
        17 | 18 => Kind::Urgent,
        _ => Kind::Relative,
    };
    let choice = mix(i, 3);
    let lang = Step::Press(language.button());
    use Expect::{Buttons, Nothing, Reply};
    use Step::{Codename, Press, Say};
    let steps = match kind {
        Kind::Registers => {
            // Serviceman; in training, deployed or in hiding; apply; yes: the codename.
            let mut steps = vec![(lang, Buttons), (Press(0), Buttons), (Press(1 + (choice % 3) as usize), Buttons)];
            steps.extend([(Press(1), Buttons), (Press(0), Buttons)]);
            if choice.is_multiple_of(4) {
                // A duress phrase, then the application is accepted.
                steps.extend([(Press(0), Buttons), (Say(phrase(language)), Reply)]);
            } else {
                steps.push((Press(1), Reply));
            }
            steps
        }
        Kind::AsksAPerson => vec![
            (lang, Buttons),
            (Press(0), Buttons),
            (Press((choice % 4) as usize), Buttons),
            // "Ask a question", one of the eight common questions, then "talk to an operator".
            (Press(0), Buttons),
            (Press((choice / 4 % 8) as usize), Buttons),
            (Press(9), Reply),
            (Say(own_words(language)), Nothing),
        ],
        Kind::Returns => {
            vec![(Codename, Buttons), (Press((choice % 2) as usize), Reply), (Say(own_words(language)), Nothing)]
        }
        Kind::Urgent => vec![
            (lang, Buttons),
            (Press(0), Buttons),
            (Press(2), Buttons),
            (Press(2), Reply),
            (Say(own_words(language)), Nothing),
        ],
        Kind::Relative => vec![
            (lang, Buttons),
            (Press(1), Buttons),
            (Press((choice % 5) as usize), Buttons),
            // How to tell them safely, then an operator.
            (Press(1), Buttons),
            (Press(3), Reply),
        ],
    };
    Path { kind, language, steps }
}

/// A duress phrase the flow accepts: a few ordinary words, no digits.
fn phrase(language: Language) -> &'static str {
    match language {
        Language::Ru => "передай привет дяде Коле",
        Language::Uk => "передай вітання дядькові Миколі",
        Language::En => "say hello to uncle Bob",
    }
}

/// What an applicant writes to the person who will answer.
fn own_words(language: Language) -> &'static str {
    match language {
        Language::Ru => "Здравствуйте. Мне пришла повестка, что мне делать? Пишу с чужого телефона.",
        Language::Uk => "Добрий день. Мені прийшла повістка, що робити? Пишу з чужого телефону.",
        Language::En => "Hello. I have received a call-up notice, what should I do? This is not my phone.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mix_is_about_as_described() {
        let mut counts = [0u64; 5];
        for i in 0..10_000 {
            let kind = path_of(i).kind;
            let all = [Kind::Registers, Kind::AsksAPerson, Kind::Returns, Kind::Urgent, Kind::Relative];
            counts[all.iter().position(|k| *k == kind).unwrap()] += 1;
        }
        let share = |n: u64| n as f64 / 10_000.0;
        assert!((share(counts[0]) - 0.65).abs() < 0.03, "{counts:?}");
        assert!((share(counts[1]) - 0.15).abs() < 0.03, "{counts:?}");
        assert!((share(counts[2]) - 0.05).abs() < 0.03, "{counts:?}");
        assert!((share(counts[3] + counts[4]) - 0.15).abs() < 0.03, "{counts:?}");
        assert_eq!(path_of(7).steps, path_of(7).steps, "deterministic");
    }
}

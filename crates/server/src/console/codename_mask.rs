//! What staff read of a transcript: the bot's message that gave an applicant their codename,
//! and an applicant's message (or flow answer) that types it back, show it masked. The codename
//! is the key to a case on every channel and is otherwise kept only as a slow keyed hash; the
//! applicant sees it in their own chat, staff never need it.

use std::borrow::Cow;

use safepassage_domain::Sender;

const GROUPS: usize = 4;
const GROUP_DIGITS: usize = 4;
const MASK: char = '•';

/// The text as staff see it: in the bot's and the applicant's messages, every run of four
/// groups of four digits (the codename's written form, `1234 5678 9012 3456`, or the sixteen
/// digits together) masked. Staff never have a codename to write.
pub(crate) fn for_staff(sender: Sender, text: &str) -> Cow<'_, str> {
    if sender == Sender::Staff {
        return Cow::Borrowed(text);
    }
    masked(text)
}

/// Any text with its codenames masked (what a flow learnt from the applicant, for one).
pub(crate) fn masked(text: &str) -> Cow<'_, str> {
    if text.chars().filter(char::is_ascii_digit).count() < GROUPS * GROUP_DIGITS {
        return Cow::Borrowed(text);
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let starts_word = i == 0 || !chars[i - 1].is_ascii_digit();
        match codename_at(&chars[i..]).filter(|_| starts_word) {
            Some(len) => {
                out.extend(chars[i..i + len].iter().map(|c| if c.is_ascii_digit() { MASK } else { *c }));
                i += len;
            }
            None => {
                out.push(chars[i]);
                i += 1;
            }
        }
    }
    Cow::Owned(out)
}

/// The length of a codename starting here: sixteen digits, each group of four optionally
/// followed by one space, and no digit right after.
fn codename_at(chars: &[char]) -> Option<usize> {
    let mut at = 0;
    for group in 0..GROUPS {
        if group > 0 && chars.get(at) == Some(&' ') {
            at += 1;
        }
        for _ in 0..GROUP_DIGITS {
            if !chars.get(at)?.is_ascii_digit() {
                return None;
            }
            at += 1;
        }
    }
    (!chars.get(at).is_some_and(char::is_ascii_digit)).then_some(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_codename_in_a_bot_message_is_masked() {
        let text = "Ваше кодовое имя: 1234 5678 9012 3452. Запомните его.";
        assert_eq!(for_staff(Sender::Bot, text), "Ваше кодовое имя: •••• •••• •••• ••••. Запомните его.");
        assert_eq!(for_staff(Sender::Bot, "1234567890123452"), "••••••••••••••••");
    }

    #[test]
    fn the_codename_an_applicant_types_is_masked() {
        assert_eq!(for_staff(Sender::Applicant, "мой код 1234 5678 9012 3452"), "мой код •••• •••• •••• ••••");
        assert_eq!(for_staff(Sender::Applicant, "1234567890123452"), "••••••••••••••••");
        assert_eq!(masked("1234 5678 9012 3452"), "•••• •••• •••• ••••");
    }

    #[test]
    fn other_numbers_and_staff_are_left_alone() {
        let staff = "Ваш код 1234 5678 9012 3452";
        assert_eq!(for_staff(Sender::Staff, staff), staff);
        for text in ["телефон 123 456 7890 12345", "12345678901234567", "1234 5678 9012 345", "без цифр"]
        {
            assert_eq!(for_staff(Sender::Bot, text), text);
            assert_eq!(for_staff(Sender::Applicant, text), text);
        }
    }
}

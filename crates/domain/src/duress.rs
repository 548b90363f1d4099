//! The duress phrase: words an applicant agrees in advance and writes when someone forces them
//! to write; the case is then flagged, silently. It is kept only as a keyed hash of its
//! normalised words, so what is compared is the normal form of the phrase with the normal form
//! of every run of as many words in a message: case, punctuation, spacing and `ё`/`е` do not
//! matter, and the phrase may stand anywhere in the message.

/// Words a phrase may have: a phrase is short; a longer one is refused.
pub const MAX_PHRASE_WORDS: usize = 12;
/// Words of a message that are looked at: a message is bounded (a few KiB), this bounds the
/// work of the comparison whatever comes.
pub const MAX_MESSAGE_WORDS: usize = 2_000;

/// A phrase, normalised: its words joined by single spaces, and how many there are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuressPhrase {
    pub normal: String,
    pub words: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DuressError {
    #[error("a duress phrase needs at least two words")]
    TooShort,
    #[error("a duress phrase has at most {MAX_PHRASE_WORDS} words")]
    TooLong,
}

impl DuressPhrase {
    /// The normal form of a phrase as the applicant typed it. Two words at least: one word
    /// would turn up in ordinary messages.
    pub fn parse(text: &str) -> Result<DuressPhrase, DuressError> {
        let words = normal_words(text, MAX_PHRASE_WORDS + 1);
        match words.len() {
            0 | 1 => Err(DuressError::TooShort),
            n if n > MAX_PHRASE_WORDS => Err(DuressError::TooLong),
            n => Ok(DuressPhrase { normal: words.join(" "), words: n }),
        }
    }
}

/// Every run of `words` consecutive words of a message, in normal form: the candidates to
/// compare with a phrase of that many words.
pub fn candidates(message: &str, words: usize) -> Vec<String> {
    if words == 0 || words > MAX_PHRASE_WORDS {
        return Vec::new();
    }
    let all = normal_words(message, MAX_MESSAGE_WORDS);
    all.windows(words).map(|run| run.join(" ")).collect()
}

/// The words of a text, lowercased, `ё` as `е`; anything that is not a letter or a digit
/// separates words. At most `limit` words.
fn normal_words(text: &str, limit: usize) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(limit)
        .map(|w| w.chars().flat_map(char::to_lowercase).map(|c| if c == 'ё' { 'е' } else { c }).collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phrase_is_normalised() {
        let phrase = DuressPhrase::parse("  Синий   ЁЖ, у реки! ").unwrap();
        assert_eq!(phrase, DuressPhrase { normal: "синий еж у реки".into(), words: 4 });
    }

    #[test]
    fn one_word_or_too_many_words_are_refused() {
        assert_eq!(DuressPhrase::parse("ёж"), Err(DuressError::TooShort));
        assert_eq!(DuressPhrase::parse("  ... "), Err(DuressError::TooShort));
        let long = "слово ".repeat(MAX_PHRASE_WORDS + 1);
        assert_eq!(DuressPhrase::parse(&long), Err(DuressError::TooLong));
        assert!(DuressPhrase::parse(&"слово ".repeat(MAX_PHRASE_WORDS)).is_ok());
    }

    #[test]
    fn the_phrase_is_found_anywhere_in_a_message() {
        let phrase = DuressPhrase::parse("синий ёж").unwrap();
        let found = candidates("Всё хорошо. Синий еж, как договаривались.", phrase.words);
        assert!(found.contains(&phrase.normal), "{found:?}");
        assert!(!candidates("синий, но не ёжик", phrase.words).contains(&phrase.normal));
    }

    #[test]
    fn candidates_are_bounded() {
        let message = "а ".repeat(MAX_MESSAGE_WORDS * 3);
        assert_eq!(candidates(&message, 2).len(), MAX_MESSAGE_WORDS - 1);
        assert!(candidates("а б", 0).is_empty());
        assert!(candidates("а б", MAX_PHRASE_WORDS + 1).is_empty());
        assert!(candidates("а", 2).is_empty());
    }
}

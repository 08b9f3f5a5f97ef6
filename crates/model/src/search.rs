//! The search rules shared by the site's search (`site.js` over the static
//! index) and the live API (`/api/v1/search`): what a query finds and in
//! which order. Both must answer a query alike, so the rules live here and
//! `site.js` follows them line by line.
//!
//! - **Words.** Text is compared as words: the lowercase runs of letters
//!   and digits (`miui_MI5SGlobal_7.12.28_…` → `miui`, `mi5sglobal`, `7`,
//!   `12`, `28`, …), as SQLite's FTS5 tokenizer splits them.
//! - **Query.** Up to [`MAX_TERMS`] terms, one per whitespace-separated
//!   piece of the query; a term is the words written together (`V14.0.3` →
//!   `v14 0 3`). A term matches a text where its words appear in a row, the
//!   last one as a prefix. A query matches when every term matches one of
//!   the texts searched: a ROM's file name (which holds the version), its
//!   variant codename and its variant's name; a device's variants, each
//!   with its codename and name.
//! - **Devices first.** A device whose codename, name, or one of whose
//!   variants' codename or name is the whole query word for word is an
//!   exact match and comes first (the device, with its variants); other
//!   matching devices follow. Within each group the device with the newest
//!   release comes first.
//! - **Then ROMs, newest first**: by release date, undated last, then the
//!   later recorded first ([`newest_first`]).
//! - A query needs a word of at least [`MIN_WORD`] characters: the static
//!   index is split by the first two characters of a word.

use std::cmp::Ordering;

use chrono::NaiveDate;

/// The most terms a query keeps; the rest are ignored.
pub const MAX_TERMS: usize = 8;

/// The shortest word a query must have.
pub const MIN_WORD: usize = 2;

/// The words of `text`: its lowercase runs of letters and digits.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// A parsed search query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    terms: Vec<Vec<String>>,
}

impl Query {
    /// Parses what a user typed; `None` when no word of [`MIN_WORD`]
    /// characters is left.
    pub fn parse(text: &str) -> Option<Query> {
        let terms: Vec<Vec<String>> = text
            .split_whitespace()
            .map(words)
            .filter(|t| !t.is_empty())
            .take(MAX_TERMS)
            .collect();
        let long_enough = terms
            .iter()
            .flatten()
            .any(|w| w.chars().count() >= MIN_WORD);
        long_enough.then_some(Query { terms })
    }

    /// The terms, each a run of words.
    pub fn terms(&self) -> &[Vec<String>] {
        &self.terms
    }

    /// Whether every term matches one of `texts` (each given as its
    /// [`words`]).
    pub fn matches(&self, texts: &[&[String]]) -> bool {
        self.terms
            .iter()
            .all(|term| texts.iter().any(|text| term_matches(term, text)))
    }

    /// Whether the query is `text`, word for word.
    pub fn is_exact(&self, text: &[String]) -> bool {
        self.terms.iter().flatten().eq(text.iter())
    }
}

/// Whether `term`'s words appear in a row in `text`, the last as a prefix.
fn term_matches(term: &[String], text: &[String]) -> bool {
    let Some((last, whole)) = term.split_last() else {
        return false;
    };
    text.windows(term.len()).any(|window| {
        window[..whole.len()] == *whole && window[whole.len()].starts_with(last.as_str())
    })
}

/// Orders ROMs newest first: by release date, undated last, then the
/// later recorded (the greater `recorded`, the store's row order) first.
pub fn newest_first(
    a_released: Option<NaiveDate>,
    a_recorded: usize,
    b_released: Option<NaiveDate>,
    b_recorded: usize,
) -> Ordering {
    b_released
        .cmp(&a_released)
        .then_with(|| b_recorded.cmp(&a_recorded))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(text: &str) -> Vec<String> {
        words(text)
    }

    #[test]
    fn words_are_lowercase_alphanumeric_runs() {
        assert_eq!(
            w("miui_MI5SGlobal_7.12.28_409451bb85_7.0.zip"),
            [
                "miui",
                "mi5sglobal",
                "7",
                "12",
                "28",
                "409451bb85",
                "7",
                "0",
                "zip"
            ]
        );
    }

    #[test]
    fn a_term_matches_words_in_a_row_the_last_as_prefix() {
        let name = w("miui_ALIOTHGlobal_V14.0.3.0.TKHMIXM_abc_13.0.zip");
        let q = Query::parse("V14.0.3").unwrap();
        assert!(q.matches(&[&name]));
        assert!(Query::parse("v14.0.3.0.tkh").unwrap().matches(&[&name]));
        assert!(!Query::parse("V14.0.4").unwrap().matches(&[&name]));
        // Whole words before the last: `v1` is not `v14`.
        assert!(!Query::parse("v1.0").unwrap().matches(&[&name]));
        // Every term must match, each in one of the texts.
        let variant = w("alioth_global");
        assert!(
            Query::parse("alioth global")
                .unwrap()
                .matches(&[&name, &variant])
        );
        assert!(
            !Query::parse("alioth eea")
                .unwrap()
                .matches(&[&name, &variant])
        );
    }

    #[test]
    fn exact_means_the_whole_query_word_for_word() {
        let q = Query::parse("Redmi  Note-8").unwrap();
        assert!(q.is_exact(&w("Redmi Note 8")));
        assert!(!q.is_exact(&w("Redmi Note 8 Pro")));
        assert!(Query::parse("ALIOTH").unwrap().is_exact(&w("alioth")));
    }

    #[test]
    fn a_query_needs_a_word_of_two_characters() {
        assert_eq!(Query::parse("  .. "), None);
        assert_eq!(Query::parse("7 0"), None);
        assert!(Query::parse("7 12").is_some());
        let many = Query::parse("a1 b c d e f g h i j").unwrap();
        assert_eq!(many.terms().len(), MAX_TERMS);
    }

    #[test]
    fn newest_first_puts_undated_last_and_ties_by_record_order() {
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        let mut roms = [
            (d("2020-01-01"), 0),
            (None, 1),
            (d("2024-05-01"), 2),
            (d("2024-05-01"), 3),
        ];
        roms.sort_by(|a, b| newest_first(a.0, a.1, b.0, b.1));
        let order: Vec<usize> = roms.iter().map(|r| r.1).collect();
        assert_eq!(order, [3, 2, 0, 1]);
    }
}

//! Search as people type it: a query read into words that no full-text engine can
//! misread, the kinds of things a search finds, and the highlights of what matched.
//!
//! A query is read as words: runs of letters and digits (Unicode), lower-cased, each
//! kept once. Everything else (quotes, `*`, parentheses, `-`, `:`, `^`) only separates
//! words, so no operator of SQLite's FTS5 syntax or of PostgreSQL's `tsquery` syntax can
//! reach the database: the storage quotes each word itself. A thing matches when every
//! word of the query begins one of its words (`reten` finds "Raise retention"), so
//! typing narrows the results and a half-typed word already finds.

use serde::{Deserialize, Serialize};

/// The longest query, in characters.
pub const MAX_QUERY_CHARS: usize = 200;

/// The most words a query may have.
pub const MAX_QUERY_WORDS: usize = 10;

/// What a search finds: the kinds of things, in the order results show them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SearchKind {
    /// Objectives, by title and description.
    Objective,
    /// Key results, by their sentence and metric.
    KeyResult,
    /// KPIs, by name, slug and description.
    Kpi,
    /// People, by name, handle and email.
    Person,
    /// Teams, by name and slug.
    Team,
}

/// A query, read into words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    text: String,
    words: Vec<String>,
}

/// Why a query cannot be searched for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SearchQueryError {
    /// Nothing but spaces.
    #[error("type a word to search for")]
    Empty,
    /// Longer than [`MAX_QUERY_CHARS`].
    #[error("a search is at most {max} characters long (this one has {chars})")]
    TooLong {
        /// Its length in characters.
        chars: usize,
        /// The limit.
        max: usize,
    },
    /// Only punctuation and symbols: no word to look for.
    #[error("a search needs a word of letters or digits; punctuation alone finds nothing")]
    NoWords,
    /// More than [`MAX_QUERY_WORDS`] different words.
    #[error("a search has at most {max} different words (this one has {count})")]
    TooManyWords {
        /// How many different words it has.
        count: usize,
        /// The limit.
        max: usize,
    },
}

impl SearchQuery {
    /// Reads `text` as a query: trimmed, at most [`MAX_QUERY_CHARS`] characters, with
    /// one to [`MAX_QUERY_WORDS`] different words.
    pub fn parse(text: &str) -> Result<SearchQuery, SearchQueryError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(SearchQueryError::Empty);
        }
        let chars = text.chars().count();
        if chars > MAX_QUERY_CHARS {
            return Err(SearchQueryError::TooLong { chars, max: MAX_QUERY_CHARS });
        }
        let mut words: Vec<String> = Vec::new();
        for (start, end) in word_spans(text) {
            let word = normalise(&text[start..end]);
            if !word.is_empty() && !words.contains(&word) {
                words.push(word);
            }
        }
        if words.is_empty() {
            return Err(SearchQueryError::NoWords);
        }
        if words.len() > MAX_QUERY_WORDS {
            return Err(SearchQueryError::TooManyWords { count: words.len(), max: MAX_QUERY_WORDS });
        }
        Ok(SearchQuery { text: text.to_owned(), words })
    }

    /// The query as typed, trimmed.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Its words: lower-case letters and digits only, each once, in the order typed.
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// Whether `word` (one word of a text) begins with one of the query's words.
    pub fn matches_word(&self, word: &str) -> bool {
        let word = normalise(word);
        self.words.iter().any(|w| word.starts_with(w.as_str()))
    }

    /// Whether some word of `text` begins with one of the query's words.
    pub fn matches(&self, text: &str) -> bool {
        word_spans(text).any(|(start, end)| self.matches_word(&text[start..end]))
    }
}

/// A word lower-cased, with whatever lower-casing adds that is not a letter or a digit
/// (the combining dot of a lower-case `İ`) left out, so it stays a plain word.
fn normalise(word: &str) -> String {
    word.chars().flat_map(char::to_lowercase).filter(|c| c.is_alphanumeric()).collect()
}

/// The byte ranges of the words of `text`: its runs of letters and digits.
pub fn word_spans(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut chars = text.char_indices().peekable();
    std::iter::from_fn(move || {
        let (start, _) = chars.by_ref().find(|(_, c)| c.is_alphanumeric())?;
        let mut end = text.len();
        while let Some(&(at, c)) = chars.peek() {
            if !c.is_alphanumeric() {
                end = at;
                break;
            }
            chars.next();
        }
        Some((start, end))
    })
}

/// A piece of a highlighted text: a word the query matched, or the text between.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "schema", schema(as = SearchFragment))]
pub struct Fragment {
    /// The text, as written.
    pub text: String,
    /// Whether it is a word the query matched.
    pub matched: bool,
}

/// `text` cut into fragments, the words the query matches marked.
pub fn highlight(text: &str, query: &SearchQuery) -> Vec<Fragment> {
    fragments(text, 0, text.len(), query)
}

/// A short piece of `text` around the first word the query matches, at most about
/// `max_chars` characters, with "…" where it was cut; `None` when no word matches.
pub fn excerpt(text: &str, query: &SearchQuery, max_chars: usize) -> Option<Vec<Fragment>> {
    let spans: Vec<(usize, usize)> = word_spans(text).collect();
    let first = spans.iter().position(|(start, end)| query.matches_word(&text[*start..*end]))?;
    // Up to a third of the room goes before the match, whole words only.
    let before = max_chars / 3;
    let match_start = spans[first].0;
    let mut start = 0;
    for (word_start, _) in spans[..first].iter().rev() {
        if text[*word_start..match_start].chars().count() > before {
            break;
        }
        start = *word_start;
    }
    if start == 0 && text[..match_start].chars().count() > before {
        start = match_start;
    }
    let mut end = text.len();
    let mut last_end = spans[first].1;
    for (_, word_end) in &spans[first..] {
        if text[start..*word_end].chars().count() > max_chars {
            end = last_end;
            break;
        }
        last_end = *word_end;
    }
    let mut out = Vec::new();
    if start > 0 {
        out.push(Fragment { text: "…".into(), matched: false });
    }
    out.extend(fragments(text, start, end, query));
    if end < text.len() && !text[end..].trim().is_empty() {
        out.push(Fragment { text: "…".into(), matched: false });
    }
    Some(out)
}

/// `text[start..end]` as fragments.
fn fragments(text: &str, start: usize, end: usize, query: &SearchQuery) -> Vec<Fragment> {
    let mut out: Vec<Fragment> = Vec::new();
    let mut push = |piece: &str, matched: bool| {
        if piece.is_empty() {
            return;
        }
        match out.last_mut() {
            Some(last) if last.matched == matched && !matched => last.text.push_str(piece),
            _ => out.push(Fragment { text: piece.to_owned(), matched }),
        }
    };
    let mut at = start;
    for (word_start, word_end) in word_spans(&text[start..end]) {
        let (word_start, word_end) = (start + word_start, start + word_end);
        if query.matches_word(&text[word_start..word_end]) {
            push(&text[at..word_start], false);
            push(&text[word_start..word_end], true);
            at = word_end;
        }
    }
    push(&text[at..end], false);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn query(text: &str) -> SearchQuery {
        SearchQuery::parse(text).unwrap()
    }

    fn marked(fragments: &[Fragment]) -> String {
        fragments.iter().map(|f| if f.matched { format!("[{}]", f.text) } else { f.text.clone() }).collect()
    }

    #[test]
    fn a_query_is_its_words_lower_cased_once_each() {
        assert_eq!(query("  Reten  churn RETEN ").words(), ["reten", "churn"]);
        assert_eq!(query("  Reten  churn ").text(), "Reten  churn");
        assert_eq!(query("Émile's NPS-Q4").words(), ["émile", "s", "nps", "q4"]);
    }

    #[test]
    fn engine_syntax_is_only_a_separator() {
        for text in ["\"", "*", "AND(", "-", "NEAR", "a\"b", "x*", "(x OR y)", "col:x", "^x", "'x'", "x & !y <-> z:*"] {
            match SearchQuery::parse(text) {
                Ok(q) => assert!(q.words().iter().all(|w| w.chars().all(char::is_alphanumeric)), "{text}: {q:?}"),
                Err(error) => assert_eq!(error, SearchQueryError::NoWords, "{text}"),
            }
        }
        assert_eq!(query("(x OR y)").words(), ["x", "or", "y"]);
        assert_eq!(query("İstanbul").words(), ["istanbul"]);
    }

    #[test]
    fn bad_queries_say_what_is_wrong() {
        assert_eq!(SearchQuery::parse("   "), Err(SearchQueryError::Empty));
        assert_eq!(SearchQuery::parse("\"*-()"), Err(SearchQueryError::NoWords));
        let long = "a".repeat(MAX_QUERY_CHARS + 1);
        assert_eq!(SearchQuery::parse(&long), Err(SearchQueryError::TooLong { chars: 201, max: 200 }));
        assert!(SearchQuery::parse(&"a".repeat(MAX_QUERY_CHARS)).is_ok());
        let many = (0..11).map(|n| format!("w{n}")).collect::<Vec<_>>().join(" ");
        assert_eq!(SearchQuery::parse(&many), Err(SearchQueryError::TooManyWords { count: 11, max: 10 }));
    }

    #[test]
    fn a_word_matches_words_it_begins() {
        let q = query("reten");
        assert!(q.matches("Raise customer Retention"));
        assert!(!q.matches("Raise customer attention"));
        assert!(!q.matches("pretend"));
    }

    #[test]
    fn highlights_mark_the_matched_words() {
        let q = query("ret cust");
        assert_eq!(marked(&highlight("Raise customer retention, again!", &q)), "Raise [customer] [retention], again!");
        assert_eq!(marked(&highlight("nothing here", &q)), "nothing here");
    }

    #[test]
    fn an_excerpt_is_cut_around_the_first_match() {
        let q = query("churn");
        let text = "We spent the whole of the last quarter looking at why customers leave, and monthly churn \
                    went up in every region we serve, most of all in the north";
        let excerpt = marked(&excerpt(text, &q, 60).unwrap());
        assert!(excerpt.starts_with('…') && excerpt.ends_with('…'), "{excerpt}");
        assert!(excerpt.contains("[churn]"), "{excerpt}");
        assert!(excerpt.chars().count() <= 64, "{excerpt}");
        assert_eq!(marked(&super::excerpt("monthly churn", &q, 60).unwrap()), "monthly [churn]");
        assert_eq!(super::excerpt("nothing", &q, 60), None);
    }

    proptest! {
        #[test]
        fn any_text_parses_or_is_refused_and_words_are_plain(text in ".{0,300}") {
            if let Ok(q) = SearchQuery::parse(&text) {
                prop_assert!(!q.words().is_empty() && q.words().len() <= MAX_QUERY_WORDS);
                for word in q.words() {
                    prop_assert!(!word.is_empty() && word.chars().all(char::is_alphanumeric), "{word:?}");
                }
            }
        }

        #[test]
        fn fragments_put_the_text_back_together(text in ".{0,200}", words in "[a-zé ]{1,20}") {
            if let Ok(q) = SearchQuery::parse(&words) {
                let joined: String = highlight(&text, &q).into_iter().map(|f| f.text).collect();
                prop_assert_eq!(joined, text.clone());
                if let Some(excerpt) = excerpt(&text, &q, 40) {
                    prop_assert!(excerpt.iter().any(|f| f.matched));
                }
            }
        }
    }
}

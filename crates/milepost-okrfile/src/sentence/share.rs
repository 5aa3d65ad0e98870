//! The share of slices a maintain or range key result must meet (issue 20's error
//! budgets): "in 95% of weeks", "on 99% of days", "in 11 of 12 weeks", "in 11 out of 12
//! weeks". The phrase is set aside before the phrase grammar runs, like a time frame, so
//! its numbers are never the threshold; [`required_share`] gives its share (0–1) and the
//! tokens it covers.

use super::lexer::Token;

/// Words that open a share phrase.
const OPENERS: &[&str] = &["in", "on", "for", "during", "across", "over"];

/// The slices a share counts, in the plural.
const SLICES: &[&str] = &["days", "weeks", "months", "quarters"];

/// A share phrase: the share, 0–1 (above 0, at most 1), and the tokens `start..end`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct SharePhrase {
    pub share: f64,
    pub start: usize,
    pub end: usize,
}

/// The first share phrase of a sentence, if any; one pass with a bounded look-ahead.
pub(super) fn required_share(tokens: &[Token]) -> Option<SharePhrase> {
    (0..tokens.len()).find_map(|k| share_at(tokens, k))
}

fn share_at(tokens: &[Token], k: usize) -> Option<SharePhrase> {
    let word = |i: usize| tokens.get(i).and_then(Token::word);
    let number = |i: usize| tokens.get(i).and_then(Token::numeral).map(|n| n.value);
    if !word(k).is_some_and(|w| OPENERS.contains(&w)) {
        return None;
    }
    let first = number(k + 1)?;
    let mut i = k + 2;
    // "95%" or "95 percent" / "95 per cent" of (the) weeks.
    let percent = if tokens.get(i).and_then(Token::symbol) == Some('%') || word(i) == Some("percent") {
        i += 1;
        true
    } else if word(i) == Some("per") && word(i + 1) == Some("cent") {
        i += 2;
        true
    } else {
        false
    };
    // "11 out of 12"
    if !percent && word(i) == Some("out") {
        i += 1;
    }
    if word(i) != Some("of") {
        return None;
    }
    i += 1;
    if matches!(word(i), Some("the" | "all")) {
        i += 1;
    }
    let share = if percent {
        first / 100.0
    } else {
        let whole = number(i)?;
        i += 1;
        if whole <= 0.0 || first > whole {
            return None;
        }
        first / whole
    };
    if !word(i).is_some_and(|w| SLICES.contains(&w)) {
        return None;
    }
    (share > 0.0 && share <= 1.0 && share.is_finite()).then_some(SharePhrase { share, start: k, end: i + 1 })
}

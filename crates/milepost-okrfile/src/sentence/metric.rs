//! The metric: the short noun phrase that names what is measured.
//!
//! Once the verb, the numeric phrases and the time frames are set aside, what is left
//! falls into runs of words. The metric is the run before the main number ("Reduce
//! *recurring tickets* by 30%"), or the run after it when nothing comes before ("Hire 5
//! *senior engineers*"), or both when the number sits inside the noun phrase ("an
//! *average* of 2 *goals per game*", "the *newsletter* to 25k *subscribers*"). Runs are
//! cut out of the original text, so the metric reads exactly as written.

use super::lexer::{Token, TokenKind};
use super::phrase::{Phrase, Role};
use super::vocabulary::EDGE_WORDS;

/// A run of metric words, as a token range.
#[derive(Debug, Clone, Copy)]
struct Run {
    start: usize,
    end: usize,
    /// The run started right where the main phrase ended, with no preposition between.
    direct: bool,
}

/// Picks the metric out of the sentence. `excluded` marks the verb, fillers and time
/// frames, `in_phrase` the tokens of the numeric phrases; `primary` is the phrase that
/// gave the target (or the main change).
pub(crate) fn metric(
    text: &str,
    tokens: &[Token],
    excluded: &[bool],
    in_phrase: &[bool],
    primary: Option<&Phrase>,
) -> Option<String> {
    let mut out = vec![false; tokens.len()];
    for (k, o) in out.iter_mut().enumerate() {
        *o = in_phrase.get(k).copied().unwrap_or(false) || excluded.get(k).copied().unwrap_or(true);
    }
    let runs = runs(tokens, &out);
    let cut = |r: &Run| text.get(tokens[r.start].start..tokens[r.end - 1].end).map(str::to_string);
    // With no number, what is to be done is the whole object: "Core Tests of js-ipfs
    // are parallelized", "welcoming, up-to-date documentation for Companion".
    let Some(primary) = primary else {
        let (first, last) = (runs.first()?, runs.last()?);
        return cut(&Run { start: first.start, end: last.end, direct: false });
    };
    let pre = runs.iter().find(|r| r.end <= primary.start);
    let post = runs.iter().find(|r| r.start >= primary.end);
    match (pre, post) {
        (Some(pre), Some(post))
            if post.direct
                && post.start == primary.end
                && matches!(primary.role, Role::To(_) | Role::Of(_) | Role::Bare(_)) =>
        {
            let (a, b) = (cut(pre)?, cut(post)?);
            Some(format!("{a} {b}"))
        }
        (Some(pre), _) => cut(pre),
        (None, Some(post)) => cut(post),
        (None, None) => runs.first().and_then(cut),
    }
}

/// Maximal runs of words not excluded, trimmed of small words at either end.
fn runs(tokens: &[Token], excluded: &[bool]) -> Vec<Run> {
    let mut out = Vec::new();
    let mut k = 0;
    while k < tokens.len() {
        if excluded[k] || !is_run_token(&tokens[k]) {
            k += 1;
            continue;
        }
        let start = k;
        while k < tokens.len() && !excluded[k] && is_run_token(&tokens[k]) {
            k += 1;
        }
        let mut run = Run { start, end: k, direct: start > 0 && excluded[start - 1] };
        while run.start < run.end && is_edge(&tokens[run.start]) {
            run.start += 1;
            run.direct = false;
        }
        while run.end > run.start && is_edge(&tokens[run.end - 1]) && !is_capitalised(&tokens[run.end - 1]) {
            run.end -= 1;
        }
        if run.start < run.end {
            out.push(run);
        }
    }
    out
}

fn is_run_token(t: &Token) -> bool {
    match t.kind {
        TokenKind::Word { .. } | TokenKind::Number(_) => true,
        // "source{d}": braces glued into a name.
        TokenKind::Symbol(c) => matches!(c, '&' | '#' | '\'' | '’') || (matches!(c, '/' | '{' | '}') && t.glued),
    }
}

fn is_capitalised(t: &Token) -> bool {
    t.word_as_written().and_then(|w| w.chars().next()).is_some_and(char::is_uppercase)
}

fn is_edge(t: &Token) -> bool {
    match &t.kind {
        TokenKind::Word { lower, .. } => EDGE_WORDS.contains(lower.as_str()),
        TokenKind::Symbol(_) => true,
        TokenKind::Number(_) => false,
    }
}

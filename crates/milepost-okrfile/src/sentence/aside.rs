//! What stands beside a key result's sentence rather than in it: numbers in a
//! parenthetical aside ("Run the playground locally (with 1 command, for 1 user)"), and a
//! second sentence ("Improve campaign tracking. Track UTM values in Salesforce.").

use super::lexer::{Token, TokenKind};
use super::vocabulary::ASIDE_KEEPS;

/// Marks, in `skip`, the parenthetical asides whose numbers are details of the thing
/// to do rather than the key result's numbers: an aside with a number and none of
/// [`ASIDE_KEEPS`], when the sentence has a number outside it or names no change.
/// One pass over the tokens.
pub(crate) fn skip_asides(tokens: &[Token], skip: &mut [bool], names_change: bool) {
    let mut asides = Vec::new();
    let mut open: Option<usize> = None;
    let mut has_number = false;
    let mut keeps = false;
    let mut numbers_outside = false;
    for (k, t) in tokens.iter().enumerate() {
        match (t.symbol(), open) {
            (Some('('), None) => {
                open = Some(k);
                has_number = false;
                keeps = false;
            }
            (Some(')'), Some(start)) => {
                if has_number && !keeps {
                    asides.push((start, k + 1));
                }
                open = None;
            }
            _ => {
                let number = matches!(t.kind, TokenKind::Number(_));
                if open.is_some() {
                    has_number |= number;
                    keeps |= t.word().is_some_and(|w| ASIDE_KEEPS.contains(w));
                } else {
                    numbers_outside |= number;
                }
            }
        }
    }
    if !numbers_outside && names_change {
        return;
    }
    for (start, end) in asides {
        for s in skip.iter_mut().take(end).skip(start) {
            *s = true;
        }
    }
}

/// Where a second sentence starts: after a full stop, "!" or "?" that a capitalised word
/// follows, unless the stop ends an initialism ("U.S. revenue"). Byte offsets of the end
/// of the first sentence and the start of the second, for each break.
pub(crate) fn sentence_breaks(tokens: &[Token]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (k, t) in tokens.iter().enumerate() {
        if !matches!(t.symbol(), Some('.' | '!' | '?')) || k == 0 {
            continue;
        }
        let Some(next) = tokens.get(k + 1) else { continue };
        let capitalised = next.word_as_written().and_then(|w| w.chars().next()).is_some_and(char::is_uppercase);
        let initialism = tokens[k - 1].word_as_written().is_some_and(|w| w.contains('.') || w.chars().count() == 1);
        if capitalised && !next.glued && !initialism {
            out.push((t.start, next.start));
        }
    }
    out
}

//! The phrase grammar: what each quantity in a sentence is for.
//!
//! ```text
//! phrase := "from" Q ["up"|"down"] ("to"|"→") [comparator] Q    baseline and target
//!         | "between" Q ("and"|"to"|"-") Q                      a band
//!         | Q ("-"|"–") Q                                       a band
//!         | Q ("to"|"→") Q                                      baseline and target (a band after "keep")
//!         | "by" [another] Q                                    a change: relative when %, × or a fraction
//!         | "in" "half"                                         a change of one half
//!         | "to" [comparator] Q                                 the target
//!         | comparator Q                                        a threshold ("at or above 92%")
//!         | "of" [comparator] Q | "at" Q                        the target ("a rate of 75%")
//!         | ("up"|"down") Q                                     a change in that direction
//!         | ["a"] Q [adjective] change-noun ["in"|"of"]         "a 25% reduction in", "5x increase in"
//!         | Q comparative                                       "20% more", "15% fewer"
//!         | Q                                                   a bare count or level
//! each optionally followed by a postfix comparator ("or higher", "+").
//! ```
//!
//! A bare plain number right after a noun is part of a name ("Level 1", "SOC 2"), not a
//! quantity; "zero" and fraction words count only where a number is expected.

use super::lexer::Token;
use super::quantity::{Quantity, Unit, Written, quantity_at, times_word_at};
use super::vocabulary::{
    APPROXIMATORS, BASELINE_WORDS, CHANGE_NOUNS, COMPARATIVES, Direction, FUNCTION_WORDS, NAME_NOUNS,
    POSTFIX_COMPARATORS, PREFIX_COMPARATORS,
};
use milepost_core::Comparator;

/// What a phrase says about the key result.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Role {
    /// "from A to B".
    FromTo { start: Quantity, target: Quantity },
    /// "from A" with no target after it.
    From(Quantity),
    /// "between A and B", "A–B".
    Range { low: Quantity, high: Quantity },
    /// "by Q".
    By(Quantity),
    /// "to Q".
    To(Quantity),
    /// "above Q", "at least Q".
    Threshold(Quantity),
    /// "of Q".
    Of(Quantity),
    /// "at Q".
    At(Quantity),
    /// "up Q", "down Q".
    UpDown(Direction, Quantity),
    /// "a 25% reduction in".
    ChangeNoun(Direction, Quantity),
    /// "20% more".
    Comparative(Direction, Quantity),
    /// "in half".
    InHalf,
    /// A quantity on its own.
    Bare(Quantity),
    /// A quantity that may only be a time frame ("in 3 days"); used as a threshold when
    /// the sentence has no other number.
    TimeFrame(Quantity),
}

/// A phrase and the tokens it covers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Phrase {
    /// What it says.
    pub role: Role,
    /// First token.
    pub start: usize,
    /// Just past the last token.
    pub end: usize,
    /// A comparator written with it, before or after the number.
    pub comparator: Option<Comparator>,
}

/// What the phrase grammar needs to know about the rest of the sentence.
pub(crate) struct Context<'a> {
    /// The sentence's tokens.
    pub tokens: &'a [Token],
    /// Tokens the grammar must not read: the verb, time frames and dates.
    pub skip: &'a [bool],
    /// The sentence keeps a number where it is ("keep", "maintain"): "2 to 3%" is a band
    /// and "within" a threshold.
    pub keeps: bool,
    /// The index of the main verb, after which a number is never part of a name.
    pub verb: Option<usize>,
}

impl Context<'_> {
    fn word(&self, i: usize) -> Option<&str> {
        self.tokens.get(i).and_then(Token::word)
    }

    fn symbol(&self, i: usize) -> Option<char> {
        self.tokens.get(i).and_then(Token::symbol)
    }

    /// A quantity at `i`, after up to three approximators ("about 50%", "~ roughly 5"),
    /// that the grammar may read. The bound keeps the look-ahead constant: this is asked
    /// at every token, and an unbounded skip would make a run of approximators quadratic.
    fn quantity(&self, i: usize, allow: Allow) -> Option<Quantity> {
        let mut i = i;
        for _ in 0..3 {
            if !(self.word(i).is_some_and(|w| APPROXIMATORS.contains(w)) || self.symbol(i) == Some('~')) {
                break;
            }
            i += 1;
        }
        let q = quantity_at(self.tokens, i)?;
        if (q.start..q.end).any(|k| self.skip.get(k).copied().unwrap_or(true)) {
            return None;
        }
        match q.written {
            Written::Zero if !allow.zero => None,
            Written::FractionWord if !allow.fraction => None,
            _ => Some(q),
        }
    }

    /// "once", "twice", "thrice" at `i`, when the grammar may read it.
    fn times(&self, i: usize) -> Option<Quantity> {
        times_word_at(self.tokens, i).filter(|q| !self.skip.get(q.start).copied().unwrap_or(true))
    }

    fn comparator_at(&self, i: usize) -> Option<(Comparator, usize)> {
        match self.symbol(i) {
            Some('≥' | '>') => return Some((Comparator::AtLeast, i + 1)),
            Some('≤' | '<') => return Some((Comparator::AtMost, i + 1)),
            _ => {}
        }
        PREFIX_COMPARATORS.iter().find_map(|(words, cmp)| {
            words.iter().enumerate().all(|(k, w)| self.word(i + k) == Some(*w)).then_some((*cmp, i + words.len()))
        })
    }

    fn postfix_at(&self, i: usize) -> Option<(Comparator, usize)> {
        if self.symbol(i) == Some('+') && self.tokens.get(i).is_some_and(|t| t.glued) {
            return Some((Comparator::AtLeast, i + 1));
        }
        POSTFIX_COMPARATORS.iter().find_map(|(words, cmp)| {
            words.iter().enumerate().all(|(k, w)| self.word(i + k) == Some(*w)).then_some((*cmp, i + words.len()))
        })
    }
}

/// Which unusual quantities a position accepts.
#[derive(Clone, Copy)]
struct Allow {
    zero: bool,
    fraction: bool,
}

const NUMBER_SLOT: Allow = Allow { zero: true, fraction: false };
const CHANGE_SLOT: Allow = Allow { zero: false, fraction: true };
const TARGET_SLOT: Allow = Allow { zero: true, fraction: true };
const BARE: Allow = Allow { zero: false, fraction: false };

/// Reads every phrase of the sentence, left to right, without overlaps.
pub(crate) fn phrases(ctx: &Context<'_>) -> Vec<Phrase> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < ctx.tokens.len() {
        if ctx.skip.get(i).copied().unwrap_or(true) {
            i += 1;
            continue;
        }
        match phrase_at(ctx, i) {
            Some(mut p) => {
                if let Some((cmp, end)) = ctx.postfix_at(p.end) {
                    p.comparator = p.comparator.or(Some(cmp));
                    p.end = end;
                }
                i = p.end.max(i + 1);
                out.push(p);
            }
            None => i += 1,
        }
    }
    out
}

fn phrase(role: Role, start: usize, end: usize, comparator: Option<Comparator>) -> Option<Phrase> {
    Some(Phrase { role, start, end, comparator })
}

fn phrase_at(ctx: &Context<'_>, i: usize) -> Option<Phrase> {
    match ctx.word(i) {
        Some("from") => {
            // "from current 45%", "from today's 45%", "from a baseline of 45%".
            let mut at = i + 1;
            for _ in 0..4 {
                if !ctx.word(at).is_some_and(|w| BASELINE_WORDS.contains(w)) {
                    break;
                }
                at += 1;
            }
            if let Some(start) = ctx.quantity(at, NUMBER_SLOT) {
                let mut j = start.end;
                // "from 3 MB to 1 MB", "from 40 tickets a day down to 10": the words of a
                // count between the start and "to" belong to the phrase.
                let to = (j..j + 4).find(|&k| ctx.word(k) == Some("to") || ctx.symbol(k) == Some('→'));
                if let Some(to) = to
                    && (j..to).all(|k| ctx.word(k).is_some_and(|w| !matches!(w, "and" | "or" | "by")))
                {
                    j = to;
                }
                if matches!(ctx.word(j), Some("up" | "down")) {
                    j += 1;
                }
                if ctx.word(j) == Some("to") || ctx.symbol(j) == Some('→') {
                    let (cmp, k) = ctx.comparator_at(j + 1).map_or((None, j + 1), |(c, k)| (Some(c), k));
                    if let Some(target) = ctx.quantity(k, NUMBER_SLOT) {
                        return phrase(Role::FromTo { start, target }, i, target.end, cmp);
                    }
                }
                return phrase(Role::From(start), i, start.end, None);
            }
        }
        Some("between") => {
            if let Some(low) = ctx.quantity(i + 1, NUMBER_SLOT) {
                let j = low.end;
                let joined =
                    matches!(ctx.word(j), Some("and" | "to")) || matches!(ctx.symbol(j), Some('&' | '-' | '–'));
                if joined && let Some(high) = ctx.quantity(j + 1, NUMBER_SLOT) {
                    return phrase(Role::Range { low, high }, i, high.end, None);
                }
            }
        }
        Some("by") => {
            let mut j = i + 1;
            if matches!(ctx.word(j), Some("another" | "a" | "an"))
                && matches!(ctx.word(j + 1), Some("additional" | "further" | "extra"))
            {
                j += 2;
            } else if ctx.word(j) == Some("another") {
                j += 1;
            }
            if let Some(q) = ctx.quantity(j, CHANGE_SLOT) {
                return phrase(Role::By(q), i, q.end, None);
            }
        }
        Some("in") if ctx.word(i + 1) == Some("half") => return phrase(Role::InHalf, i, i + 2, None),
        // "(current is 125k)", "currently at 45%", "baseline: 45%": the start, stated apart.
        Some("current" | "currently" | "baseline") => {
            let mut at = i + 1;
            for _ in 0..3 {
                let filler = ctx.word(at).is_some_and(|w| matches!(w, "is" | "at" | "of" | "stands" | "sits" | "was"));
                if !(filler || matches!(ctx.symbol(at), Some(':' | '='))) {
                    break;
                }
                at += 1;
            }
            if (at > i + 1 || ctx.word(i) == Some("currently"))
                && let Some(start) = ctx.quantity(at, NUMBER_SLOT)
            {
                return phrase(Role::From(start), i, start.end, None);
            }
        }
        Some("to") => {
            let (cmp, k) = ctx.comparator_at(i + 1).map_or((None, i + 1), |(c, k)| (Some(c), k));
            if let Some(q) = ctx.quantity(k, TARGET_SLOT) {
                return band_or(ctx, Role::To(q), i, q, cmp);
            }
        }
        Some("of") => {
            let (cmp, k) = ctx.comparator_at(i + 1).map_or((None, i + 1), |(c, k)| (Some(c), k));
            let after_noun = i.checked_sub(1).and_then(|p| ctx.tokens.get(p)).is_some_and(|t| t.word().is_some());
            if after_noun && let Some(q) = ctx.quantity(k, NUMBER_SLOT) {
                return band_or(ctx, Role::Of(q), i, q, cmp);
            }
        }
        Some("up") if ctx.keeps && ctx.word(i + 1) == Some("to") => {
            if let Some(q) = ctx.quantity(i + 2, NUMBER_SLOT) {
                return phrase(Role::Threshold(q), i, q.end, Some(Comparator::AtMost));
            }
        }
        Some(w @ ("up" | "down")) => {
            if let Some(q) = ctx.quantity(i + 1, BARE) {
                let direction = if w == "up" { Direction::Up } else { Direction::Down };
                return phrase(Role::UpDown(direction, q), i, q.end, None);
            }
        }
        _ => {}
    }
    if let Some((cmp, k)) = ctx.comparator_at(i)
        && let Some(q) = ctx.quantity(k, NUMBER_SLOT).or_else(|| ctx.times(k))
    {
        let opener = ctx.word(i);
        let timeish = q.unit.is_some_and(|u| matches!(u, Unit::Day | Unit::Week));
        if !ctx.keeps && (opener == Some("within") || (opener == Some("over") && timeish)) {
            return phrase(Role::TimeFrame(q), i, q.end, Some(cmp));
        }
        return phrase(Role::Threshold(q), i, q.end, Some(cmp));
    }
    if ctx.word(i) == Some("at")
        && let Some(q) = ctx.quantity(i + 1, NUMBER_SLOT)
    {
        return band_or(ctx, Role::At(q), i, q, None);
    }
    if matches!(ctx.word(i), Some("a" | "an"))
        && ctx.quantity(i, BARE).is_none()
        && let Some(q) = ctx.quantity(i + 1, BARE)
        && let Some((direction, end)) = change_noun_after(ctx, q.end)
    {
        return phrase(Role::ChangeNoun(direction, q), i, end, None);
    }
    // "twice as many sign-ups as last year"; "zero critical vulnerabilities", a count
    // of nothing to reach.
    let multiple = ctx.times(i).filter(|q| q.multiplier);
    let zero = ctx.quantity(i, NUMBER_SLOT).filter(|q| {
        q.written == Written::Zero
            && ctx.tokens.get(q.end).and_then(Token::word).is_some_and(|w| !FUNCTION_WORDS.contains(w))
    });
    let q = ctx.quantity(i, BARE).or(multiple).or(zero)?;
    bare(ctx, q)
}

/// A band written where a single number was expected ("of 60-65%", "at 2 to 3%" after
/// "keep"), or else the phrase itself.
fn band_or(ctx: &Context<'_>, role: Role, start: usize, low: Quantity, cmp: Option<Comparator>) -> Option<Phrase> {
    let dash = matches!(ctx.symbol(low.end), Some('-' | '–' | '—'));
    let joined = dash || (ctx.keeps && cmp.is_none() && matches!(ctx.word(low.end), Some("to" | "and")));
    if joined && let Some(high) = ctx.quantity(low.end + 1, NUMBER_SLOT) {
        return phrase(Role::Range { low, high }, start, high.end, None);
    }
    phrase(role, start, low.end, cmp)
}

/// "increase", "year-over-year reduction in", after a quantity.
fn change_noun_after(ctx: &Context<'_>, i: usize) -> Option<(Direction, usize)> {
    let mut j = i;
    // Up to two adjectives: "a 20% year-over-year increase", "a 10% net reduction".
    for _ in 0..2 {
        match ctx.word(j) {
            Some(w) if CHANGE_NOUNS.iter().any(|(n, _)| *n == w) => break,
            Some(w)
                if ctx.skip.get(j).copied().unwrap_or(false) || matches!(w, "net" | "overall" | "total" | "annual") =>
            {
                j += 1
            }
            _ => break,
        }
    }
    let w = ctx.word(j)?;
    let &(_, direction) = CHANGE_NOUNS.iter().find(|(n, _)| *n == w)?;
    let mut end = j + 1;
    if matches!(ctx.word(end), Some("in" | "of" | "on" | "to")) {
        end += 1;
    }
    Some((direction, end))
}

/// A quantity that no preposition introduced.
fn bare(ctx: &Context<'_>, q: Quantity) -> Option<Phrase> {
    let i = q.start;
    if let Some((direction, end)) = change_noun_after(ctx, q.end) {
        return phrase(Role::ChangeNoun(direction, q), i, end, None);
    }
    if let Some(w) = ctx.word(q.end)
        && let Some(&(_, direction)) = COMPARATIVES.iter().find(|(c, _)| *c == w)
    {
        return phrase(Role::Comparative(direction, q), i, q.end + 1, None);
    }
    if ctx.word(q.end) == Some("to") || ctx.symbol(q.end) == Some('→') {
        let (cmp, k) = ctx.comparator_at(q.end + 1).map_or((None, q.end + 1), |(c, k)| (Some(c), k));
        if let Some(target) = ctx.quantity(k, NUMBER_SLOT) {
            let role = if ctx.keeps && ctx.symbol(q.end).is_none() {
                Role::Range { low: q, high: target }
            } else {
                Role::FromTo { start: q, target }
            };
            return phrase(role, i, target.end, cmp);
        }
    }
    if matches!(ctx.symbol(q.end), Some('-' | '–' | '—'))
        && let Some(high) = ctx.quantity(q.end + 1, NUMBER_SLOT)
    {
        return phrase(Role::Range { low: q, high }, i, high.end, None);
    }
    if is_name_part(ctx, &q) {
        return None;
    }
    let prev = i.checked_sub(1).and_then(|p| ctx.word(p));
    let short_time = q.unit.is_some_and(|u| matches!(u, Unit::Day | Unit::Week | Unit::Hour));
    if short_time && prev.is_some_and(|p| matches!(p, "in" | "during" | "for" | "after" | "every" | "next")) {
        return phrase(Role::TimeFrame(q), i, q.end, None);
    }
    phrase(Role::Bare(q), i, q.end, None)
}

/// Whether a bare number belongs to the name before it: "Level 1", "SOC 2", "version 3".
fn is_name_part(ctx: &Context<'_>, q: &Quantity) -> bool {
    let plain_words = q.written == Written::Words && q.unit.is_none() && !q.multiplier;
    if !q.plain && !plain_words {
        return false;
    }
    let Some(p) = q.start.checked_sub(1) else { return false };
    let Some(prev) = ctx.tokens.get(p) else { return false };
    let (Some(lower), Some(written)) = (prev.word(), prev.word_as_written()) else { return false };
    if FUNCTION_WORDS.contains(lower) || ctx.skip.get(p).copied().unwrap_or(false) {
        return false;
    }
    // "Level 1", and in the plural "releases 0.2".
    if NAME_NOUNS.contains(lower) || lower.strip_suffix('s').is_some_and(|singular| NAME_NOUNS.contains(singular)) {
        return true;
    }
    let capitalised = written.chars().next().is_some_and(char::is_uppercase);
    q.plain && capitalised && p > 0 && ctx.verb.is_none_or(|v| p > v)
}

/// Drops bare numbers that belong to the metric's name when the sentence states its
/// numbers elsewhere: "cost per 1,000 impressions", "Grow our 3 largest accounts by 50%";
/// and, when the verb names no change, the size of a whole that the sentence covers
/// rather than a count to reach: "Launch the new storefront in all four markets".
pub(crate) fn drop_name_numbers(tokens: &[Token], phrases: &mut Vec<Phrase>, no_change: bool) {
    let numbers_elsewhere = phrases.iter().any(|p| !matches!(p.role, Role::Bare(_) | Role::TimeFrame(_)));
    phrases.retain(|p| {
        let prev = p.start.checked_sub(1).and_then(|k| tokens.get(k)).and_then(Token::word);
        let name = match p.role {
            Role::Bare(q) if q.unit.is_none() && !q.multiplier => match prev {
                Some("per") => true,
                Some("all") => no_change || numbers_elsewhere,
                Some("our" | "the" | "their" | "its" | "my" | "your" | "these" | "those") => numbers_elsewhere,
                _ => false,
            },
            _ => false,
        };
        !name
    });
}

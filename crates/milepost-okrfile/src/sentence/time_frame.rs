//! Time frames and dates: the parts of a sentence that say *when*, not *how much*.
//!
//! "this quarter", "each week", "by Q4", "by the end of the year", "in 2026",
//! "within 6 months", "year over year", "by March 31". They are set aside before the
//! phrase grammar runs, so that "2026" is never a target and "per month" never ends up
//! in a metric.

use super::lexer::Token;
use super::quantity::quantity_at;
use super::vocabulary::{MONTHS, is_period_name};

/// Periods named in the singular ("this quarter", "per month").
const PERIOD: &[&str] = &[
    "day",
    "week",
    "month",
    "quarter",
    "year",
    "sprint",
    "cycle",
    "half",
    "term",
    "season",
    "semester",
    "fy",
    "weekend",
    "iteration",
    "release",
    "okr",
    "shift",
    "night",
    "morning",
];

/// Periods a time frame counts in ("within 6 months"); days and weeks are units, so
/// they only count here after "next", "first" or "last".
const COUNTED_PERIOD: &[&str] =
    &["month", "months", "quarter", "quarters", "year", "years", "sprint", "sprints", "cycle", "cycles", "mo", "mos"];

const SHORT_PERIOD: &[&str] = &["day", "days", "week", "weeks", "hour", "hours"];

/// Words that open a time frame.
const OPENERS: &[&str] = &[
    "in",
    "by",
    "before",
    "until",
    "till",
    "through",
    "thru",
    "during",
    "for",
    "within",
    "over",
    "after",
    "throughout",
    "across",
    "starting",
    "from",
    "ahead",
    "around",
    "at",
];

const DETERMINERS: &[&str] = &["this", "next", "each", "every", "per", "last", "coming", "current", "a", "an", "the"];

const ORDER: &[&str] = &["next", "first", "last", "past", "coming", "following", "remaining", "final"];

fn word(tokens: &[Token], i: usize) -> Option<&str> {
    tokens.get(i).and_then(Token::word)
}

/// Marks every token that belongs to a time frame or a date.
pub(crate) fn time_frames(tokens: &[Token]) -> Vec<bool> {
    let mut mask = vec![false; tokens.len()];
    let mut k = 0;
    while k < tokens.len() {
        let len = frame_len(tokens, k);
        if len > 0 {
            for m in mask.iter_mut().skip(k).take(len) {
                *m = true;
            }
            k += len;
        } else {
            if is_date_number(tokens, k) {
                mask[k] = true;
            }
            k += 1;
        }
    }
    mask
}

/// A number that is a year ("in 2026") or a day of a month ("March 31").
fn is_date_number(tokens: &[Token], k: usize) -> bool {
    let Some(n) = tokens.get(k).and_then(Token::numeral) else { return false };
    if n.decimal || n.grouped || n.fraction || n.value.fract() != 0.0 {
        return false;
    }
    let prev = k.checked_sub(1).and_then(|p| word(tokens, p));
    let next = word(tokens, k + 1);
    // A unit, scale or symbol glued after it makes it a quantity.
    if tokens.get(k + 1).is_some_and(|t| t.glued) {
        return false;
    }
    let next_is_month = next.is_some_and(|w| MONTHS.contains(w));
    let prev_is_month = prev.is_some_and(|w| MONTHS.contains(w));
    if (1.0..=31.0).contains(&n.value) && (prev_is_month || next_is_month) {
        return true;
    }
    let year_like = (1990.0..=2100.0).contains(&n.value);
    let date_prev = prev.is_some_and(|w| {
        matches!(w, "in" | "by" | "for" | "of" | "until" | "till" | "through" | "before" | "since" | "during" | "end")
            || is_period_name(w)
    });
    // "by 2000 tickets" counts tickets; "by 2026" is a date.
    let next_is_noun = next.is_some_and(|w| {
        !matches!(w, "and" | "or" | "to" | "in" | "by" | "for" | "with" | "at" | "on" | "while" | "across")
            && !is_period_name(w)
    });
    year_like && date_prev && !next_is_noun
}

fn is_year_at(tokens: &[Token], j: usize) -> bool {
    tokens
        .get(j)
        .and_then(Token::numeral)
        .is_some_and(|n| !n.decimal && !n.grouped && (1990.0..=2100.0).contains(&n.value) && n.value.fract() == 0.0)
}

/// The length of the time frame starting at `k`, or 0.
fn frame_len(tokens: &[Token], k: usize) -> usize {
    let Some(w) = word(tokens, k) else { return 0 };
    // "year over year", "month-over-month".
    if matches!(w, "year" | "month" | "quarter" | "week" | "day")
        && matches!(word(tokens, k + 1), Some("over" | "on"))
        && word(tokens, k + 2) == Some(w)
    {
        return 3;
    }
    if let Some((a, rest)) = w.split_once("-over-").or_else(|| w.split_once("-on-"))
        && a == rest
    {
        return 1;
    }
    if is_period_name(w) {
        return 1 + period_tail(tokens, k + 1, MONTHS.contains(w));
    }
    if DETERMINERS.contains(&w) && w != "the" {
        let prev = k.checked_sub(1).and_then(|p| word(tokens, p));
        let mut j = k + 1;
        if matches!(word(tokens, j), Some("fiscal" | "calendar" | "financial")) {
            j += 1;
        }
        let article = matches!(w, "a" | "an");
        // "by a quarter" is a fraction, not a period.
        if article && matches!(prev, Some("by" | "to" | "in" | "than" | "of" | "cut" | "reduce")) {
            return 0;
        }
        if let Some(p) = word(tokens, j) {
            let simple = matches!(p, "day" | "week" | "month" | "quarter" | "year");
            if (article && simple) || (!article && (PERIOD.contains(&p) || is_period_name(p))) {
                return j + 1 - k;
            }
        }
        // "every 2 weeks", "the next 6 months"
        if matches!(w, "every" | "next" | "last") {
            return counted(tokens, k + 1, true).map_or(0, |end| end - k);
        }
        return 0;
    }
    if OPENERS.contains(&w) || w == "end" {
        let mut j = k + 1;
        let mut determined = false;
        if w == "end" {
            if word(tokens, j) != Some("of") {
                return 0;
            }
            j += 1;
            determined = true;
        }
        if word(tokens, j) == Some("the") {
            j += 1;
            determined = true;
        }
        if matches!(word(tokens, j), Some("end" | "start" | "beginning" | "middle" | "close"))
            && word(tokens, j + 1) == Some("of")
        {
            j += 2;
            determined = true;
            if word(tokens, j) == Some("the") {
                j += 1;
            }
        }
        let mut ordered = false;
        if let Some(o) = word(tokens, j).filter(|o| ORDER.contains(o) || matches!(*o, "this" | "current")) {
            ordered = ORDER.contains(&o);
            j += 1;
            determined = true;
        }
        if let Some(p) = word(tokens, j) {
            if is_period_name(p) {
                return j + 1 + period_tail(tokens, j + 1, MONTHS.contains(p)) - k;
            }
            if determined && PERIOD.contains(&p) {
                return j + 1 - k;
            }
        }
        if w != "at" && w != "from" && is_year_at(tokens, j) && tokens.get(j + 1).is_none_or(|t| t.word().is_none()) {
            return j + 1 - k;
        }
        if w != "at"
            && w != "from"
            && w != "by"
            && let Some(end) = counted(tokens, j, ordered)
        {
            return end - k;
        }
    }
    0
}

/// "6 months", "3 consecutive quarters"; days and weeks only when `short_ok`.
fn counted(tokens: &[Token], j: usize, short_ok: bool) -> Option<usize> {
    let q = quantity_at(tokens, j).filter(|q| q.unit.is_none() || short_ok)?;
    let mut end = q.end;
    if matches!(word(tokens, end), Some("consecutive" | "straight" | "full" | "more" | "calendar" | "business")) {
        end += 1;
    }
    let p = word(tokens, end);
    let period = p.is_some_and(|p| COUNTED_PERIOD.contains(&p) || (short_ok && SHORT_PERIOD.contains(&p)));
    if period {
        return Some(end + 1);
    }
    // A quantity that already read "days" or "weeks" as its unit.
    (short_ok && q.unit.is_some_and(|u| u.milliseconds().is_some())).then_some(q.end)
}

/// A day and a year after a month ("March 31, 2026"), or a year after a quarter ("Q4 2026").
fn period_tail(tokens: &[Token], j: usize, month: bool) -> usize {
    let mut n = 0;
    if month
        && tokens.get(j + n).and_then(Token::numeral).is_some_and(|d| (1.0..=31.0).contains(&d.value))
        && tokens.get(j + n + 1).is_none_or(|t| !t.glued || t.symbol() == Some(','))
    {
        n += 1;
    }
    if tokens.get(j + n).and_then(Token::symbol) == Some(',') && is_year_at(tokens, j + n + 1) {
        n += 2;
    } else if is_year_at(tokens, j + n) {
        n += 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::super::lexer::tokenize;
    use super::*;

    fn masked(text: &str) -> String {
        let tokens = tokenize(text);
        let mask = time_frames(&tokens);
        tokens
            .iter()
            .zip(mask)
            .filter(|(_, m)| *m)
            .map(|(t, _)| text.get(t.start..t.end).unwrap_or_default())
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn time_frames_are_found() {
        assert_eq!(masked("Reach $1 million in sales this quarter"), "this quarter");
        assert_eq!(masked("Handle 20% more tickets each week"), "each week");
        assert_eq!(masked("Grow members to 5,000 by Q4"), "by Q4");
        assert_eq!(masked("Hire 5 people by the end of the year"), "by the end of the year");
        assert_eq!(masked("Hire 5 people in 2026"), "in 2026");
        assert_eq!(masked("Hire 5 people within 6 months"), "within 6 months");
        assert_eq!(masked("Grow revenue 20% year over year"), "year over year");
        assert_eq!(masked("Ship it by March 31, 2026"), "by March 31 , 2026");
        assert_eq!(masked("Hire 5 people in the next 30 days"), "in the next 30 days");
    }

    #[test]
    fn quantities_are_not_time_frames() {
        assert_eq!(masked("Reduce the backlog by 2000 tickets"), "");
        assert_eq!(masked("Reduce churn by a quarter"), "");
        assert_eq!(masked("Onboard new hires in 3 days"), "");
        assert_eq!(masked("Keep session length over 5 minutes"), "");
        assert_eq!(masked("Increase customer retention for first time users"), "");
    }
}

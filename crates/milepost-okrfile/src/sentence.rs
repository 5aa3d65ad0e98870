//! Key result sentences: reading "Cut first response time from 8h to 2h" as data.
//!
//! People write key results as plain sentences (SPEC §5). [`parse_key_result`] reads out
//! of one what kind of key result it is, what is measured, the numbers (start, target,
//! band, relative or absolute change, threshold) and their unit. The work happens in
//! stages, each a small grammar of its own:
//!
//! 1. [`lexer`] splits the text into words, numerals and symbols;
//! 2. [`time_frame`] sets aside the parts that say *when* ("this quarter", "by 2026");
//! 3. [`clause`] finds the verb and what it says (up, down, keep, finish);
//! 4. [`phrase`] reads each number with the words around it ("from … to …", "by 30%",
//!    "at or above 92%", "20% more"), each through [`quantity`] (scales, units, words);
//! 5. this module decides the kind and fills the result, and [`metric`] names the metric.
//!
//! The parser refuses only a sentence longer than [`MAX_SENTENCE_CHARS`] characters
//! ([`SentenceTooLong`]); any other sentence is read, and one with nothing measurable
//! gets kind `None`. It is linear in the length of the text: every stage scans left to
//! right with a bounded look-ahead, nothing backtracks, and a question about the tokens
//! before or inside a phrase is answered from a mask or a running count made in one
//! pass, never by scanning the sentence again for each token or phrase.

mod aside;
mod clause;
mod lexer;
mod metric;
mod phrase;
mod quantity;
mod share;
mod time_frame;
mod vocabulary;

use clause::{Clause, find_clause};
use lexer::{Token, tokenize};
use milepost_core::{Comparator, KeyResultKind};
use phrase::{Context, Phrase, Role, phrases};
use quantity::{Quantity, Unit, Written};
use serde::Serialize;
use vocabulary::{CLAUSE_BREAKS, Direction, EDGE_WORDS, VAGUE_COMPARATIVES};

/// What a key result sentence says, field by field; `None` where the sentence does not
/// say it. Serialized, every field is present (`null` when absent), in this order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParsedKeyResult {
    /// The kind of key result, or `None` when nothing measurable can be read
    /// ("Improve customer experience").
    pub kind: Option<KeyResultKind>,
    /// What is measured, as a short noun phrase taken from the sentence.
    pub metric: Option<String>,
    /// The baseline, only when the sentence states it ("from 40%"), in the target's unit.
    pub start: Option<f64>,
    /// The absolute target ("to 80%", "Hire 5 …"); for a maintain key result, the threshold.
    pub target: Option<f64>,
    /// The band `[low, high]` of a range key result.
    pub range: Option<[f64; 2]>,
    /// A change relative to the baseline, as a fraction: "by 30%" is ±0.3, "double" is 1.0.
    pub relative_change: Option<f64>,
    /// An absolute change: "by 200 tickets" is −200 on a decrease.
    pub delta: Option<f64>,
    /// Which side of a maintain threshold is good; only for maintain key results.
    pub comparator: Option<Comparator>,
    /// The unit: `%`, `pp`, `USD`, `EUR`, `GBP`, `ms`, `s`, `min`, `h`, `days` or `weeks`;
    /// `None` for plain counts and scores.
    pub unit: Option<String>,
    /// Whether anything measurable was read: `false` exactly when `kind` is `None`.
    pub measurable: bool,
    /// For maintain and range: the share of slices (periods of the key result's cadence)
    /// that must meet the goal, 0–1, when the sentence states it ("in 95% of weeks",
    /// "in 11 of 12 weeks"). Left out of the serialized parse when not stated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required_share: Option<f64>,
}

impl ParsedKeyResult {
    /// What a sentence that was not read says: nothing, every field `None`.
    pub const fn unread() -> ParsedKeyResult {
        ParsedKeyResult {
            kind: None,
            metric: None,
            start: None,
            target: None,
            range: None,
            relative_change: None,
            delta: None,
            comparator: None,
            unit: None,
            measurable: false,
            required_share: None,
        }
    }
}

/// The longest key result sentence read, in characters (Unicode scalar values, not
/// bytes). A key result is one sentence; anything longer is a paste gone wrong, and
/// every front end (`milepost kr parse`, OKR files, the JSON API, the web forms) refuses
/// it through [`parse_key_result`] with a [`SentenceTooLong`].
pub const MAX_SENTENCE_CHARS: usize = 2_000;

/// A key result sentence longer than [`MAX_SENTENCE_CHARS`] characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SentenceTooLong {
    /// How many characters the sentence has.
    pub chars: usize,
}

impl std::fmt::Display for SentenceTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the key result sentence has {} characters, more than the {MAX_SENTENCE_CHARS} a key result may have",
            self.chars
        )
    }
}

impl std::error::Error for SentenceTooLong {}

/// Reads a key result sentence; see [`ParsedKeyResult`]. Fails only on a sentence of
/// more than [`MAX_SENTENCE_CHARS`] characters, and never panics. Its work is linear in
/// the length of the text.
///
/// ```
/// use milepost_okrfile::parse_key_result;
/// use milepost_core::KeyResultKind;
///
/// let parsed = parse_key_result("Decrease mean time to recovery from 4 hours to 30 minutes").unwrap();
/// assert_eq!(parsed.kind, Some(KeyResultKind::Decrease));
/// assert_eq!((parsed.start, parsed.target), (Some(240.0), Some(30.0)));
/// assert_eq!(parsed.unit.as_deref(), Some("min"));
/// assert_eq!(parsed.metric.as_deref(), Some("mean time to recovery"));
///
/// let long = "é".repeat(2_001);
/// assert_eq!(parse_key_result(&long).unwrap_err().chars, 2_001);
/// ```
pub fn parse_key_result(text: &str) -> Result<ParsedKeyResult, SentenceTooLong> {
    // The check stops one character past the limit; only a refused sentence is counted
    // whole, once, for its message.
    if text.chars().nth(MAX_SENTENCE_CHARS).is_some() {
        return Err(SentenceTooLong { chars: text.chars().count() });
    }
    Ok(read_sentence(text))
}

/// Reads a sentence of any length; [`parse_key_result`] bounds it.
fn read_sentence(text: &str) -> ParsedKeyResult {
    let tokens = tokenize(text);
    let breaks = aside::sentence_breaks(&tokens);
    if breaks.is_empty() {
        return read_one(text, tokens);
    }
    // "Improve campaign tracking. Track UTM values in Salesforce.": of several sentences,
    // the first that measures decides, else the first that names something to do.
    let mut parts = Vec::with_capacity(breaks.len() + 1);
    let mut from = 0;
    for (end, next) in breaks {
        parts.push(text.get(from..end).unwrap_or_default());
        from = next;
    }
    parts.push(text.get(from..).unwrap_or_default());
    let readings: Vec<ParsedKeyResult> = parts.into_iter().map(|p| read_one(p, tokenize(p))).collect();
    let measured = readings.iter().position(|r| r.kind.is_some_and(|k| k != KeyResultKind::Milestone));
    let milestone = readings.iter().position(|r| r.kind.is_some());
    let chosen = measured.or(milestone).unwrap_or(0);
    readings.into_iter().nth(chosen).unwrap_or_else(ParsedKeyResult::unread)
}

/// Reads one sentence, already split into tokens.
fn read_one(text: &str, tokens: Vec<Token>) -> ParsedKeyResult {
    let clause = find_clause(&tokens);
    let mut skip = time_frame::time_frames(&tokens);
    aside::skip_asides(&tokens, &mut skip, clause.sense.direction.is_some() && !clause.finishes);
    // "in 95% of weeks": how often the goal must hold, not a number of the goal.
    let share = share::required_share(&tokens);
    if let Some(share) = share {
        for s in skip.iter_mut().take(share.end).skip(share.start) {
            *s = true;
        }
    }
    for &k in &clause.verb_tokens {
        if let Some(s) = skip.get_mut(k) {
            *s = true;
        }
    }
    let ctx = Context { tokens: &tokens, skip: &skip, keeps: clause.sense.keeps, verb: clause.verb };
    let mut phrases = phrases(&ctx);
    phrase::drop_name_numbers(&tokens, &mut phrases, clause.sense.direction.is_none());
    // "Reduce cost by 20% while keeping uptime above 99.9%": the first clause that has
    // numbers is the key result; a second one is a constraint on it.
    if let Some(cut) = clause::second_clause(&tokens, &clause, &phrases) {
        phrases.retain(|p| p.start < cut);
        for s in skip.iter_mut().skip(cut) {
            *s = true;
        }
    }
    let in_phrase = phrase_mask(tokens.len(), &phrases);
    let reading = read_numbers(&tokens, &skip, &clause, &phrases);
    let kind = decide_kind(&clause, &reading, &tokens, &skip, &in_phrase);
    let metric = metric::metric(text, &tokens, &skip, &in_phrase, reading.primary.as_ref())
        .map(|m| m.trim().to_string())
        .filter(|m| !m.is_empty());
    let mut parsed = finish(kind, metric, &reading);
    if matches!(parsed.kind, Some(KeyResultKind::Maintain | KeyResultKind::Range)) {
        parsed.required_share = share.map(|s| s.share);
    }
    parsed
}

/// Marks the tokens some phrase covers. Phrases do not overlap, so this is one pass over
/// the sentence (asking each phrase about each token would be quadratic).
fn phrase_mask(len: usize, phrases: &[Phrase]) -> Vec<bool> {
    let mut mask = vec![false; len];
    for p in phrases {
        for m in mask.iter_mut().take(p.end).skip(p.start) {
            *m = true;
        }
    }
    mask
}

/// A change read from a phrase, before its sign is known.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Change {
    /// A fraction of the baseline whose sign follows the kind: "by 30%", "by a third".
    Fraction(f64),
    /// A multiplier: "5x" is +4.0 on an increase, −0.8 on a decrease.
    Multiplier(f64),
    /// A change whose sign the words fix: "double" is +1.0, "halve" −0.5.
    Fixed(f64),
}

/// The numbers of a sentence, gathered from its phrases.
#[derive(Debug, Default)]
struct Reading {
    start: Option<Quantity>,
    target: Option<Quantity>,
    range: Option<(Quantity, Quantity)>,
    relative: Option<Change>,
    delta: Option<Quantity>,
    /// The comparator written with the target, or anywhere in the sentence.
    comparator: Option<Comparator>,
    /// The direction the phrases themselves state ("20% fewer", "a 25% reduction").
    direction: Option<Direction>,
    /// The phrase that gave the target, or else the main change.
    primary: Option<Phrase>,
}

impl Reading {
    fn has_numbers(&self) -> bool {
        self.start.is_some()
            || self.target.is_some()
            || self.range.is_some()
            || self.relative.is_some()
            || self.delta.is_some()
    }
}

/// A quantity as a change: relative when it is a percentage, a multiplier or a fraction.
fn as_change(q: &Quantity) -> Option<Change> {
    if q.multiplier {
        Some(Change::Multiplier(q.value))
    } else if q.unit == Some(Unit::Percent) {
        Some(Change::Fraction(q.value / 100.0))
    } else if q.written == Written::FractionWord || q.fraction {
        Some(Change::Fraction(q.value))
    } else {
        None
    }
}

fn read_numbers(tokens: &[Token], skip: &[bool], clause: &Clause, phrases: &[Phrase]) -> Reading {
    let mut r = Reading::default();
    let mut change_phrase = None;
    let mut bares = Vec::new();
    let mut frames = Vec::new();
    let changes_number = clause.sense.direction.is_some() && !clause.sense.keeps;
    // Counted once, and only when a bare number asks.
    let content = std::cell::OnceCell::new();
    let follows_metric =
        |q: &Quantity| content.get_or_init(|| ContentWords::count(tokens, skip)).follows_metric(clause, q);
    // A count right after the verb is the target, whatever follows it: "Sign 15 new
    // customers with ARR over $50k".
    // So is a count that opens a sentence with no verb: "20 profiles which add at least
    // one item".
    let first_word = (0..tokens.len()).find(|&k| !skip.get(k).copied().unwrap_or(true));
    let object = phrases.iter().find(|p| match p.role {
        Role::Bare(q) => {
            let relative_percent = changes_number && q.unit == Some(Unit::Percent);
            let opens = clause.verb.is_none() && first_word == Some(p.start) && q.unit.is_none();
            (clause.verb.is_some() || opens) && !q.multiplier && !relative_percent && !follows_metric(&q)
        }
        _ => false,
    });
    if let Some(p) = object
        && let Role::Bare(q) = p.role
        && !phrases.iter().any(|p| matches!(p.role, Role::FromTo { .. } | Role::Range { .. }))
    {
        r.target = Some(q);
        r.primary = Some(*p);
        r.comparator = p.comparator;
    }
    for p in phrases {
        let mut take_change = |q: &Quantity, r: &mut Reading| {
            match as_change(q) {
                Some(c) if r.relative.is_none() => r.relative = Some(c),
                None if r.delta.is_none() => r.delta = Some(*q),
                _ => return,
            }
            change_phrase = change_phrase.or(Some(*p));
        };
        match p.role {
            Role::FromTo { start, target } if r.start.is_none() && r.target.is_none() => {
                r.start = Some(start);
                r.target = Some(target);
                r.primary = Some(*p);
                r.comparator = p.comparator;
            }
            Role::From(start) if r.start.is_none() => r.start = Some(start),
            Role::Range { low, high } if r.range.is_none() => {
                r.range = Some((low, high));
                r.primary = r.primary.or(Some(*p));
            }
            Role::By(q) => take_change(&q, &mut r),
            Role::InHalf if r.relative.is_none() => {
                r.relative = Some(Change::Fraction(0.5));
                change_phrase = change_phrase.or(Some(*p));
            }
            Role::ChangeNoun(d, q) | Role::Comparative(d, q) | Role::UpDown(d, q) => {
                r.direction = r.direction.or(Some(d));
                take_change(&q, &mut r);
            }
            // "to half", "to 2x": a change, not a level ("to one fifth of revenue" is a level).
            Role::To(q) if is_change_level(tokens, &q) && r.relative.is_none() => {
                r.relative =
                    Some(if q.multiplier { Change::Multiplier(q.value) } else { Change::Fixed(q.value - 1.0) });
                change_phrase = change_phrase.or(Some(*p));
            }
            Role::To(q) if is_change_level(tokens, &q) => {}
            Role::To(q) | Role::Threshold(q) | Role::Of(q) | Role::At(q) if r.target.is_none() => {
                r.target = Some(q);
                r.primary = Some(*p);
                r.comparator = p.comparator;
            }
            Role::Bare(_) => bares.push(*p),
            Role::TimeFrame(_) => frames.push(*p),
            _ => {}
        }
    }
    if let Some(m) = clause.sense.multiplier
        && r.relative.is_none()
    {
        r.relative = Some(Change::Fixed(m - 1.0));
    }
    for p in &bares {
        let Role::Bare(q) = p.role else { continue };
        if Some(p) == object {
            continue;
        }
        if q.multiplier || (changes_number && q.unit == Some(Unit::Percent)) {
            if r.relative.is_none() {
                r.relative = as_change(&q);
                change_phrase = change_phrase.or(Some(*p));
            }
        } else if changes_number && r.delta.is_none() && r.target.is_none() && follows_metric(&q) {
            // "Cut cloud spend $20k": after the metric, a bare amount is the change.
            r.delta = Some(q);
            change_phrase = change_phrase.or(Some(*p));
        } else if r.target.is_none() {
            r.target = Some(q);
            r.primary = Some(*p);
            r.comparator = r.comparator.or(p.comparator);
        }
    }
    // "Refund returns in 3 days, down from 9": with nothing else to reach, the time
    // frame is the target.
    let only_start = r.target.is_none() && r.range.is_none() && r.relative.is_none() && r.delta.is_none();
    if only_start
        && let Some(p) = frames.first()
        && let Role::TimeFrame(q) = p.role
    {
        r.target = Some(q);
        r.primary = Some(*p);
        r.comparator = p.comparator;
    }
    r.primary = r.primary.or(change_phrase);
    if r.comparator.is_none() {
        // A comparator elsewhere in the sentence ("4.5 or higher" after "of"), but never
        // the "within" of a time frame that was not used.
        let used_frame = r.primary.is_some_and(|p| matches!(p.role, Role::TimeFrame(_)));
        r.comparator =
            phrases.iter().filter(|p| used_frame || !matches!(p.role, Role::TimeFrame(_))).find_map(|p| p.comparator);
    }
    r
}

/// Whether "to Q" names a change rather than a level: "to half", "to 2x", but not
/// "to a fifth of revenue".
fn is_change_level(tokens: &[Token], q: &Quantity) -> bool {
    let of_follows = tokens.get(q.end).and_then(Token::word) == Some("of");
    q.multiplier || (q.written == Written::FractionWord && !of_follows)
}

/// How many content words (words not set aside and not small edge words) come before
/// each token, counted in one pass so that "is there a content word between these two
/// tokens" costs a subtraction, not a scan.
struct ContentWords {
    /// `before[k]` is the number of content words among tokens `0..k`.
    before: Vec<usize>,
}

impl ContentWords {
    fn count(tokens: &[Token], skip: &[bool]) -> ContentWords {
        let mut before = Vec::with_capacity(tokens.len() + 1);
        let mut n = 0;
        before.push(n);
        for (k, t) in tokens.iter().enumerate() {
            if !skip.get(k).copied().unwrap_or(true) && t.word().is_some_and(|w| !EDGE_WORDS.contains(w)) {
                n += 1;
            }
            before.push(n);
        }
        ContentWords { before }
    }

    /// Whether a content word stands between the verb and the quantity.
    fn follows_metric(&self, clause: &Clause, q: &Quantity) -> bool {
        let Some(verb) = clause.verb else { return false };
        let at = |k: usize| self.before.get(k).or(self.before.last()).copied().unwrap_or(0);
        q.start > verb + 1 && at(q.start) > at(verb + 1)
    }
}

fn decide_kind(
    clause: &Clause,
    r: &Reading,
    tokens: &[Token],
    skip: &[bool],
    in_phrase: &[bool],
) -> Option<KeyResultKind> {
    if !r.has_numbers() {
        // "Launch the referral program", "Determine licensing strategy", "Stable Python
        // SDK" and "The PIN API is merged" name something to do or to have: milestones.
        // "Get more users" and "Improve onboarding" want a number they do not give. A
        // comparative counts only in the main clause: "Identify bottlenecks that make
        // hiring less remote-friendly" is still a thing to do.
        let main_clause_end = tokens
            .iter()
            .enumerate()
            .skip(clause.verb.map_or(0, |v| v + 1))
            .find(|(_, t)| {
                t.word().is_some_and(|w| CLAUSE_BREAKS.contains(w))
                    || matches!(t.symbol(), Some(',' | ';' | '.' | ':' | '!' | '?'))
            })
            .map_or(tokens.len(), |(k, _)| k);
        let vague = tokens.iter().enumerate().take(main_clause_end).any(|(k, t)| {
            !skip.get(k).copied().unwrap_or(true)
                && !in_phrase.get(k).copied().unwrap_or(false)
                && t.word().is_some_and(|w| VAGUE_COMPARATIVES.contains(w))
        });
        let wants_number = vague || (clause.changes && !clause.finishes);
        // Blank text or bare symbols name nothing at all.
        let names_something = tokens.iter().any(|t| t.word().is_some_and(|w| !EDGE_WORDS.contains(w)));
        return (names_something && !wants_number).then_some(KeyResultKind::Milestone);
    }
    if let (Some(start), Some(target)) = (r.start, r.target) {
        let (start, target) = (start_in_target_unit(&start, &target), target.value);
        if target > start {
            return Some(KeyResultKind::Increase);
        }
        if target < start {
            return Some(KeyResultKind::Decrease);
        }
    }
    if r.range.is_some() {
        return Some(KeyResultKind::Range);
    }
    if r.target.is_some() && (clause.sense.keeps || (clause.verb.is_none() && r.comparator.is_some())) {
        if clause.verb.is_none() && counts_from_the_start(tokens, skip, r) {
            // "Five or more teams have adopted it": a count to reach, not a level to keep.
            return Some(KeyResultKind::Increase);
        }
        return Some(KeyResultKind::Maintain);
    }
    // "Reach zero critical vulnerabilities": nothing can go lower than none.
    if r.start.is_none() && r.target.is_some_and(|t| t.value == 0.0) {
        return Some(KeyResultKind::Decrease);
    }
    let from_comparator = r.comparator.map(|c| match c {
        Comparator::AtLeast => Direction::Up,
        Comparator::AtMost => Direction::Down,
    });
    let verb = clause.sense.direction.filter(|_| !clause.sense.tentative);
    let direction = clause
        .particle
        .or(verb)
        .or(r.direction)
        .or(from_comparator)
        .or(clause.sense.direction)
        .unwrap_or(Direction::Up);
    Some(match direction {
        Direction::Up => KeyResultKind::Increase,
        Direction::Down => KeyResultKind::Decrease,
    })
}

/// Whether the sentence opens with its target, a plain count ("Five or more teams …",
/// "One or more daemons …", "20 profiles which …").
fn counts_from_the_start(tokens: &[Token], skip: &[bool], r: &Reading) -> bool {
    let Some(target) = r.target else { return false };
    let first = (0..tokens.len()).find(|&k| !skip.get(k).copied().unwrap_or(true));
    first == Some(target.start) && target.unit.is_none() && !target.multiplier && !target.fraction
}

/// The start in the target's unit: time is converted ("4 hours" → 240 when the target is
/// in minutes), and a bare start shares a scale word written only on the target
/// ("from 1.2 to 2 million").
fn start_in_target_unit(start: &Quantity, target: &Quantity) -> f64 {
    if let (Some(from), Some(to)) = (start.unit.and_then(Unit::milliseconds), target.unit.and_then(Unit::milliseconds))
    {
        return start.value * from / to;
    }
    let shares_scale = start.scale == 1.0
        && target.scale_word
        && start.written == Written::Digits
        && start.raw.abs() < 1000.0
        && start.raw.abs() <= target.raw.abs() * 10.0;
    if shares_scale { start.value * target.scale } else { start.value }
}

fn finish(kind: Option<KeyResultKind>, metric: Option<String>, r: &Reading) -> ParsedKeyResult {
    let mut out = ParsedKeyResult { kind, metric, measurable: kind.is_some(), ..ParsedKeyResult::unread() };
    let Some(kind) = kind else { return out };
    if kind == KeyResultKind::Milestone {
        return out;
    }
    let down = match kind {
        KeyResultKind::Decrease => true,
        KeyResultKind::Increase => false,
        _ => r.direction == Some(Direction::Down),
    };
    let sign = |v: f64| if down { -v.abs() } else { v.abs() };
    let mut unit = None;
    if kind == KeyResultKind::Range {
        if let Some((low, high)) = r.range {
            let low_value = start_in_target_unit(&low, &high);
            let (a, b) = if low_value <= high.value { (low_value, high.value) } else { (high.value, low_value) };
            out.range = Some([a, b]);
            unit = high.unit.or(low.unit);
        }
    } else {
        if let Some(target) = r.target {
            out.target = Some(target.value);
            unit = target.unit;
            if let Some(start) = r.start {
                out.start = Some(start_in_target_unit(&start, &target));
                unit = unit.or(start.unit);
            }
        } else if let Some(start) = r.start {
            out.start = Some(start.value);
            unit = start.unit;
        }
        if kind == KeyResultKind::Maintain {
            // "Keep P1 incidents at zero": at most none.
            let default = if out.target == Some(0.0) { Comparator::AtMost } else { Comparator::AtLeast };
            out.comparator = Some(r.comparator.unwrap_or(default));
        }
    }
    out.relative_change = r.relative.and_then(|c| match c {
        Change::Fraction(f) => Some(sign(f)),
        Change::Fixed(v) => Some(v),
        Change::Multiplier(m) if down => (m > 0.0).then(|| 1.0 / m - 1.0),
        Change::Multiplier(m) => Some(m - 1.0),
    });
    if let Some(delta) = r.delta {
        out.delta = Some(sign(delta.value));
        unit = unit.or(delta.unit);
    }
    out.unit = unit.map(|u| u.code().to_string());
    // Every number is finite by construction; keep it so even for absurd input.
    let finite = |v: Option<f64>| v.filter(|v| v.is_finite());
    out.start = finite(out.start);
    out.target = finite(out.target);
    out.relative_change = finite(out.relative_change);
    out.delta = finite(out.delta);
    out.range = out.range.filter(|[a, b]| a.is_finite() && b.is_finite());
    out
}

//! The clause: which word is the verb and what it says about the number.
//!
//! A key result is usually an imperative ("Reduce churn …"), sometimes a statement with
//! its subject first ("Churn drops below 2%"), sometimes led in by a label or filler
//! ("KR1: We will increase …"). The verb may be phrasal and split around its object
//! ("Bring onboarding time down to 3 days"), or hand over to a second verb that carries
//! the numbers ("Keep growing revenue by 10%", "Launch referrals to grow sign-ups by 20%").

use super::lexer::{Token, TokenKind};
use super::phrase::Phrase;
use super::vocabulary::{
    Direction, FUNCTION_WORDS, LEADING_FILLER, OBJECT_OPENERS, PARTICLES, VerbSense, base_sense, is_period_name,
    verb_sense,
};

/// The verb of a key result sentence and what it means.
#[derive(Debug, Clone, Default)]
pub(crate) struct Clause {
    /// The main verb's token.
    pub verb: Option<usize>,
    /// Tokens that belong to the verb or lead into the sentence, which are neither
    /// numbers nor part of the metric.
    pub verb_tokens: Vec<usize>,
    /// The meaning that decides the kind: the main verb's, or the verb it hands over to.
    pub sense: VerbSense,
    /// The main verb names something to finish.
    pub finishes: bool,
    /// The direction a particle gives ("down" in "bring … down").
    pub particle: Option<Direction>,
    /// The main verb (or a verb it joins: "Keep growing", "Maintain or reduce") names a
    /// change or a level to keep: with no number it wants one ("Improve onboarding"),
    /// where any other verb names something to do, a milestone.
    pub changes: bool,
}

fn word(tokens: &[Token], i: usize) -> Option<&str> {
    tokens.get(i).and_then(Token::word)
}

/// Phrasal verbs whose particle is part of the verb, not a direction.
const PHRASAL: &[(&str, &str)] = &[
    ("roll", "out"),
    ("build", "out"),
    ("carry", "out"),
    ("phase", "out"),
    ("close", "out"),
    ("stamp", "out"),
    ("weed", "out"),
    ("kick", "off"),
    ("pay", "off"),
    ("sign", "off"),
    ("go", "live"),
    ("bring", "in"),
    ("take", "in"),
    ("pull", "in"),
    ("rake", "in"),
    ("follow", "through"),
    ("set", "up"),
    ("sign", "up"),
    ("stand", "up"),
    ("spin", "up"),
    ("wrap", "up"),
    ("open", "up"),
    ("pick", "up"),
    ("level", "up"),
    ("follow", "up"),
    ("clean", "up"),
];

/// Finds the clause of a tokenized sentence.
pub(crate) fn find_clause(tokens: &[Token]) -> Clause {
    let mut clause = Clause::default();
    let mut i = skip_label(tokens, &mut clause.verb_tokens);
    while word(tokens, i).is_some_and(|w| LEADING_FILLER.contains(w)) {
        clause.verb_tokens.push(i);
        i += 1;
    }
    if word(tokens, i) == Some("make") && word(tokens, i + 1) == Some("sure") {
        clause.verb_tokens.extend([i, i + 1]);
        i += 2;
        if word(tokens, i) == Some("that") {
            clause.verb_tokens.push(i);
            i += 1;
        }
    }
    let first_number = (i..tokens.len())
        .find(|&k| matches!(tokens[k].kind, TokenKind::Number(_) | TokenKind::Symbol('$' | '€' | '£')));
    let (verb, sense) = match main_verb(tokens, i, first_number.unwrap_or(tokens.len())) {
        Some(found) => found,
        None => return clause,
    };
    clause.verb = Some(verb);
    clause.verb_tokens.push(verb);
    clause.sense = sense;
    clause.finishes = sense.finishes;
    let lemma = word(tokens, verb).unwrap_or_default().to_string();
    let mut end = verb + 1;
    // A particle right after the verb.
    if let Some(p) = word(tokens, end).filter(|p| PARTICLES.contains(p)) {
        let phrasal = PHRASAL.iter().any(|&(v, q)| q == p && lemma.starts_with(v));
        if phrasal {
            clause.verb_tokens.push(end);
            end += 1;
        } else if matches!(p, "down" | "up") {
            clause.particle = Some(if p == "down" || lemma == "speed" { Direction::Down } else { Direction::Up });
            clause.verb_tokens.push(end);
            end += 1;
        }
    }
    // "Build and launch …", "Design and implement …": two verbs for one object.
    if word(tokens, end) == Some("and")
        && let Some(second) = word(tokens, end + 1).and_then(base_sense)
    {
        // "Add and retain 5 members": the second verb keeps what the first one makes,
        // so the first decides.
        let keeps_what_is_made = second.keeps && second.direction.is_none() && clause.finishes;
        if clause.sense.direction.is_none() && !clause.sense.keeps && !keeps_what_is_made {
            clause.sense = second;
        }
        clause.finishes |= second.finishes;
        clause.verb_tokens.extend([end, end + 1]);
        end += 2;
    }
    // "Keep growing revenue": the gerund carries the direction.
    if sense.keeps
        && let Some(g) = word(tokens, end).filter(|g| g.ends_with("ing"))
        && let Some(s) = verb_sense(g).filter(|s| s.direction.is_some())
    {
        clause.sense = s;
        clause.verb_tokens.push(end);
        end += 1;
    }
    let limit = first_number.unwrap_or(tokens.len());
    // A particle split from its verb: "Bring onboarding time down to 3 days".
    if clause.particle.is_none() {
        for k in end..limit {
            if let Some(p @ ("down" | "up")) = word(tokens, k) {
                let next = tokens.get(k + 1);
                let leads_to_number = next.is_none_or(|t| {
                    !matches!(t.kind, TokenKind::Word { .. })
                        || matches!(t.word(), Some("to" | "from" | "by" | "below" | "under" | "above" | "over"))
                });
                if leads_to_number {
                    clause.particle = Some(if p == "down" { Direction::Down } else { Direction::Up });
                    clause.verb_tokens.push(k);
                    break;
                }
            }
        }
    }
    // "Ensure uptime stays above 99.9%": a verb of keeping or change after the subject.
    if clause.sense.direction.is_none() {
        for k in end..limit {
            let Some(w) = word(tokens, k) else { continue };
            let inflected = w.ends_with('s') && base_sense(w).is_none();
            if let Some(s) = verb_sense(w).filter(|s| inflected && (s.direction.is_some() || s.keeps)) {
                if s.direction.is_some() {
                    clause.sense = s;
                }
                clause.verb_tokens.push(k);
                break;
            }
        }
    }
    // "Support backlog cut to 40 tickets", "Median time to merge reduced to 9 days": a
    // verb of change in any form, straight before its number's preposition, is the verb
    // even when the subject's first word could be one.
    if clause.sense.direction.is_none() && !clause.sense.keeps {
        for k in end..limit {
            let Some(w) = word(tokens, k) else { continue };
            let leads = matches!(word(tokens, k + 1), Some("to" | "by" | "from" | "below" | "under" | "down" | "up"));
            let after_to = k > 0 && word(tokens, k - 1) == Some("to");
            if let Some(s) = verb_sense(w).filter(|s| s.direction.is_some() && leads && !after_to) {
                clause.sense = s;
                clause.verb_tokens.push(k);
                break;
            }
        }
    }
    clause.changes = (clause.sense.direction.is_some() || clause.sense.keeps) && !clause.finishes;
    // "Launch referrals to grow sign-ups by 20%": a later verb carries the numbers.
    if clause.sense.direction.is_none() && !clause.sense.keeps {
        for k in end..limit {
            let Some(lead) = word(tokens, k) else { continue };
            if !matches!(lead, "to" | "and" | "by" | "while" | "then" | "thereby") {
                continue;
            }
            let Some(w) = word(tokens, k + 1) else { continue };
            let sense = if matches!(lead, "by" | "while" | "thereby") && w.ends_with("ing") {
                verb_sense(w)
            } else {
                base_sense(w)
            };
            if let Some(s) = sense.filter(|s| s.direction.is_some() || s.keeps) {
                clause.sense = s;
                clause.verb_tokens.extend([k, k + 1]);
                break;
            }
        }
    }
    clause
}

/// Skips a leading label or list marker: "KR1:", "1.", "- ", "* ".
fn skip_label(tokens: &[Token], skipped: &mut Vec<usize>) -> usize {
    let mut i = 0;
    while tokens.get(i).is_some_and(|t| matches!(t.kind, TokenKind::Symbol('-' | '*' | '•' | '–' | '—' | '+' | '>')))
    {
        skipped.push(i);
        i += 1;
    }
    if let Some(colon) = (i..tokens.len().min(i + 4)).find(|&k| tokens[k].symbol() == Some(':')) {
        let label = (i..colon).all(|k| match &tokens[k].kind {
            TokenKind::Word { lower, .. } => lower.len() <= 4 || lower.starts_with("kr") || lower.starts_with("key"),
            TokenKind::Number(_) => true,
            TokenKind::Symbol(_) => false,
        });
        if label {
            skipped.extend(i..=colon);
            return colon + 1;
        }
    }
    if tokens.get(i).and_then(Token::numeral).is_some()
        && matches!(tokens.get(i + 1).and_then(Token::symbol), Some('.' | ')'))
    {
        skipped.extend([i, i + 1]);
        return i + 2;
    }
    i
}

/// The main verb: the first word when it is a verb, else an inflected verb after a
/// subject ("Churn drops below 2%"), else the first word when it is not obviously a
/// noun (an unknown imperative such as "Handle" still reads as a verb).
fn main_verb(tokens: &[Token], first: usize, limit: usize) -> Option<(usize, VerbSense)> {
    let lower = word(tokens, first)?;
    if let Some(sense) = base_sense(lower) {
        return Some((first, sense));
    }
    if (lower.ends_with('s') || lower.ends_with("ed") || lower.ends_with("ing"))
        && let Some(sense) = verb_sense(lower)
    {
        return Some((first, sense));
    }
    for k in first + 1..limit.min(tokens.len()) {
        let Some(w) = word(tokens, k) else { continue };
        if FUNCTION_WORDS.contains(w) {
            continue;
        }
        let inflected = w.ends_with('s') || w.ends_with("ed") || w.ends_with("ing");
        if inflected
            && base_sense(w).is_none()
            && let Some(sense) = verb_sense(w).filter(|s| s.direction.is_some() || s.keeps)
        {
            return Some((k, sense));
        }
    }
    let written = tokens.get(first).and_then(Token::word_as_written).unwrap_or_default();
    let acronym = written.chars().count() >= 2 && written.chars().all(|c| !c.is_lowercase());
    let has_digit = written.chars().any(|c| c.is_ascii_digit());
    // "Uptime ≥ 99.95%", "Churn below 2%": a noun straight before its number.
    let next = tokens.get(first + 1);
    let number_follows = next.is_some_and(|t| {
        matches!(t.kind, TokenKind::Symbol('≥' | '≤' | '>' | '<' | '=' | ':'))
            || matches!(t.word(), Some("from" | "at" | "above" | "below" | "under" | "over" | "between" | "of" | "is"))
    });
    // "Five or more teams …": the sentence opens with its number.
    let number_first = super::quantity::quantity_at(tokens, first).is_some();
    if acronym || has_digit || is_period_name(lower) || number_follows || number_first {
        return None;
    }
    // With no number to act on, an unknown first word is a verb only when an object
    // follows it ("Curate the content"); otherwise the sentence is a noun phrase or a
    // statement ("Customer journeys", "Ansible tower manages our deployments").
    let object_follows = word(tokens, first + 1).is_some_and(|w| OBJECT_OPENERS.contains(w));
    if limit >= tokens.len() && !object_follows {
        return None;
    }
    Some((first, VerbSense::default()))
}

/// Where a second clause starts, when the first already has numbers: at "while",
/// "without", "but", a semicolon, or "and" followed by another verb of change.
pub(crate) fn second_clause(tokens: &[Token], clause: &Clause, phrases: &[Phrase]) -> Option<usize> {
    let from = clause.verb.map_or(0, |v| v + 1);
    let cut = (from..tokens.len()).find(|&k| {
        let t = &tokens[k];
        let next_is_verb = || {
            tokens
                .get(k + 1)
                .and_then(Token::word)
                .and_then(base_sense)
                .is_some_and(|s| s.direction.is_some() || s.keeps || s.finishes)
        };
        match t.word() {
            Some("while" | "whilst" | "without" | "but" | "whereas" | "except") => true,
            Some("and") => next_is_verb(),
            // ", up from 2" and ", down from 9" state the start, not a second clause.
            _ if t.symbol() == Some(',') && tokens.get(k + 2).and_then(Token::word) == Some("from") => false,
            _ => t.symbol() == Some(';') || (t.symbol() == Some(',') && next_is_verb()),
        }
    })?;
    phrases.iter().any(|p| p.end <= cut).then_some(cut)
}

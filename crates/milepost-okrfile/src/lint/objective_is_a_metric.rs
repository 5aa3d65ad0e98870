//! `objective-is-a-metric`: an objective whose title is a number to reach ("Grow revenue
//! 20%"). SPEC §2: an objective is qualitative and inspiring; the numbers are its key
//! results.
//!
//! A title is a metric when the sentence parser reads it as an increase, decrease,
//! maintain or range and it states a quantity: a change ("20%", "double"), a band, a
//! start, or a target that is not just a year ("Win 2026") or a rank ("#1").

use super::{Input, Rule, quote};
use crate::diagnostic::{Diagnostic, Severity};
use crate::sentence::parse_key_result;
use milepost_core::KeyResultKind;

/// The rule.
pub(super) const RULE: Rule = Rule {
    name: "objective-is-a-metric",
    severity: Severity::Warning,
    summary: "an objective whose title is a number to reach, which is a key result",
};

pub(super) fn check(input: &Input, out: &mut Vec<Diagnostic>) {
    for o in input.objectives() {
        let title = &o.objective.title;
        if is_a_metric(title) {
            out.push(
                Diagnostic::new(
                    RULE.name,
                    RULE.severity,
                    o.at.title,
                    format!("the objective {} is written as a number", quote(title)),
                )
                .suggest(format!(
                    "give the objective a qualitative title and make the number a key result: `- {title}`"
                )),
            );
        }
    }
}

fn is_a_metric(title: &str) -> bool {
    // A title too long to read as a sentence is not a number to reach.
    let Ok(s) = parse_key_result(title) else { return false };
    let numeric = matches!(
        s.kind,
        Some(KeyResultKind::Increase | KeyResultKind::Decrease | KeyResultKind::Maintain | KeyResultKind::Range)
    );
    if !numeric {
        return false;
    }
    if s.start.is_some() || s.range.is_some() || s.relative_change.is_some() || s.delta.is_some() {
        return true;
    }
    let numbers = numbers(title);
    // A target written in words ("ten new clients") has no digits and still counts.
    numbers.is_empty() || numbers.iter().any(|n| n.counts())
}

/// A run of digits in a title, with what stands around it.
struct Number {
    digits: String,
    before: Option<char>,
    after: Option<char>,
}

impl Number {
    /// Whether it is a quantity rather than a year, a rank or part of a name ("v2", "Q3").
    fn counts(&self) -> bool {
        if self.before.is_some_and(|c| c.is_alphabetic() || c == '#') {
            return false;
        }
        let currency = self.before.is_some_and(|c| matches!(c, '$' | '€' | '£'));
        let year = self.digits.len() == 4 && self.digits.parse::<u32>().is_ok_and(|y| (1900..2200).contains(&y));
        let unit_after = self.after.is_some_and(|c| c == '%' || c.is_alphabetic());
        !year || currency || unit_after
    }
}

fn numbers(title: &str) -> Vec<Number> {
    let chars: Vec<char> = title.chars().collect();
    let mut out = Vec::new();
    let mut k = 0;
    while k < chars.len() {
        if chars[k].is_ascii_digit() {
            let start = k;
            while k < chars.len()
                && (chars[k].is_ascii_digit()
                    || (matches!(chars[k], ',' | '.') && chars.get(k + 1).is_some_and(char::is_ascii_digit)))
            {
                k += 1;
            }
            let digits: String = chars[start..k].iter().filter(|c| c.is_ascii_digit()).collect();
            let before = start.checked_sub(1).map(|b| chars[b]);
            out.push(Number { digits, before, after: chars.get(k).copied() });
        } else {
            k += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_titles_are_metrics() {
        for title in [
            "Grow revenue 20%",
            "Reach $1M ARR",
            "Double revenue",
            "Reach ten new clients",
            "Cut churn from 5% to 3%",
            "Make support 2x faster",
            "Sign 15 new customers",
        ] {
            assert!(is_a_metric(title), "{title}");
        }
    }

    #[test]
    fn qualitative_titles_are_not() {
        for title in [
            "Delight customers",
            "Streamline ticket resolution",
            "Be the #1 choice for SMBs",
            "Win 2026",
            "Launch v2",
            "Delight our top 10 customers",
            "Become the go-to platform in Q3",
            "",
        ] {
            assert!(!is_a_metric(title), "{title}");
        }
    }
}

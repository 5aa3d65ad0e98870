//! `duplicate-key-result`: the same key result twice: the same words anywhere in the
//! file, or, within one objective, the same metric moved the same way ("Cut churn to
//! 3%" and "Reduce churn by 1 point"). Twice the weight for one number skews the
//! objective's progress.

use super::{Input, Rule, quote};
use crate::diagnostic::{Diagnostic, Severity};
use milepost_core::{KeyResultKind, Named};
use std::collections::BTreeMap;

/// The rule.
pub(super) const RULE: Rule = Rule {
    name: "duplicate-key-result",
    severity: Severity::Warning,
    summary: "the same key result twice, or two key results of one objective that move the same metric the same way",
};

/// Lower case, words only, so that "Cut churn to 3%." and "cut  churn to 3%" match.
fn normalise(text: &str) -> String {
    text.split(|c: char| !c.is_alphanumeric() && c != '%' && c != '$' && c != '.')
        .map(|w| w.trim_matches('.'))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

pub(super) fn check(input: &Input, out: &mut Vec<Diagnostic>) {
    let mut texts: BTreeMap<String, usize> = BTreeMap::new();
    let mut metrics: BTreeMap<(usize, String, &'static str), usize> = BTreeMap::new();
    for k in input.key_results() {
        let line = k.at.text.line;
        let text = normalise(&k.key_result.text);
        if text.is_empty() {
            continue;
        }
        if let Some(first) = texts.get(&text) {
            out.push(
                Diagnostic::new(
                    RULE.name,
                    RULE.severity,
                    k.at.text,
                    format!("the key result {} is written twice (first on line {first})", quote(&k.key_result.text)),
                )
                .suggest("remove one of them"),
            );
            continue;
        }
        texts.insert(text, line);
        let kind = k.sentence.kind.filter(|kind| *kind != KeyResultKind::Milestone);
        if let (Some(kind), Some(metric)) =
            (kind, k.sentence.metric.as_deref().map(normalise).filter(|m| !m.is_empty()))
        {
            let key = (k.objective, metric, kind.as_str());
            if let Some(first) = metrics.get(&key) {
                out.push(
                    Diagnostic::new(
                        RULE.name,
                        RULE.severity,
                        k.at.text,
                        format!("the key result on line {first} already measures {} ({})", key.1, kind.as_str()),
                    )
                    .suggest("merge the two into one key result with one target"),
                );
            } else {
                metrics.insert(key, line);
            }
        }
    }
}

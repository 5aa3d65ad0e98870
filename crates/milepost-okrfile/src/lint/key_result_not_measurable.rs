//! `key-result-not-measurable`: a key result with no number to move and nothing to
//! finish ("Improve customer experience"). SPEC §2: each key result is quantitative.
//! A sentence that reads as a task gets `key-result-is-a-task` instead, which says more.

use super::key_result_incomplete;
use super::key_result_is_a_task::reads_as_task;
use super::{Input, Rule, quote};
use crate::diagnostic::{Diagnostic, Severity};

/// The rule.
pub(super) const RULE: Rule = Rule {
    name: "key-result-not-measurable",
    severity: Severity::Warning,
    summary: "a key result with nothing measurable in it: no number and nothing to finish",
};

pub(super) fn check(input: &Input, out: &mut Vec<Diagnostic>) {
    for k in input.key_results() {
        let text = &k.key_result.text;
        if k.sentence.measurable
            || text.is_empty()
            || reads_as_task(text, k.sentence).is_some()
            || key_result_incomplete::refused_as_unmeasurable(&k)
        {
            continue;
        }
        let suggestion = match k.sentence.metric.as_deref() {
            Some(metric) => format!("say where {metric} should end up and from where, as in `… from 32 to 50`"),
            None => "state a number to reach, as in `Raise NPS from 32 to 50`".to_owned(),
        };
        out.push(
            Diagnostic::new(
                RULE.name,
                RULE.severity,
                k.at.text,
                format!("nothing in the key result {} can be measured", quote(text)),
            )
            .suggest(suggestion),
        );
    }
}

//! `key-result-incomplete`: a new key result (no id marker yet) that `milepost apply`
//! would refuse to create as written: nothing measurable in it, an increase or decrease
//! that does not say where it starts (and names no KPI to start from), a share of slices
//! on a kind that has none, numbers that go the wrong way. It runs the same pure checks
//! as apply ([`crate::interpretation::new_key_result_problems`]), so lint refuses what
//! apply refuses. A key result with an id marker keeps numbers the file does not show
//! (set in the web app, say), so only the database can judge it: `milepost lint
//! --workspace` or `--server` does.

use super::LintContext;
use super::key_result_is_a_task::reads_as_task;
use super::start_equals_target::says_no_change;
use super::{Input, Rule, quote};
use crate::diagnostic::{Diagnostic, Severity};
use crate::interpretation::{KpiLink, new_key_result_problems};

/// The rule.
pub(super) const RULE: Rule = Rule {
    name: "key-result-incomplete",
    severity: Severity::Error,
    summary: "a new key result that apply cannot create as written: nothing measurable, no start, numbers that \
              contradict each other",
};

/// Whether a new key result's sentence reads as nothing measurable: then this rule
/// reports it as the error it is for apply, and the advice rules say nothing more.
pub(super) fn refused_as_unmeasurable(k: &super::KeyResultAt) -> bool {
    k.key_result.id.is_none() && k.sentence.kind.is_none()
}

pub(super) fn check(input: &Input, context: Option<&LintContext>, out: &mut Vec<Diagnostic>) {
    for k in input.key_results() {
        let kr = k.key_result;
        // `start-equals-target` says what is wrong with a sentence that changes nothing,
        // with its own advice.
        if kr.id.is_some() || kr.text.is_empty() || says_no_change(k.sentence) {
            continue;
        }
        let text = quote(&kr.text);
        let kpi = match &kr.kpi {
            None => KpiLink::None,
            Some(slug) => KpiLink::Kpi { measured: context.is_none_or(|c| !c.unmeasured_kpis.contains(slug)) },
        };
        for problem in new_key_result_problems(&kr.text, kr.required_share, kpi) {
            // `key-result-too-long` says it already.
            if problem.field == "title" {
                continue;
            }
            let (message, suggestion) = match problem.field {
                "kind" => (
                    match reads_as_task(&kr.text, k.sentence) {
                        Some(_) => format!("the key result {text} reads as a task: nothing measurable was read in it"),
                        None => format!("nothing measurable was read in the key result {text}"),
                    },
                    match k.sentence.metric.as_deref() {
                        Some(metric) => {
                            format!("say where {metric} should end up and from where, as in `… from 32 to 50`")
                        }
                        None => "state a number to reach, as in `Raise NPS from 32 to 50`, or something to finish, \
                                 as in `Launch the referral program`"
                            .to_owned(),
                    },
                ),
                "start" => match (&kr.kpi, kpi) {
                    (Some(slug), KpiLink::Kpi { measured: false }) => (
                        format!(
                            "the key result {text} does not say where it starts, and its KPI `{slug}` has no \
                             measurement yet to start from"
                        ),
                        "write where it starts, as in `from 40 to 10`, or record the KPI's first measurement first"
                            .to_owned(),
                    ),
                    _ => (
                        format!("the key result {text} does not say where it starts"),
                        "write where it starts, as in `from 40 to 10`, or name the KPI it moves with `(kpi: …)`"
                            .to_owned(),
                    ),
                },
                "required_share" => (
                    format!("the key result {text} cannot take `(share: …)`: {}", problem.detail),
                    "keep `(share: …)` for maintain and range key results (`Keep … at or above …`)".to_owned(),
                ),
                field => (
                    format!("the key result {text} cannot be created: {} (its {field})", problem.detail),
                    "state a start and a target that agree with the verb, as in `Reduce churn from 5% to 3%`"
                        .to_owned(),
                ),
            };
            out.push(Diagnostic::new(RULE.name, RULE.severity, k.at.text, message).suggest(suggestion));
        }
    }
}

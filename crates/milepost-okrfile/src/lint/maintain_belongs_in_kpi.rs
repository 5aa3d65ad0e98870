//! `maintain-belongs-in-kpi`: a "keep X at Y" key result that is not linked to a KPI.
//! SPEC §2: a maintain key result is business as usual and usually belongs in a KPI; a
//! key result should change something. Linking it to a KPI (`(kpi: uptime)`) says it
//! is tracked as one and silences the rule.

use super::key_result_is_a_task::reads_as_task;
use super::{Input, Rule, quote};
use crate::diagnostic::{Diagnostic, Severity};
use milepost_core::{KeyResultKind, Slug};

/// The rule.
pub(super) const RULE: Rule = Rule {
    name: "maintain-belongs-in-kpi",
    severity: Severity::Warning,
    summary: "a \"keep X at Y\" key result not linked to a KPI: business as usual belongs in a KPI",
};

pub(super) fn check(input: &Input, out: &mut Vec<Diagnostic>) {
    for k in input.key_results() {
        let text = &k.key_result.text;
        if k.sentence.kind != Some(KeyResultKind::Maintain)
            || k.key_result.kpi.is_some()
            || reads_as_task(text, k.sentence).is_some()
        {
            continue;
        }
        let slug = k.sentence.metric.as_deref().and_then(Slug::from_title);
        let slug = slug.as_ref().map_or("<kpi>", Slug::as_str);
        out.push(
            Diagnostic::new(
                RULE.name,
                RULE.severity,
                k.at.text,
                format!("the key result {} keeps a number where it is: that is business as usual", quote(text)),
            )
            .suggest(format!(
                "track it as a KPI and link it with `(kpi: {slug})`, or write a key result that changes something"
            )),
        );
    }
}

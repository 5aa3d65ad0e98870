//! `unknown-kpi`: a key result linked to a KPI the workspace does not have.

use super::{Input, LintContext, Rule, did_you_mean, knows};
use crate::diagnostic::{Diagnostic, Severity};
use milepost_core::Slug;

/// The rule.
pub(super) const RULE: Rule = Rule {
    name: "unknown-kpi",
    severity: Severity::Error,
    summary: "a `(kpi: …)` that is no KPI of the workspace (checked only against a workspace)",
};

pub(super) fn check(input: &Input, context: &LintContext, out: &mut Vec<Diagnostic>) {
    for k in input.every_key_result() {
        // A slug that is not even well formed already has a syntax error.
        if let (Some(kpi), Some(at)) = (&k.key_result.kpi, k.at.kpi)
            && Slug::parse(kpi).is_ok()
            && !knows(&context.kpis, kpi, false)
        {
            out.push(
                Diagnostic::new(RULE.name, RULE.severity, at, format!("there is no KPI `{kpi}`"))
                    .suggest(did_you_mean(&context.kpis, kpi, "KPI")),
            );
        }
    }
}

//! `unknown-cycle`: the front matter names a cycle the workspace does not have.

use super::{Input, LintContext, Rule, did_you_mean, knows};
use crate::diagnostic::{Diagnostic, Severity};

/// The rule.
pub(super) const RULE: Rule = Rule {
    name: "unknown-cycle",
    severity: Severity::Error,
    summary: "a `cycle:` that is no cycle of the workspace (checked only against a workspace)",
};

pub(super) fn check(input: &Input, context: &LintContext, out: &mut Vec<Diagnostic>) {
    if let (Some(cycle), Some(at)) = (&input.file.cycle, input.map.cycle)
        && !knows(&context.cycles, cycle, true)
    {
        out.push(
            Diagnostic::new(RULE.name, RULE.severity, at, format!("there is no cycle `{cycle}`"))
                .suggest(did_you_mean(&context.cycles, cycle, "cycle")),
        );
    }
}

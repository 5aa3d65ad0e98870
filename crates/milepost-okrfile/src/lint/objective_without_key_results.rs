//! `objective-without-key-results`: an objective that nothing measures. SPEC §2: an
//! objective is accomplished "as measured by" its key results.

use super::{Input, Rule, quote};
use crate::diagnostic::{Diagnostic, Severity};

/// The rule.
pub(super) const RULE: Rule = Rule {
    name: "objective-without-key-results",
    severity: Severity::Warning,
    summary: "an objective with no key result under it",
};

pub(super) fn check(input: &Input, out: &mut Vec<Diagnostic>) {
    for o in input.objectives().filter(|o| o.objective.key_results.is_empty()) {
        out.push(
            Diagnostic::new(
                RULE.name,
                RULE.severity,
                o.at.title,
                format!("the objective {} has no key results", quote(&o.objective.title)),
            )
            .suggest("add three to five `- ` lines under it, each a number that shows the objective is met"),
        );
    }
}

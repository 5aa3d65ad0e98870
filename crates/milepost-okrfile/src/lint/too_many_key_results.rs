//! `too-many-key-results`: more than five key results under one objective. SPEC §2: an
//! objective has three to five; beyond that, focus is lost and the objective is
//! probably two objectives.

use super::{Input, Rule, quote};
use crate::diagnostic::{Diagnostic, Severity};

/// The rule.
pub(super) const RULE: Rule = Rule {
    name: "too-many-key-results",
    severity: Severity::Warning,
    summary: "an objective with more than five key results",
};

/// The most key results an objective should have.
const MOST: usize = 5;

pub(super) fn check(input: &Input, out: &mut Vec<Diagnostic>) {
    for o in input.objectives() {
        let count = o.objective.key_results.len();
        if count > MOST {
            out.push(
                Diagnostic::new(
                    RULE.name,
                    RULE.severity,
                    o.at.title,
                    format!("the objective {} has {count} key results; more than {MOST} dilutes its focus", quote(&o.objective.title)),
                )
                .suggest("keep the three to five that matter most; split the rest into another objective or track them as initiatives"),
            );
        }
    }
}

//! `unknown-team`: a team's slug (`owner: team/support`, or the owner in an
//! `aligns: company/…` path) that is no team of the workspace.

use super::{Input, LintContext, Rule, did_you_mean, knows};
use crate::diagnostic::{Diagnostic, Severity, Span};
use crate::file::{Alignment, Owner};

/// The rule.
pub(super) const RULE: Rule = Rule {
    name: "unknown-team",
    severity: Severity::Error,
    summary: "a team slug that is no team of the workspace (checked only against a workspace)",
};

pub(super) fn check(input: &Input, context: &LintContext, out: &mut Vec<Diagnostic>) {
    let mut report = |slug: &str, at: Option<Span>| {
        if let Some(at) = at
            && !knows(&context.teams, slug, false)
        {
            out.push(
                Diagnostic::new(RULE.name, RULE.severity, at, format!("there is no team `{slug}`"))
                    .suggest(did_you_mean(&context.teams, slug, "team")),
            );
        }
    };
    if let Some(Owner::Team(slug)) = &input.file.owner {
        report(slug, input.map.owner);
    }
    if let Some(Alignment::Path { owner: Owner::Team(slug), .. }) = &input.file.aligns {
        report(slug, input.map.aligns);
    }
    for o in input.objectives() {
        if let Some(Alignment::Path { owner: Owner::Team(slug), .. }) = &o.objective.aligns {
            report(slug, o.at.aligns);
        }
    }
}

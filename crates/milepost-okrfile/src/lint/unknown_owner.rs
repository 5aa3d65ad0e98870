//! `unknown-owner`: a person's handle (`owner: @dana`, a key result's `@dana`, or the
//! owner in an `aligns: @dana/…` path) that is nobody in the workspace.

use super::{Input, KpiInput, LintContext, Rule, did_you_mean, knows};
use crate::diagnostic::{Diagnostic, Severity, Span};
use crate::file::{Alignment, Owner};
use crate::kpi_file::KpiOwner;
use milepost_core::Slug;

/// The rule.
pub(super) const RULE: Rule = Rule {
    name: "unknown-owner",
    severity: Severity::Error,
    summary: "an `@handle` that is no person of the workspace (checked only against a workspace)",
};

/// The diagnostic for `@handle` at `at`, when the handle is well formed and nobody's.
fn unknown(context: &LintContext, handle: &str, at: Option<Span>) -> Option<Diagnostic> {
    let at = at.filter(|_| Slug::parse(handle).is_ok() && !knows(&context.people, handle, false))?;
    Some(
        Diagnostic::new(RULE.name, RULE.severity, at, format!("nobody in the workspace has the handle `@{handle}`"))
            .suggest(did_you_mean(&context.people, handle, "person")),
    )
}

pub(super) fn check(input: &Input, context: &LintContext, out: &mut Vec<Diagnostic>) {
    let mut report = |handle: &str, at: Option<Span>| out.extend(unknown(context, handle, at));
    if let Some(Owner::Person(handle)) = &input.file.owner {
        report(handle, input.map.owner);
    }
    if let Some(Alignment::Path { owner: Owner::Person(handle), .. }) = &input.file.aligns {
        report(handle, input.map.aligns);
    }
    for o in input.objectives() {
        if let Some(Alignment::Path { owner: Owner::Person(handle), .. }) = &o.objective.aligns {
            report(handle, o.at.aligns);
        }
    }
    for k in input.every_key_result() {
        if let Some(handle) = &k.key_result.owner {
            report(handle, k.at.owner);
        }
    }
}

/// The same for a KPI file's owner, `kpis: @dana`.
pub(super) fn check_kpis(input: &KpiInput, context: &LintContext, out: &mut Vec<Diagnostic>) {
    if let Some(KpiOwner::Person(handle)) = &input.parsed.file.owner {
        out.extend(unknown(context, handle, input.parsed.source_map.owner));
    }
}

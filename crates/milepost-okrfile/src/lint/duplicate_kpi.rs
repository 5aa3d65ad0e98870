//! `duplicate-kpi`: two KPIs of a file with the same slug (written, or made from the
//! name). Key results name a KPI by its slug, so it must be unique.

use super::{KpiInput, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use std::collections::BTreeMap;

/// The rule.
pub(super) const RULE: Rule = Rule {
    name: "duplicate-kpi",
    severity: Severity::Error,
    summary: "two KPIs with the same slug (written, or made from the name)",
};

pub(super) fn check(input: &KpiInput, out: &mut Vec<Diagnostic>) {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (kpi, at) in input.kpis() {
        let Some(slug) = kpi.effective_slug() else { continue };
        match seen.get(&slug) {
            Some(line) => out.push(
                Diagnostic::new(
                    RULE.name,
                    RULE.severity,
                    at.setting("slug").unwrap_or(at.name),
                    format!("the KPI on line {line} already has the slug `{slug}`"),
                )
                .suggest("give one of them another name or a `- slug:` of its own, or merge them"),
            ),
            None => {
                seen.insert(slug, at.heading.line);
            }
        }
    }
}

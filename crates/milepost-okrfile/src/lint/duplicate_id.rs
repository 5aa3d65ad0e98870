//! `duplicate-id`: two objectives, or two key results, carry the same id marker, usually
//! because one was copied with its marker. Ids are what keep an object the same object
//! across edits, so `milepost apply` could not tell which one is meant.

use super::{Input, KpiInput, Rule};
use crate::diagnostic::{Diagnostic, Severity, Span};
use std::collections::BTreeMap;

/// The rule.
pub(super) const RULE: Rule = Rule {
    name: "duplicate-id",
    severity: Severity::Error,
    summary: "two objectives, two key results or two KPIs with the same `<!-- id: … -->` marker",
};

pub(super) fn check(input: &Input, out: &mut Vec<Diagnostic>) {
    let mut objectives: BTreeMap<i64, Span> = BTreeMap::new();
    for o in input.objectives() {
        if let (Some(id), Some(at)) = (o.objective.id, o.at.id) {
            report(out, &mut objectives, id.get(), at, "O", "objective");
        }
    }
    let mut key_results: BTreeMap<i64, Span> = BTreeMap::new();
    for k in input.every_key_result() {
        if let (Some(id), Some(at)) = (k.key_result.id, k.at.id) {
            report(out, &mut key_results, id.get(), at, "KR", "key result");
        }
    }
}

/// The same for the KPIs of a KPI file.
pub(super) fn check_kpis(input: &KpiInput, out: &mut Vec<Diagnostic>) {
    let mut kpis: BTreeMap<i64, Span> = BTreeMap::new();
    for (kpi, at) in input.kpis() {
        if let (Some(id), Some(at)) = (kpi.id, at.id) {
            report(out, &mut kpis, id.get(), at, "KPI", "KPI");
        }
    }
}

fn report(out: &mut Vec<Diagnostic>, seen: &mut BTreeMap<i64, Span>, id: i64, at: Span, prefix: &str, what: &str) {
    match seen.get(&id) {
        Some(first) => out.push(
            Diagnostic::new(
                RULE.name,
                RULE.severity,
                at,
                format!("{prefix}-{id} is already the id of the {what} on line {}", first.line),
            )
            .suggest(format!("remove this id marker: `milepost apply` gives a new {what} an id of its own")),
        ),
        None => {
            seen.insert(id, at);
        }
    }
}

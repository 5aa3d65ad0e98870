//! `too-many-kpis`: more than seven KPIs of tier `kpi` in one owner's file. A KPI is
//! one of the few numbers that say whether the business performs (SPEC §2); the rest
//! are metrics, still measured and charted, but not on the board with alerts.

use super::{KpiInput, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use milepost_core::KpiTier;

/// The rule.
pub(super) const RULE: Rule = Rule {
    name: "too-many-kpis",
    severity: Severity::Warning,
    summary: "more than seven KPIs (tier `kpi`) for one owner",
};

/// The most KPIs one owner's file holds before the rule speaks.
const MOST: usize = 7;

pub(super) fn check(input: &KpiInput, out: &mut Vec<Diagnostic>) {
    let kpis: Vec<_> = input.kpis().filter(|(kpi, _)| kpi.tier.unwrap_or(KpiTier::Kpi) == KpiTier::Kpi).collect();
    if let Some((_, at)) = kpis.get(MOST) {
        out.push(
            Diagnostic::new(
                RULE.name,
                RULE.severity,
                at.name,
                format!("this file has {} KPIs; a KPI is one of the few numbers that matter most", kpis.len()),
            )
            .suggest(format!("keep the {MOST} that matter most and write `- tier: metric` on the others")),
        );
    }
}

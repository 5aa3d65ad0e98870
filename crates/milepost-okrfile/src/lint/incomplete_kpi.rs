//! `incomplete-kpi`: a KPI whose definition cannot stand: no direction or no cadence, a
//! goal that does not fit its direction (a target for "within a range", a range for
//! "higher is better"), a range whose low end is not below its high end, a negative
//! warning band, or a lagging rule outside 1–52 periods. Milepost could not judge such
//! a KPI's health, so `milepost apply` stops.

use super::{KpiInput, Rule};
use crate::diagnostic::{Diagnostic, Severity, Span};
use milepost_core::KpiDirection;

/// The rule.
pub(super) const RULE: Rule = Rule {
    name: "incomplete-kpi",
    severity: Severity::Error,
    summary: "a KPI without a direction or cadence, or whose target, range, band or lagging rule does not fit",
};

/// The most red periods in a row a KPI may wait before it lags, as the API allows.
const LAGGING_AFTER_MAX: u32 = 52;

pub(super) fn check(input: &KpiInput, out: &mut Vec<Diagnostic>) {
    for (kpi, at) in input.kpis() {
        let mut report = |span: Option<Span>, message: String, fix: &str| {
            out.push(Diagnostic::new(RULE.name, RULE.severity, span.unwrap_or(at.name), message).suggest(fix));
        };
        let name = super::quote(&kpi.name);
        match kpi.direction {
            None => report(
                None,
                format!("the KPI {name} does not say which way is good"),
                "add `- direction: higher is better`, `lower is better` or `within a range`",
            ),
            Some(KpiDirection::WithinRange) => {
                if kpi.target.is_some() {
                    report(
                        at.setting("target"),
                        format!("the KPI {name} is good within a range, so it has a range, not a target"),
                        "write `- range: <low> to <high>` instead of the target",
                    );
                } else if kpi.range.is_none() && at.setting("range").is_none() {
                    report(
                        at.setting("direction"),
                        format!("the KPI {name} is good within a range but says no range"),
                        "add `- range: <low> to <high>`",
                    );
                }
            }
            Some(direction) => {
                if kpi.range.is_some() {
                    report(
                        at.setting("range"),
                        format!("the KPI {name} has a direction, so it has a target, not a range"),
                        "write `- target: <number>`, or `- direction: within a range`",
                    );
                } else if kpi.target.is_none() && at.setting("target").is_none() {
                    let way = if direction == KpiDirection::HigherIsBetter { "higher" } else { "lower" };
                    report(
                        at.setting("direction"),
                        format!("the KPI {name} is better {way} but says no target to judge it by"),
                        "add `- target: <number>`",
                    );
                }
            }
        }
        if let Some([low, high]) = kpi.range
            && low >= high
        {
            report(
                at.setting("range"),
                format!("the range of {name} runs from {low} to {high}: its low end must be below its high end"),
                "write the lower number first",
            );
        }
        if kpi.warning_band.is_some_and(|band| band < 0.0) {
            report(
                at.setting("warning band"),
                format!("the warning band of {name} is below zero"),
                "a warning band is how far off is still amber: zero or more",
            );
        }
        if kpi.lagging_after.is_some_and(|n| !(1..=LAGGING_AFTER_MAX).contains(&n)) {
            report(
                at.setting("lagging after"),
                format!("a KPI lags after 1 to {LAGGING_AFTER_MAX} red periods in a row"),
                "write `- lagging after: 2 periods`, the default",
            );
        }
        if kpi.cadence.is_none() && at.setting("cadence").is_none() {
            report(
                None,
                format!("the KPI {name} does not say how often it is measured"),
                "add `- cadence: daily`, `weekly`, `monthly` or `quarterly`",
            );
        }
    }
}

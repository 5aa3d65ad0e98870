//! An error budget in words, for the pages (issue 20): the share of slices met so far,
//! the share required, the budget, what is left of it and the burn rate over the last
//! seven slices. The numbers are the core's (`milepost_core::error_budget`); this only
//! says them.

use super::view::percent;
use milepost_core::error_budget::BURN_WINDOW;
use milepost_core::{Cadence, ErrorBudget};

/// An error budget, said for people.
#[derive(Debug, Clone)]
pub struct BudgetLine {
    /// "10 of 11 weeks met (91%)", or "no week judged yet".
    pub met: String,
    /// "95% of weeks required".
    pub required: String,
    /// "1 missed week allowed of 13 (5%)".
    pub budget: String,
    /// "1 week left (100%)".
    pub left: String,
    /// "burn rate 1.4× over the last 7 weeks", or why there is none.
    pub burn: String,
    /// Whether the budget is spent or will run out before the cycle ends.
    pub at_risk: bool,
    /// One short line for lists: "error budget: 1 of 2 weeks left, burn rate 1.4×".
    pub summary: String,
}

/// The slice's name, singular and plural.
fn slice_words(cadence: Cadence) -> (&'static str, &'static str) {
    match cadence {
        Cadence::Daily => ("day", "days"),
        Cadence::Weekly => ("week", "weeks"),
        Cadence::Monthly => ("month", "months"),
        Cadence::Quarterly => ("quarter", "quarters"),
    }
}

/// `n` slices, in words: "1 week", "3 weeks".
fn count(n: u32, cadence: Cadence) -> String {
    let (one, many) = slice_words(cadence);
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A share with a decimal when it has one: "95%", "99.9%".
pub fn fine_percent(share: f64) -> String {
    let hundred = share * 100.0;
    if (hundred - hundred.round()).abs() < 0.05 { percent(share) } else { format!("{hundred:.1}%") }
}

/// A burn rate: "1.4×".
pub fn burn_rate(rate: f64) -> String {
    format!("{:.1}×", rate)
}

impl BudgetLine {
    /// The words for `budget`, whose slices are periods of `cadence`.
    pub fn of(budget: &ErrorBudget, cadence: Cadence) -> BudgetLine {
        let (one, many) = slice_words(cadence);
        let met = match budget.share_met {
            Some(share) => {
                format!("{} of {} met ({})", budget.slices_met, count(budget.slices_judged, cadence), percent(share))
            }
            None => format!("no {one} judged yet"),
        };
        let required = format!("{} of {many} required", fine_percent(budget.required_share));
        let budget_words = if budget.budget_slices == 0 {
            format!("no missed {one} allowed: every {one} must meet the goal")
        } else {
            format!(
                "{} missed allowed of {} ({})",
                count(budget.budget_slices, cadence),
                budget.slices_total,
                percent(budget.budget_share)
            )
        };
        let left = if budget.spent {
            format!("spent: {} missed", count(budget.slices_missed, cadence))
        } else {
            format!("{} left ({})", count(budget.budget_left_slices, cadence), percent(budget.budget_left))
        };
        let window = count(budget.slices_judged.min(BURN_WINDOW as u32), cadence);
        let burn = match budget.burn_rate {
            Some(rate) => format!("burn rate {} over the last {window}", burn_rate(rate)),
            None if budget.budget_slices == 0 && budget.slices_judged > 0 => "no budget to burn".to_owned(),
            None => "no burn rate yet".to_owned(),
        };
        let summary = match (budget.spent, budget.burn_rate) {
            (true, _) => format!("error budget spent ({} missed)", count(budget.slices_missed, cadence)),
            (false, Some(rate)) => format!(
                "error budget: {} of {} left, burn rate {}",
                budget.budget_left_slices,
                count(budget.budget_slices, cadence),
                burn_rate(rate)
            ),
            (false, None) => {
                format!("error budget: {} of {} left", budget.budget_left_slices, count(budget.budget_slices, cadence))
            }
        };
        BudgetLine { met, required, budget: budget_words, left, burn, at_risk: budget.at_risk, summary }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_budget_reads_in_slices_of_its_cadence() {
        let budget = ErrorBudget {
            slices_total: 13,
            slices_judged: 9,
            slices_met: 8,
            slices_missed: 1,
            slices_without_data: 0,
            share_met: Some(8.0 / 9.0),
            required_share: 0.8,
            budget_share: 0.2,
            budget_slices: 2,
            budget_left_slices: 1,
            budget_left: 0.5,
            burn_rate: Some(0.714),
            spent: false,
            at_risk: false,
        };
        let line = BudgetLine::of(&budget, Cadence::Weekly);
        assert_eq!(line.met, "8 of 9 weeks met (89%)");
        assert_eq!(line.required, "80% of weeks required");
        assert_eq!(line.budget, "2 weeks missed allowed of 13 (20%)");
        assert_eq!(line.left, "1 week left (50%)");
        assert_eq!(line.burn, "burn rate 0.7× over the last 7 weeks");
        assert_eq!(line.summary, "error budget: 1 of 2 weeks left, burn rate 0.7×");
    }
}

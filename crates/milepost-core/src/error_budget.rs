//! Error budgets: a maintain or range key result (and a KPI with a target) read like an
//! SLO (issue 20).
//!
//! The rule, in full:
//!
//! - **Slices.** The window (a key result's cycle, from when it is tracked; a KPI's
//!   current calendar quarter) is cut into slices of the cadence's length ([`Cadence::
//!   period`]: a day, a week, 30 or 91 days) counted from the window's start. The window
//!   holds `round(length / slice)` slices (at least one); the last one ends with the
//!   window, so it may be a little longer or shorter than the others.
//! - **A slice meets the condition when its last value does**: the last value recorded
//!   inside it, or when none was, the value that stood at its end (the last earlier
//!   value; a value stands until the next one, and silence is the stale status's
//!   business, not the budget's).
//! - **No data.** A slice that ends before the first value is *no data*: it is neither
//!   met nor missed, and it spends no budget (a key result added or first measured late
//!   is not punished for the weeks before). Only complete slices (ended at `now`) are
//!   judged; the slice `now` falls in is still open.
//! - **Share met** is met slices over judged slices (`None` before any is judged).
//! - **Budget.** The required share `r` (0 < r ≤ 1, all slices by default) leaves an
//!   error budget of `1 − r`, or in slices `⌊(1 − r) × total⌋` misses over the whole
//!   window: the most that can be missed while still meeting `r` at the window's end.
//!   Budget left is that less the misses so far, never below zero.
//! - **Burn rate** over the last seven judged slices (fewer when fewer are judged): the
//!   share of them missed over the share allowed to miss (`1 − r`), as in SRE: 1.0 spends
//!   the budget exactly by the window's end. With a zero budget (`r` = 1) there is no
//!   rate to compare with, so it is `None`.
//! - **At risk** when the budget is already overspent (more misses than allowed: the
//!   share can no longer be met; with a zero budget, any miss), or when the misses so
//!   far plus the remaining slices missed at the recent miss rate would exceed the
//!   budget before the window ends.

use crate::key_result::Measure;
use crate::kpi::Cadence;
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use thiserror::Error;

/// How many of the latest judged slices the burn rate looks at.
pub const BURN_WINDOW: usize = 7;

/// The share of slices that must meet the condition: more than 0, at most 1.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct RequiredShare(f64);

/// Why a required share was refused.
#[derive(Debug, Clone, Copy, PartialEq, Error)]
pub enum RequiredShareError {
    /// Not a number between 0 (excluded) and 1 (included).
    #[error("must be a share above 0 and at most 1 (0.95 is 95% of slices), got {0}")]
    OutOfRange(f64),
}

impl RequiredShare {
    /// Every slice must meet the condition: no error budget.
    pub const ALL: RequiredShare = RequiredShare(1.0);

    /// A share above 0 and at most 1.
    pub fn try_new(share: f64) -> Result<RequiredShare, RequiredShareError> {
        if share.is_finite() && share > 0.0 && share <= 1.0 {
            Ok(RequiredShare(share))
        } else {
            Err(RequiredShareError::OutOfRange(share))
        }
    }

    /// The share, 0–1.
    pub fn get(self) -> f64 {
        self.0
    }
}

/// What the budget is computed over.
#[derive(Debug, Clone, Copy)]
pub struct BudgetInput<'a> {
    /// The condition: a maintain or range measure (other kinds have no budget).
    pub measure: Measure,
    /// The slice length.
    pub cadence: Cadence,
    /// The window's start.
    pub starts_at: Timestamp,
    /// The window's end (exclusive).
    pub ends_at: Timestamp,
    /// The values with their times, in time order.
    pub values: &'a [(Timestamp, f64)],
    /// The share of slices that must meet the condition.
    pub required: RequiredShare,
    /// The time the budget is computed for.
    pub now: Timestamp,
}

/// An error budget, as of `now`; see the module documentation for the rule.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct ErrorBudget {
    /// Slices in the whole window.
    pub slices_total: u32,
    /// Complete slices judged so far (met or missed; no-data slices are not judged).
    pub slices_judged: u32,
    /// Judged slices whose last value met the condition.
    pub slices_met: u32,
    /// Judged slices whose last value missed it.
    pub slices_missed: u32,
    /// Complete slices that ended before the first value: not judged.
    pub slices_without_data: u32,
    /// Met over judged, 0–1; absent before any slice is judged.
    pub share_met: Option<f64>,
    /// The share of slices that must meet the condition, 0–1.
    pub required_share: f64,
    /// The share allowed to miss: 1 − required.
    pub budget_share: f64,
    /// The misses allowed over the whole window: ⌊budget share × total⌋.
    pub budget_slices: u32,
    /// Misses still allowed: budget less misses, never below 0.
    pub budget_left_slices: u32,
    /// The share of the budget left, 0–1 (0 once spent; 1 for an unspent zero budget).
    pub budget_left: f64,
    /// Missed share of the last seven judged slices over the budget share; absent with
    /// a zero budget or before any slice is judged.
    pub burn_rate: Option<f64>,
    /// More misses than the budget allows: the required share can no longer be met.
    pub spent: bool,
    /// Spent, or will be before the window ends at the recent miss rate.
    pub at_risk: bool,
}

/// The window a KPI's error budget is read over: the calendar quarter (UTC) that holds
/// `now`, as (start, end).
pub fn kpi_window(now: Timestamp) -> (Timestamp, Timestamp) {
    let start = crate::health::period_start(Cadence::Quarterly, now);
    let later = start.saturating_add(SignedDuration::from_hours(24 * 100)).unwrap_or(Timestamp::MAX);
    (start, crate::health::period_start(Cadence::Quarterly, later))
}

/// Computes the error budget; `None` for a kind without one (increase, decrease,
/// milestone) or a window that ends before it starts.
pub fn error_budget(input: BudgetInput<'_>) -> Option<ErrorBudget> {
    if !matches!(input.measure, Measure::Maintain { .. } | Measure::Range { .. }) || input.ends_at <= input.starts_at {
        return None;
    }
    let slice = input.cadence.period();
    let window = input.ends_at.duration_since(input.starts_at);
    let total = (window.as_secs_f64() / slice.as_secs_f64()).round().max(1.0);
    // A window of more than u32::MAX slices is no real window; saturate.
    let total = if total >= f64::from(u32::MAX) { u32::MAX } else { total as u32 };
    let slice_end = |i: u32| -> Timestamp {
        if i + 1 >= total {
            input.ends_at
        } else {
            let offset = SignedDuration::from_secs(slice.as_secs().saturating_mul(i64::from(i) + 1));
            input.starts_at.saturating_add(offset).unwrap_or(input.ends_at).min(input.ends_at)
        }
    };
    let mut outcomes: Vec<bool> = Vec::new();
    let mut without_data = 0u32;
    let mut i = 0u32;
    while i < total {
        let end = slice_end(i);
        if end > input.now {
            break;
        }
        // The value standing at the slice's end: the last one before it.
        let before_end = input.values.partition_point(|(at, _)| *at < end);
        match before_end.checked_sub(1).map(|k| input.values[k].1) {
            Some(value) => outcomes.push(input.measure.meets(value)),
            None => without_data += 1,
        }
        i += 1;
    }
    let judged = outcomes.len() as u32;
    let met = outcomes.iter().filter(|m| **m).count() as u32;
    let missed = judged - met;
    let required = input.required.get();
    let budget_share = (1.0 - required).max(0.0);
    // A hair of tolerance so that 0.9 × 10 is 9, not 8.999….
    let budget_slices = (budget_share * f64::from(total) + 1e-9).floor() as u32;
    let budget_left_slices = budget_slices.saturating_sub(missed);
    let spent = missed > budget_slices;
    let budget_left = if budget_slices == 0 {
        if missed == 0 { 1.0 } else { 0.0 }
    } else {
        f64::from(budget_left_slices) / f64::from(budget_slices)
    };
    let recent = &outcomes[outcomes.len().saturating_sub(BURN_WINDOW)..];
    let recent_rate = if recent.is_empty() {
        None
    } else {
        Some(recent.iter().filter(|m| !**m).count() as f64 / recent.len() as f64)
    };
    let burn_rate = recent_rate.filter(|_| budget_share > 0.0).map(|rate| rate / budget_share);
    // Slices still to come (the open one included) at the recent miss rate.
    let remaining = f64::from(total - i);
    let projected = f64::from(missed) + recent_rate.unwrap_or(0.0) * remaining;
    let at_risk = spent || projected > f64::from(budget_slices) + 1e-9;
    Some(ErrorBudget {
        slices_total: total,
        slices_judged: judged,
        slices_met: met,
        slices_missed: missed,
        slices_without_data: without_data,
        share_met: (judged > 0).then(|| f64::from(met) / f64::from(judged)),
        required_share: required,
        budget_share,
        budget_slices,
        budget_left_slices,
        budget_left,
        burn_rate,
        spent,
        at_risk,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cycle::midnight;
    use crate::key_result::Comparator;
    use jiff::civil::date;
    use proptest::prelude::*;

    const AT_LEAST_90: Measure = Measure::Maintain { threshold: 90.0, comparator: Comparator::AtLeast };

    fn day(n: i64) -> Timestamp {
        midnight(date(2026, 10, 1)).saturating_add(SignedDuration::from_hours(24 * n)).unwrap()
    }

    /// A weekly budget over 10 weeks with one value per week (mid-week), `now` at day `now`.
    fn weekly(values: &[f64], required: f64, now: i64) -> ErrorBudget {
        let points: Vec<(Timestamp, f64)> =
            values.iter().enumerate().map(|(w, v)| (day(7 * w as i64 + 3), *v)).collect();
        error_budget(BudgetInput {
            measure: AT_LEAST_90,
            cadence: Cadence::Weekly,
            starts_at: day(0),
            ends_at: day(70),
            values: &points,
            required: RequiredShare::try_new(required).unwrap(),
            now: day(now),
        })
        .unwrap()
    }

    #[test]
    fn a_slice_meets_when_its_last_value_does() {
        // Week 0 has a miss then a good value: met. Week 1 a good value then a miss: missed.
        let points = [(day(1), 80.0), (day(5), 95.0), (day(8), 95.0), (day(12), 80.0)];
        let b = error_budget(BudgetInput {
            measure: AT_LEAST_90,
            cadence: Cadence::Weekly,
            starts_at: day(0),
            ends_at: day(70),
            values: &points,
            required: RequiredShare::try_new(0.8).unwrap(),
            now: day(14),
        })
        .unwrap();
        assert_eq!((b.slices_judged, b.slices_met, b.slices_missed), (2, 1, 1));
        assert_eq!(b.share_met, Some(0.5));
    }

    #[test]
    fn a_slice_without_a_value_takes_the_standing_value_and_before_any_is_no_data() {
        let points = [(day(10), 95.0)];
        let b = error_budget(BudgetInput {
            measure: AT_LEAST_90,
            cadence: Cadence::Weekly,
            starts_at: day(0),
            ends_at: day(70),
            values: &points,
            required: RequiredShare::ALL,
            now: day(35),
        })
        .unwrap();
        // Week 0 has no data; weeks 1–4 all stand at 95.
        assert_eq!((b.slices_without_data, b.slices_judged, b.slices_met), (1, 4, 4));
        assert!(!b.at_risk);
    }

    #[test]
    fn the_budget_counts_slices_over_the_whole_window() {
        let b = weekly(&[95.0, 80.0, 95.0], 0.8, 21);
        assert_eq!(b.slices_total, 10);
        assert_eq!(b.budget_slices, 2);
        assert_eq!(b.slices_missed, 1);
        assert_eq!(b.budget_left_slices, 1);
        assert!((b.budget_left - 0.5).abs() < 1e-12);
        assert!((b.budget_share - 0.2).abs() < 1e-12);
    }

    #[test]
    fn the_open_slice_is_not_judged() {
        let b = weekly(&[95.0, 80.0], 0.8, 10);
        assert_eq!(b.slices_judged, 1);
        assert_eq!(b.slices_missed, 0);
    }

    #[test]
    fn burn_rate_compares_recent_misses_with_the_allowed_rate() {
        // 1 miss in 4 weeks at a 10% budget (1 slice of 10): 0.25 / 0.1 = 2.5.
        let b = weekly(&[95.0, 80.0, 95.0, 95.0], 0.9, 28);
        assert!((b.burn_rate.unwrap() - 2.5).abs() < 1e-9);
        // Spending at 2.5 times the allowed rate runs out before the end.
        assert!(b.at_risk);
        assert!(!b.spent);
        // Only the last seven judged slices count: an early miss falls out.
        let b = weekly(&[80.0, 95.0, 95.0, 95.0, 95.0, 95.0, 95.0, 95.0, 95.0], 0.8, 63);
        assert_eq!(b.burn_rate, Some(0.0));
        assert!(!b.at_risk);
    }

    #[test]
    fn a_budget_spent_slowly_is_not_at_risk() {
        // 1 miss in 7 weeks against 3 allowed over 10: 1 + 3 × 1/7 ≈ 1.43 ≤ 3.
        let b = weekly(&[95.0, 95.0, 80.0, 95.0, 95.0, 95.0, 95.0], 0.7, 49);
        assert!(!b.at_risk, "{b:?}");
        assert_eq!(b.budget_left_slices, 2);
    }

    #[test]
    fn with_every_slice_required_one_miss_spends_the_budget() {
        let clean = weekly(&[95.0, 95.0], 1.0, 14);
        assert_eq!(clean.budget_slices, 0);
        assert_eq!(clean.burn_rate, None);
        assert_eq!(clean.budget_left, 1.0);
        assert!(!clean.at_risk);
        let missed = weekly(&[95.0, 80.0], 1.0, 14);
        assert!(missed.spent && missed.at_risk);
        assert_eq!(missed.budget_left, 0.0);
    }

    #[test]
    fn a_range_counts_its_band_and_other_kinds_have_no_budget() {
        let points = [(day(3), 2.5), (day(10), 3.5)];
        let input = |measure| BudgetInput {
            measure,
            cadence: Cadence::Weekly,
            starts_at: day(0),
            ends_at: day(70),
            values: &points,
            required: RequiredShare::try_new(0.9).unwrap(),
            now: day(14),
        };
        let b = error_budget(input(Measure::Range { low: 2.0, high: 3.0 })).unwrap();
        assert_eq!((b.slices_met, b.slices_missed), (1, 1));
        assert!(error_budget(input(Measure::Increase { start: 0.0, target: 1.0 })).is_none());
        assert!(error_budget(input(Measure::Milestone)).is_none());
    }

    #[test]
    fn the_last_slice_ends_with_the_window() {
        // A quarter of 92 days is 13 weeks, the last one 8 days long.
        let b = error_budget(BudgetInput {
            measure: AT_LEAST_90,
            cadence: Cadence::Weekly,
            starts_at: day(0),
            ends_at: day(92),
            values: &[(day(1), 95.0)],
            required: RequiredShare::ALL,
            now: day(91),
        })
        .unwrap();
        assert_eq!(b.slices_total, 13);
        assert_eq!(b.slices_judged, 12);
    }

    #[test]
    fn a_kpi_is_read_over_its_calendar_quarter() {
        let (start, end) = kpi_window(midnight(date(2026, 12, 7)));
        assert_eq!((start, end), (midnight(date(2026, 10, 1)), midnight(date(2027, 1, 1))));
    }

    #[test]
    fn required_shares_outside_zero_to_one_are_refused() {
        for bad in [0.0, -0.1, 1.01, f64::NAN, f64::INFINITY] {
            assert!(RequiredShare::try_new(bad).is_err(), "{bad}");
        }
        assert!(RequiredShare::try_new(1.0).is_ok());
    }

    proptest! {
        #[test]
        fn budget_left_never_exceeds_the_budget(
            values in proptest::collection::vec(80.0f64..100.0, 0..12),
            required in 0.5f64..=1.0,
            now in 0i64..80,
        ) {
            let b = weekly(&values, required, now);
            prop_assert!(b.budget_left_slices <= b.budget_slices);
            prop_assert!((0.0..=1.0).contains(&b.budget_left));
            prop_assert_eq!(b.slices_met + b.slices_missed, b.slices_judged);
            prop_assert!(b.slices_judged + b.slices_without_data <= b.slices_total);
            prop_assert!(!b.spent || b.at_risk);
            if let Some(share) = b.share_met { prop_assert!((0.0..=1.0).contains(&share)); }
        }

        #[test]
        fn more_misses_never_increase_the_budget_left(
            values in proptest::collection::vec(80.0f64..100.0, 1..12),
            spoil in 0usize..12,
            required in 0.5f64..=1.0,
            now in 0i64..80,
        ) {
            let before = weekly(&values, required, now);
            let mut worse = values.clone();
            let at = spoil % worse.len();
            worse[at] = 50.0;
            let after = weekly(&worse, required, now);
            prop_assert!(after.budget_left_slices <= before.budget_left_slices);
            prop_assert!(after.budget_left <= before.budget_left);
            prop_assert!(after.slices_missed >= before.slices_missed);
            prop_assert!(after.at_risk || !before.at_risk);
        }

        #[test]
        fn a_lower_required_share_never_means_less_budget(
            values in proptest::collection::vec(80.0f64..100.0, 0..12),
            a in 0.5f64..=1.0,
            b in 0.5f64..=1.0,
            now in 0i64..80,
        ) {
            let (low, high) = if a <= b { (a, b) } else { (b, a) };
            let loose = weekly(&values, low, now);
            let strict = weekly(&values, high, now);
            prop_assert!(loose.budget_slices >= strict.budget_slices);
            prop_assert!(loose.budget_left_slices >= strict.budget_left_slices);
            prop_assert!(strict.at_risk || !loose.at_risk);
        }
    }
}

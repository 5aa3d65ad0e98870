//! The status of a key result: one function, [`key_result_status`], holds the whole
//! rule so that the web app, the API and the CLI can never disagree.
//!
//! The rule, in order (the first that applies wins):
//!
//! 1. **done**: an increase, decrease or milestone whose progress reached 1.0.
//! 2. **not_started**: the cycle is still being planned or has not begun.
//! 3. **stale**: the cycle is running and the last check-in (or, with none, the moment
//!    tracking began: the cycle's start, or the key result's creation when it was added
//!    later) is older than one check-in period plus half a period of grace. Silence is
//!    never on track, so this overrides every colour below.
//! 4. **not_started**: nobody has checked in yet, and the first check-in is not due.
//! 5. Otherwise the worse of two signals:
//!    - *outlook*: with a forecast ([`crate::forecast`]), what it says about the cycle's
//!      end ([`forecast_status`]): **on track** when the probability of reaching the
//!      target is at least [`ON_TRACK_PROBABILITY`] (so a status never says on track
//!      over a forecast that says unlikely), **at risk** when the probability is at
//!      least [`AT_RISK_PROBABILITY`] or the point forecast ends within 0.30 of the
//!      target (a green score, a near miss), **off track** otherwise. Maintain and range
//!      key results also keep their pace (below), because they score by the share of
//!      the cycle that met the goal, which the end value alone does not tell.
//!
//!      Without a forecast (fewer than three points, a milestone, or the cycle over),
//!      *pace*: the gap between expected and actual progress, the expectation running
//!      from when tracking began (the cycle's start, or the day a key result added
//!      later was added). A gap of at most 0.10 is on track, at most 0.25 at risk, more
//!      is off track. A milestone has no pace until the cycle ends: it is on track until
//!      then and off track after. A maintain or range key result whose latest value
//!      misses its goal is at least at risk, and so is one whose error budget
//!      ([`crate::error_budget`]) is spent or will run out before the cycle ends at the
//!      current burn rate.
//!    - *confidence*: the owner's latest word. 7–10 is on track, 4–6 at risk,
//!      0–3 off track.
//!
//! [`assess_key_result`] also says which signal decided ([`StatusReason`]): when a
//! status is worse than its forecast alone would say, the missed check-in, the owner's
//! confidence, the breached goal or the pace decided, and the pages say so in words.
//!
//! Separately, [`is_diverging`] flags high confidence on a value that has not moved
//! for four weeks: words and numbers disagree, and a person should look.

use crate::check_in::Confidence;
use crate::cycle::{CyclePeriod, CycleStatus};
use crate::error_budget::ErrorBudget;
use crate::forecast::Forecast;
use crate::key_result::KeyResultKind;
use crate::kpi::Cadence;
use crate::progress::Progress;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

/// A key result's status (SPEC §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Progress matches the pace and the owner is confident.
    OnTrack,
    /// Behind pace, or the owner has doubts.
    AtRisk,
    /// Well behind pace, or the owner expects to miss.
    OffTrack,
    /// The target is reached.
    Done,
    /// The cycle has not begun, or the first check-in is not due yet.
    NotStarted,
    /// A check-in is overdue: the numbers cannot be trusted.
    Stale,
}

/// Everything the status rule looks at.
#[derive(Debug, Clone, Copy)]
pub struct StatusInput {
    /// The key result's kind.
    pub kind: KeyResultKind,
    /// Its progress, unclamped.
    pub progress: Progress,
    /// The progress expected now, 0–1.
    pub expected: f64,
    /// The latest confidence given, if any.
    pub confidence: Option<Confidence>,
    /// When the latest check-in was made, if ever.
    pub last_check_in_at: Option<Timestamp>,
    /// When tracking began: the cycle's start, or the key result's creation if later.
    pub tracked_since: Timestamp,
    /// For maintain and range: whether the latest value meets the goal.
    pub latest_meets: Option<bool>,
    /// How often the owner should check in.
    pub cadence: Cadence,
    /// The cycle's dates.
    pub period: CyclePeriod,
    /// The cycle's state.
    pub cycle_status: CycleStatus,
    /// The time the status is computed for.
    pub now: Timestamp,
    /// The forecast at the cycle's end, when there is one; without it, pace decides.
    pub forecast: Option<Forecast>,
    /// For maintain and range: the error budget over the cycle, when there is one.
    pub error_budget: Option<ErrorBudget>,
}

/// A forecast at least this likely to reach the target is on track; below it a key
/// result is never shown on track while a forecast speaks for it (the page would say
/// "unlikely" under "on track").
pub const ON_TRACK_PROBABILITY: f64 = 0.5;

/// A forecast at least this likely to reach the target is at worst at risk.
pub const AT_RISK_PROBABILITY: f64 = 0.2;

/// Which signal decided a key result's status, so that a page can say it in words
/// whenever the status differs from what its forecast alone would say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StatusReason {
    /// Done: the target is reached.
    TargetReached,
    /// Not started: the cycle is being planned or has not begun.
    CycleNotBegun,
    /// Not started: nobody has checked in, and the first check-in is not due yet.
    FirstCheckInNotDue,
    /// Stale: a check-in is overdue by the key result's cadence.
    CheckInMissed,
    /// The forecast of the cycle's end decided.
    Forecast,
    /// Progress against the pace expected by now decided (no forecast yet).
    Pace,
    /// For maintain and range: the latest value misses the goal.
    LatestMissesGoal,
    /// A milestone not done when its cycle ended.
    MilestoneNotDone,
    /// The owner's latest confidence decided: it is lower than the numbers say.
    Confidence,
    /// For maintain and range: the error budget will run out before the cycle ends at
    /// the current burn rate.
    ErrorBudgetBurning,
    /// For maintain and range: more slices missed than the error budget allows, so the
    /// required share can no longer be met.
    ErrorBudgetSpent,
}

/// A key result's status and the signal that decided it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assessment {
    /// The status.
    pub status: Status,
    /// What decided it.
    pub reason: StatusReason,
}

/// What a forecast alone says (rule 5's *outlook*): on track when the probability of
/// reaching the target is at least [`ON_TRACK_PROBABILITY`]; at risk when it is at least
/// [`AT_RISK_PROBABILITY`] or the point forecast's progress is 0.7 or more (a green
/// score, a near miss); off track otherwise. Maintain and range forecasts have no
/// progress and go by the probability.
pub fn forecast_status(forecast: &Forecast) -> Status {
    let reaches = |share: f64| forecast.progress.is_some_and(|p| p >= share);
    if forecast.probability >= ON_TRACK_PROBABILITY {
        Status::OnTrack
    } else if forecast.probability >= AT_RISK_PROBABILITY || reaches(0.7) {
        Status::AtRisk
    } else {
        Status::OffTrack
    }
}

/// When a check-in is overdue: one period after the last one, plus half a period.
pub fn check_in_due_by(last: Timestamp, cadence: Cadence) -> Timestamp {
    let period = cadence.period();
    let grace = SignedDuration::from_secs(period.as_secs() / 2);
    last.saturating_add(period).and_then(|t| t.saturating_add(grace)).unwrap_or(Timestamp::MAX)
}

/// The status of a key result; see the module documentation for the rule.
pub fn key_result_status(input: StatusInput) -> Status {
    assess_key_result(input).status
}

/// The status of a key result with the signal that decided it; see the module
/// documentation for the rule.
pub fn assess_key_result(input: StatusInput) -> Assessment {
    let decided = |status: Status, reason: StatusReason| Assessment { status, reason };
    let linear_or_milestone =
        matches!(input.kind, KeyResultKind::Increase | KeyResultKind::Decrease | KeyResultKind::Milestone);
    if linear_or_milestone && input.progress.clamped() >= 1.0 {
        return decided(Status::Done, StatusReason::TargetReached);
    }
    if input.cycle_status == CycleStatus::Planning || input.now < input.period.starts_at() {
        return decided(Status::NotStarted, StatusReason::CycleNotBegun);
    }
    let running = input.cycle_status == CycleStatus::Active && input.now < input.period.ends_at();
    let last = input.last_check_in_at.unwrap_or(input.tracked_since);
    if running && input.now > check_in_due_by(last, input.cadence) {
        return decided(Status::Stale, StatusReason::CheckInMissed);
    }
    if input.last_check_in_at.is_none() {
        return decided(Status::NotStarted, StatusReason::FirstCheckInNotDue);
    }
    let pace = match input.kind {
        KeyResultKind::Milestone => {
            if input.now >= input.period.ends_at() {
                decided(Status::OffTrack, StatusReason::MilestoneNotDone)
            } else {
                decided(Status::OnTrack, StatusReason::Pace)
            }
        }
        _ => {
            let gap = input.expected - input.progress.clamped();
            let by_gap = if gap <= 0.10 {
                Status::OnTrack
            } else if gap <= 0.25 {
                Status::AtRisk
            } else {
                Status::OffTrack
            };
            let by_gap = decided(by_gap, StatusReason::Pace);
            let by_latest = if input.latest_meets == Some(false) {
                worse(by_gap, decided(Status::AtRisk, StatusReason::LatestMissesGoal))
            } else {
                by_gap
            };
            // The budget names the cause more exactly than pace does, so on a tie it
            // explains the status; a worse pace still wins.
            match input.error_budget {
                Some(budget) if budget.spent => {
                    worse(decided(Status::AtRisk, StatusReason::ErrorBudgetSpent), by_latest)
                }
                Some(budget) if budget.at_risk => {
                    worse(decided(Status::AtRisk, StatusReason::ErrorBudgetBurning), by_latest)
                }
                _ => by_latest,
            }
        }
    };
    let outlook = match (input.forecast, input.kind) {
        (None, _) | (Some(_), KeyResultKind::Milestone) => pace,
        (Some(forecast), kind) => {
            let by_forecast = decided(forecast_status(&forecast), StatusReason::Forecast);
            if matches!(kind, KeyResultKind::Maintain | KeyResultKind::Range) {
                worse(by_forecast, pace)
            } else {
                by_forecast
            }
        }
    };
    let by_confidence = match input.confidence.map(Confidence::get) {
        None | Some(7..) => Status::OnTrack,
        Some(4..=6) => Status::AtRisk,
        Some(_) => Status::OffTrack,
    };
    worse(outlook, decided(by_confidence, StatusReason::Confidence))
}

/// The worse of two assessments; on a tie the first, which already explains it.
fn worse(a: Assessment, b: Assessment) -> Assessment {
    let rank = |s: Status| match s {
        Status::OnTrack => 0,
        Status::AtRisk => 1,
        _ => 2,
    };
    if rank(b.status) > rank(a.status) { b } else { a }
}

/// The status of an objective from its rolled-up progress, the expected progress of
/// its key results and their statuses:
///
/// - no key results, or none started: **not_started**;
/// - every key result done: **done**;
/// - otherwise the pace rule of key results on the rollup (gap ≤ 0.10 on track,
///   ≤ 0.25 at risk, more off track), except that an objective that would be on track
///   while one of its key results is stale is **stale**: silence is never on track.
pub fn objective_status(progress: Option<Progress>, expected: f64, key_results: &[Status]) -> Status {
    let Some(progress) = progress else {
        return Status::NotStarted;
    };
    if key_results.is_empty() || key_results.iter().all(|s| *s == Status::NotStarted) {
        return Status::NotStarted;
    }
    if key_results.iter().all(|s| *s == Status::Done) {
        return Status::Done;
    }
    let gap = expected - progress.clamped();
    let by_gap = if gap <= 0.10 {
        Status::OnTrack
    } else if gap <= 0.25 {
        Status::AtRisk
    } else {
        Status::OffTrack
    };
    if by_gap == Status::OnTrack && key_results.contains(&Status::Stale) { Status::Stale } else { by_gap }
}

/// How long a value must stand still under high confidence to count as diverging.
pub const DIVERGING_AFTER: SignedDuration = SignedDuration::from_hours(24 * 28);

/// Whether the owner reports high confidence (7 or more) while the value has not moved
/// for four weeks (`unchanged_since` is when the value last changed, or when tracking
/// began if it never did). Only increase and decrease key results can diverge: a
/// milestone's value stands still until it is done, and a maintain or range key result
/// is meant to hold still. Done key results do not diverge.
pub fn is_diverging(
    kind: KeyResultKind,
    confidence: Option<Confidence>,
    unchanged_since: Timestamp,
    status: Status,
    now: Timestamp,
) -> bool {
    let moves = matches!(kind, KeyResultKind::Increase | KeyResultKind::Decrease);
    let confident = confidence.is_some_and(|c| c.get() >= 7);
    let still = now.duration_since(unchanged_since) >= DIVERGING_AFTER;
    moves && confident && still && status != Status::Done
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cycle::midnight;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn input(progress: f64, expected: f64, day: jiff::civil::Date) -> StatusInput {
        let now = midnight(day);
        StatusInput {
            kind: KeyResultKind::Increase,
            progress: Progress::new(progress),
            expected,
            confidence: Some(Confidence::try_new(8).unwrap()),
            last_check_in_at: Some(now.saturating_sub(SignedDuration::from_hours(48)).unwrap()),
            tracked_since: midnight(date(2026, 10, 1)),
            latest_meets: None,
            cadence: Cadence::Weekly,
            period: CyclePeriod::try_new(date(2026, 10, 1), date(2026, 12, 31)).unwrap(),
            cycle_status: CycleStatus::Active,
            now,
            forecast: None,
            error_budget: None,
        }
    }

    const MID: jiff::civil::Date = date(2026, 11, 16);

    #[test]
    fn keeping_pace_is_on_track() {
        assert_eq!(key_result_status(input(0.5, 0.5, MID)), Status::OnTrack);
        assert_eq!(key_result_status(input(0.41, 0.5, MID)), Status::OnTrack);
    }

    #[test]
    fn falling_behind_is_at_risk_then_off_track() {
        assert_eq!(key_result_status(input(0.3, 0.5, MID)), Status::AtRisk);
        assert_eq!(key_result_status(input(0.1, 0.5, MID)), Status::OffTrack);
    }

    #[test]
    fn reaching_the_target_is_done_even_when_silent() {
        let mut i = input(1.2, 0.5, MID);
        i.last_check_in_at = None;
        assert_eq!(key_result_status(i), Status::Done);
    }

    #[test]
    fn silence_is_never_on_track() {
        let mut i = input(0.6, 0.5, MID);
        i.last_check_in_at = Some(midnight(date(2026, 11, 1)));
        assert_eq!(key_result_status(i), Status::Stale);
        // Ten days after the last weekly check-in is still within the grace.
        i.last_check_in_at = Some(midnight(date(2026, 11, 6)));
        assert_eq!(key_result_status(i), Status::OnTrack);
    }

    #[test]
    fn no_check_in_yet_is_not_started_until_the_first_is_due() {
        let mut i = input(0.0, 0.05, date(2026, 10, 5));
        i.last_check_in_at = None;
        assert_eq!(key_result_status(i), Status::NotStarted);
        let mut late = input(0.0, 0.3, date(2026, 10, 25));
        late.last_check_in_at = None;
        assert_eq!(key_result_status(late), Status::Stale);
        // A key result added mid-cycle is not stale before its own first check-in is due.
        late.tracked_since = midnight(date(2026, 10, 20));
        assert_eq!(key_result_status(late), Status::NotStarted);
    }

    #[test]
    fn a_planned_cycle_is_not_started() {
        let mut i = input(0.0, 0.0, MID);
        i.cycle_status = CycleStatus::Planning;
        assert_eq!(key_result_status(i), Status::NotStarted);
    }

    #[test]
    fn low_confidence_pulls_status_down() {
        let mut i = input(0.6, 0.5, MID);
        i.confidence = Some(Confidence::try_new(5).unwrap());
        assert_eq!(key_result_status(i), Status::AtRisk);
        i.confidence = Some(Confidence::try_new(2).unwrap());
        assert_eq!(key_result_status(i), Status::OffTrack);
    }

    #[test]
    fn a_milestone_is_on_track_until_the_cycle_ends() {
        let mut i = input(0.0, 0.5, MID);
        i.kind = KeyResultKind::Milestone;
        assert_eq!(key_result_status(i), Status::OnTrack);
        i.now = midnight(date(2027, 1, 2));
        i.cycle_status = CycleStatus::Closed;
        assert_eq!(key_result_status(i), Status::OffTrack);
    }

    #[test]
    fn a_breached_maintain_key_result_is_at_least_at_risk() {
        let mut i = input(0.95, 1.0, MID);
        i.kind = KeyResultKind::Maintain;
        assert_eq!(key_result_status(i), Status::OnTrack);
        i.latest_meets = Some(false);
        assert_eq!(key_result_status(i), Status::AtRisk);
    }

    #[test]
    fn a_closed_cycle_is_never_stale() {
        let mut i = input(0.5, 1.0, date(2027, 1, 20));
        i.cycle_status = CycleStatus::Closed;
        i.last_check_in_at = Some(midnight(date(2026, 12, 1)));
        assert_eq!(key_result_status(i), Status::OffTrack);
    }

    #[test]
    fn high_confidence_on_a_still_value_diverges() {
        let now = midnight(MID);
        let eight = Some(Confidence::try_new(8).unwrap());
        let five_weeks_ago = now.saturating_sub(SignedDuration::from_hours(24 * 35)).unwrap();
        let last_week = now.saturating_sub(SignedDuration::from_hours(24 * 7)).unwrap();
        let up = KeyResultKind::Increase;
        assert!(is_diverging(up, eight, five_weeks_ago, Status::OnTrack, now));
        assert!(!is_diverging(up, eight, last_week, Status::OnTrack, now));
        assert!(!is_diverging(up, Some(Confidence::try_new(4).unwrap()), five_weeks_ago, Status::AtRisk, now));
        assert!(!is_diverging(up, eight, five_weeks_ago, Status::Done, now));
        assert!(!is_diverging(KeyResultKind::Milestone, eight, five_weeks_ago, Status::OnTrack, now));
        assert!(!is_diverging(KeyResultKind::Maintain, eight, five_weeks_ago, Status::OnTrack, now));
    }

    #[test]
    fn objective_status_follows_its_rollup() {
        let half = Some(Progress::new(0.5));
        assert_eq!(objective_status(None, 0.5, &[]), Status::NotStarted);
        assert_eq!(objective_status(half, 0.5, &[Status::NotStarted, Status::NotStarted]), Status::NotStarted);
        assert_eq!(objective_status(Some(Progress::DONE), 0.5, &[Status::Done, Status::Done]), Status::Done);
        assert_eq!(objective_status(half, 0.5, &[Status::OnTrack, Status::AtRisk]), Status::OnTrack);
        assert_eq!(objective_status(half, 0.7, &[Status::OnTrack, Status::AtRisk]), Status::AtRisk);
        assert_eq!(objective_status(half, 0.9, &[Status::OnTrack]), Status::OffTrack);
        assert_eq!(objective_status(half, 0.5, &[Status::OnTrack, Status::Stale]), Status::Stale);
    }

    fn outlook(probability: f64, progress: Option<f64>) -> Forecast {
        Forecast { value: 0.0, low: 0.0, high: 0.0, probability, progress, points: 5, at: midnight(date(2027, 1, 1)) }
    }

    #[test]
    fn a_forecast_decides_instead_of_pace() {
        // Behind pace (a gap of 0.2 would be at risk) but heading for the target.
        let mut i = input(0.3, 0.5, MID);
        i.forecast = Some(outlook(0.7, Some(1.05)));
        assert_eq!(key_result_status(i), Status::OnTrack);
        // On pace, but the trend ends far short with no chance.
        let mut i = input(0.5, 0.5, MID);
        i.forecast = Some(outlook(0.0, Some(0.5)));
        assert_eq!(key_result_status(i), Status::OffTrack);
        // A wide forecast that could still make it is at risk.
        i.forecast = Some(outlook(0.25, Some(0.6)));
        assert_eq!(key_result_status(i), Status::AtRisk);
    }

    #[test]
    fn a_near_miss_is_at_risk_not_on_track() {
        // An unlikely target is never on track, however close the point forecast ends.
        assert_eq!(forecast_status(&outlook(0.45, Some(0.95))), Status::AtRisk);
        assert_eq!(forecast_status(&outlook(0.5, Some(0.2))), Status::OnTrack);
        assert_eq!(forecast_status(&outlook(0.0, Some(0.89))), Status::AtRisk);
        assert_eq!(forecast_status(&outlook(0.0, Some(0.7))), Status::AtRisk);
        assert_eq!(forecast_status(&outlook(0.19, Some(0.69))), Status::OffTrack);
        assert_eq!(forecast_status(&outlook(0.2, None)), Status::AtRisk);
        assert_eq!(forecast_status(&outlook(0.1, None)), Status::OffTrack);
    }

    #[test]
    fn a_forecast_does_not_override_done_stale_or_confidence() {
        let mut done = input(1.0, 0.5, MID);
        done.forecast = Some(outlook(0.0, Some(0.5)));
        assert_eq!(key_result_status(done), Status::Done);
        let mut silent = input(0.6, 0.5, MID);
        silent.forecast = Some(outlook(1.0, Some(1.5)));
        silent.last_check_in_at = Some(midnight(date(2026, 11, 1)));
        assert_eq!(key_result_status(silent), Status::Stale);
        let mut doubtful = input(0.6, 0.5, MID);
        doubtful.forecast = Some(outlook(1.0, Some(1.5)));
        doubtful.confidence = Some(Confidence::try_new(3).unwrap());
        assert_eq!(key_result_status(doubtful), Status::OffTrack);
    }

    #[test]
    fn a_maintain_key_result_keeps_its_pace_beside_its_forecast() {
        let mut i = input(0.95, 1.0, MID);
        i.kind = KeyResultKind::Maintain;
        i.forecast = Some(outlook(1.0, None));
        assert_eq!(key_result_status(i), Status::OnTrack);
        i.forecast = Some(outlook(0.1, None));
        assert_eq!(key_result_status(i), Status::OffTrack, "heading out of bounds");
        i.progress = Progress::new(0.6);
        i.forecast = Some(outlook(1.0, None));
        assert_eq!(key_result_status(i), Status::OffTrack, "breached for 40% of the cycle so far");
    }

    fn budget(values: &[f64], required: f64, now_day: i64) -> crate::error_budget::ErrorBudget {
        use crate::error_budget::{BudgetInput, RequiredShare, error_budget};
        use crate::key_result::{Comparator, Measure};
        let start = midnight(date(2026, 10, 1));
        let day = |n: i64| start.saturating_add(SignedDuration::from_hours(24 * n)).unwrap();
        let points: Vec<(Timestamp, f64)> =
            values.iter().enumerate().map(|(w, v)| (day(7 * w as i64 + 3), *v)).collect();
        error_budget(BudgetInput {
            measure: Measure::Maintain { threshold: 90.0, comparator: Comparator::AtLeast },
            cadence: Cadence::Weekly,
            starts_at: start,
            ends_at: midnight(date(2027, 1, 1)),
            values: &points,
            required: RequiredShare::try_new(required).unwrap(),
            now: day(now_day),
        })
        .unwrap()
    }

    #[test]
    fn a_maintain_key_result_burning_its_budget_is_at_risk() {
        // 6 weeks judged, 1 missed: 83% met, on pace against a required 80%.
        let mut i = input(5.0 / 6.0, 0.8, MID);
        i.kind = KeyResultKind::Maintain;
        i.latest_meets = Some(true);
        i.error_budget = Some(budget(&[95.0, 95.0, 95.0, 95.0, 95.0, 95.0], 0.8, 42));
        assert_eq!(assess_key_result(i), Assessment { status: Status::OnTrack, reason: StatusReason::Pace });
        // A budget of 13 × 10% = 1 slice, one miss in 6: at 1/6 a week the rest of the
        // quarter would miss one more.
        i.error_budget = Some(budget(&[95.0, 80.0, 95.0, 95.0, 95.0, 95.0], 0.9, 42));
        assert_eq!(
            assess_key_result(i),
            Assessment { status: Status::AtRisk, reason: StatusReason::ErrorBudgetBurning }
        );
        // Two misses against one allowed: spent.
        i.error_budget = Some(budget(&[95.0, 80.0, 95.0, 80.0, 95.0, 95.0], 0.9, 42));
        assert_eq!(assess_key_result(i), Assessment { status: Status::AtRisk, reason: StatusReason::ErrorBudgetSpent });
    }

    fn any_kind() -> impl Strategy<Value = KeyResultKind> {
        prop_oneof![
            Just(KeyResultKind::Increase),
            Just(KeyResultKind::Decrease),
            Just(KeyResultKind::Maintain),
            Just(KeyResultKind::Range),
            Just(KeyResultKind::Milestone),
        ]
    }

    proptest! {
        /// Issue 15's rule: a status never contradicts the forecast written under it
        /// unless another signal decided, which the reason names. On track never stands
        /// over an unlikely forecast (under 50%); at risk or off track over a forecast of
        /// 50% or more is always decided by something else (a missed check-in, the
        /// owner's confidence, a breached goal, the pace of a maintain or range).
        #[test]
        fn a_status_agrees_with_its_forecast_or_says_why(
            kind in any_kind(),
            progress in -0.5f64..1.5,
            expected in 0.0f64..=1.0,
            confidence in proptest::option::of(0i64..=10),
            checked_in_days_ago in proptest::option::of(0i64..40),
            tracked_days_ago in 0i64..60,
            latest_meets in proptest::option::of(any::<bool>()),
            probability in 0.0f64..=1.0,
            end_progress in proptest::option::of(-1.0f64..2.0),
            has_forecast in any::<bool>(),
            day in 0i64..120,
        ) {
            let now = midnight(date(2026, 9, 20)).saturating_add(SignedDuration::from_hours(24 * day)).unwrap();
            let ago = |days: i64| now.saturating_sub(SignedDuration::from_hours(24 * days)).unwrap();
            let forecast = (has_forecast && kind != KeyResultKind::Milestone).then(|| outlook(probability, end_progress));
            let mut i = input(progress, expected, MID);
            i.kind = kind;
            i.now = now;
            i.confidence = confidence.map(|c| Confidence::try_new(c).unwrap());
            i.last_check_in_at = checked_in_days_ago.map(ago);
            i.tracked_since = ago(tracked_days_ago).max(i.period.starts_at());
            i.latest_meets = latest_meets.filter(|_| matches!(kind, KeyResultKind::Maintain | KeyResultKind::Range));
            i.forecast = forecast;
            let a = assess_key_result(i);
            prop_assert_eq!(a.status, key_result_status(i));
            if let Some(f) = forecast {
                if a.status == Status::OnTrack {
                    prop_assert!(f.probability >= ON_TRACK_PROBABILITY, "on track over {:.2}: {a:?}", f.probability);
                }
                if matches!(a.status, Status::AtRisk | Status::OffTrack) && f.probability >= ON_TRACK_PROBABILITY {
                    prop_assert_ne!(a.reason, StatusReason::Forecast, "{:?} over {:.2}", a, f.probability);
                }
                if a.reason == StatusReason::Forecast {
                    prop_assert_eq!(a.status, forecast_status(&f));
                }
            } else {
                prop_assert_ne!(a.reason, StatusReason::Forecast);
            }
            // The reason always fits the status it explains.
            let fits = match a.reason {
                StatusReason::TargetReached => a.status == Status::Done,
                StatusReason::CycleNotBegun | StatusReason::FirstCheckInNotDue => a.status == Status::NotStarted,
                StatusReason::CheckInMissed => a.status == Status::Stale,
                StatusReason::MilestoneNotDone => a.status == Status::OffTrack,
                StatusReason::LatestMissesGoal
                | StatusReason::Confidence
                | StatusReason::ErrorBudgetBurning
                | StatusReason::ErrorBudgetSpent => {
                    matches!(a.status, Status::AtRisk | Status::OffTrack)
                }
                StatusReason::Forecast | StatusReason::Pace => {
                    matches!(a.status, Status::OnTrack | Status::AtRisk | Status::OffTrack)
                }
            };
            prop_assert!(fits, "{a:?}");
        }

        #[test]
        fn more_progress_never_worsens_status(a in 0.0f64..1.0, b in 0.0f64..1.0, expected in 0.0f64..1.0) {
            let rank = |s: Status| match s { Status::Done => 0, Status::OnTrack => 1, Status::AtRisk => 2, _ => 3 };
            let (low, high) = if a <= b { (a, b) } else { (b, a) };
            let s_low = key_result_status(input(low, expected, MID));
            let s_high = key_result_status(input(high, expected, MID));
            prop_assert!(rank(s_high) <= rank(s_low), "{s_high:?} worse than {s_low:?}");
        }

        #[test]
        fn a_better_forecast_never_worsens_status(
            p in 0.0f64..=1.0, q in 0.0f64..=1.0, a in -1.0f64..2.0, b in -1.0f64..2.0, progress in 0.0f64..0.99,
        ) {
            let rank = |s: Status| match s { Status::OnTrack => 0, Status::AtRisk => 1, _ => 2 };
            let with = |probability: f64, end: f64| {
                let mut i = input(progress, 0.5, MID);
                i.forecast = Some(outlook(probability, Some(end)));
                key_result_status(i)
            };
            let (worse_one, better_one) = (with(p.min(q), a.min(b)), with(p.max(q), a.max(b)));
            prop_assert!(rank(better_one) <= rank(worse_one), "{better_one:?} worse than {worse_one:?}");
        }
    }
}

//! What a key result looks like to a reader: its definition, its numbers (progress,
//! expected progress, status, score) and where its value is heading.

use crate::evaluation::ScoreView;
use jiff::Timestamp;
use milepost_core::KeyResultId;
use milepost_core::key_result::SchedulePoint;
use milepost_core::{Cadence, Comparator, KeyResultKind, Status, StatusReason};
use serde::Serialize;

/// Where a key result's value is heading by its cycle's end (SPEC §4; the model is in
/// docs/forecasting.md): a trend from the value history inside the cycle, continued from
/// the latest value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ForecastView {
    /// The value expected at the cycle's end.
    pub value: f64,
    /// The low end of the 80% interval around it.
    pub low: f64,
    /// The high end of the 80% interval around it.
    pub high: f64,
    /// The probability, 0–1, of reaching the target (of ending on the good side of a
    /// maintain threshold, inside a range's band).
    pub probability: f64,
    /// How many points of the history (check-ins, or a linked KPI's measurements) it used.
    pub points: usize,
    /// The instant forecast: the cycle's end.
    pub at: Timestamp,
}

impl From<milepost_core::Forecast> for ForecastView {
    fn from(forecast: milepost_core::Forecast) -> ForecastView {
        ForecastView {
            value: forecast.value,
            low: forecast.low,
            high: forecast.high,
            probability: forecast.probability,
            points: forecast.points,
            at: forecast.at,
        }
    }
}

/// A key result with its computed numbers.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct KeyResultView {
    /// Its id.
    #[schema(value_type = i64)]
    pub id: KeyResultId,
    /// Its objective.
    pub objective_id: i64,
    /// The sentence as written.
    pub title: String,
    /// Its kind.
    pub kind: KeyResultKind,
    /// What is measured.
    pub metric: Option<String>,
    /// Unit of the values.
    pub unit: Option<String>,
    /// Baseline.
    pub start: Option<f64>,
    /// Target, or maintain threshold.
    pub target: Option<f64>,
    /// `[low, high]` of a range key result.
    pub range: Option<[f64; 2]>,
    /// Side of a maintain threshold that is good.
    pub comparator: Option<Comparator>,
    /// The relative change the target was stated as.
    pub relative_change: Option<f64>,
    /// Maintain and range: the share of slices (periods of its cadence) that must meet
    /// the goal, 0–1; `null` is every slice (no error budget).
    pub required_share: Option<f64>,
    /// Latest checked-in value.
    pub current: Option<f64>,
    /// Weight in the objective's progress.
    pub weight: f64,
    /// Owner.
    pub owner_person_id: Option<i64>,
    /// Check-in cadence.
    pub cadence: Cadence,
    /// Linked KPI.
    pub kpi_id: Option<i64>,
    /// Planned values by date.
    pub target_schedule: Option<Vec<SchedulePoint>>,
    /// Progress from start to target, unclamped (1.2 is 120%).
    pub progress: f64,
    /// Progress expected by now: elapsed share of the cycle, or the schedule's plan.
    pub expected_progress: f64,
    /// The forecast at the cycle's end; `null` while there are fewer than three points
    /// in the cycle (status then follows pace), for milestones, and outside a running cycle.
    pub forecast: Option<ForecastView>,
    /// on_track, at_risk, off_track, done, not_started or stale.
    pub status: Status,
    /// Which signal decided the status: `forecast`, `pace`, `confidence` (the owner's
    /// latest confidence is lower than the numbers), `check_in_missed` (stale),
    /// `latest_misses_goal`, `error_budget_burning` (its error budget will run out
    /// before the cycle ends at the current burn rate), `error_budget_spent` (maintain,
    /// range), `milestone_not_done`, `target_reached`,
    /// `cycle_not_begun` or `first_check_in_not_due`. A status worse than the forecast
    /// alone would give is never decided by the forecast.
    pub status_reason: StatusReason,
    /// High confidence on a value that has not moved for four weeks.
    pub diverging: bool,
    /// Latest confidence, 0–10.
    pub confidence: Option<u8>,
    /// When the latest check-in was.
    pub last_check_in_at: Option<Timestamp>,
    /// When the next check-in is due (active cycles).
    pub check_in_due_at: Option<Timestamp>,
    /// The grade, once the cycle is closed.
    pub score: Option<ScoreView>,
    /// Maintain and range: the error budget over the cycle, read like an SLO (slices of
    /// the cadence from when it is tracked to the cycle's end; a slice meets the goal when
    /// its last value does; burn rate over the last seven slices). `null` for other kinds.
    pub error_budget: Option<milepost_core::ErrorBudget>,
    /// Whether it was added after its cycle began (SPEC §4: moving the goalposts is visible).
    pub added_after_start: bool,
    /// Whether archived.
    pub archived: bool,
    /// When created.
    pub created_at: Timestamp,
    /// When last changed.
    pub updated_at: Timestamp,
    /// Version: send it back with a change.
    pub version: i64,
    /// The key result it was carried from, in an earlier cycle.
    pub carried_from_key_result_id: Option<i64>,
}

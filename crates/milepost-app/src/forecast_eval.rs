//! Forecast evaluation (issue 18): closed cycles replayed week by week, using only what
//! was known each week, to score the forecast, pace alone and the owners' confidence
//! against what happened, as Brier scores with their Murphy decomposition and a
//! reliability table (`milepost_core::forecast_eval`).
//!
//! At the end of every week of a closed cycle (7, 14, … days after its start, before
//! its end), each key result (not archived, of an objective not archived that the caller
//! may see) with at least one check-in by then is judged three ways:
//!
//! - the **forecast**: the probability of reaching the target that the forecast gave
//!   from the points known then (`evaluation::forecast_points` up to that instant);
//!   where there was no forecast (fewer than three points, a milestone), pace's, as the
//!   status falls back to pace;
//! - **pace alone**: `pace_probability(progress, expected)` from the latest value known
//!   then and the expected progress at that instant;
//! - the owner's **confidence**: the latest confidence given by then, over 10; a key
//!   result with none given yet is not judged for it that week.
//!
//! The outcome is the same as calibration's: the key result's score at close reached
//! its objective's mark. Beside them, the share of the forecast's 80% intervals that
//! held the key result's last value in the cycle.

use crate::cycle::Cycles;
use crate::cycle::closed_cycle;
use crate::evaluation::{CycleCache, forecast_points, measure_of, reads_kpi, schedule_of};
use crate::permission::hidden_objectives;
use crate::time::period_of;
use crate::{AppError, Caller};
use jiff::{SignedDuration, Timestamp};
use milepost_core::CycleId;
use milepost_core::calibration::key_result_succeeded;
use milepost_core::forecast::forecast;
use milepost_core::forecast_eval::{BrierDecomposition, decompose, pace_probability};
use milepost_core::{Commitment, Confidence, Measure, Score};
use milepost_store::{CycleFilter, Page};
use serde::Serialize;
use std::collections::HashMap;

/// The scores of the forecast, pace alone and the owners' confidence on closed cycles
/// replayed week by week.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ForecastEvaluation {
    /// The closed cycles replayed, by id.
    pub cycles: Vec<i64>,
    /// How many key results were judged at least once.
    pub key_results: u64,
    /// The forecast (pace where there was none); absent when nothing was judged.
    pub forecast: Option<BrierDecomposition>,
    /// Pace alone.
    pub pace: Option<BrierDecomposition>,
    /// The owners' latest confidence over 10, where one had been given.
    pub confidence: Option<BrierDecomposition>,
    /// How many of the forecast's judgements had a forecast (the others were pace's).
    pub forecasts: u64,
    /// The share of those forecasts whose 80% interval held the key result's last value
    /// in the cycle.
    pub coverage: Option<f64>,
}

const WEEK: SignedDuration = SignedDuration::from_hours(24 * 7);

impl Cycles<'_> {
    /// Replays the closed cycle `cycle_id`, or every closed cycle of the workspace when
    /// `None`. A cycle of another workspace is a 404 like a missing one; one not closed
    /// is a 409 `cycle_not_closed`.
    pub async fn evaluate_forecasts(
        self,
        caller: &Caller,
        cycle_id: Option<CycleId>,
    ) -> Result<ForecastEvaluation, AppError> {
        let cycle_id = cycle_id.map(CycleId::get);
        let mut tx = self.app.store().read().await?;
        let ids: Vec<i64> = match cycle_id {
            Some(id) => {
                closed_cycle(&mut tx, caller, id, "a forecast is judged against the outcomes").await?;
                vec![id]
            }
            None => {
                let filter = CycleFilter { status: Some(milepost_core::CycleStatus::Closed), include_archived: true };
                tx.list_cycles(caller.workspace, &filter, Page::ALL).await?.into_iter().map(|c| c.id).collect()
            }
        };
        let hidden = hidden_objectives(&mut tx, caller).await?;
        let mut cycles = CycleCache::default();
        let (mut forecasts, mut pace, mut confidence) = (Vec::new(), Vec::new(), Vec::new());
        let (mut judged_key_results, mut with_forecast, mut covered) = (0u64, 0u64, 0u64);
        for &id in &ids {
            let (data, evaluation) = cycles.get(&mut tx, caller.workspace, id, self.app.now()).await?;
            let period = period_of(&data.cycle);
            let commitments: HashMap<i64, Commitment> = data
                .objectives
                .iter()
                .filter(|o| o.cycle_id == id && !o.archived && !hidden.contains(&o.id))
                .map(|o| (o.id, o.commitment))
                .collect();
            for row in data.key_results.iter().filter(|k| !k.archived) {
                let (Some(commitment), Some(eval), Some(measure)) =
                    (commitments.get(&row.objective_id), evaluation.key_results.get(&row.id), measure_of(row))
                else {
                    continue;
                };
                let succeeded = key_result_succeeded(Score::from_progress(eval.progress), *commitment);
                let measured = reads_kpi(row).and_then(|kpi| data.kpi_values.get(&(kpi, id))).map(Vec::as_slice);
                let own: Vec<_> = data
                    .history(row.id)
                    .iter()
                    .filter(|c| period.contains(crate::time::from_ms(c.checked_in_at)))
                    .collect();
                let points = forecast_points(own.iter().copied(), measured, &period);
                let Some(&(_, end_value)) = points.last() else { continue };
                let schedule = schedule_of(row, &period);
                // Paced from the day it was added, as the evaluation paces it.
                let since = crate::time::from_ms(row.created_at);
                let mut judged = false;
                let mut week_end = period.starts_at().saturating_add(WEEK).unwrap_or(period.ends_at());
                while week_end < period.ends_at() {
                    let at = week_end;
                    week_end = week_end.saturating_add(WEEK).unwrap_or(period.ends_at());
                    let known: Vec<(Timestamp, f64)> = points.iter().copied().filter(|(when, _)| *when <= at).collect();
                    let Some(&(_, latest)) = known.last() else { continue };
                    judged = true;
                    let values: Vec<f64> = known.iter().map(|p| p.1).collect();
                    let progress = match measure {
                        Measure::Maintain { .. } | Measure::Range { .. } => measure.progress(Some(latest), &values),
                        _ => measure.progress(Some(latest), &[]),
                    };
                    let expected = measure.expected_progress_since(&period, schedule.as_ref(), since, at);
                    let by_pace = pace_probability(progress.raw(), expected);
                    pace.push((by_pace, succeeded));
                    match forecast(&measure, &known, period.ends_at()) {
                        Some(f) => {
                            with_forecast += 1;
                            covered += u64::from(f.low <= end_value && end_value <= f.high);
                            forecasts.push((f.probability, succeeded));
                        }
                        None => forecasts.push((by_pace, succeeded)),
                    }
                    let given = own
                        .iter()
                        .filter(|c| crate::time::from_ms(c.checked_in_at) <= at)
                        .filter_map(|c| c.confidence.and_then(|v| Confidence::try_new(v).ok()))
                        .next_back();
                    if let Some(given) = given {
                        confidence.push((given.as_probability(), succeeded));
                    }
                }
                judged_key_results += u64::from(judged);
            }
        }
        Ok(ForecastEvaluation {
            cycles: ids,
            key_results: judged_key_results,
            forecast: decompose(&forecasts),
            pace: decompose(&pace),
            confidence: decompose(&confidence),
            forecasts: with_forecast,
            coverage: (with_forecast > 0).then(|| covered as f64 / with_forecast as f64),
        })
    }
}

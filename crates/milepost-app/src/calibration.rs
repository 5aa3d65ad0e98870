//! Confidence calibration of a closed cycle (SPEC §4): how well the confidence people
//! gave in their check-ins matched what happened, as Brier scores per person, per team
//! and for the workspace. The rule itself is `milepost_core::calibration`.
//!
//! Every check-in with a confidence inside the cycle's dates counts, on each key result
//! (not archived) of the cycle's objectives (not archived) that the caller may see, so a
//! team-only objective counts only for those who see it. A check-in counts for the
//! person who wrote it and for that person's team; one made with an API token counts
//! for the workspace only.
//!
//! The forecast is calibrated on the same check-ins: at each, the probability of reaching
//! the target that the forecast (`milepost_core::forecast`) gave from the key result's
//! history known then (its points at or before the check-in, in the cycle; for a key
//! result fed by a KPI, the KPI's measurements and the manual check-ins, as the
//! evaluation forecasts it), against the same outcome. A check-in at which there was no
//! forecast (fewer than three points known, a milestone) does not count for it.

use crate::cycle::Cycles;
use crate::cycle::closed_cycle;
use crate::evaluation::{CycleCache, forecast_points, measure_of, reads_kpi};
use crate::permission::hidden_objectives;
use crate::time::from_ms;
use crate::time::period_of;
use crate::{AppError, Caller};
use jiff::Timestamp;
use milepost_core::CycleId;
use milepost_core::calibration::{Brier, ForecastJudgement, Judgement, key_result_succeeded};
use milepost_core::forecast::forecast;
use milepost_core::{Commitment, Confidence, Score};
use milepost_store::{Page, PersonFilter};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// A Brier score and what it counts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct BrierView {
    /// The mean of (confidence / 10 − outcome)², from 0 (perfect) to 1; 0.25 is what
    /// always saying 5 earns.
    pub brier: f64,
    /// How many check-ins with a confidence it counts.
    pub check_ins: u64,
}

impl BrierView {
    fn of(brier: Brier) -> Option<BrierView> {
        brier.score().map(|score| BrierView { brier: score, check_ins: brier.count() })
    }
}

/// One person's calibration: the check-ins they wrote.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PersonCalibration {
    /// The person.
    pub person_id: i64,
    /// Their Brier score, from 0 (perfect) to 1.
    pub brier: f64,
    /// How many check-ins with a confidence it counts.
    pub check_ins: u64,
}

/// One team's calibration: the check-ins its members wrote.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TeamCalibration {
    /// The team.
    pub team_id: i64,
    /// Its Brier score, from 0 (perfect) to 1.
    pub brier: f64,
    /// How many check-ins with a confidence it counts.
    pub check_ins: u64,
}

/// A Brier score of the forecast and how many forecasts it counts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ForecastBrierView {
    /// The mean of (forecast probability − outcome)², from 0 (perfect) to 1.
    pub brier: f64,
    /// How many check-ins with a confidence had a forecast, and so count.
    pub forecasts: u64,
}

impl ForecastBrierView {
    fn of(brier: Brier) -> Option<ForecastBrierView> {
        brier.score().map(|score| ForecastBrierView { brier: score, forecasts: brier.count() })
    }
}

/// The forecast's calibration at the check-ins one person wrote.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PersonForecastCalibration {
    /// The person.
    pub person_id: i64,
    /// The forecast's Brier score at their check-ins, from 0 (perfect) to 1.
    pub brier: f64,
    /// How many of their check-ins had a forecast.
    pub forecasts: u64,
}

/// The forecast's calibration at the check-ins one team's members wrote.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TeamForecastCalibration {
    /// The team.
    pub team_id: i64,
    /// The forecast's Brier score at its members' check-ins, from 0 (perfect) to 1.
    pub brier: f64,
    /// How many of those check-ins had a forecast.
    pub forecasts: u64,
}

/// The forecast's calibration on the same check-ins as the confidence's: at each, the
/// probability of reaching the target the forecast gave from the history known then.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ForecastCalibration {
    /// Over every counted check-in that had a forecast; absent when none had.
    pub workspace: Option<ForecastBrierView>,
    /// Per person whose check-ins had a forecast, by person id.
    pub people: Vec<PersonForecastCalibration>,
    /// Per team of those people, by team id.
    pub teams: Vec<TeamForecastCalibration>,
}

/// A closed cycle's confidence calibration.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CalibrationView {
    /// The cycle.
    pub cycle_id: i64,
    /// The key results counted, and how many of them succeeded (their score reached
    /// their objective's mark: 1.0 committed, 0.7 aspirational).
    pub key_results: u64,
    /// How many of those key results succeeded.
    pub succeeded: u64,
    /// Over every counted check-in; absent when none gave a confidence.
    pub workspace: Option<BrierView>,
    /// Per person who gave a confidence, by person id.
    pub people: Vec<PersonCalibration>,
    /// Per team of those people, by team id.
    pub teams: Vec<TeamCalibration>,
    /// The forecast's calibration on the same check-ins.
    pub forecast: ForecastCalibration,
}

/// Sums of Brier scores for the workspace, each person and each team.
#[derive(Default)]
struct Tally {
    workspace: Brier,
    people: BTreeMap<i64, Brier>,
    teams: BTreeMap<i64, Brier>,
}

impl Tally {
    /// Counts one judgement, added by `add`, for the workspace, the check-in's author
    /// (if a person) and the author's team.
    fn count(&mut self, author: Option<i64>, team_of: &HashMap<i64, Option<i64>>, add: impl Fn(&mut Brier)) {
        add(&mut self.workspace);
        if let Some(person) = author {
            add(self.people.entry(person).or_default());
            if let Some(team) = team_of.get(&person).copied().flatten() {
                add(self.teams.entry(team).or_default());
            }
        }
    }
}

impl Cycles<'_> {
    /// The confidence calibration of a closed cycle. A cycle of another workspace is a
    /// 404 like a missing one; one not closed yet is a 409 `cycle_not_closed`, because
    /// its outcomes are not known.
    pub async fn calibration(self, caller: &Caller, cycle_id: CycleId) -> Result<CalibrationView, AppError> {
        let cycle_id = cycle_id.get();
        let mut tx = self.app.store().read().await?;
        closed_cycle(&mut tx, caller, cycle_id, "calibration compares confidence with outcomes").await?;
        let hidden = hidden_objectives(&mut tx, caller).await?;
        let everyone = PersonFilter { include_archived: true, ..Default::default() };
        let team_of: HashMap<i64, Option<i64>> = tx
            .list_people(caller.workspace, &everyone, Page::ALL)
            .await?
            .into_iter()
            .map(|p| (p.id, p.team_id))
            .collect();
        let mut cycles = CycleCache::default();
        let (data, evaluation) = cycles.get(&mut tx, caller.workspace, cycle_id, self.app.now()).await?;
        let period = period_of(&data.cycle);
        let commitments: HashMap<i64, Commitment> = data
            .objectives
            .iter()
            .filter(|o| o.cycle_id == cycle_id && !o.archived && !hidden.contains(&o.id))
            .map(|o| (o.id, o.commitment))
            .collect();
        let mut outcomes: HashMap<i64, bool> = HashMap::new();
        for row in data.key_results.iter().filter(|k| !k.archived) {
            if let (Some(commitment), Some(eval)) =
                (commitments.get(&row.objective_id), evaluation.key_results.get(&row.id))
            {
                outcomes.insert(row.id, key_result_succeeded(Score::from_progress(eval.progress), *commitment));
            }
        }
        // Each key result's history in its cycle, as the evaluation forecasts from it.
        let mut check_ins_of: HashMap<i64, Vec<(Timestamp, f64)>> = HashMap::new();
        for row in data.key_results.iter().filter(|k| outcomes.contains_key(&k.id)) {
            let measured = reads_kpi(row).and_then(|kpi| data.kpi_values.get(&(kpi, cycle_id))).map(Vec::as_slice);
            let own = data.history(row.id).iter();
            check_ins_of.insert(row.id, forecast_points(own, measured, &period));
        }
        let measures: HashMap<i64, _> = data.key_results.iter().filter_map(|k| Some((k.id, measure_of(k)?))).collect();
        let mut confidence = Tally::default();
        let mut forecasts = Tally::default();
        for check_in in data.check_ins() {
            let (Some(&succeeded), Some(given)) =
                (outcomes.get(&check_in.key_result_id), check_in.confidence.and_then(|c| Confidence::try_new(c).ok()))
            else {
                continue;
            };
            let at = from_ms(check_in.checked_in_at);
            if !period.contains(at) {
                continue;
            }
            let judgement = Judgement { confidence: given, succeeded };
            confidence.count(check_in.author_person_id, &team_of, |b| b.add(judgement));
            // The forecast as it stood at this check-in: from the points known then.
            let known: Vec<(Timestamp, f64)> = check_ins_of
                .get(&check_in.key_result_id)
                .into_iter()
                .flatten()
                .copied()
                .filter(|(when, _)| *when <= at)
                .collect();
            let judged = measures
                .get(&check_in.key_result_id)
                .and_then(|m| forecast(m, &known, period.ends_at()))
                .and_then(|f| ForecastJudgement::new(f.probability, succeeded));
            if let Some(judged) = judged {
                forecasts.count(check_in.author_person_id, &team_of, |b| b.add_forecast(judged));
            }
        }
        Ok(CalibrationView {
            cycle_id,
            key_results: outcomes.len() as u64,
            succeeded: outcomes.values().filter(|s| **s).count() as u64,
            workspace: BrierView::of(confidence.workspace),
            people: confidence
                .people
                .into_iter()
                .filter_map(|(person_id, b)| {
                    BrierView::of(b).map(|s| PersonCalibration { person_id, brier: s.brier, check_ins: s.check_ins })
                })
                .collect(),
            teams: confidence
                .teams
                .into_iter()
                .filter_map(|(team_id, b)| {
                    BrierView::of(b).map(|s| TeamCalibration { team_id, brier: s.brier, check_ins: s.check_ins })
                })
                .collect(),
            forecast: ForecastCalibration {
                workspace: ForecastBrierView::of(forecasts.workspace),
                people: forecasts
                    .people
                    .into_iter()
                    .filter_map(|(person_id, b)| {
                        ForecastBrierView::of(b).map(|s| PersonForecastCalibration {
                            person_id,
                            brier: s.brier,
                            forecasts: s.forecasts,
                        })
                    })
                    .collect(),
                teams: forecasts
                    .teams
                    .into_iter()
                    .filter_map(|(team_id, b)| {
                        ForecastBrierView::of(b).map(|s| TeamForecastCalibration {
                            team_id,
                            brier: s.brier,
                            forecasts: s.forecasts,
                        })
                    })
                    .collect(),
            },
        })
    }
}

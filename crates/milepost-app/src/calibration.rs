//! Confidence calibration of a closed cycle (SPEC §4): how well the confidence people
//! gave in their check-ins matched what happened, as Brier scores per person, per team
//! and for the workspace. The rule itself is `milepost_core::calibration`.
//!
//! Every check-in with a confidence inside the cycle's dates counts, on each key result
//! (not archived) of the cycle's objectives (not archived) that the caller may see, so a
//! team-only objective counts only for those who see it. A check-in counts for the
//! person who wrote it and for that person's team; one made with an API token counts
//! for the workspace only.

use crate::cycle::{period_of, status_of};
use crate::evaluation::Cycles;
use crate::permission::hidden_objectives;
use crate::time::from_ms;
use crate::{App, AppError, Caller};
use milepost_core::calibration::{Brier, Judgement, key_result_succeeded};
use milepost_core::{Commitment, Confidence, CycleStatus, Named, Score};
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
}

impl App {
    /// The confidence calibration of a closed cycle. A cycle of another workspace is a
    /// 404 like a missing one; one not closed yet is a 409 `cycle_not_closed`, because
    /// its outcomes are not known.
    pub async fn get_cycle_calibration(&self, caller: &Caller, cycle_id: i64) -> Result<CalibrationView, AppError> {
        let mut tx = self.store().read().await?;
        let cycle = tx
            .cycle(caller.workspace, cycle_id)
            .await?
            .ok_or_else(|| AppError::NotFound { what: "cycle", id: cycle_id.to_string() })?;
        if status_of(&cycle) != CycleStatus::Closed {
            return Err(AppError::Conflict {
                code: "cycle_not_closed",
                detail: format!(
                    "cycle {cycle_id} is not closed: calibration compares confidence with outcomes, which are known once it closes"
                ),
                location: None,
            });
        }
        let hidden = hidden_objectives(&mut tx, caller).await?;
        let everyone = PersonFilter { include_archived: true, ..Default::default() };
        let team_of: HashMap<i64, Option<i64>> = tx
            .list_people(caller.workspace, &everyone, Page::ALL)
            .await?
            .into_iter()
            .map(|p| (p.id, p.team_id))
            .collect();
        let mut cycles = Cycles::default();
        let (data, evaluation) = cycles.get(&mut tx, caller.workspace, cycle_id, self.now()).await?;
        let period = period_of(&data.cycle);
        let commitments: HashMap<i64, Commitment> = data
            .objectives
            .iter()
            .filter(|o| o.cycle_id == cycle_id && !o.archived && !hidden.contains(&o.id))
            .map(|o| (o.id, Commitment::parse(&o.commitment).unwrap_or(Commitment::Committed)))
            .collect();
        let mut outcomes: HashMap<i64, bool> = HashMap::new();
        for row in data.key_results.iter().filter(|k| !k.archived) {
            if let (Some(commitment), Some(eval)) =
                (commitments.get(&row.objective_id), evaluation.key_results.get(&row.id))
            {
                outcomes.insert(row.id, key_result_succeeded(Score::from_progress(eval.progress), *commitment));
            }
        }
        let mut workspace = Brier::default();
        let mut people: BTreeMap<i64, Brier> = BTreeMap::new();
        let mut teams: BTreeMap<i64, Brier> = BTreeMap::new();
        for check_in in &data.check_ins {
            let (Some(&succeeded), Some(confidence)) =
                (outcomes.get(&check_in.key_result_id), check_in.confidence.and_then(|c| Confidence::try_new(c).ok()))
            else {
                continue;
            };
            if !period.contains(from_ms(check_in.checked_in_at)) {
                continue;
            }
            let judgement = Judgement { confidence, succeeded };
            workspace.add(judgement);
            if let Some(person) = check_in.author_person_id {
                people.entry(person).or_default().add(judgement);
                if let Some(team) = team_of.get(&person).copied().flatten() {
                    teams.entry(team).or_default().add(judgement);
                }
            }
        }
        Ok(CalibrationView {
            cycle_id,
            key_results: outcomes.len() as u64,
            succeeded: outcomes.values().filter(|s| **s).count() as u64,
            workspace: BrierView::of(workspace),
            people: people
                .into_iter()
                .filter_map(|(person_id, b)| {
                    BrierView::of(b).map(|s| PersonCalibration { person_id, brier: s.brier, check_ins: s.check_ins })
                })
                .collect(),
            teams: teams
                .into_iter()
                .filter_map(|(team_id, b)| {
                    BrierView::of(b).map(|s| TeamCalibration { team_id, brier: s.brier, check_ins: s.check_ins })
                })
                .collect(),
        })
    }
}

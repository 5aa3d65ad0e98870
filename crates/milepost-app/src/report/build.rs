//! Builds the typed report of a closed cycle: `app.cycles().report`.
//!
//! Its numbers come from the read model (one evaluation of the cycle, the scores that
//! close froze through `ObjectiveView.score` and `KeyResultView.score`), the
//! calibration from `app.cycles().calibration` and `evaluate_forecasts`, and the rest
//! from a handful of whole-cycle queries (people, teams, retrospectives, carried
//! objectives, each KPI's measurements around the cycle): never a query per objective.

use super::kpi::lagging_kpis;
use super::{
    CarriedOver, CommitmentOutcome, Mover, Movers, ReliabilityCell, ReliabilityRow, Report, ReportBrier,
    ReportCalibration, ReportCycle, ReportKeyResult, ReportObjective, ReportRetrospective, ScoreGroup,
    TeamCalibrationRow,
};
use crate::cycle::{Cycles, closed_cycle, period_of};
use crate::evaluation::measure_of;
use crate::objective::ObjectiveView;
use crate::permission::hidden_objectives_in;
use crate::{AppError, Caller};
use milepost_core::forecast_eval::{BINS, BrierDecomposition, bin_of};
use milepost_core::{Commitment, CycleId, Score, ScoreColour, Thresholds};
use milepost_store::{Page, PersonFilter, TeamFilter};
use std::collections::{BTreeMap, HashMap};

/// How many movers each way a report lists.
const MOVERS: usize = 10;

/// Whether a key result's score meets its objective's commitment under the thresholds
/// the cycle was graded by (its closing's; an objective's own `succeeded` already
/// comes from them).
fn meets(score: f64, commitment: Commitment, thresholds: &Thresholds) -> bool {
    Score::from_value(score).is_some_and(|s| s.succeeded_under(commitment, thresholds))
}

/// Adds objectives up into a [`ScoreGroup`].
#[derive(Default)]
struct Tally {
    objectives: u64,
    key_results: u64,
    scores: Vec<f64>,
    succeeded: u64,
    colours: [u64; 3],
}

impl Tally {
    fn add(&mut self, objective: &ReportObjective) {
        self.objectives += 1;
        self.key_results += objective.key_results.len() as u64;
        if let Some(score) = objective.score {
            self.scores.push(score);
        }
        self.succeeded += u64::from(objective.succeeded == Some(true));
        match objective.colour {
            Some(ScoreColour::Red) => self.colours[0] += 1,
            Some(ScoreColour::Yellow) => self.colours[1] += 1,
            Some(ScoreColour::Green) => self.colours[2] += 1,
            None => {}
        }
    }

    fn mean(&self) -> Option<f64> {
        (!self.scores.is_empty()).then(|| self.scores.iter().sum::<f64>() / self.scores.len() as f64)
    }

    fn group(&self, id: Option<i64>, name: String) -> ScoreGroup {
        ScoreGroup {
            id,
            name,
            objectives: self.objectives,
            key_results: self.key_results,
            mean_score: self.mean(),
            succeeded: self.succeeded,
            red: self.colours[0],
            yellow: self.colours[1],
            green: self.colours[2],
        }
    }
}

/// Groups objectives by a key (a team, an owner), named by `name`; the group without a
/// key last.
fn groups(
    objectives: &[ReportObjective],
    key: impl Fn(&ReportObjective) -> Option<i64>,
    name: impl Fn(Option<i64>) -> String,
) -> Vec<ScoreGroup> {
    let mut tallies: BTreeMap<(bool, i64), Tally> = BTreeMap::new();
    for objective in objectives {
        let id = key(objective);
        tallies.entry((id.is_none(), id.unwrap_or(0))).or_default().add(objective);
    }
    let mut out: Vec<ScoreGroup> = tallies
        .into_iter()
        .map(|((none, id), tally)| {
            let id = (!none).then_some(id);
            tally.group(id, name(id))
        })
        .collect();
    out.sort_by(|a, b| a.id.is_none().cmp(&b.id.is_none()).then_with(|| a.name.cmp(&b.name)));
    out
}

/// The reliability table of the forecast and the confidence, bin by bin.
fn reliability(forecast: Option<&BrierDecomposition>, confidence: Option<&BrierDecomposition>) -> Vec<ReliabilityRow> {
    let cell = |d: Option<&BrierDecomposition>, k: usize| {
        d.and_then(|d| d.table.iter().find(|b| bin_of((b.low + b.high) / 2.0) == k)).map(|b| ReliabilityCell {
            count: b.count,
            said: b.mean_forecast,
            happened: b.observed,
        })
    };
    (0..BINS)
        .map(|k| {
            let low = k as f64 / BINS as f64;
            ReliabilityRow {
                low,
                high: (k + 1) as f64 / BINS as f64,
                forecast: cell(forecast, k),
                confidence: cell(confidence, k),
            }
        })
        .collect()
}

impl Cycles<'_> {
    /// The review report of a closed cycle, as `caller` may see it. A cycle of another
    /// workspace is a 404 like a missing one; one not closed yet is a 409
    /// `cycle_not_closed` (its scores are frozen only at close).
    pub async fn report(self, caller: &Caller, cycle_id: CycleId) -> Result<Report, AppError> {
        let id = cycle_id.get();
        let now = self.app.now();
        let mut tx = self.app.store().read().await?;
        let cycle = closed_cycle(&mut tx, caller, id, "a review reports the scores").await?;
        let generation = tx.generation(caller.workspace).await?;
        let hidden = hidden_objectives_in(self.app, &mut tx, caller, generation).await?;
        let everyone = PersonFilter { include_archived: true, ..Default::default() };
        let people: HashMap<i64, (String, Option<i64>)> = tx
            .list_people(caller.workspace, &everyone, Page::ALL)
            .await?
            .into_iter()
            .map(|p| (p.id, (p.name, p.team_id)))
            .collect();
        let teams: HashMap<i64, String> = tx
            .list_teams(caller.workspace, &TeamFilter { include_archived: true, ..Default::default() }, Page::ALL)
            .await?
            .into_iter()
            .map(|t| (t.id, t.name))
            .collect();
        let notes: HashMap<i64, milepost_store::RetrospectiveRow> =
            tx.retrospectives_of_cycle(caller.workspace, id).await?.into_iter().map(|r| (r.objective_id, r)).collect();
        let mut carried_over: Vec<CarriedOver> = tx
            .carried_from_cycle(caller.workspace, id)
            .await?
            .into_iter()
            .filter(|c| !hidden.contains(&c.id) && !hidden.contains(&c.carried_from_objective_id))
            .map(|c| CarriedOver {
                objective_id: c.id,
                title: c.title,
                carried_from_objective_id: c.carried_from_objective_id,
                cycle_id: c.cycle_id,
                cycle_name: String::new(),
            })
            .collect();
        // The cycles they went into, by name (one read per cycle, not per objective).
        let mut cycle_names: HashMap<i64, String> = HashMap::new();
        for carried in &mut carried_over {
            if let std::collections::hash_map::Entry::Vacant(entry) = cycle_names.entry(carried.cycle_id) {
                entry.insert(tx.cycle(caller.workspace, carried.cycle_id).await?.map(|c| c.name).unwrap_or_default());
            }
            carried.cycle_name = cycle_names[&carried.cycle_id].clone();
        }
        let period = period_of(&cycle);
        let lagging = lagging_kpis(&mut tx, caller.workspace, &period).await?;
        let model = self.app.read_model().cycle(&mut tx, caller.workspace, id, generation, now).await?;
        let thresholds = model.data.scoring.thresholds;
        drop(tx);
        let views = self.app.objectives().list_in_cycle_shared(caller, cycle_id).await?;
        let person_name = |p: Option<i64>| p.and_then(|p| people.get(&p)).map(|(name, _)| name.clone());
        let objectives: Vec<ReportObjective> = views
            .iter()
            .map(|view| report_objective(view, &people, &teams, notes.get(&view.id.get()), &person_name, &thresholds))
            .collect();

        // The biggest movers: progress at the end against progress at the start, from
        // the value known when the cycle began (else the key result's own start).
        let starts_at = period.starts_at().as_millisecond();
        let rows: HashMap<i64, _> = model.data.key_results.iter().map(|k| (k.id, k)).collect();
        let mut moved: Vec<Mover> = Vec::new();
        for view in views.iter() {
            for kr in &view.key_results {
                let Some(measure) = rows.get(&kr.id.get()).and_then(|row| measure_of(row)) else { continue };
                let value_at_start = model
                    .data
                    .history(kr.id.get())
                    .iter()
                    .rev()
                    .find(|p| p.checked_in_at <= starts_at)
                    .map(|p| p.value);
                let Some(at_start) = measure.progress_at(value_at_start.or(measure.start()).unwrap_or(0.0)) else {
                    continue;
                };
                let change = kr.progress - at_start.raw();
                if change.abs() > 1e-9 {
                    moved.push(Mover {
                        key_result_id: kr.id.get(),
                        title: kr.title.clone(),
                        objective_id: view.id.get(),
                        objective_title: view.title.clone(),
                        progress_at_start: at_start.raw(),
                        progress_at_end: kr.progress,
                        change,
                    });
                }
            }
        }
        moved.sort_by(|a, b| b.change.total_cmp(&a.change).then(a.key_result_id.cmp(&b.key_result_id)));
        let up: Vec<Mover> = moved.iter().filter(|m| m.change > 0.0).take(MOVERS).cloned().collect();
        let down: Vec<Mover> = moved.iter().rev().filter(|m| m.change < 0.0).take(MOVERS).cloned().collect();

        let calibration = self.app.cycles().calibration(caller, cycle_id).await?;
        let replay = self.app.cycles().evaluate_forecasts(caller, Some(cycle_id)).await?;
        let confidence_of: HashMap<i64, ReportBrier> =
            calibration.teams.iter().map(|t| (t.team_id, ReportBrier { brier: t.brier, count: t.check_ins })).collect();
        let forecast_of: HashMap<i64, ReportBrier> = calibration
            .forecast
            .teams
            .iter()
            .map(|t| (t.team_id, ReportBrier { brier: t.brier, count: t.forecasts }))
            .collect();
        let mut team_ids: Vec<i64> = confidence_of.keys().chain(forecast_of.keys()).copied().collect();
        team_ids.sort_unstable();
        team_ids.dedup();
        let mut team_rows: Vec<TeamCalibrationRow> = team_ids
            .into_iter()
            .map(|team_id| TeamCalibrationRow {
                team_id,
                name: teams.get(&team_id).cloned().unwrap_or_else(|| format!("team {team_id}")),
                confidence: confidence_of.get(&team_id).copied(),
                forecast: forecast_of.get(&team_id).copied(),
            })
            .collect();
        team_rows.sort_by(|a, b| a.name.cmp(&b.name));

        let commitments = [Commitment::Committed, Commitment::Aspirational]
            .into_iter()
            .map(|commitment| {
                let mut tally = Tally::default();
                objectives.iter().filter(|o| o.commitment == commitment).for_each(|o| tally.add(o));
                CommitmentOutcome {
                    commitment,
                    success_at: thresholds.success(commitment),
                    objectives: tally.objectives,
                    succeeded: tally.succeeded,
                    mean_score: tally.mean(),
                }
            })
            .collect();
        let mut whole = Tally::default();
        objectives.iter().for_each(|o| whole.add(o));
        Ok(Report {
            workspace: caller.workspace_slug.clone(),
            cycle: ReportCycle {
                id,
                slug: cycle.slug.clone(),
                name: cycle.name.clone(),
                kind: cycle.kind,
                status: cycle.status,
                start_date: period.start(),
                end_date: period.end(),
            },
            generated_at: now,
            summary: whole.group(None, cycle.name.clone()),
            teams: groups(
                &objectives,
                |o| o.team_id,
                |id| id.and_then(|id| teams.get(&id).cloned()).unwrap_or_else(|| "(no team)".to_owned()),
            ),
            owners: groups(
                &objectives,
                |o| o.owner_person_id,
                |id| person_name(id).unwrap_or_else(|| "(no owner)".to_owned()),
            ),
            commitments,
            calibration: ReportCalibration {
                key_results: calibration.key_results,
                succeeded: calibration.succeeded,
                confidence: calibration.workspace.map(|w| ReportBrier { brier: w.brier, count: w.check_ins }),
                forecast: calibration.forecast.workspace.map(|w| ReportBrier { brier: w.brier, count: w.forecasts }),
                teams: team_rows,
                reliability: reliability(replay.forecast.as_ref(), replay.confidence.as_ref()),
            },
            movers: Movers { up, down },
            lagging_kpis: lagging,
            carried_over,
            objectives,
        })
    }
}

/// One objective of the report, from its view.
fn report_objective(
    view: &ObjectiveView,
    people: &HashMap<i64, (String, Option<i64>)>,
    teams: &HashMap<i64, String>,
    note: Option<&milepost_store::RetrospectiveRow>,
    person_name: &impl Fn(Option<i64>) -> Option<String>,
    thresholds: &Thresholds,
) -> ReportObjective {
    let team_id = view.owner_team_id.or_else(|| view.owner_person_id.and_then(|p| people.get(&p)).and_then(|p| p.1));
    let key_results = view
        .key_results
        .iter()
        .map(|kr| ReportKeyResult {
            id: kr.id.get(),
            title: kr.title.clone(),
            owner: person_name(kr.owner_person_id.or(view.owner_person_id)),
            unit: kr.unit.clone(),
            start: kr.start,
            target: kr.target,
            value: kr.current,
            progress: kr.progress,
            score: kr.score.as_ref().map(|s| s.value),
            colour: kr.score.as_ref().map(|s| s.colour),
            succeeded: kr
                .score
                .as_ref()
                .map(|s| s.succeeded.unwrap_or_else(|| meets(s.value, view.commitment, thresholds))),
            confidence: kr.confidence,
            share_met: kr.error_budget.and_then(|b| b.share_met),
            required_share: kr.error_budget.map(|b| b.required_share),
            error_budget: kr.error_budget.map(|b| b.budget_share),
            error_budget_left: kr.error_budget.map(|b| b.budget_left),
            burn_rate: kr.error_budget.and_then(|b| b.burn_rate),
        })
        .collect();
    ReportObjective {
        id: view.id.get(),
        title: view.title.clone(),
        team_id,
        team: team_id.and_then(|t| teams.get(&t).cloned()),
        owner_person_id: view.owner_person_id,
        owner: person_name(view.owner_person_id),
        commitment: view.commitment,
        progress: view.progress,
        score: view.score.as_ref().map(|s| s.value),
        colour: view.score.as_ref().map(|s| s.colour),
        succeeded: view
            .score
            .as_ref()
            .map(|s| s.succeeded.unwrap_or_else(|| meets(s.value, view.commitment, thresholds))),
        key_results,
        retrospective: note.filter(|n| !n.worked.is_empty() || !n.did_not_work.is_empty()).map(|n| {
            ReportRetrospective {
                worked: n.worked.clone(),
                did_not_work: n.did_not_work.clone(),
                author: person_name(n.author_person_id),
            }
        }),
    }
}

//! Computes the numbers of SPEC §4 for a whole cycle at once: each key result's
//! progress, expected progress, forecast, status and score, and each objective's rollup.
//!
//! A cycle is evaluated as a unit because an objective may roll up its aligned
//! children, which may roll up theirs; loading the cycle's objectives, key results and
//! check-ins in three queries is cheaper than walking the tree row by row.

use crate::scoring::{FrozenScore, FrozenScores, Scoring};
use crate::time::from_ms;
use crate::time::period_of;
use jiff::Timestamp;
use milepost_core::WorkspaceId;
use milepost_core::error_budget::BudgetInput;
use milepost_core::forecast::{Forecast, forecast};
use milepost_core::key_result::{MeasureSpec, SchedulePoint};
use milepost_core::status::check_in_due_by;
use milepost_core::{
    Commitment, Confidence, CyclePeriod, CycleStatus, ErrorBudget, KeyResultKind, Measure, Progress, RequiredShare,
    Score, ScoreColour, Status, StatusInput, StatusReason, TargetSchedule, Weight, assess_key_result, error_budget,
    is_diverging, objective_status, rollup,
};
use milepost_store::{CheckInRow, CycleRow, KeyResultFilter, KeyResultRow, ObjectiveFilter, ObjectiveRow, Page, Tx};
use serde::Serialize;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// A grade at cycle close.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ScoreView {
    /// Progress clamped to 0–1, rounded to one decimal.
    pub value: f64,
    /// red (0.0–0.3), yellow (0.4–0.6) or green (0.7–1.0).
    pub colour: ScoreColour,
    /// For objectives: whether the score meets the commitment (1.0 committed, 0.7
    /// aspirational, or the workspace's success scores).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub succeeded: Option<bool>,
    /// Whether the score was frozen when the cycle closed (a later change of the
    /// thresholds or late data does not move it).
    pub frozen: bool,
    /// The score the data known now would give, when data that came after the close
    /// moved it: the frozen `value` stands, and this shows the late data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub late_value: Option<f64>,
}

/// What was computed for one key result.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct KeyResultEval {
    pub progress: Progress,
    pub expected: f64,
    pub forecast: Option<Forecast>,
    pub status: Status,
    /// Which signal decided `status`.
    pub status_reason: StatusReason,
    pub diverging: bool,
    pub confidence: Option<u8>,
    pub last_check_in_at: Option<Timestamp>,
    pub check_in_due_at: Option<Timestamp>,
    pub score: Option<ScoreView>,
    /// Maintain and range: the error budget over the cycle (issue 20).
    pub error_budget: Option<ErrorBudget>,
}

/// What was computed for one objective.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ObjectiveEval {
    pub progress: Option<Progress>,
    pub expected: f64,
    pub status: Status,
    pub score: Option<ScoreView>,
}

/// Everything stored about one cycle's OKRs: its objectives, and the objectives of
/// other (shorter) cycles aligned to them where an objective rolls up its children, so
/// that a yearly objective can roll up its quarterly ones.
///
/// The rows are shared (`Arc`), so that the read model can refresh a few key results
/// by copying pointers rather than the cycle.
#[derive(Clone)]
pub(crate) struct CycleData {
    pub cycle: CycleRow,
    pub objectives: Arc<Vec<ObjectiveRow>>,
    pub key_results: Vec<Arc<KeyResultRow>>,
    /// Each key result's check-ins in time order (then by id), as the numbers read them.
    pub histories: HashMap<i64, Arc<[Point]>>,
    /// The cycles of aligned objectives that belong to other cycles.
    pub other_cycles: HashMap<i64, CycleRow>,
    /// For key results fed by a KPI ([`reads_kpi`]): the KPI's values in the key
    /// result's cycle (unix milliseconds, value), by (KPI, cycle).
    pub kpi_values: HashMap<(i64, i64), Vec<(i64, f64)>>,
    /// How the cycle is graded: its thresholds and, once closed, its frozen scores.
    pub scoring: Scoring,
    /// Where its objectives and key results were carried from, and to.
    pub carries: Arc<crate::carry_link::CarryLinks>,
}

/// The KPI whose measurements a key result reads, for its score (maintain and range) or
/// its forecast (every kind but milestones): a batch of measurements writes only one
/// check-in, so the check-ins alone would miss most of the KPI's history.
pub(crate) fn reads_kpi(row: &KeyResultRow) -> Option<i64> {
    measure_of(row).filter(|m| *m != Measure::Milestone).and(row.kpi_id)
}

/// A KPI's values (one per time, the latest correction) inside a cycle, as (unix
/// milliseconds, value) in time order.
pub(crate) async fn kpi_values_in(
    tx: &mut Tx,
    workspace: WorkspaceId,
    kpi_id: i64,
    cycle: &CycleRow,
) -> Result<Vec<(i64, f64)>, milepost_store::StoreError> {
    let period = period_of(cycle);
    let rows = tx
        .measurement_values(
            workspace,
            kpi_id,
            period.starts_at().as_millisecond(),
            period.ends_at().as_millisecond() - 1,
        )
        .await?;
    Ok(milepost_core::health::latest_per_time(rows))
}

/// How deep a rollup may reach into other cycles (year → half → quarter is three).
const ROLLUP_DEPTH: usize = 8;

/// The computed numbers of one cycle.
pub(crate) struct Evaluation {
    pub key_results: HashMap<i64, KeyResultEval>,
    pub objectives: HashMap<i64, ObjectiveEval>,
}

impl CycleData {
    /// Loads a cycle with all its objectives, key results and check-ins (archived ones
    /// too, so archived items still show their numbers; rollups skip them).
    pub async fn load(
        tx: &mut Tx,
        workspace: WorkspaceId,
        cycle: CycleRow,
    ) -> Result<CycleData, milepost_store::StoreError> {
        CycleData::load_at(tx, workspace, cycle, None).await
    }

    /// [`CycleData::load`], as the cycle stood at `past`'s instant when one is given
    /// (`crate::as_of`): the objectives and key results that existed then, as they
    /// were, the check-ins and measurements that count then, the cycle's state and its
    /// standing closing then. `None` reads today's rows exactly as `load` does.
    pub async fn load_at(
        tx: &mut Tx,
        workspace: WorkspaceId,
        cycle: CycleRow,
        past: Option<&crate::as_of::Past>,
    ) -> Result<CycleData, milepost_store::StoreError> {
        let cycle = match past {
            Some(past) => past.cycle(tx, workspace, cycle).await?,
            None => cycle,
        };
        let mut objectives = tx
            .list_objectives(
                workspace,
                &ObjectiveFilter { cycle_id: Some(cycle.id), include_archived: true, ..Default::default() },
                Page::ALL,
            )
            .await?;
        let mut key_results = tx
            .list_key_results(
                workspace,
                &KeyResultFilter { cycle_id: Some(cycle.id), include_archived: true, ..Default::default() },
                Page::ALL,
            )
            .await?;
        let mut check_ins = tx.check_ins_of_cycle(workspace, cycle.id).await?;
        if let Some(past) = past {
            objectives = objectives.into_iter().filter_map(|o| past.objective(o)).collect();
            key_results = key_results.into_iter().filter_map(|k| past.key_result(k)).collect();
            check_ins.retain(|c| past.keeps_check_in(c));
        }
        let mut other_cycles = HashMap::new();
        let mut seen: HashSet<i64> = objectives.iter().map(|o| o.id).collect();
        let mut frontier: Vec<i64> = objectives.iter().filter(|o| o.rollup_children).map(|o| o.id).collect();
        for _ in 0..ROLLUP_DEPTH {
            let found = tx.objectives_aligned_from_other_cycles(workspace, cycle.id, &frontier).await?;
            let found: Vec<ObjectiveRow> = found
                .into_iter()
                .filter(|o| seen.insert(o.id))
                .filter_map(|o| match past {
                    Some(past) => past.objective(o),
                    None => Some(o),
                })
                .collect();
            if found.is_empty() {
                break;
            }
            for objective in &found {
                if !other_cycles.contains_key(&objective.cycle_id)
                    && let Some(row) = tx.cycle(workspace, objective.cycle_id).await?
                {
                    let row = match past {
                        Some(past) => past.cycle(tx, workspace, row).await?,
                        None => row,
                    };
                    other_cycles.insert(row.id, row);
                }
            }
            let ids: Vec<i64> = found.iter().map(|o| o.id).collect();
            let mut extra = tx.key_results_of_objectives(workspace, &ids).await?;
            let extra_ids: Vec<i64> = extra.iter().map(|k| k.id).collect();
            let mut extra_check_ins = tx.check_ins_of(workspace, &extra_ids).await?;
            if let Some(past) = past {
                extra = extra.into_iter().filter_map(|k| past.key_result(k)).collect();
                extra_check_ins.retain(|c| past.keeps_check_in(c));
            }
            check_ins.extend(extra_check_ins);
            key_results.extend(extra);
            frontier = found.iter().filter(|o| o.rollup_children).map(|o| o.id).collect();
            objectives.extend(found);
        }
        let cycle_of_objective: HashMap<i64, i64> = objectives.iter().map(|o| (o.id, o.cycle_id)).collect();
        let mut kpi_values = HashMap::new();
        for row in &key_results {
            let (Some(kpi), Some(cycle_id)) = (reads_kpi(row), cycle_of_objective.get(&row.objective_id)) else {
                continue;
            };
            if kpi_values.contains_key(&(kpi, *cycle_id)) {
                continue;
            }
            let own = if *cycle_id == cycle.id { Some(&cycle) } else { other_cycles.get(cycle_id) };
            if let Some(own) = own {
                let values = match past {
                    Some(past) => past.kpi_values_in(tx, workspace, kpi, own).await?,
                    None => kpi_values_in(tx, workspace, kpi, own).await?,
                };
                kpi_values.insert((kpi, *cycle_id), values);
            }
        }
        let (scoring, carries) = match past {
            Some(past) => {
                (past.scoring(tx, workspace, &cycle).await?, past.carry_links(tx, workspace, cycle.id).await?)
            }
            None => (
                Scoring::load(tx, workspace, &cycle).await?,
                crate::carry_link::CarryLinks::load(tx, workspace, cycle.id).await?,
            ),
        };
        let carries = Arc::new(carries);
        let mut data = CycleData {
            carries,
            cycle,
            objectives: Arc::new(objectives),
            key_results: key_results.into_iter().map(Arc::new).collect(),
            histories: histories_of(check_ins),
            other_cycles,
            kpi_values,
            scoring,
        };
        if past.is_some() {
            set_current_values(&mut data);
        }
        Ok(data)
    }

    /// The cycle an objective of the data belongs to: this one, or one it is aligned from.
    pub fn cycle_of(&self, objective: &ObjectiveRow) -> &CycleRow {
        self.other_cycles.get(&objective.cycle_id).unwrap_or(&self.cycle)
    }

    /// A key result's check-ins, in time order.
    pub fn history(&self, key_result: i64) -> &[Point] {
        self.histories.get(&key_result).map_or(&[][..], |h| h)
    }

    /// Every check-in of the data, key result by key result.
    pub fn check_ins(&self) -> impl Iterator<Item = &Point> {
        self.histories.values().flat_map(|h| h.iter())
    }
}

/// Sets each key result's current value from its check-ins kept (the latest by time,
/// then id, as `refresh_current_value` does), or none before its first.
fn set_current_values(data: &mut CycleData) {
    for row in &mut data.key_results {
        let latest = data.histories.get(&row.id).and_then(|h| h.last()).map(|p| p.value);
        if row.current_value != latest {
            Arc::make_mut(row).current_value = latest;
        }
    }
}

/// A check-in as the numbers read it: a sixth of the row's size (no note, blockers or
/// source text), since the read model holds every check-in of a cycle.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Point {
    pub key_result_id: i64,
    /// The time the value describes (unix ms).
    pub checked_in_at: i64,
    pub value: f64,
    /// Confidence 0–10, as stored.
    pub confidence: Option<i64>,
    /// Whether a KPI wrote it (its value repeats a measurement).
    pub from_kpi: bool,
    pub author_person_id: Option<i64>,
}

impl From<&CheckInRow> for Point {
    fn from(row: &CheckInRow) -> Point {
        Point {
            key_result_id: row.key_result_id,
            checked_in_at: row.checked_in_at,
            value: row.value,
            confidence: row.confidence,
            from_kpi: row.source == "kpi",
            author_person_id: row.author_person_id,
        }
    }
}

/// Check-ins grouped by key result, each group in the order given (time order).
pub(crate) fn histories_of(check_ins: Vec<CheckInRow>) -> HashMap<i64, Arc<[Point]>> {
    let mut grouped: HashMap<i64, Vec<Point>> = HashMap::new();
    for check_in in &check_ins {
        grouped.entry(check_in.key_result_id).or_default().push(Point::from(check_in));
    }
    grouped.into_iter().map(|(id, history)| (id, Arc::from(history))).collect()
}

/// A stored key result read back into its measure. Rows were checked when written.
pub(crate) fn measure_of(row: &KeyResultRow) -> Option<Measure> {
    Measure::try_new(MeasureSpec {
        kind: Some(row.kind),
        start: row.start_value,
        target: row.target_value,
        range: row.range_low.zip(row.range_high),
        comparator: row.comparator,
        relative_change: None,
        delta: None,
    })
    .ok()
}

/// A stored target schedule read back, checked against the cycle.
pub(crate) fn schedule_of(row: &KeyResultRow, period: &CyclePeriod) -> Option<TargetSchedule> {
    let points: Vec<SchedulePoint> = serde_json::from_str(row.target_schedule.as_deref()?).ok()?;
    TargetSchedule::try_new(points, period).ok()
}

fn score_view(progress: Progress, commitment: Option<Commitment>) -> ScoreView {
    let score = Score::from_progress(progress);
    ScoreView {
        value: score.value(),
        colour: score.colour(),
        succeeded: commitment.map(|c| score.succeeded(c)),
        frozen: false,
        late_value: None,
    }
}

/// Grades `evaluation`'s scores as `data.scoring` says: each colour and success under
/// the cycle's thresholds and, where its closing froze a score, that score, with the
/// one the data known now gives beside it when late data moved it.
fn apply_scoring(data: &CycleData, evaluation: &mut Evaluation) {
    let scoring = &data.scoring;
    let frozen = scoring.frozen.as_deref();
    for (id, eval) in &mut evaluation.key_results {
        grade_key_result(*id, eval, scoring);
    }
    let commitments: HashMap<i64, Commitment> = data.objectives.iter().map(|o| (o.id, o.commitment)).collect();
    for (id, eval) in &mut evaluation.objectives {
        if eval.score.is_some() {
            let progress = eval.progress.unwrap_or(Progress::ZERO);
            let frozen = frozen.and_then(|f| f.objectives.get(id));
            eval.score = Some(grade(progress, commitments.get(id).copied(), scoring, frozen));
        }
    }
}

/// Grades one key result's score (when it has one: its cycle is closed) as `scoring`
/// says; see [`apply_scoring`]. A key result read on its own goes through here too.
pub(crate) fn grade_key_result(id: i64, eval: &mut KeyResultEval, scoring: &Scoring) {
    if eval.score.is_some() {
        let frozen = scoring.frozen.as_deref().and_then(|f| f.key_results.get(&id));
        eval.score = Some(grade(eval.progress, None, scoring, frozen));
    }
}

/// The grade of `progress`: the frozen one when there is one (with the live score
/// beside it when it differs), else under the scoring's thresholds. Graded from the
/// progress, never from a score already there: an evaluation that refreshes a few key
/// results keeps the others' (already graded) numbers.
fn grade(
    progress: Progress,
    commitment: Option<Commitment>,
    scoring: &Scoring,
    frozen: Option<&FrozenScore>,
) -> ScoreView {
    let live = Score::from_progress(progress);
    match frozen {
        Some(f) => ScoreView {
            value: f.value,
            colour: f.colour,
            succeeded: f.succeeded,
            frozen: true,
            late_value: (live.value() != f.value).then_some(live.value()),
        },
        None => ScoreView {
            value: live.value(),
            colour: live.colour_under(&scoring.thresholds),
            succeeded: commitment.map(|c| live.succeeded_under(c, &scoring.thresholds)),
            frozen: false,
            late_value: None,
        },
    }
}

/// The scores of `evaluation` to freeze at a close: every objective's and key result's
/// grade, with the progress it came from.
pub(crate) fn scores_to_freeze(evaluation: &Evaluation) -> FrozenScores {
    let frozen = |progress: Option<Progress>, score: &ScoreView| FrozenScore {
        progress: progress.map(Progress::raw),
        value: score.value,
        colour: score.colour,
        succeeded: score.succeeded,
    };
    FrozenScores {
        objectives: evaluation
            .objectives
            .iter()
            .filter_map(|(id, e)| e.score.as_ref().map(|s| (*id, frozen(e.progress, s))))
            .collect(),
        key_results: evaluation
            .key_results
            .iter()
            .filter_map(|(id, e)| e.score.as_ref().map(|s| (*id, frozen(Some(e.progress), s))))
            .collect(),
    }
}

/// The points a key result is forecast from, in time order: its check-ins inside the
/// cycle and, when it is fed by a KPI, the KPI's measurements in the cycle with its
/// manual check-ins only (those the KPI wrote repeat its measurements). The evaluation
/// and the forecast's calibration both read history through this one rule.
pub(crate) fn forecast_points<'a>(
    check_ins: impl Iterator<Item = &'a Point>,
    kpi_values: Option<&[(i64, f64)]>,
    period: &CyclePeriod,
) -> Vec<(Timestamp, f64)> {
    let measured = kpi_values.filter(|values| !values.is_empty());
    let mut points: Vec<(Timestamp, f64)> =
        measured.into_iter().flatten().map(|(at, value)| (from_ms(*at), *value)).collect();
    points.extend(
        check_ins
            .filter(|c| period.contains(from_ms(c.checked_in_at)))
            .filter(|c| measured.is_none() || !c.from_kpi)
            .map(|c| (from_ms(c.checked_in_at), c.value)),
    );
    points.sort_by_key(|point| point.0);
    points
}

/// Evaluates one key result from its history (its check-ins in time order); a key
/// result's numbers depend on nothing else, so a page of key results needs no rollup.
///
/// `kpi_values` are the cycle's measurements of the KPI the key result is linked to,
/// if any, as (unix milliseconds, value): a maintain or range key result fed by a KPI
/// scores from all of them (like an SLO over its events), not only from the check-ins
/// they made; any key result fed by a KPI is forecast from them and from its manual
/// check-ins (those the KPI wrote repeat its measurements).
pub(crate) fn evaluate_key_result(
    row: &KeyResultRow,
    history: &[Point],
    kpi_values: Option<&[(i64, f64)]>,
    period: &CyclePeriod,
    cycle_status: CycleStatus,
    now: Timestamp,
) -> KeyResultEval {
    let measure = measure_of(row);
    let cadence = row.cadence;
    let checked_in = |c: &&Point| period.contains(from_ms(c.checked_in_at));
    let measured: Vec<(Timestamp, f64)> =
        kpi_values.unwrap_or_default().iter().map(|(at, value)| (from_ms(*at), *value)).collect();
    let values: Vec<f64> = match measure {
        Some(Measure::Maintain { .. } | Measure::Range { .. }) if !measured.is_empty() => {
            measured.iter().map(|(_, value)| *value).collect()
        }
        _ => history.iter().filter(checked_in).map(|c| c.value).collect(),
    };
    let in_cycle = forecast_points(history.iter(), kpi_values, period);
    let progress = measure.map_or(Progress::ZERO, |m| m.progress(row.current_value, &values));
    // A forecast looks ahead, so only while the cycle runs, and only from what was known
    // at `now` (as-of views). Once the cycle is over its outcome is known.
    let looking_ahead = cycle_status == CycleStatus::Active && period.contains(now);
    let known: Vec<(Timestamp, f64)> = in_cycle.iter().copied().filter(|(at, _)| *at <= now).collect();
    let forecast = measure.filter(|_| looking_ahead).and_then(|m| forecast(&m, &known, period.ends_at()));
    let schedule = schedule_of(row, period);
    // A key result added after its cycle began is paced from the day it was added.
    let tracked_since = period.starts_at().max(from_ms(row.created_at));
    let required = row.required_share.and_then(|s| RequiredShare::try_new(s).ok()).unwrap_or(RequiredShare::ALL);
    // A maintain or range key result is expected to meet its goal in the share of slices
    // it states (all of them unless it says otherwise), not more.
    let expected = measure.map_or(period.elapsed_share(now), |m| {
        let expected = m.expected_progress_since(period, schedule.as_ref(), tracked_since, now);
        if matches!(m, Measure::Maintain { .. } | Measure::Range { .. }) {
            expected.min(required.get())
        } else {
            expected
        }
    });
    // The budget is judged on what was known at `now`, slice by slice from when tracking
    // began to the cycle's end (milepost_core::error_budget).
    let budget = measure.and_then(|m| {
        error_budget(BudgetInput {
            measure: m,
            cadence,
            starts_at: tracked_since,
            ends_at: period.ends_at(),
            values: &known,
            required,
            now,
        })
    });
    let latest = history.last();
    let confidence = latest.and_then(|c| c.confidence).and_then(|c| Confidence::try_new(c).ok());
    let last_check_in_at = latest.map(|c| from_ms(c.checked_in_at));
    let latest_meets = match measure {
        Some(m @ (Measure::Maintain { .. } | Measure::Range { .. })) => latest.map(|c| m.meets(c.value)),
        _ => None,
    };
    let assessment = assess_key_result(StatusInput {
        kind: measure.map_or(KeyResultKind::Milestone, |m| m.kind()),
        progress,
        expected,
        confidence,
        last_check_in_at,
        tracked_since,
        latest_meets,
        cadence,
        period: *period,
        cycle_status,
        now,
        forecast,
        error_budget: budget,
    });
    let status = assessment.status;
    // When the value last changed: the start of the current run of equal values.
    let mut unchanged_since = tracked_since;
    let mut previous = measure.and_then(|m| m.start());
    for c in history {
        if previous != Some(c.value) {
            unchanged_since = from_ms(c.checked_in_at);
            previous = Some(c.value);
        }
    }
    let running = cycle_status == CycleStatus::Active;
    KeyResultEval {
        progress,
        expected,
        forecast,
        status,
        status_reason: assessment.reason,
        diverging: running && measure.is_some_and(|m| is_diverging(m.kind(), confidence, unchanged_since, status, now)),
        confidence: confidence.map(Confidence::get),
        last_check_in_at,
        check_in_due_at: running.then(|| check_in_due_by(last_check_in_at.unwrap_or(tracked_since), cadence)),
        score: (cycle_status == CycleStatus::Closed).then(|| score_view(progress, None)),
        error_budget: budget,
    }
}

/// Evaluates a whole cycle at `now`.
pub(crate) fn evaluate(data: &CycleData, now: Timestamp) -> Evaluation {
    let cycles = ObjectiveCycles::of(data);
    let key_results: HashMap<i64, KeyResultEval> =
        data.key_results.iter().map(|row| (row.id, cycles.evaluate_key_result(data, row, now))).collect();
    let objectives = roll_up(data, &key_results, now);
    let mut evaluation = Evaluation { key_results, objectives };
    apply_scoring(data, &mut evaluation);
    evaluation
}

/// Evaluates again, at the evaluation's own `now`, only the key results `changed` of
/// `data` (their rows, check-ins or measurements changed), keeping the numbers of every
/// other key result from `before`, then rolls every objective up again: the same numbers
/// as [`evaluate`] on `data`, for a fraction of the work.
pub(crate) fn evaluate_changed(
    data: &CycleData,
    before: &Evaluation,
    changed: &HashSet<i64>,
    now: Timestamp,
) -> Evaluation {
    let cycles = ObjectiveCycles::of(data);
    let mut key_results = before.key_results.clone();
    for row in data.key_results.iter().filter(|k| changed.contains(&k.id)) {
        key_results.insert(row.id, cycles.evaluate_key_result(data, row, now));
    }
    let objectives = roll_up(data, &key_results, now);
    let mut evaluation = Evaluation { key_results, objectives };
    apply_scoring(data, &mut evaluation);
    evaluation
}

/// Each objective's own cycle (its dates and state): those aligned from other cycles
/// are measured against theirs.
struct ObjectiveCycles {
    period: CyclePeriod,
    status: CycleStatus,
    of_objective: HashMap<i64, (i64, CyclePeriod, CycleStatus)>,
}

impl ObjectiveCycles {
    fn of(data: &CycleData) -> ObjectiveCycles {
        let period = period_of(&data.cycle);
        let status = data.cycle.status;
        let of_objective = data
            .objectives
            .iter()
            .map(|o| {
                let (p, s) = data.other_cycles.get(&o.cycle_id).map_or((period, status), |c| (period_of(c), c.status));
                (o.id, (o.cycle_id, p, s))
            })
            .collect();
        ObjectiveCycles { period, status, of_objective }
    }

    fn evaluate_key_result(&self, data: &CycleData, row: &KeyResultRow, now: Timestamp) -> KeyResultEval {
        let own = self.of_objective.get(&row.objective_id);
        let (period, status) = own.map_or((self.period, self.status), |(_, p, s)| (*p, *s));
        let kpi_values = reads_kpi(row)
            .zip(own.map(|(cycle, _, _)| *cycle))
            .and_then(|(kpi, cycle)| data.kpi_values.get(&(kpi, cycle)))
            .map(Vec::as_slice);
        evaluate_key_result(row, data.history(row.id), kpi_values, &period, status, now)
    }
}

/// Each objective's numbers from its key results' and, where it rolls them up, its
/// children's.
fn roll_up(data: &CycleData, key_results: &HashMap<i64, KeyResultEval>, now: Timestamp) -> HashMap<i64, ObjectiveEval> {
    let period = period_of(&data.cycle);
    let cycle_status = data.cycle.status;
    let cycle_of_objective: HashMap<i64, (CyclePeriod, CycleStatus)> = data
        .objectives
        .iter()
        .map(|o| {
            let own = data.other_cycles.get(&o.cycle_id).map_or((period, cycle_status), |c| (period_of(c), c.status));
            (o.id, own)
        })
        .collect();
    let mut by_objective: HashMap<i64, Vec<&KeyResultRow>> = HashMap::new();
    for row in data.key_results.iter().filter(|k| !k.archived) {
        by_objective.entry(row.objective_id).or_default().push(row);
    }
    let mut children: HashMap<i64, Vec<&ObjectiveRow>> = HashMap::new();
    for row in data.objectives.iter().filter(|o| !o.archived) {
        if let Some(parent) = row.parent_objective_id {
            children.entry(parent).or_default().push(row);
        }
    }
    let rows: HashMap<i64, &ObjectiveRow> = data.objectives.iter().map(|o| (o.id, o)).collect();
    let context = RollupContext {
        key_results,
        by_objective: &by_objective,
        children: &children,
        rows: &rows,
        cycles: &cycle_of_objective,
        period,
        now,
        cycle_status,
    };
    let mut objectives = HashMap::new();
    for row in data.objectives.iter() {
        let mut visiting = HashSet::new();
        context.objective(row.id, &mut objectives, &mut visiting);
    }
    objectives
}

struct RollupContext<'a> {
    key_results: &'a HashMap<i64, KeyResultEval>,
    by_objective: &'a HashMap<i64, Vec<&'a KeyResultRow>>,
    children: &'a HashMap<i64, Vec<&'a ObjectiveRow>>,
    rows: &'a HashMap<i64, &'a ObjectiveRow>,
    cycles: &'a HashMap<i64, (CyclePeriod, CycleStatus)>,
    period: CyclePeriod,
    now: Timestamp,
    cycle_status: CycleStatus,
}

impl RollupContext<'_> {
    /// The evaluation of one objective, rolling up children first where it asks to.
    /// `visiting` guards against an alignment loop (refused on write, but a database
    /// edited by hand must not hang a page).
    fn objective(
        &self,
        id: i64,
        done: &mut HashMap<i64, ObjectiveEval>,
        visiting: &mut HashSet<i64>,
    ) -> Option<ObjectiveEval> {
        if let Some(eval) = done.get(&id) {
            return Some(eval.clone());
        }
        let row = self.rows.get(&id)?;
        if !visiting.insert(id) {
            return None;
        }
        let own = self.by_objective.get(&id).map_or(&[][..], Vec::as_slice);
        let mut items: Vec<(Weight, Progress)> = Vec::new();
        let mut expected_items: Vec<(Weight, Progress)> = Vec::new();
        let mut statuses = Vec::new();
        for kr in own {
            if let Some(eval) = self.key_results.get(&kr.id) {
                let weight = Weight::try_new(kr.weight).unwrap_or(Weight::ONE);
                items.push((weight, eval.progress));
                expected_items.push((weight, Progress::new(eval.expected)));
                statuses.push(eval.status);
            }
        }
        if row.rollup_children {
            for child in self.children.get(&id).map_or(&[][..], Vec::as_slice) {
                if let Some(eval) = self.objective(child.id, done, visiting)
                    && let Some(progress) = eval.progress
                {
                    items.push((Weight::ONE, progress));
                    expected_items.push((Weight::ONE, Progress::new(eval.expected)));
                    statuses.push(eval.status);
                }
            }
        }
        let progress = rollup(items);
        let (period, cycle_status) = self.cycles.get(&id).copied().unwrap_or((self.period, self.cycle_status));
        let expected = rollup(expected_items).map_or_else(|| period.elapsed_share(self.now), Progress::raw);
        let status = objective_status(progress, expected, &statuses);
        let commitment = row.commitment;
        let score = (cycle_status == CycleStatus::Closed)
            .then(|| score_view(progress.unwrap_or(Progress::ZERO), Some(commitment)));
        let eval = ObjectiveEval { progress, expected, status, score };
        visiting.remove(&id);
        done.insert(id, eval.clone());
        Some(eval)
    }
}

/// Evaluated cycles, each loaded and computed once per request.
#[derive(Default)]
pub(crate) struct CycleCache(HashMap<i64, (CycleData, Evaluation)>);

impl CycleCache {
    /// The cycle's data and numbers, loading them on first use.
    pub async fn get(
        &mut self,
        tx: &mut Tx,
        workspace: WorkspaceId,
        cycle_id: i64,
        now: Timestamp,
    ) -> Result<&(CycleData, Evaluation), crate::AppError> {
        match self.0.entry(cycle_id) {
            Entry::Occupied(entry) => Ok(entry.into_mut()),
            Entry::Vacant(entry) => {
                let cycle = tx
                    .cycle(workspace, cycle_id)
                    .await?
                    .ok_or_else(|| crate::AppError::NotFound { what: "cycle", id: cycle_id.to_string() })?;
                let data = CycleData::load(tx, workspace, cycle).await?;
                let evaluation = evaluate(&data, now);
                Ok(entry.insert((data, evaluation)))
            }
        }
    }
}

//! Key results: create, read, change, archive and list, with computed progress,
//! expected progress and status. Their value changes only through check-ins.

use crate::access::record;
use milepost_core::{KeyResultId, ObjectiveId};
mod check;
pub mod interpretation;
mod view;

use crate::Caller;
use crate::error::{AppError, Path, Problems, on_update};
use crate::evaluation::{KeyResultEval, evaluate_key_result, grade_key_result, measure_of, schedule_of};
use crate::page::{self, ListParams, Paged};
use crate::patch;
use crate::permission::{Action, allows, hidden_objectives, require, require_visible};
use crate::time::from_ms;
use crate::time::period_of;
pub(crate) use check::check_new;
use check::{
    Definition, check_definition, check_kpi, check_person, check_schedule, fields_of, interpret_in, note_problems,
    short_text, start_from_kpi, unreadable,
};
use interpretation::{Given, Numbers};
use jiff::Timestamp;
use milepost_core::key_result::SchedulePoint;
use milepost_core::{
    Cadence, Comparator, CyclePeriod, CycleStatus, KeyResultKind, Status, StatusReason, Title, Weight,
};
use milepost_store::{CycleRow, KeyResultFilter, KeyResultRow, ObjectiveRow, Tx};
use serde::Deserialize;
use std::collections::HashMap;
pub use view::{ForecastView, KeyResultView};

/// A key result to add to an objective. Every field left out (kind, metric, unit, start,
/// target, range, comparator) is read from its title, by the same rules as the web forms
/// and OKR files; a field given overrides what the title says.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewKeyResult {
    /// The sentence as written: "Increase NPS from 32 to 50". Every field left out is
    /// read from it.
    pub title: String,
    /// increase, decrease, maintain, range or milestone; read from the title when left out.
    pub kind: Option<KeyResultKind>,
    /// What is measured ("NPS").
    pub metric: Option<String>,
    /// Unit of the values: `%`, `USD`, `ms`, `h` …
    pub unit: Option<String>,
    /// Baseline (increase, decrease).
    pub start: Option<f64>,
    /// Target (increase, decrease) or threshold (maintain).
    pub target: Option<f64>,
    /// `[low, high]` (range).
    pub range: Option<[f64; 2]>,
    /// `>=` (default) or `<=` (maintain).
    pub comparator: Option<Comparator>,
    /// The target as a change relative to the start: 0.2 is 20% more.
    pub relative_change: Option<f64>,
    /// The target as an absolute change from the start.
    pub delta: Option<f64>,
    /// Maintain and range: the share of slices (periods of its cadence) that must meet
    /// the goal, above 0 and at most 1 (0.95 is 95% of weeks for a weekly key result); the
    /// error budget is the rest. Read from the title ("in 95% of weeks") when left out;
    /// every slice when neither says.
    pub required_share: Option<f64>,
    /// Weight in the objective's progress (default 1).
    pub weight: Option<f64>,
    /// Owner; the objective's owner when it is a person and this is left out.
    pub owner_person_id: Option<i64>,
    /// How often to check in (default weekly).
    pub cadence: Option<Cadence>,
    /// The KPI that feeds it.
    pub kpi_id: Option<i64>,
    /// Planned values by date, for goals that do not move linearly.
    pub target_schedule: Option<Vec<SchedulePoint>>,
    /// `true`: the start is the linked KPI's latest measurement (its current value),
    /// rather than a start given or the KPI's value at the cycle's start.
    pub start_from_kpi: Option<bool>,
}

/// Changes to a key result; fields left out stay as they are, except that a new title
/// (or a new kind) is read again as a new key result's is: what it restates and the
/// patch leaves out follows it.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyResultPatch {
    /// The version the change is based on.
    pub version: i64,
    /// New sentence.
    pub title: Option<String>,
    /// New kind.
    pub kind: Option<KeyResultKind>,
    /// New metric; `null` clears it.
    #[serde(default, deserialize_with = "patch::nullable")]
    #[schema(value_type = Option<String>)]
    pub metric: Option<Option<String>>,
    /// New unit; `null` clears it.
    #[serde(default, deserialize_with = "patch::nullable")]
    #[schema(value_type = Option<String>)]
    pub unit: Option<Option<String>>,
    /// New start.
    pub start: Option<f64>,
    /// New target.
    pub target: Option<f64>,
    /// New range.
    pub range: Option<[f64; 2]>,
    /// New comparator.
    pub comparator: Option<Comparator>,
    /// New target as a change relative to the start.
    pub relative_change: Option<f64>,
    /// New target as an absolute change from the start.
    pub delta: Option<f64>,
    /// New required share of slices (maintain, range), 0–1; `null` for every slice.
    #[serde(default, deserialize_with = "patch::nullable")]
    #[schema(value_type = Option<f64>)]
    pub required_share: Option<Option<f64>>,
    /// New weight.
    pub weight: Option<f64>,
    /// New owner; `null` for none.
    #[serde(default, deserialize_with = "patch::nullable")]
    #[schema(value_type = Option<i64>)]
    pub owner_person_id: Option<Option<i64>>,
    /// New cadence.
    pub cadence: Option<Cadence>,
    /// New linked KPI; `null` unlinks it.
    #[serde(default, deserialize_with = "patch::nullable")]
    #[schema(value_type = Option<i64>)]
    pub kpi_id: Option<Option<i64>>,
    /// New schedule; `null` removes it.
    #[serde(default, deserialize_with = "patch::nullable")]
    #[schema(value_type = Option<Vec<SchedulePoint>>)]
    pub target_schedule: Option<Option<Vec<SchedulePoint>>>,
    /// `true`: the new start is the linked KPI's latest measurement (its current value).
    pub start_from_kpi: Option<bool>,
    /// Why the start, target or range moves. Required once the cycle has begun: moving
    /// the goalposts is allowed, but never silently.
    pub reason: Option<String>,
}

/// Filters of the key result list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct KeyResultQuery {
    /// Only of this objective.
    pub objective_id: Option<i64>,
    /// Only of objectives in this cycle.
    pub cycle_id: Option<i64>,
    /// Only owned by this person.
    pub owner_person_id: Option<i64>,
    /// Only of objectives owned by this team.
    pub team_id: Option<i64>,
    /// Only in this status.
    pub status: Option<Status>,
    /// Include archived key results (and those of archived objectives).
    #[serde(default)]
    pub include_archived: bool,
    /// Page size, 1–500.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// Cursor from the previous page.
    pub after: Option<String>,
    /// Read as of this past instant (RFC 3339, or a date: the end of that day in the
    /// workspace's time zone); see docs/api-design.md. The filters select by today's
    /// objective, owner and team.
    pub as_of: Option<String>,
    /// With `as_of`: `then` (default) or `now` (also late check-ins).
    pub known: Option<crate::as_of::Known>,
}

pub(crate) fn view(row: KeyResultRow, eval: Option<&KeyResultEval>, period: &CyclePeriod) -> KeyResultView {
    let measure = measure_of(&row);
    let schedule = schedule_of(&row, period).map(|s| s.points().to_vec());
    KeyResultView {
        id: KeyResultId(row.id),
        objective_id: row.objective_id,
        kind: measure.map_or(KeyResultKind::Milestone, |m| m.kind()),
        title: row.title,
        metric: row.metric,
        unit: row.unit,
        start: row.start_value,
        target: row.target_value,
        range: row.range_low.zip(row.range_high).map(|(low, high)| [low, high]),
        comparator: row.comparator,
        relative_change: row.relative_change,
        required_share: row.required_share,
        current: row.current_value,
        weight: row.weight,
        owner_person_id: row.owner_person_id,
        cadence: row.cadence,
        kpi_id: row.kpi_id,
        target_schedule: schedule,
        progress: eval.map_or(0.0, |e| e.progress.raw()),
        expected_progress: eval.map_or(0.0, |e| e.expected),
        forecast: eval.and_then(|e| e.forecast).map(ForecastView::from),
        status: eval.map_or(Status::NotStarted, |e| e.status),
        status_reason: eval.map_or(StatusReason::CycleNotBegun, |e| e.status_reason),
        diverging: eval.is_some_and(|e| e.diverging),
        confidence: eval.and_then(|e| e.confidence),
        last_check_in_at: eval.and_then(|e| e.last_check_in_at),
        check_in_due_at: eval.and_then(|e| e.check_in_due_at),
        score: eval.and_then(|e| e.score),
        error_budget: eval.and_then(|e| e.error_budget),
        added_after_start: row.added_after_start,
        archived: row.archived,
        created_at: from_ms(row.created_at),
        updated_at: from_ms(row.updated_at),
        version: row.version,
        carried_from_key_result_id: None,
    }
}

/// The objective and cycle a key result belongs to.
pub(crate) async fn parents(
    tx: &mut Tx,
    caller: &Caller,
    objective_id: i64,
) -> Result<(ObjectiveRow, CycleRow), AppError> {
    let (objective, cycle) = parents_unseen(tx, caller, objective_id).await?;
    require_visible(tx, caller, &objective).await?;
    Ok((objective, cycle))
}

/// The objective and cycle a key result belongs to, whoever may see them: for writes
/// that a right other than seeing allows (a KPI feeding the key result).
pub(crate) async fn parents_unseen(
    tx: &mut Tx,
    caller: &Caller,
    objective_id: i64,
) -> Result<(ObjectiveRow, CycleRow), AppError> {
    let objective = tx
        .objective(caller.workspace, objective_id)
        .await?
        .ok_or_else(|| AppError::NotFound { what: "objective", id: objective_id.to_string() })?;
    let cycle = tx
        .cycle(caller.workspace, objective.cycle_id)
        .await?
        .ok_or_else(|| AppError::NotFound { what: "cycle", id: objective.cycle_id.to_string() })?;
    Ok((objective, cycle))
}

/// Views of key results with their computed numbers: each needs only its own
/// check-ins and its cycle, all loaded in one query for the page.
pub(crate) async fn views(
    tx: &mut Tx,
    caller: &Caller,
    rows: Vec<KeyResultRow>,
    now: Timestamp,
) -> Result<Vec<KeyResultView>, AppError> {
    views_at(tx, caller, rows, now, None).await
}

/// [`views`], or as of a past instant (`past`): the key results that existed then as
/// they were, from the check-ins and measurements that count then, in their cycle's
/// state then, evaluated at that instant. As of a past instant, those archived then
/// (or whose objective was) are left out unless `past` says to keep them.
pub(crate) async fn views_at(
    tx: &mut Tx,
    caller: &Caller,
    rows: Vec<KeyResultRow>,
    now: Timestamp,
    past: Option<(&crate::as_of::Past, bool)>,
) -> Result<Vec<KeyResultView>, AppError> {
    let (rows, now) = match past {
        Some((past, _)) => (rows.into_iter().filter_map(|row| past.key_result(row)).collect(), past.at()),
        None => (rows, now),
    };
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut histories: HashMap<i64, Vec<crate::evaluation::Point>> = HashMap::new();
    for check_in in tx.check_ins_of(caller.workspace, &ids).await? {
        if past.is_some_and(|(past, _)| !past.keeps_check_in(&check_in)) {
            continue;
        }
        histories.entry(check_in.key_result_id).or_default().push(crate::evaluation::Point::from(&check_in));
    }
    let origins: HashMap<i64, i64> = tx.key_result_origins(caller.workspace, &ids).await?.into_iter().collect();
    let mut cycle_of_objective: HashMap<i64, CycleRow> = HashMap::new();
    let mut scoring_of_cycle: HashMap<i64, crate::scoring::Scoring> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    let mut objective_archived: HashMap<i64, bool> = HashMap::new();
    for mut row in rows {
        let cycle = match cycle_of_objective.get(&row.objective_id) {
            Some(cycle) => cycle.clone(),
            None => {
                let (objective, cycle) = parents(tx, caller, row.objective_id).await?;
                let cycle = match past {
                    Some((past, _)) => {
                        let archived = past.objective(objective).is_none_or(|o| o.archived);
                        objective_archived.insert(row.objective_id, archived);
                        past.cycle(tx, caller.workspace, cycle).await?
                    }
                    None => cycle,
                };
                cycle_of_objective.insert(row.objective_id, cycle.clone());
                cycle
            }
        };
        let period = period_of(&cycle);
        let history: &[crate::evaluation::Point] = histories.get(&row.id).map_or(&[][..], Vec::as_slice);
        if let Some((_, include_archived)) = past {
            if !include_archived && (row.archived || objective_archived.get(&row.objective_id) == Some(&true)) {
                continue;
            }
            row.current_value = history.last().map(|p| p.value);
        }
        let kpi_values = match (crate::evaluation::reads_kpi(&row), past) {
            (Some(kpi), Some((past, _))) => Some(past.kpi_values_in(tx, caller.workspace, kpi, &cycle).await?),
            (Some(kpi), None) => Some(crate::evaluation::kpi_values_in(tx, caller.workspace, kpi, &cycle).await?),
            (None, _) => None,
        };
        let mut eval = evaluate_key_result(&row, history, kpi_values.as_deref(), &period, cycle.status, now);
        if eval.score.is_some() {
            let scoring = match scoring_of_cycle.entry(cycle.id) {
                std::collections::hash_map::Entry::Occupied(entry) => entry.into_mut(),
                std::collections::hash_map::Entry::Vacant(entry) => match past {
                    Some((past, _)) => entry.insert(past.scoring(tx, caller.workspace, &cycle).await?),
                    None => entry.insert(crate::scoring::Scoring::load(tx, caller.workspace, &cycle).await?),
                },
            };
            grade_key_result(row.id, &mut eval, scoring);
        }
        let origin = origins.get(&row.id).copied();
        let mut view = view(row, Some(&eval), &period);
        view.carried_from_key_result_id = origin;
        out.push(view);
    }
    Ok(out)
}

/// A key result may be changed by whoever may change its owner's things, or its
/// objective owner's.
pub(crate) fn require_owner(
    caller: &Caller,
    key_result: &KeyResultRow,
    objective: &ObjectiveRow,
) -> Result<(), AppError> {
    if allows(caller, Action::EditOkr { owner: key_result.owner_person_id }) {
        return Ok(());
    }
    require(caller, Action::EditOkr { owner: objective.owner_person_id })
}

/// A key result whose objective the caller may not see is, to the caller, a key result
/// that does not exist.
pub(crate) fn as_key_result(error: AppError, id: i64) -> AppError {
    match error {
        AppError::NotFound { .. } => not_found(id),
        other => other,
    }
}

fn not_found(id: i64) -> AppError {
    AppError::NotFound { what: "key result", id: id.to_string() }
}

/// Key results: create, read, change, archive and list them. Reached through [`App::key_results`](crate::App::key_results).
#[derive(Debug, Clone, Copy)]
pub struct KeyResults<'a> {
    pub(crate) app: &'a crate::App,
}

impl KeyResults<'_> {
    /// Adds a key result to an objective.
    pub async fn create(
        self,
        caller: &Caller,
        objective_id: ObjectiveId,
        new: NewKeyResult,
    ) -> Result<KeyResultView, AppError> {
        let objective_id = objective_id.get();
        let mut tx = self.app.write(caller.workspace).await?;
        let row = self.create_in(&mut tx, caller, objective_id, new).await?;
        tx.commit().await?;
        self.written_view(caller, row).await
    }

    /// The view of a key result as just written, its numbers computed after the write
    /// committed, so that SQLite's one write lock is held only for the writes.
    pub(crate) async fn written_view(self, caller: &Caller, row: KeyResultRow) -> Result<KeyResultView, AppError> {
        let id = row.id;
        let mut tx = self.app.store().read().await?;
        views(&mut tx, caller, vec![row], self.app.now()).await?.pop().ok_or_else(|| not_found(id))
    }

    /// `app.key_results().create` inside a transaction the caller commits; returns the
    /// row written.
    pub(crate) async fn create_in(
        self,
        tx: &mut Tx,
        caller: &Caller,
        objective_id: i64,
        new: NewKeyResult,
    ) -> Result<KeyResultRow, AppError> {
        let (objective, cycle) = parents(tx, caller, objective_id).await?;
        require(caller, Action::EditOkr { owner: objective.owner_person_id })?;
        if objective.archived {
            return Err(AppError::Conflict {
                code: "archived",
                detail: format!("objective {objective_id} is archived: restore it before adding key results"),
                location: None,
            });
        }
        // A closed cycle keeps the grades it was closed with (SPEC §4).
        if cycle.status == CycleStatus::Closed {
            return Err(AppError::Conflict {
                code: "cycle_closed",
                detail: format!("cycle {} is closed and graded: its objectives take no new key results", cycle.slug),
                location: None,
            });
        }
        let period = period_of(&cycle);
        let mut problems = Problems::new();
        let fields = check_new(
            tx,
            caller,
            &mut problems,
            &Path::root(),
            (objective.id, objective.owner_person_id),
            &period,
            new,
        )
        .await?;
        problems.finish()?;
        let Some(fields) = fields else {
            return Err(AppError::invalid("/title", "missing"));
        };
        let now = self.app.now();
        let added_after_start = cycle.status == CycleStatus::Active && now >= period.starts_at();
        let row = tx.insert_key_result(caller.workspace, &fields, added_after_start, now.as_millisecond()).await?;
        record(tx, caller, "create", "key_result", row.id, None::<&()>, Some(&row), now.as_millisecond()).await?;
        Ok(row)
    }

    /// One key result.
    pub async fn get(self, caller: &Caller, id: KeyResultId) -> Result<KeyResultView, AppError> {
        self.get_as_of(caller, id, &crate::as_of::AsOfQuery::default()).await
    }

    /// One key result, as it stood at `as_of` when asked (one that did not exist then
    /// is not found).
    pub async fn get_as_of(
        self,
        caller: &Caller,
        id: KeyResultId,
        as_of: &crate::as_of::AsOfQuery,
    ) -> Result<KeyResultView, AppError> {
        let id = id.get();
        let mut tx = self.app.store().read().await?;
        let now = self.app.now();
        let as_of = crate::as_of::check(&mut tx, caller.workspace, as_of, now).await?;
        let row = tx.key_result(caller.workspace, id).await?.ok_or_else(|| not_found(id))?;
        let past = match as_of {
            Some(as_of) => Some(crate::as_of::Past::load(&mut tx, caller.workspace, as_of).await?),
            None => None,
        };
        views_at(&mut tx, caller, vec![row], now, past.as_ref().map(|p| (p, true)))
            .await
            .map_err(|e| as_key_result(e, id))?
            .pop()
            .ok_or_else(|| not_found(id))
    }

    /// Changes a key result. Moving its start, target or range after the cycle began
    /// needs a reason, and is recorded.
    pub async fn update(
        self,
        caller: &Caller,
        id: KeyResultId,
        change: KeyResultPatch,
    ) -> Result<KeyResultView, AppError> {
        let id = id.get();
        let mut tx = self.app.write(caller.workspace).await?;
        let row = self.update_in(&mut tx, caller, id, change).await?;
        tx.commit().await?;
        self.written_view(caller, row).await
    }

    /// Checks `new` as [`KeyResults::create`] would, and writes nothing (the
    /// transaction is dropped, not committed): for a form whose own fields could not all
    /// be read, so every problem shows at once.
    pub async fn check_new(
        self,
        caller: &Caller,
        objective_id: ObjectiveId,
        new: NewKeyResult,
    ) -> Result<(), AppError> {
        let mut tx = self.app.write(caller.workspace).await?;
        self.create_in(&mut tx, caller, objective_id.get(), new).await.map(|_| ())
    }

    /// Checks `change` as [`KeyResults::update`] would, and writes nothing (the
    /// transaction is dropped, not committed): for a form whose own fields could not all
    /// be read, so every problem shows at once.
    pub async fn check_update(self, caller: &Caller, id: KeyResultId, change: KeyResultPatch) -> Result<(), AppError> {
        let mut tx = self.app.write(caller.workspace).await?;
        self.update_in(&mut tx, caller, id.get(), change).await.map(|_| ())
    }

    /// `app.key_results().update` inside a transaction the caller commits; returns the
    /// row written.
    pub(crate) async fn update_in(
        self,
        tx: &mut Tx,
        caller: &Caller,
        id: i64,
        change: KeyResultPatch,
    ) -> Result<KeyResultRow, AppError> {
        let current = tx.key_result(caller.workspace, id).await?.ok_or_else(|| not_found(id))?;
        let (objective, cycle) = parents(tx, caller, current.objective_id).await.map_err(|e| as_key_result(e, id))?;
        require_owner(caller, &current, &objective)?;
        let period = period_of(&cycle);
        let now = self.app.now();
        let mut problems = Problems::new();
        // The sentence is read again when it changes, or when the kind does (a key
        // result becoming maintain takes its side from "at or below").
        let sentence_changed = change.title.as_deref().is_some_and(|t| t != current.title);
        let kind_changed = change.kind.is_some_and(|k| k != current.kind);
        let sentence = (sentence_changed || kind_changed).then(|| change.title.as_deref().unwrap_or(&current.title));
        let given = Given {
            kind: change.kind,
            metric: change.metric.clone(),
            unit: change.unit.clone(),
            start: change.start,
            target: change.target,
            range: change.range,
            comparator: change.comparator,
            relative_change: change.relative_change,
            delta: change.delta,
            required_share: change.required_share,
        };
        let kept = Numbers {
            kind: Some(current.kind),
            metric: current.metric.clone(),
            unit: current.unit.clone(),
            start: current.start_value,
            target: current.target_value,
            range: current.range_low.zip(current.range_high).map(|(low, high)| [low, high]),
            comparator: current.comparator,
            relative_change: None,
            delta: None,
            required_share: current.required_share,
        };
        let kpi_id = patch::apply(current.kpi_id, change.kpi_id);
        let mut given = given;
        given.start =
            start_from_kpi(tx, caller, &mut problems, &Path::root(), change.start_from_kpi, given.start, kpi_id)
                .await?;
        let reading = interpret_in(tx, caller, sentence, &given, Some(&kept), kpi_id, &period).await?;
        let read = note_problems(&mut problems, &Path::root(), &reading);
        let title = match &change.title {
            Some(_) if unreadable(&reading) => None,
            Some(title) => problems.check("/title", Title::parse(title)).map(Title::into_string),
            None => Some(current.title.clone()),
        };
        let metric = short_text(&mut problems, "/metric", reading.numbers.metric.as_deref());
        let unit = short_text(&mut problems, "/unit", reading.numbers.unit.as_deref());
        let weight = match change.weight {
            Some(w) => problems.check("/weight", Weight::try_new(w)),
            None => Some(Weight::try_new(current.weight).unwrap_or(Weight::ONE)),
        };
        let definition =
            if read { check_definition(&mut problems, &Path::root(), &reading) } else { None }.map(|d| Definition {
                relative_change: if reading.target_restated { d.relative_change } else { current.relative_change },
                ..d
            });
        // A sentence that makes it a kind without a schedule drops the one it had.
        let drops_schedule = reading.kind_from_sentence
            && !matches!(reading.numbers.kind, Some(KeyResultKind::Increase | KeyResultKind::Decrease));
        let schedule_points = match change.target_schedule.clone() {
            Some(points) => points,
            None if drops_schedule => None,
            None => current.target_schedule.as_deref().and_then(|json| serde_json::from_str(json).ok()),
        };
        let schedule = check_schedule(
            &mut problems,
            &Path::root(),
            schedule_points,
            definition.as_ref().map(|d| &d.measure),
            &period,
        );
        let owner = patch::apply(current.owner_person_id, change.owner_person_id);
        check_person(
            tx,
            caller,
            &mut problems,
            "/owner_person_id",
            owner.filter(|o| Some(*o) != current.owner_person_id),
        )
        .await?;
        check_kpi(tx, caller, &mut problems, "/kpi_id", kpi_id.filter(|k| Some(*k) != current.kpi_id)).await?;
        let (Some(title), Some(weight), Some(definition)) = (title, weight, definition) else {
            problems.finish()?;
            return Err(AppError::invalid("/title", "missing"));
        };
        let fields = fields_of(
            current.objective_id,
            title,
            metric,
            unit,
            &definition,
            weight,
            owner,
            change.cadence.or(Some(current.cadence)),
            kpi_id,
            schedule,
        );
        let moved: Vec<(&str, Option<f64>, Option<f64>)> = [
            ("start", current.start_value, fields.start_value),
            ("target", current.target_value, fields.target_value),
            ("range_low", current.range_low, fields.range_low),
            ("range_high", current.range_high, fields.range_high),
        ]
        .into_iter()
        .filter(|(_, old, new)| old != new)
        .collect();
        let started = cycle.status != CycleStatus::Planning && now >= period.starts_at();
        let reason = change.reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
        if started && !moved.is_empty() && reason.is_none() {
            problems.push("/reason", "the cycle has begun: say why the start, target or range moves (field `reason`)");
        }
        problems.finish()?;
        let now_ms = now.as_millisecond();
        let row = tx
            .update_key_result(caller.workspace, id, change.version, &fields, current.archived, now_ms)
            .await
            .map_err(|e| on_update(e, "key result", id, change.version))?;
        if started {
            for (field, old, new) in moved {
                tx.insert_goal_change(
                    caller.workspace,
                    id,
                    field,
                    old,
                    new,
                    reason.unwrap_or_default(),
                    caller.person,
                    now_ms,
                )
                .await?;
            }
        }
        record(tx, caller, "update", "key_result", id, Some(&current), Some(&row), now_ms).await?;
        Ok(row)
    }

    /// Archives a key result (or restores it). Archived key results leave their
    /// objective's progress.
    pub async fn archive(
        self,
        caller: &Caller,
        id: KeyResultId,
        version: i64,
        archived: bool,
    ) -> Result<KeyResultView, AppError> {
        let id = id.get();
        let mut tx = self.app.write(caller.workspace).await?;
        let row = self.archive_in(&mut tx, caller, id, version, archived).await?;
        tx.commit().await?;
        self.written_view(caller, row).await
    }

    /// `app.key_results().archive` inside a transaction the caller commits; returns the
    /// row written.
    pub(crate) async fn archive_in(
        self,
        tx: &mut Tx,
        caller: &Caller,
        id: i64,
        version: i64,
        archived: bool,
    ) -> Result<KeyResultRow, AppError> {
        let current = tx.key_result(caller.workspace, id).await?.ok_or_else(|| not_found(id))?;
        let (objective, _) = parents(tx, caller, current.objective_id).await.map_err(|e| as_key_result(e, id))?;
        require_owner(caller, &current, &objective)?;
        let fields = current.fields();
        let row = tx
            .update_key_result(caller.workspace, id, version, &fields, archived, self.app.now_ms())
            .await
            .map_err(|e| on_update(e, "key result", id, version))?;
        record(
            tx,
            caller,
            if archived { "archive" } else { "restore" },
            "key_result",
            id,
            Some(&current),
            Some(&row),
            self.app.now_ms(),
        )
        .await?;
        Ok(row)
    }

    /// Lists key results. A status filter is applied after computing, page by page,
    /// so the cursor still moves in id order.
    pub async fn list(self, caller: &Caller, query: KeyResultQuery) -> Result<Paged<KeyResultView>, AppError> {
        let page = ListParams { limit: query.limit, after: query.after.clone() }.page()?;
        let filter = KeyResultFilter {
            objective_id: query.objective_id,
            cycle_id: query.cycle_id,
            owner_person_id: query.owner_person_id,
            team_id: query.team_id,
            include_archived: query.include_archived,
        };
        let mut tx = self.app.store().read().await?;
        let now = self.app.now();
        let as_of = crate::as_of::AsOfQuery { as_of: query.as_of.clone(), known: query.known };
        let past = match crate::as_of::check(&mut tx, caller.workspace, &as_of, now).await? {
            Some(as_of) => Some(crate::as_of::Past::load(&mut tx, caller.workspace, as_of).await?),
            None => None,
        };
        // As of a past instant, a key result archived since may have been live then.
        let filter = KeyResultFilter { include_archived: filter.include_archived || past.is_some(), ..filter };
        let hidden = hidden_objectives(&mut tx, caller).await?;
        let mut walk = page::FilteredWalk::new(page);
        loop {
            let rows = tx.list_key_results(caller.workspace, &filter, walk.next_page()).await?;
            let (count, last_id) = (rows.len(), rows.last().map(|r| r.id));
            let rows: Vec<KeyResultRow> = rows.into_iter().filter(|r| !hidden.contains(&r.objective_id)).collect();
            let past = past.as_ref().map(|p| (p, query.include_archived));
            let views = views_at(&mut tx, caller, rows, now, past).await?;
            let keep = |v: &KeyResultView| query.status.is_none_or(|s| s == v.status);
            if let Some(done) = walk.take(page::Batch { views, rows: count, last_id }, keep, |v| v.id.get()) {
                return Ok(done);
            }
        }
    }
}

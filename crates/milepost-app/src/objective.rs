//! Objectives: create (with their key results in one go), read, change, archive and
//! list, with rolled-up progress, expected progress, status and, at close, score.

mod links;

use crate::Caller;
use crate::access::record;
use crate::as_of::AsOfQuery;
use crate::error::{AppError, Path, Problems, on_update};
use crate::evaluation::{CycleData, ScoreView};
use crate::key_result::{self, KeyResultView, NewKeyResult};
use crate::page::{self, ListParams, Paged};
use crate::patch;
use crate::permission::{Action, hidden_objectives_in, require, require_visible};
use crate::read_model::CycleModel;
use crate::time::from_ms;
use crate::time::period_of;
use jiff::Timestamp;
use links::{Links, check_links};
use milepost_core::{Commitment, CycleStatus, Status, Title, Visibility};
use milepost_core::{CycleId, ObjectiveId};
use milepost_store::{CycleRow, KeyResultRow, ObjectiveFields, ObjectiveFilter, ObjectiveRow, Tx};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::Arc;

/// The longest description accepted, in characters.
const DESCRIPTION_MAX: usize = 10_000;

/// An objective to create, optionally with its key results.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewObjective {
    /// The cycle it belongs to.
    pub cycle_id: i64,
    /// What we will accomplish, in words that inspire.
    pub title: String,
    /// Why it matters.
    pub description: Option<String>,
    /// The person who owns it (give this or `owner_team_id`).
    pub owner_person_id: Option<i64>,
    /// The team that owns it (give this or `owner_person_id`).
    pub owner_team_id: Option<i64>,
    /// committed (default) or aspirational.
    pub commitment: Option<Commitment>,
    /// The objective it aligns to.
    pub parent_objective_id: Option<i64>,
    /// The key result it contributes to (its objective becomes the parent).
    pub parent_key_result_id: Option<i64>,
    /// workspace (default) or team.
    pub visibility: Option<Visibility>,
    /// Whether aligned child objectives count in its progress (default false).
    pub rollup_children: Option<bool>,
    /// Key results to create with it, in the same transaction.
    #[serde(default)]
    pub key_results: Vec<NewKeyResult>,
}

/// Changes to an objective; fields left out stay as they are.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectivePatch {
    /// The version the change is based on.
    pub version: i64,
    /// New title.
    pub title: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New owning person (clears the owning team).
    pub owner_person_id: Option<i64>,
    /// New owning team (clears the owning person).
    pub owner_team_id: Option<i64>,
    /// New commitment.
    pub commitment: Option<Commitment>,
    /// New parent objective; `null` for none.
    #[serde(default, deserialize_with = "patch::nullable")]
    #[schema(value_type = Option<i64>)]
    pub parent_objective_id: Option<Option<i64>>,
    /// New parent key result; `null` for none.
    #[serde(default, deserialize_with = "patch::nullable")]
    #[schema(value_type = Option<i64>)]
    pub parent_key_result_id: Option<Option<i64>>,
    /// New visibility.
    pub visibility: Option<Visibility>,
    /// New rollup setting.
    pub rollup_children: Option<bool>,
}

/// An objective with its key results and computed numbers.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ObjectiveView {
    /// Its id.
    #[schema(value_type = i64)]
    pub id: ObjectiveId,
    /// Its cycle.
    pub cycle_id: i64,
    /// Its title.
    pub title: String,
    /// Its description.
    pub description: String,
    /// Owning person.
    pub owner_person_id: Option<i64>,
    /// Owning team.
    pub owner_team_id: Option<i64>,
    /// committed or aspirational.
    pub commitment: Commitment,
    /// The objective it aligns to.
    pub parent_objective_id: Option<i64>,
    /// The key result it contributes to.
    pub parent_key_result_id: Option<i64>,
    /// Who may see it.
    pub visibility: Visibility,
    /// Whether aligned children count in its progress.
    pub rollup_children: bool,
    /// Whether it was added after its cycle began.
    pub added_after_start: bool,
    /// Weighted progress of its key results (and children), 0–1; absent with nothing to roll up.
    pub progress: Option<f64>,
    /// Progress expected by now.
    pub expected_progress: f64,
    /// on_track, at_risk, off_track, done, not_started or stale.
    pub status: Status,
    /// The grade, once the cycle is closed.
    pub score: Option<ScoreView>,
    /// Its key results (archived ones only when asked for).
    pub key_results: Vec<KeyResultView>,
    /// Whether archived.
    pub archived: bool,
    /// When created.
    pub created_at: Timestamp,
    /// When last changed.
    pub updated_at: Timestamp,
    /// Version: send it back with a change.
    pub version: i64,
    /// The objective it was carried from, in an earlier cycle.
    pub carried_from_objective_id: Option<i64>,
    /// Its copies carried into later cycles.
    pub carried_to: Vec<crate::carry_link::CarriedTo>,
}

/// Filters of the objective list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ObjectiveQuery {
    /// Only in this cycle.
    pub cycle_id: Option<i64>,
    /// Only owned by this person.
    pub owner_person_id: Option<i64>,
    /// Only owned by this team.
    pub team_id: Option<i64>,
    /// Only aligned to this objective.
    pub parent_objective_id: Option<i64>,
    /// Only in this status.
    pub status: Option<Status>,
    /// Include archived objectives (and archived key results).
    #[serde(default)]
    pub include_archived: bool,
    /// Page size, 1–500.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// Cursor from the previous page.
    pub after: Option<String>,
    /// Read as of this past instant (RFC 3339, or a date: the end of that day in the
    /// workspace's time zone); see docs/api-design.md. The filters select by today's
    /// owner, team, parent and cycle.
    pub as_of: Option<String>,
    /// With `as_of`: `then` (default) or `now` (also late check-ins).
    pub known: Option<crate::as_of::Known>,
}

/// What creating an objective wrote: the objective, its key results, and its cycle.
pub(crate) struct Created {
    /// The objective.
    pub row: ObjectiveRow,
    /// Its key results, in order.
    pub key_results: Vec<KeyResultRow>,
    /// Its cycle.
    pub cycle: CycleRow,
}

fn not_found(id: i64) -> AppError {
    AppError::NotFound { what: "objective", id: id.to_string() }
}

pub(crate) fn view(row: ObjectiveRow, model: &CycleModel, include_archived: bool) -> ObjectiveView {
    let (data, evaluation) = (&model.data, &model.evaluation);
    let period = period_of(data.cycle_of(&row));
    let eval = evaluation.objectives.get(&row.id);
    let key_results = model
        .key_results(row.id)
        .filter(|k| include_archived || !k.archived)
        .map(|k| {
            let mut view = key_result::view(KeyResultRow::clone(k), evaluation.key_results.get(&k.id), &period);
            view.carried_from_key_result_id = data.carries.key_result_from.get(&k.id).copied();
            view
        })
        .collect();
    let (carried_from_objective_id, carried_to) =
        (data.carries.objective_from.get(&row.id).copied(), data.carries.copies_of(row.id));
    ObjectiveView {
        id: ObjectiveId(row.id),
        cycle_id: row.cycle_id,
        title: row.title,
        description: row.description,
        owner_person_id: row.owner_person_id,
        owner_team_id: row.owner_team_id,
        commitment: row.commitment,
        parent_objective_id: row.parent_objective_id,
        parent_key_result_id: row.parent_key_result_id,
        visibility: row.visibility,
        rollup_children: row.rollup_children,
        added_after_start: row.added_after_start,
        progress: eval.and_then(|e| e.progress).map(|p| p.raw()),
        expected_progress: eval.map_or(0.0, |e| e.expected),
        status: eval.map_or(Status::NotStarted, |e| e.status),
        score: eval.and_then(|e| e.score),
        key_results,
        archived: row.archived,
        created_at: from_ms(row.created_at),
        updated_at: from_ms(row.updated_at),
        version: row.version,
        carried_from_objective_id,
        carried_to,
    }
}

/// The views of the objectives of the model's own cycle that are not archived (their
/// archived key results left out), in id order: built once per model, then shared.
fn shared_views(model: &CycleModel) -> Arc<Vec<Arc<ObjectiveView>>> {
    let build = || {
        let mut rows: Vec<&ObjectiveRow> =
            model.data.objectives.iter().filter(|o| o.cycle_id == model.data.cycle.id && !o.archived).collect();
        rows.sort_by_key(|o| o.id);
        Arc::new(rows.into_iter().map(|row| Arc::new(view(row.clone(), model, false))).collect::<Vec<_>>())
    };
    let derived = model.derived.get_or_init(|| build() as Arc<dyn std::any::Any + Send + Sync>);
    // Only this function fills the slot, always with views.
    Arc::clone(derived).downcast::<Vec<Arc<ObjectiveView>>>().unwrap_or_else(|_| build())
}

/// The views of `rows` with their numbers: live from the read model, or as of a past
/// instant from the cycles as they stood then (rows that did not exist then are left
/// out; those archived then say so).
async fn views(
    app: &crate::App,
    tx: &mut Tx,
    caller: &Caller,
    rows: Vec<ObjectiveRow>,
    (generation, now, past): (i64, Timestamp, Option<&crate::as_of::Past>),
    include_archived: bool,
) -> Result<Vec<ObjectiveView>, AppError> {
    let Some(past) = past else {
        return live_views(app, tx, caller, rows, (generation, now), include_archived).await;
    };
    let mut models: HashMap<i64, (Arc<CycleModel>, HashMap<i64, usize>)> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let (model, index) = match models.entry(row.cycle_id) {
            Entry::Occupied(entry) => entry.into_mut(),
            Entry::Vacant(entry) => {
                let model =
                    crate::read_model::cycle_model(tx, caller.workspace, row.cycle_id, generation, past).await?;
                let index = model.data.objectives.iter().enumerate().map(|(at, o)| (o.id, at)).collect();
                entry.insert((model, index))
            }
        };
        let Some(then) = index.get(&row.id).and_then(|at| model.data.objectives.get(*at)) else {
            continue;
        };
        out.push(view(then.clone(), model, include_archived));
    }
    Ok(out)
}

/// [`views`] of the live rows, from the read model.
async fn live_views(
    app: &crate::App,
    tx: &mut Tx,
    caller: &Caller,
    rows: Vec<ObjectiveRow>,
    (generation, now): (i64, Timestamp),
    include_archived: bool,
) -> Result<Vec<ObjectiveView>, AppError> {
    // Each cycle's numbers from the read model, which keeps them evaluated.
    let mut models = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let model = match models.entry(row.cycle_id) {
            Entry::Occupied(entry) => entry.into_mut(),
            Entry::Vacant(entry) => {
                entry.insert(app.read_model().cycle(tx, caller.workspace, row.cycle_id, generation, now).await?)
            }
        };
        let shared = (!include_archived && !row.archived && row.cycle_id == model.data.cycle.id)
            .then(|| shared_views(model))
            .and_then(|views| {
                let at = views.binary_search_by_key(&row.id, |v| v.id.get()).ok()?;
                views.get(at).map(|v| ObjectiveView::clone(v))
            });
        out.push(shared.unwrap_or_else(|| view(row, model, include_archived)));
    }
    Ok(out)
}

fn description(problems: &mut Problems, text: Option<&str>) -> String {
    let text = text.unwrap_or_default().trim();
    if text.chars().count() > DESCRIPTION_MAX {
        problems.push("/description", format!("must be at most {DESCRIPTION_MAX} characters"));
    }
    text.to_owned()
}

/// Objectives: create, read, change, archive and list them, with their computed numbers. Reached through [`App::objectives`](crate::App::objectives).
#[derive(Debug, Clone, Copy)]
pub struct Objectives<'a> {
    pub(crate) app: &'a crate::App,
}

impl Objectives<'_> {
    /// Creates an objective, and its key results with it: all or nothing.
    pub async fn create(self, caller: &Caller, new: NewObjective) -> Result<ObjectiveView, AppError> {
        let mut tx = self.app.write(caller.workspace).await?;
        let created = self.create_in(&mut tx, caller, new).await?;
        tx.commit().await?;
        self.created_view(caller, created).await
    }

    /// Checks `new` as [`Objectives::create`] would, and writes nothing (the transaction
    /// is dropped, not committed). A form whose own fields could not be read (a weight
    /// that is not a number) asks this for the rest, so every problem shows at once.
    pub async fn check_new(self, caller: &Caller, new: NewObjective) -> Result<(), AppError> {
        let mut tx = self.app.write(caller.workspace).await?;
        self.create_in(&mut tx, caller, new).await.map(|_| ())
    }

    /// Checks `change` as [`Objectives::update`] would, and writes nothing.
    pub async fn check_update(self, caller: &Caller, id: ObjectiveId, change: ObjectivePatch) -> Result<(), AppError> {
        let mut tx = self.app.write(caller.workspace).await?;
        self.update_in(&mut tx, caller, id.get(), change).await.map(|_| ())
    }

    /// The view of an objective just created, from what was written: nothing is aligned
    /// to it yet and its key results have no check-ins, so its numbers need only its own
    /// key results (and the values of the KPIs they read), not the whole cycle.
    pub(crate) async fn created_view(self, caller: &Caller, created: Created) -> Result<ObjectiveView, AppError> {
        let Created { row, key_results, cycle } = created;
        let mut kpi_values = HashMap::new();
        let kpis: Vec<i64> = key_results.iter().filter_map(crate::evaluation::reads_kpi).collect();
        if !kpis.is_empty() {
            let mut tx = self.app.store().read().await?;
            for kpi in kpis {
                let values = crate::evaluation::kpi_values_in(&mut tx, caller.workspace, kpi, &cycle).await?;
                kpi_values.insert((kpi, cycle.id), values);
            }
        }
        let data = CycleData {
            cycle,
            objectives: std::sync::Arc::new(vec![row.clone()]),
            key_results: key_results.into_iter().map(std::sync::Arc::new).collect(),
            histories: HashMap::new(),
            other_cycles: HashMap::new(),
            kpi_values,
            scoring: crate::scoring::Scoring::default(),
            carries: Arc::default(),
        };
        let now = self.app.now();
        let evaluation = crate::evaluation::evaluate(&data, now);
        Ok(view(row, &CycleModel::new(0, data, evaluation, now), false))
    }

    /// The view of an objective as just written, its numbers computed after the write
    /// committed: evaluating the whole cycle inside the write transaction would hold
    /// SQLite's one write lock for it, and every other writer would wait.
    async fn written_view(
        self,
        caller: &Caller,
        row: ObjectiveRow,
        include_archived: bool,
    ) -> Result<ObjectiveView, AppError> {
        let id = row.id;
        let mut tx = self.app.store().read().await?;
        let at = (tx.generation(caller.workspace).await?, self.app.now());
        live_views(self.app, &mut tx, caller, vec![row], at, include_archived).await?.pop().ok_or_else(|| not_found(id))
    }

    /// `app.objectives().create` inside a transaction the caller commits; returns what
    /// was written.
    pub(crate) async fn create_in(self, tx: &mut Tx, caller: &Caller, new: NewObjective) -> Result<Created, AppError> {
        require(caller, Action::EditOkr { owner: new.owner_person_id })?;
        let mut problems = Problems::new();
        let title = problems.check("/title", Title::parse(&new.title));
        let description = description(&mut problems, new.description.as_deref());
        let Some(cycle) = tx.cycle(caller.workspace, new.cycle_id).await? else {
            problems.push("/cycle_id", format!("there is no cycle {} in this workspace", new.cycle_id));
            problems.finish()?;
            return Err(not_found(0));
        };
        if cycle.status == CycleStatus::Closed {
            problems
                .push("/cycle_id", format!("cycle {} is closed: objectives can no longer be added to it", cycle.slug));
        }
        let alignment = check_links(
            tx,
            caller,
            &mut problems,
            None,
            &cycle,
            Links {
                owner_person_id: new.owner_person_id,
                owner_team_id: new.owner_team_id,
                parent_objective_id: new.parent_objective_id,
                parent_key_result_id: new.parent_key_result_id,
            },
        )
        .await?;
        let visibility = new.visibility.unwrap_or(Visibility::Workspace);
        let period = period_of(&cycle);
        let mut key_results = Vec::new();
        for (index, kr) in new.key_results.into_iter().enumerate() {
            let prefix = Path::root().field("key_results").index(index);
            let fields =
                key_result::check_new(tx, caller, &mut problems, &prefix, (0, new.owner_person_id), &period, kr)
                    .await?;
            key_results.push(fields);
        }
        problems.finish()?;
        let Some(title) = title else {
            return Err(AppError::invalid("/title", "missing"));
        };
        let now = self.app.now();
        let fields = ObjectiveFields {
            cycle_id: cycle.id,
            title: title.into_string(),
            description,
            owner_person_id: new.owner_person_id,
            owner_team_id: new.owner_team_id,
            commitment: new.commitment.unwrap_or(Commitment::Committed),
            parent_objective_id: alignment.parent_objective_id,
            parent_key_result_id: alignment.parent_key_result_id,
            visibility,
            rollup_children: new.rollup_children.unwrap_or(false),
        };
        let added_after_start = cycle.status == CycleStatus::Active && now >= period.starts_at();
        let row = tx.insert_objective(caller.workspace, &fields, added_after_start, now.as_millisecond()).await?;
        record(tx, caller, "create", "objective", row.id, None::<&()>, Some(&row), now.as_millisecond()).await?;
        let event = crate::outbox::Event::ObjectiveCreated(crate::outbox::ObjectiveRef::of(&row));
        crate::outbox::emit(tx, caller.workspace, &event, now).await?;
        let mut written = Vec::with_capacity(key_results.len());
        for fields in key_results.into_iter().flatten() {
            let fields = milepost_store::KeyResultFields { objective_id: row.id, ..fields };
            let kr = tx.insert_key_result(caller.workspace, &fields, added_after_start, now.as_millisecond()).await?;
            record(tx, caller, "create", "key_result", kr.id, None::<&()>, Some(&kr), now.as_millisecond()).await?;
            written.push(kr);
        }
        Ok(Created { row, key_results: written, cycle })
    }

    /// One objective with its key results.
    pub async fn get(self, caller: &Caller, id: ObjectiveId) -> Result<ObjectiveView, AppError> {
        self.get_as_of(caller, id, &AsOfQuery::default()).await
    }

    /// One objective with its key results, as it stood at `as_of` when asked (one that
    /// did not exist then is not found).
    pub async fn get_as_of(
        self,
        caller: &Caller,
        id: ObjectiveId,
        as_of: &AsOfQuery,
    ) -> Result<ObjectiveView, AppError> {
        let id = id.get();
        let mut tx = self.app.store().read().await?;
        let now = self.app.now();
        let as_of = crate::as_of::check(&mut tx, caller.workspace, as_of, now).await?;
        let row = tx.objective(caller.workspace, id).await?.ok_or_else(|| not_found(id))?;
        require_visible(&mut tx, caller, &row).await?;
        let past = match as_of {
            Some(as_of) => Some(crate::as_of::Past::load(&mut tx, caller.workspace, as_of).await?),
            None => None,
        };
        let at = (tx.generation(caller.workspace).await?, now, past.as_ref());
        views(self.app, &mut tx, caller, vec![row], at, false).await?.pop().ok_or_else(|| not_found(id))
    }

    /// Changes an objective.
    pub async fn update(
        self,
        caller: &Caller,
        id: ObjectiveId,
        change: ObjectivePatch,
    ) -> Result<ObjectiveView, AppError> {
        let id = id.get();
        let mut tx = self.app.write(caller.workspace).await?;
        let row = self.update_in(&mut tx, caller, id, change).await?;
        tx.commit().await?;
        self.written_view(caller, row, false).await
    }

    /// `app.objectives().update` inside a transaction the caller commits; returns the
    /// row written.
    pub(crate) async fn update_in(
        self,
        tx: &mut Tx,
        caller: &Caller,
        id: i64,
        change: ObjectivePatch,
    ) -> Result<ObjectiveRow, AppError> {
        let current = tx.objective(caller.workspace, id).await?.ok_or_else(|| not_found(id))?;
        require_visible(tx, caller, &current).await?;
        require(caller, Action::EditOkr { owner: current.owner_person_id })?;
        let cycle = tx
            .cycle(caller.workspace, current.cycle_id)
            .await?
            .ok_or_else(|| AppError::NotFound { what: "cycle", id: current.cycle_id.to_string() })?;
        let mut problems = Problems::new();
        let title = match &change.title {
            Some(title) => problems.check("/title", Title::parse(title)).map(Title::into_string),
            None => Some(current.title.clone()),
        };
        let description = match &change.description {
            Some(text) => description(&mut problems, Some(text)),
            None => current.description.clone(),
        };
        let owner = match (change.owner_person_id, change.owner_team_id) {
            (None, None) => (current.owner_person_id, current.owner_team_id),
            given => given,
        };
        // Giving an objective away needs the right to own it as the new owner too.
        require(caller, Action::EditOkr { owner: owner.0 })?;
        let parent_key_result_id = patch::apply(current.parent_key_result_id, change.parent_key_result_id);
        let parent_objective_id = match (change.parent_objective_id, change.parent_key_result_id) {
            (Some(given), _) => given,
            // Dropping the parent key result drops the parent objective it implied.
            (None, Some(None)) => None,
            (None, _) => current.parent_objective_id.filter(|_| parent_key_result_id.is_none()),
        };
        let alignment = check_links(
            tx,
            caller,
            &mut problems,
            Some(id),
            &cycle,
            Links { owner_person_id: owner.0, owner_team_id: owner.1, parent_objective_id, parent_key_result_id },
        )
        .await?;
        problems.finish()?;
        let Some(title) = title else {
            return Err(AppError::invalid("/title", "missing"));
        };
        let fields = ObjectiveFields {
            cycle_id: current.cycle_id,
            title,
            description,
            owner_person_id: owner.0,
            owner_team_id: owner.1,
            commitment: change.commitment.map_or(current.commitment, |c| c),
            parent_objective_id: alignment.parent_objective_id,
            parent_key_result_id: alignment.parent_key_result_id,
            visibility: change.visibility.map_or(current.visibility, |v| v),
            rollup_children: change.rollup_children.unwrap_or(current.rollup_children),
        };
        let row = tx
            .update_objective(caller.workspace, id, change.version, &fields, current.archived, self.app.now_ms())
            .await
            .map_err(|e| on_update(e, "objective", id, change.version))?;
        record(tx, caller, "update", "objective", id, Some(&current), Some(&row), self.app.now_ms()).await?;
        Ok(row)
    }

    /// Archives an objective (or restores it). Archived objectives leave their
    /// parent's rollup; their key results keep their history.
    pub async fn archive(
        self,
        caller: &Caller,
        id: ObjectiveId,
        version: i64,
        archived: bool,
    ) -> Result<ObjectiveView, AppError> {
        let id = id.get();
        let mut tx = self.app.write(caller.workspace).await?;
        let row = self.archive_in(&mut tx, caller, id, version, archived).await?;
        tx.commit().await?;
        self.written_view(caller, row, archived).await
    }

    /// `app.objectives().archive` inside a transaction the caller commits; returns the
    /// row written.
    pub(crate) async fn archive_in(
        self,
        tx: &mut Tx,
        caller: &Caller,
        id: i64,
        version: i64,
        archived: bool,
    ) -> Result<ObjectiveRow, AppError> {
        let current = tx.objective(caller.workspace, id).await?.ok_or_else(|| not_found(id))?;
        require_visible(tx, caller, &current).await?;
        require(caller, Action::EditOkr { owner: current.owner_person_id })?;
        let fields = current.fields();
        let row = tx
            .update_objective(caller.workspace, id, version, &fields, archived, self.app.now_ms())
            .await
            .map_err(|e| on_update(e, "objective", id, version))?;
        record(
            tx,
            caller,
            if archived { "archive" } else { "restore" },
            "objective",
            id,
            Some(&current),
            Some(&row),
            self.app.now_ms(),
        )
        .await?;
        if archived && !current.archived {
            let event = crate::outbox::Event::ObjectiveArchived(crate::outbox::ObjectiveRef::of(&row));
            crate::outbox::emit(tx, caller.workspace, &event, self.app.now()).await?;
        }
        Ok(row)
    }

    /// Lists objectives with their key results.
    pub async fn list(self, caller: &Caller, query: ObjectiveQuery) -> Result<Paged<ObjectiveView>, AppError> {
        let page = ListParams { limit: query.limit, after: query.after.clone() }.page()?;
        let filter = ObjectiveFilter {
            cycle_id: query.cycle_id,
            owner_person_id: query.owner_person_id,
            owner_team_id: query.team_id,
            parent_objective_id: query.parent_objective_id,
            include_archived: query.include_archived,
        };
        let mut tx = self.app.store().read().await?;
        let now = self.app.now();
        let as_of = AsOfQuery { as_of: query.as_of.clone(), known: query.known };
        let past = match crate::as_of::check(&mut tx, caller.workspace, &as_of, now).await? {
            Some(as_of) => Some(crate::as_of::Past::load(&mut tx, caller.workspace, as_of).await?),
            None => None,
        };
        // As of a past instant, an objective archived since may have been live then.
        let filter = ObjectiveFilter { include_archived: filter.include_archived || past.is_some(), ..filter };
        let generation = tx.generation(caller.workspace).await?;
        let hidden = hidden_objectives_in(self.app, &mut tx, caller, generation).await?;
        if query.parent_objective_id.is_some_and(|p| hidden.contains(&p)) {
            return Ok(Paged::new(Vec::new(), None, false));
        }
        let mut walk = page::FilteredWalk::new(page);
        loop {
            let rows = tx.list_objectives(caller.workspace, &filter, walk.next_page()).await?;
            let (count, last_id) = (rows.len(), rows.last().map(|r| r.id));
            let rows: Vec<ObjectiveRow> = rows.into_iter().filter(|r| !hidden.contains(&r.id)).collect();
            let at = (generation, now, past.as_ref());
            let views = views(self.app, &mut tx, caller, rows, at, query.include_archived).await?;
            let keep = |v: &ObjectiveView| {
                query.status.is_none_or(|s| s == v.status) && (query.include_archived || !v.archived)
            };
            if let Some(done) = walk.take(page::Batch { views, rows: count, last_id }, keep, |v| v.id.get()) {
                return Ok(done);
            }
        }
    }

    /// Every objective of a cycle that the caller may see (archived ones left out, as
    /// `app.objectives().list` leaves them out), in id order, each with its key results
    /// (archived ones left out), from the read model. For pages that show a whole cycle
    /// several ways: the same objectives and key results as the list calls filtered by
    /// cycle, with the same numbers. [`Objectives::list_in_cycle_shared`] is the same
    /// without a copy.
    pub async fn list_in_cycle(self, caller: &Caller, cycle_id: CycleId) -> Result<Vec<ObjectiveView>, AppError> {
        let shared = self.list_in_cycle_shared(caller, cycle_id).await?;
        Ok(shared.iter().map(|view| ObjectiveView::clone(view)).collect())
    }

    /// [`Objectives::list_in_cycle`], each objective shared with the read model: as
    /// cheap for a cycle of 12,000 objectives as a copy of as many pointers.
    pub async fn list_in_cycle_shared(
        self,
        caller: &Caller,
        cycle_id: CycleId,
    ) -> Result<Vec<Arc<ObjectiveView>>, AppError> {
        self.list_in_cycle_as_of(caller, cycle_id, None).await
    }

    /// [`Objectives::list_in_cycle_shared`] as the cycle stood at `as_of` (a checked
    /// instant, checked by `app.workspaces().as_of`), or live when `None`: the
    /// objectives that existed then and were not archived then, evaluated at that
    /// instant from the rows (not from the read model).
    pub async fn list_in_cycle_as_of(
        self,
        caller: &Caller,
        cycle_id: CycleId,
        as_of: Option<crate::as_of::AsOf>,
    ) -> Result<Vec<Arc<ObjectiveView>>, AppError> {
        let cycle_id = cycle_id.get();
        let mut tx = self.app.store().read().await?;
        let now = self.app.now();
        let generation = tx.generation(caller.workspace).await?;
        let hidden = hidden_objectives_in(self.app, &mut tx, caller, generation).await?;
        if let Some(as_of) = as_of {
            let past = crate::as_of::Past::load(&mut tx, caller.workspace, as_of).await?;
            let model = crate::read_model::cycle_model(&mut tx, caller.workspace, cycle_id, generation, &past).await?;
            let mut rows: Vec<&ObjectiveRow> = model
                .data
                .objectives
                .iter()
                .filter(|o| o.cycle_id == cycle_id && !o.archived && !hidden.contains(&o.id))
                .collect();
            rows.sort_by_key(|o| o.id);
            return Ok(rows.into_iter().map(|row| Arc::new(view(row.clone(), &model, false))).collect());
        }
        let model = self.app.read_model().cycle(&mut tx, caller.workspace, cycle_id, generation, now).await?;
        let views = shared_views(&model);
        Ok(views.iter().filter(|view| !hidden.contains(&view.id.get())).cloned().collect())
    }
}

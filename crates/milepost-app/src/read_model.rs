//! The read model: each server keeps the cycles people read evaluated in memory, so
//! that a page costs what it shows rather than the whole cycle and all its check-ins.
//!
//! Correctness rests on the workspace's generation (`workspaces.generation`): every
//! write transaction that changes what the model holds bumps it just before it commits
//! (`App::write` and its siblings), and writes what it changed beside it. A read checks,
//! inside its own read transaction, the workspace's generation; a model older than that
//! catches up before it answers, either by refreshing the few key results the newer
//! generations name (a check-in, a measurement) or, for any other change, by reading the
//! cycle again. So an acknowledged write shows on the next read on every server, and a
//! model is never older than the transaction that reads it.
//!
//! The numbers also depend on the time (expected progress, due check-ins); a model is
//! evaluated again from what it holds once it is [`TIME_STEP`] old, by one request while
//! the others serve the numbers of up to [`GRACE`] ago.
//!
//! One loader per cycle at a time: a request that finds the model stale waits for the
//! loader under way rather than loading the same cycle beside it.

use crate::AppError;
use crate::evaluation::{CycleData, Evaluation, evaluate, evaluate_changed, histories_of, kpi_values_in, reads_kpi};
use crate::person::{Directory, PersonView};
use crate::team::TeamView;
use jiff::{SignedDuration, Timestamp};
use milepost_core::WorkspaceId;
use milepost_store::{Change, KeyResultRow, ObjectiveRow, Page, PersonFilter, TeamFilter, Tx};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

/// How long evaluated numbers serve before they are computed again at the new time: a
/// minute of a quarter moves expected progress by about 0.001 percentage points.
pub(crate) const TIME_STEP: SignedDuration = SignedDuration::from_secs(60);

/// How many cycles a server keeps; the least recently read goes first.
const CYCLES_KEPT: usize = 16;

/// How many workspaces' people, teams and derived values a server keeps; past that, one
/// taken at random makes room (it is read again when next asked for).
const WORKSPACES_KEPT: usize = 64;

/// Makes room in `map` for `key` by dropping one other entry when it holds
/// `WORKSPACES_KEPT` or more.
fn make_room<K: Eq + std::hash::Hash + Copy, V>(map: &mut HashMap<K, V>, key: &K) {
    if map.len() >= WORKSPACES_KEPT && !map.contains_key(key) {
        let other = map.keys().next().copied();
        if let Some(other) = other {
            map.remove(&other);
        }
    }
}

/// Above this many changed key results, a model reads its cycle again instead.
const REFRESH_MAX: usize = 500;

/// One cycle, evaluated.
pub(crate) struct CycleModel {
    /// The workspace's generation the model is at least as new as.
    pub generation: i64,
    /// What it was computed from.
    pub data: CycleData,
    /// The numbers.
    pub evaluation: Evaluation,
    /// The time the numbers are computed at.
    pub evaluated_at: Timestamp,
    /// Key results by objective, in the order the cycle's data holds them (their
    /// positions in `data.key_results`).
    pub key_results_of: HashMap<i64, Vec<usize>>,
    /// What another module derives from the model once (the objectives' views), built
    /// by the first read that needs it.
    pub derived: std::sync::OnceLock<Arc<dyn std::any::Any + Send + Sync>>,
}

impl CycleModel {
    pub(crate) fn new(generation: i64, data: CycleData, evaluation: Evaluation, evaluated_at: Timestamp) -> CycleModel {
        let mut key_results_of: HashMap<i64, Vec<usize>> = HashMap::new();
        for (at, row) in data.key_results.iter().enumerate() {
            key_results_of.entry(row.objective_id).or_default().push(at);
        }
        CycleModel { generation, data, evaluation, evaluated_at, key_results_of, derived: std::sync::OnceLock::new() }
    }

    /// The key results of an objective, archived ones too.
    pub fn key_results(&self, objective: i64) -> impl Iterator<Item = &Arc<KeyResultRow>> {
        self.key_results_of.get(&objective).into_iter().flatten().filter_map(|at| self.data.key_results.get(*at))
    }

    /// Whether its numbers may serve at `now`: computed at most [`TIME_STEP`] before.
    fn timely(&self, now: Timestamp) -> bool {
        timely(self.evaluated_at, now)
    }

    fn fresh(&self, generation: i64, now: Timestamp) -> bool {
        self.generation >= generation && self.timely(now)
    }
}

/// Whether numbers computed at `at` may serve at `now`: at most [`TIME_STEP`] before,
/// and not after (a clock turned back computes again).
fn timely(at: Timestamp, now: Timestamp) -> bool {
    at <= now && now.duration_since(at) <= TIME_STEP
}

/// How old numbers may be served while a request computes them again at the new time.
const GRACE: SignedDuration = SignedDuration::from_secs(300);

/// Whether numbers computed at `at` may still serve at `now` while fresher ones are
/// computed: not after [`GRACE`], and not on a clock turned back.
fn within_grace(at: Timestamp, now: Timestamp) -> bool {
    at <= now && now.duration_since(at) <= GRACE
}

#[derive(Default)]
struct Slot {
    /// Held while the cycle loads or catches up.
    loader: Arc<tokio::sync::Mutex<()>>,
    current: Option<Arc<CycleModel>>,
    last_read: u64,
}

/// What the read model keeps of a workspace besides its cycles: its directory, and what
/// deciding who sees a team-only objective needs.
pub(crate) struct WorkspaceModel {
    generation: i64,
    /// People and teams not archived, for pages.
    pub directory: Directory,
    /// Every person's team, archived people too.
    pub team_of_person: HashMap<i64, Option<i64>>,
    /// The objectives visible to their team only.
    pub team_only: Vec<ObjectiveRow>,
}

impl WorkspaceModel {
    async fn load(tx: &mut Tx, workspace: WorkspaceId, generation: i64) -> Result<WorkspaceModel, AppError> {
        let everyone = PersonFilter { include_archived: true, ..Default::default() };
        let people = tx.list_people(workspace, &everyone, Page::ALL).await?;
        let teams =
            tx.list_teams(workspace, &TeamFilter { include_archived: true, ..Default::default() }, Page::ALL).await?;
        let team_only = tx.team_only_objectives(workspace).await?;
        let team_of_person = people.iter().map(|p| (p.id, p.team_id)).collect();
        let mut team_order: Vec<i64> = teams.iter().filter(|t| !t.archived).map(|t| t.id).collect();
        team_order.sort_unstable();
        let directory = Directory {
            people: Arc::new(people.into_iter().filter(|p| !p.archived).map(|p| (p.id, PersonView::from(p))).collect()),
            teams: Arc::new(teams.into_iter().filter(|t| !t.archived).map(|t| (t.id, TeamView::from(t))).collect()),
            team_order: Arc::new(team_order),
        };
        Ok(WorkspaceModel { generation, directory, team_of_person, team_only })
    }
}

/// The evaluated cycles of this server.
#[derive(Default)]
pub(crate) struct ReadModel {
    cycles: Mutex<Cycles>,
    workspaces: Mutex<HashMap<WorkspaceId, Arc<WorkspaceModel>>>,
    /// Held while a workspace's model loads.
    workspace_loader: tokio::sync::Mutex<()>,
    /// Values other modules derive from a whole workspace (the KPI board), by
    /// workspace and name, with the generation and time they were computed at.
    derived: Mutex<HashMap<(WorkspaceId, &'static str), Derived>>,
}

type Derived = (i64, Timestamp, Arc<dyn std::any::Any + Send + Sync>);

#[derive(Default)]
struct Cycles {
    slots: HashMap<(WorkspaceId, i64), Slot>,
    reads: u64,
}

impl std::fmt::Debug for ReadModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadModel").finish_non_exhaustive()
    }
}

impl ReadModel {
    fn slot(&self, key: (WorkspaceId, i64)) -> (Option<Arc<CycleModel>>, Arc<tokio::sync::Mutex<()>>) {
        let mut cycles = self.cycles.lock().unwrap_or_else(PoisonError::into_inner);
        cycles.reads += 1;
        let reads = cycles.reads;
        if !cycles.slots.contains_key(&key) && cycles.slots.len() >= CYCLES_KEPT {
            let oldest = cycles.slots.iter().min_by_key(|(_, slot)| slot.last_read).map(|(key, _)| *key);
            if let Some(oldest) = oldest {
                cycles.slots.remove(&oldest);
            }
        }
        let slot = cycles.slots.entry(key).or_default();
        slot.last_read = reads;
        (slot.current.clone(), Arc::clone(&slot.loader))
    }

    fn store(&self, key: (WorkspaceId, i64), model: &Arc<CycleModel>) {
        let mut cycles = self.cycles.lock().unwrap_or_else(PoisonError::into_inner);
        let slot = cycles.slots.entry(key).or_default();
        let newer = slot
            .current
            .as_ref()
            .is_none_or(|current| (current.generation, current.evaluated_at) <= (model.generation, model.evaluated_at));
        if newer {
            slot.current = Some(Arc::clone(model));
        }
    }

    /// The value named `name` derived from `workspace`, if one was computed at the
    /// workspace's `generation` (any write may change it) at most [`TIME_STEP`] before
    /// `now`.
    pub fn derived<T: std::any::Any + Send + Sync>(
        &self,
        workspace: WorkspaceId,
        name: &'static str,
        generation: i64,
        now: Timestamp,
    ) -> Option<Arc<T>> {
        let derived = self.derived.lock().unwrap_or_else(PoisonError::into_inner);
        let (at_generation, at, value) = derived.get(&(workspace, name))?;
        (*at_generation == generation && timely(*at, now)).then(|| Arc::clone(value).downcast::<T>().ok()).flatten()
    }

    /// Keeps `value` as the value named `name` of `workspace` at `generation`, computed
    /// at `now`, unless a newer one is kept.
    pub fn keep_derived<T: std::any::Any + Send + Sync>(
        &self,
        workspace: WorkspaceId,
        name: &'static str,
        generation: i64,
        now: Timestamp,
        value: Arc<T>,
    ) {
        let mut derived = self.derived.lock().unwrap_or_else(PoisonError::into_inner);
        // A reader whose transaction began before the last write must not put back an
        // older value over a newer one.
        if derived.get(&(workspace, name)).is_some_and(|(kept, at, _)| (*kept, *at) > (generation, now)) {
            return;
        }
        make_room(&mut derived, &(workspace, name));
        derived.insert((workspace, name), (generation, now, value));
    }

    /// The people, teams and team-only objectives of `workspace`, at least as new as
    /// `generation`, the workspace's generation as `tx` sees it (`tx.generation`, read
    /// once per request by the caller).
    pub async fn workspace(
        &self,
        tx: &mut Tx,
        workspace: WorkspaceId,
        generation: i64,
    ) -> Result<Arc<WorkspaceModel>, AppError> {
        let current = || self.workspaces.lock().unwrap_or_else(PoisonError::into_inner).get(&workspace).cloned();
        if let Some(model) = current().filter(|m| m.generation >= generation) {
            return Ok(model);
        }
        let _turn = self.workspace_loader.lock().await;
        let next = match current() {
            Some(model) if model.generation >= generation => return Ok(model),
            // Check-ins and measurements change nothing it holds.
            Some(model) if only_key_results_changed(tx, workspace, model.generation, generation).await?.is_some() => {
                Arc::new(WorkspaceModel {
                    generation,
                    directory: model.directory.clone(),
                    team_of_person: model.team_of_person.clone(),
                    team_only: model.team_only.clone(),
                })
            }
            _ => Arc::new(WorkspaceModel::load(tx, workspace, generation).await?),
        };
        let mut workspaces = self.workspaces.lock().unwrap_or_else(PoisonError::into_inner);
        if workspaces.get(&workspace).is_none_or(|m| m.generation < next.generation) {
            make_room(&mut workspaces, &workspace);
            workspaces.insert(workspace, Arc::clone(&next));
        }
        Ok(next)
    }

    /// The cycle `cycle_id` of `workspace`, evaluated, at least as new as `generation`
    /// (the workspace's generation as `tx` sees it).
    pub async fn cycle(
        &self,
        tx: &mut Tx,
        workspace: WorkspaceId,
        cycle_id: i64,
        generation: i64,
        now: Timestamp,
    ) -> Result<Arc<CycleModel>, AppError> {
        let key = (workspace, cycle_id);
        let (current, loader) = self.slot(key);
        let _turn = match current {
            Some(model) if model.fresh(generation, now) => return Ok(model),
            // Only the time moved on: while one request computes the numbers again, the
            // others serve those of a few minutes ago rather than queue behind it.
            Some(model) if model.generation >= generation && within_grace(model.evaluated_at, now) => {
                match loader.try_lock() {
                    Ok(turn) => turn,
                    Err(_) => return Ok(model),
                }
            }
            _ => loader.lock().await,
        };
        let (current, _) = self.slot(key);
        let next = match current {
            Some(model) if model.fresh(generation, now) => return Ok(model),
            Some(model) if model.generation >= generation => {
                Arc::new(CycleModel::new(model.generation, model.data.clone(), evaluate(&model.data, now), now))
            }
            Some(model) => match catch_up(tx, workspace, &model, generation, now).await? {
                Some(next) => Arc::new(next),
                None => Arc::new(load(tx, workspace, cycle_id, generation, now).await?),
            },
            None => Arc::new(load(tx, workspace, cycle_id, generation, now).await?),
        };
        self.store(key, &next);
        Ok(next)
    }
}

async fn load(
    tx: &mut Tx,
    workspace: WorkspaceId,
    cycle_id: i64,
    generation: i64,
    now: Timestamp,
) -> Result<CycleModel, AppError> {
    let cycle = tx
        .cycle(workspace, cycle_id)
        .await?
        .ok_or_else(|| AppError::NotFound { what: "cycle", id: cycle_id.to_string() })?;
    let data = CycleData::load(tx, workspace, cycle).await?;
    let evaluation = evaluate(&data, now);
    Ok(CycleModel::new(generation, data, evaluation, now))
}

/// The model brought to `generation` by refreshing the key results the newer
/// generations changed; `None` when they changed more than that (or their record was
/// pruned), and the cycle must be read again.
async fn catch_up(
    tx: &mut Tx,
    workspace: WorkspaceId,
    model: &CycleModel,
    generation: i64,
    now: Timestamp,
) -> Result<Option<CycleModel>, AppError> {
    let Some(changed) = only_key_results_changed(tx, workspace, model.generation, generation).await? else {
        return Ok(None);
    };
    let positions: HashMap<i64, usize> =
        model.data.key_results.iter().enumerate().map(|(at, row)| (row.id, at)).collect();
    // Key results this cycle does not hold (other cycles') change nothing here.
    let held: Vec<i64> = changed.into_iter().filter(|id| positions.contains_key(id)).collect();
    if held.len() > REFRESH_MAX {
        return Ok(None);
    }
    let mut data = model.data.clone();
    let cycle_of_objective: HashMap<i64, i64> = data.objectives.iter().map(|o| (o.id, o.cycle_id)).collect();
    for id in &held {
        let Some(row) = tx.key_result(workspace, *id).await? else {
            return Ok(None);
        };
        let at = positions[id];
        if data.key_results[at].objective_id != row.objective_id {
            return Ok(None);
        }
        if let (Some(kpi), Some(cycle_id)) = (reads_kpi(&row), cycle_of_objective.get(&row.objective_id)) {
            let own = if *cycle_id == data.cycle.id { Some(&data.cycle) } else { data.other_cycles.get(cycle_id) };
            if let Some(own) = own {
                let values = kpi_values_in(tx, workspace, kpi, own).await?;
                data.kpi_values.insert((kpi, *cycle_id), values);
            }
        }
        data.key_results[at] = Arc::new(row);
    }
    let check_ins = tx.check_ins_of(workspace, &held).await?;
    let mut histories = histories_of(check_ins);
    for id in &held {
        match histories.remove(id) {
            Some(history) => data.histories.insert(*id, history),
            None => data.histories.remove(id),
        };
    }
    let changed: HashSet<i64> = held.into_iter().collect();
    let (evaluation, evaluated_at) = if model.timely(now) {
        (evaluate_changed(&data, &model.evaluation, &changed, model.evaluated_at), model.evaluated_at)
    } else {
        (evaluate(&data, now), now)
    };
    Ok(Some(CycleModel::new(generation, data, evaluation, evaluated_at)))
}

/// The key results whose values changed from generation `after` to `up_to`, when that
/// is all that changed; `None` when anything else did, or the record of a generation
/// between them was pruned.
async fn only_key_results_changed(
    tx: &mut Tx,
    workspace: WorkspaceId,
    after: i64,
    up_to: i64,
) -> Result<Option<BTreeSet<i64>>, AppError> {
    let changes = tx.changes_between(workspace, after, up_to).await?;
    let complete = usize::try_from(up_to - after).is_ok_and(|n| n == changes.len());
    if !complete {
        return Ok(None);
    }
    let mut changed = BTreeSet::new();
    for row in changes {
        match row.change {
            Change::KeyResults(ids) => changed.extend(ids),
            Change::Everything => return Ok(None),
        }
    }
    Ok(Some(changed))
}

/// A cycle as it stood at the past's instant, evaluated at that instant: built for one
/// request, never kept in the read model.
pub(crate) async fn cycle_model(
    tx: &mut Tx,
    workspace: WorkspaceId,
    cycle_id: i64,
    generation: i64,
    past: &crate::as_of::Past,
) -> Result<Arc<CycleModel>, AppError> {
    let cycle = tx
        .cycle(workspace, cycle_id)
        .await?
        .ok_or_else(|| AppError::NotFound { what: "cycle", id: cycle_id.to_string() })?;
    let data = CycleData::load_at(tx, workspace, cycle, Some(past)).await?;
    let evaluation = evaluate(&data, past.at());
    Ok(Arc::new(CycleModel::new(generation, data, evaluation, past.at())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_map_drops_one_other_entry_to_make_room() {
        let mut map: HashMap<i64, ()> = (0..WORKSPACES_KEPT as i64).map(|k| (k, ())).collect();
        make_room(&mut map, &3);
        assert_eq!(map.len(), WORKSPACES_KEPT, "a key already there needs no room");
        make_room(&mut map, &1_000);
        map.insert(1_000, ());
        assert_eq!(map.len(), WORKSPACES_KEPT);
        assert!(map.contains_key(&1_000));
    }

    #[test]
    fn numbers_serve_for_a_minute_and_no_earlier() {
        let at: Timestamp = "2026-12-07T12:00:00Z".parse().unwrap();
        assert!(timely(at, at));
        assert!(timely(at, at.checked_add(TIME_STEP).unwrap()));
        assert!(!timely(at, at.checked_add(TIME_STEP + SignedDuration::from_secs(1)).unwrap()));
        assert!(
            !timely(at, at.checked_sub(SignedDuration::from_secs(1)).unwrap()),
            "nor before, on a clock turned back"
        );
    }
}

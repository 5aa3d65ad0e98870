//! The plan of a carry: the cycles checked, the objectives chosen (parents first), each
//! one's key results with the start its copy takes, its initiatives not done, and how
//! its copy aligns. Reads only, so that a preview and a carry decide the same way.

use super::{
    AlignedBy, CarriedAlignment, CarriedKeyResult, CarriedObjective, CarryOutcome, CarryRequest, CarryScope,
    SkippedKeyResult,
};
use crate::Caller;
use crate::cycle::period_of;
use crate::error::{AppError, Path, Problems};
use crate::key_result::KeyResultView;
use crate::objective::ObjectiveView;
use crate::permission::{Action, allows, require, require_visible};
use milepost_core::key_result::{MeasureError, MeasureSpec};
use milepost_core::{CycleStatus, InitiativeStatus, KeyResultKind, Measure};
use milepost_store::{CycleFilter, CycleRow, Page, Tx};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Everything a carry will do, decided before anything is written.
pub(super) struct Plan {
    pub source: CycleRow,
    pub target: CycleRow,
    /// Parents before the objectives aligned to them.
    pub objectives: Vec<PlannedObjective>,
}

/// One objective to carry.
pub(super) struct PlannedObjective {
    pub origin: Arc<ObjectiveView>,
    /// The copy made by an earlier carry into the same cycle: nothing more is written.
    pub existing: Option<Existing>,
    pub key_results: Vec<PlannedKeyResult>,
    pub skipped: Vec<SkippedKeyResult>,
    /// Initiatives not done that roll up to a chosen key result: (initiative, the key
    /// results it rolls up to now).
    pub initiatives: Vec<(i64, Vec<i64>)>,
    pub parent: PlannedParent,
}

/// A copy that exists already.
pub(super) struct Existing {
    pub objective_id: i64,
    pub parent_objective_id: Option<i64>,
    pub parent_key_result_id: Option<i64>,
    /// Its key results that are copies: (copy, origin).
    pub key_results: Vec<(i64, i64)>,
}

/// One key result of an objective to carry.
pub(super) struct PlannedKeyResult {
    pub origin: KeyResultView,
    /// The copy's start.
    pub start: Option<f64>,
    /// Whether it is copied.
    pub selected: bool,
}

/// Where a copy will align.
pub(super) enum PlannedParent {
    /// The origin had none.
    Unaligned,
    /// The request gave one.
    Given(i64),
    /// The copy of the origin's parent: carried by this request (known once written)
    /// or earlier (its id).
    Carried { origin_parent: i64, copy: Option<i64> },
    /// The origin's own parent (and key result), still open.
    Original { objective: i64, key_result: Option<i64> },
    /// A person must choose.
    Asks,
}

fn conflict(code: &'static str, detail: String) -> AppError {
    AppError::Conflict { code, detail, location: None }
}

/// Decides a carry; see the module docs. `views` are the source cycle's objectives the
/// caller may see, from the read model.
pub(super) async fn plan(
    tx: &mut Tx,
    caller: &Caller,
    source_id: i64,
    views: &[Arc<ObjectiveView>],
    request: &CarryRequest,
) -> Result<Plan, AppError> {
    let ws = caller.workspace;
    // Whoever may not edit even their own objectives (a viewer, a token of a member)
    // may not carry any.
    if !allows(caller, Action::EditOkr { owner: caller.person }) {
        require(caller, Action::EditOkr { owner: None })?;
    }
    let source = tx
        .cycle(ws, source_id)
        .await?
        .ok_or_else(|| AppError::NotFound { what: "cycle", id: source_id.to_string() })?;
    if source.status != CycleStatus::Closed {
        return Err(conflict(
            "cycle_not_closed",
            format!("cycle {} is not closed: objectives are carried over from a closed cycle", source.slug),
        ));
    }
    let target = target_cycle(tx, caller, &source, request.target_cycle_id).await?;
    let mut problems = Problems::new();
    let by_id: HashMap<i64, &Arc<ObjectiveView>> = views.iter().map(|v| (v.id.get(), v)).collect();
    let unfinished = |v: &ObjectiveView| v.score.and_then(|s| s.succeeded) == Some(false);
    let mayedit = |v: &ObjectiveView| allows(caller, Action::EditOkr { owner: v.owner_person_id });
    let chosen: Vec<&Arc<ObjectiveView>> = match &request.scope {
        CarryScope::AllUnfinished => views.iter().filter(|v| unfinished(v) && mayedit(v)).collect(),
        CarryScope::TeamId(team) => {
            if !tx.exists("teams", ws, *team).await? {
                problems.push("/scope/team_id", format!("there is no team {team} in this workspace"));
            }
            let mut team_of: HashMap<i64, Option<i64>> = HashMap::new();
            let mut chosen = Vec::new();
            for view in views.iter().filter(|v| unfinished(v) && mayedit(v)) {
                let counts_for = match (view.owner_team_id, view.owner_person_id) {
                    (Some(owner), _) => Some(owner),
                    (None, Some(person)) => match team_of.get(&person) {
                        Some(team) => *team,
                        None => {
                            let team = tx.person(ws, person).await?.and_then(|p| p.team_id);
                            team_of.insert(person, team);
                            team
                        }
                    },
                    (None, None) => None,
                };
                if counts_for == Some(*team) {
                    chosen.push(view);
                }
            }
            chosen
        }
        CarryScope::ObjectiveIds(ids) => {
            if ids.is_empty() {
                problems.push("/scope/objective_ids", "name at least one objective to carry");
            }
            let mut seen = HashSet::new();
            let mut chosen = Vec::new();
            for (index, id) in ids.iter().enumerate() {
                match by_id.get(id) {
                    None => problems.push(
                        Path::root().field("scope").field("objective_ids").index(index),
                        format!("there is no objective {id} in cycle {}", source.slug),
                    ),
                    Some(view) if seen.insert(*id) => {
                        require(caller, Action::EditOkr { owner: view.owner_person_id })?;
                        chosen.push(*view);
                    }
                    Some(_) => {}
                }
            }
            chosen
        }
    };
    let chosen_ids: HashSet<i64> = chosen.iter().map(|v| v.id.get()).collect();
    let target_period = period_of(&target);
    let mut overrides = HashMap::new();
    for (index, choice) in request.overrides.iter().enumerate() {
        let at = Path::root().field("overrides").index(index);
        let Some(view) = by_id.get(&choice.objective_id).filter(|_| chosen_ids.contains(&choice.objective_id)) else {
            problems.push(
                at.field("objective_id"),
                format!("objective {} is not among the objectives carried", choice.objective_id),
            );
            continue;
        };
        if overrides.insert(choice.objective_id, choice).is_some() {
            problems.push(at.clone().field("objective_id"), "this objective has two overrides");
        }
        for (k, id) in choice.key_result_ids.iter().flatten().enumerate() {
            if !view.key_results.iter().any(|kr| kr.id.get() == *id) {
                problems.push(
                    at.clone().field("key_result_ids").index(k),
                    format!("key result {id} is not a key result of objective {}", choice.objective_id),
                );
            }
        }
        if let Some(parent) = choice.parent_objective_id {
            let row = tx.objective(ws, parent).await?;
            let visible = match &row {
                Some(row) => require_visible(tx, caller, row).await.is_ok() && !row.archived,
                None => false,
            };
            let cycle = match row.filter(|_| visible) {
                Some(row) => tx.cycle(ws, row.cycle_id).await?,
                None => None,
            };
            let fits = cycle.as_ref().is_some_and(|c| {
                let p = period_of(c);
                c.status != CycleStatus::Closed && p.start() <= target_period.start() && p.end() >= target_period.end()
            });
            if cycle.is_none() {
                problems
                    .push(at.field("parent_objective_id"), format!("there is no objective {parent} in this workspace"));
            } else if !fits {
                problems.push(
                    at.field("parent_objective_id"),
                    format!(
                        "objective {parent} is not in an open cycle that covers {}: align to an objective of it or of a longer open cycle around it",
                        target.slug
                    ),
                );
            }
        }
    }
    problems.finish()?;

    let mut objectives = Vec::with_capacity(chosen.len());
    for view in parents_first(&chosen) {
        let id = view.id.get();
        let choice = overrides.get(&id);
        let existing = existing_copy(tx, caller, id, target.id).await?;
        let wanted: Option<HashSet<i64>> =
            choice.and_then(|c| c.key_result_ids.as_ref()).map(|ids| ids.iter().copied().collect());
        let mut key_results = Vec::new();
        let mut skipped = Vec::new();
        for kr in &view.key_results {
            let selected = match &wanted {
                Some(ids) => ids.contains(&kr.id.get()),
                None => kr.progress < 1.0,
            };
            let start = start_of(tx, caller, kr, &target).await?;
            match check_measure(kr, start) {
                Err(error) if selected => skipped.push(skip(kr, &error)),
                _ => key_results.push(PlannedKeyResult { origin: kr.clone(), start, selected }),
            }
        }
        let origin_ids: Vec<i64> = key_results.iter().filter(|k| k.selected).map(|k| k.origin.id.get()).collect();
        let mut initiatives = Vec::new();
        for initiative in tx.initiatives_of_key_results(ws, &origin_ids).await? {
            if initiative.archived || !matches!(initiative.status, InitiativeStatus::Planned | InitiativeStatus::Active)
            {
                continue;
            }
            let links = tx.initiative_key_results(ws, initiative.id).await?;
            initiatives.push((initiative.id, links));
        }
        let parent = match choice.and_then(|c| c.parent_objective_id) {
            Some(given) => PlannedParent::Given(given),
            None => parent_of(tx, caller, view, &chosen_ids, &target).await?,
        };
        objectives.push(PlannedObjective {
            origin: Arc::clone(view),
            existing,
            key_results,
            skipped,
            initiatives,
            parent,
        });
    }
    Ok(Plan { source, target, objectives })
}

/// The cycle to carry into: the one given, or the next open one by start date.
async fn target_cycle(
    tx: &mut Tx,
    caller: &Caller,
    source: &CycleRow,
    given: Option<i64>,
) -> Result<CycleRow, AppError> {
    let ws = caller.workspace;
    let target = match given {
        Some(id) => tx.cycle(ws, id).await?.ok_or_else(|| {
            AppError::invalid("/target_cycle_id", format!("there is no cycle {id} in this workspace"))
        })?,
        None => tx
            .list_cycles(ws, &CycleFilter { status: None, include_archived: false }, Page::ALL)
            .await?
            .into_iter()
            .filter(|c| c.status != CycleStatus::Closed && c.id != source.id && c.start_date > source.start_date)
            .min_by_key(|c| (c.start_date, c.end_date, c.id))
            .ok_or_else(|| {
                conflict(
                    "no_target_cycle",
                    format!("no open cycle starts after {}: create the next cycle first", source.slug),
                )
            })?,
    };
    check_target(source, &target)?;
    Ok(target)
}

/// Refuses a target that is the source, archived or closed.
fn check_target(source: &CycleRow, target: &CycleRow) -> Result<(), AppError> {
    if target.id == source.id {
        return Err(conflict("same_cycle", format!("cycle {} cannot be carried into itself", source.slug)));
    }
    if target.archived {
        return Err(conflict(
            "target_cycle_archived",
            format!("cycle {} is archived: carry into a cycle that is planned or active", target.slug),
        ));
    }
    if target.status == CycleStatus::Closed {
        return Err(conflict(
            "target_cycle_closed",
            format!("cycle {} is closed: carry into a cycle that is planned or active", target.slug),
        ));
    }
    Ok(())
}

/// The copy of `origin` that an earlier carry made in cycle `target`, if any.
async fn existing_copy(tx: &mut Tx, caller: &Caller, origin: i64, target: i64) -> Result<Option<Existing>, AppError> {
    let ws = caller.workspace;
    let Some(copy) = tx.carried_copy(ws, origin, target).await? else {
        return Ok(None);
    };
    let row = tx.objective(ws, copy).await?;
    let rows = tx.key_results_of_objectives(ws, &[copy]).await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    Ok(Some(Existing {
        objective_id: copy,
        parent_objective_id: row.as_ref().and_then(|r| r.parent_objective_id),
        parent_key_result_id: row.as_ref().and_then(|r| r.parent_key_result_id),
        key_results: tx.key_result_origins(ws, &ids).await?,
    }))
}

/// Checks again, inside the write transaction, what the plan (made in a read
/// transaction, so that SQLite's write lock is held only for the writes) rests on: the
/// source is still closed, the target still open, and a copy made since by another
/// carry is answered as existing rather than copied twice.
pub(super) async fn recheck(tx: &mut Tx, caller: &Caller, plan: &mut Plan) -> Result<(), AppError> {
    let ws = caller.workspace;
    let missing = |id: i64| AppError::NotFound { what: "cycle", id: id.to_string() };
    let source = tx.cycle(ws, plan.source.id).await?.ok_or_else(|| missing(plan.source.id))?;
    if source.status != CycleStatus::Closed {
        return Err(conflict(
            "cycle_not_closed",
            format!("cycle {} is not closed: objectives are carried over from a closed cycle", source.slug),
        ));
    }
    let target = tx.cycle(ws, plan.target.id).await?.ok_or_else(|| missing(plan.target.id))?;
    check_target(&source, &target)?;
    let target_id = target.id;
    (plan.source, plan.target) = (source, target);
    for planned in plan.objectives.iter_mut().filter(|o| o.existing.is_none()) {
        planned.existing = existing_copy(tx, caller, planned.origin.id.get(), target_id).await?;
    }
    Ok(())
}

/// The chosen objectives, each after its chosen parent (and that parent's).
fn parents_first<'a>(chosen: &[&'a Arc<ObjectiveView>]) -> Vec<&'a Arc<ObjectiveView>> {
    let by_id: HashMap<i64, &'a Arc<ObjectiveView>> = chosen.iter().map(|v| (v.id.get(), *v)).collect();
    let mut done = HashSet::new();
    let mut order = Vec::with_capacity(chosen.len());
    for view in chosen {
        let mut chain = vec![*view];
        let mut cursor = view.parent_objective_id;
        while let Some(parent) = cursor.and_then(|p| by_id.get(&p)) {
            if chain.iter().any(|v| v.id == parent.id) {
                break;
            }
            chain.push(*parent);
            cursor = parent.parent_objective_id;
        }
        for view in chain.into_iter().rev() {
            if done.insert(view.id) {
                order.push(view);
            }
        }
    }
    order
}

/// Where the copy of `view` aligns when the request does not say.
async fn parent_of(
    tx: &mut Tx,
    caller: &Caller,
    view: &ObjectiveView,
    chosen: &HashSet<i64>,
    target: &CycleRow,
) -> Result<PlannedParent, AppError> {
    let Some(parent) = view.parent_objective_id else {
        return Ok(PlannedParent::Unaligned);
    };
    if chosen.contains(&parent) {
        return Ok(PlannedParent::Carried { origin_parent: parent, copy: None });
    }
    if let Some(copy) = tx.carried_copy(caller.workspace, parent, target.id).await? {
        return Ok(PlannedParent::Carried { origin_parent: parent, copy: Some(copy) });
    }
    let Some(row) = tx.objective(caller.workspace, parent).await? else {
        return Ok(PlannedParent::Asks);
    };
    let Some(cycle) = tx.cycle(caller.workspace, row.cycle_id).await? else {
        return Ok(PlannedParent::Asks);
    };
    let (theirs, ours) = (period_of(&cycle), period_of(target));
    let open = cycle.status != CycleStatus::Closed && !row.archived;
    if open && theirs.start() <= ours.start() && theirs.end() >= ours.end() {
        return Ok(PlannedParent::Original { objective: parent, key_result: view.parent_key_result_id });
    }
    Ok(PlannedParent::Asks)
}

/// The start a copy of `kr` takes in `target`: an increase or decrease starts from the
/// value reached (a KPI-linked one from the KPI's value at the target's start, or its
/// latest before, SPEC §4's baselines); other kinds keep their start.
async fn start_of(
    tx: &mut Tx,
    caller: &Caller,
    kr: &KeyResultView,
    target: &CycleRow,
) -> Result<Option<f64>, AppError> {
    if !matches!(kr.kind, KeyResultKind::Increase | KeyResultKind::Decrease) {
        return Ok(kr.start);
    }
    if let Some(kpi) = kr.kpi_id {
        let at = period_of(target).starts_at().as_millisecond();
        if let Some(measurement) = tx.latest_measurement(caller.workspace, kpi, at).await? {
            return Ok(Some(measurement.value));
        }
    }
    Ok(kr.current.or(kr.start))
}

/// Whether a copy of `kr` starting at `start` is a key result that can be built.
pub(super) fn check_measure(kr: &KeyResultView, start: Option<f64>) -> Result<Measure, MeasureError> {
    Measure::try_new(MeasureSpec {
        kind: Some(kr.kind),
        start,
        target: kr.target,
        range: kr.range.map(|[low, high]| (low, high)),
        comparator: kr.comparator,
        relative_change: None,
        delta: None,
    })
}

fn skip(kr: &KeyResultView, error: &MeasureError) -> SkippedKeyResult {
    let code = match error {
        MeasureError::StartEqualsTarget { .. } => "start_equals_target",
        MeasureError::WrongDirection { .. } => "target_passed",
        _ => "invalid",
    };
    let reason = match error {
        MeasureError::StartEqualsTarget { value } => {
            format!("the value reached, {value}, is already the target: there is nothing left to carry")
        }
        MeasureError::WrongDirection { start, target, .. } => {
            format!("the value reached, {start}, is already past the target {target}")
        }
        other => other.to_string(),
    };
    SkippedKeyResult { origin_key_result_id: kr.id.get(), title: kr.title.clone(), code: code.to_owned(), reason }
}

impl PlannedKeyResult {
    /// The answer's line for it.
    pub fn answer(&self, copy: Option<i64>) -> CarriedKeyResult {
        CarriedKeyResult {
            origin_key_result_id: self.origin.id.get(),
            copy_key_result_id: copy,
            title: self.origin.title.clone(),
            kind: self.origin.kind,
            progress: self.origin.progress,
            start: self.start,
            target: self.origin.target,
            selected: self.selected,
        }
    }
}

/// What was written for an objective: its copy, the key results copied as (copy,
/// origin), and the parent objective and key result the copy aligns to.
pub(super) type Written<'a> = (i64, &'a [(i64, i64)], Option<i64>, Option<i64>);

impl PlannedObjective {
    /// The answer for it, with what was written or, in a preview, nothing.
    pub fn answer(&self, written: Option<Written<'_>>, created: bool) -> CarriedObjective {
        let origin = &self.origin;
        let written = written.or_else(|| {
            self.existing
                .as_ref()
                .map(|e| (e.objective_id, e.key_results.as_slice(), e.parent_objective_id, e.parent_key_result_id))
        });
        let key_results = match written {
            Some((_, copies, _, _)) => self
                .key_results
                .iter()
                .filter_map(|k| {
                    copies.iter().find(|(_, o)| *o == k.origin.id.get()).map(|(copy, _)| k.answer(Some(*copy)))
                })
                .map(|mut k| {
                    k.selected = true;
                    k
                })
                .collect(),
            None => self.key_results.iter().map(|k| k.answer(None)).collect(),
        };
        let (by, parent_objective_id, parent_key_result_id) = match (&self.parent, written) {
            (_, Some((_, _, parent, parent_kr))) if self.existing.is_some() || created => {
                let by = match (&self.parent, parent) {
                    (PlannedParent::Unaligned, None) => AlignedBy::Unaligned,
                    (_, None) => AlignedBy::Asks,
                    (PlannedParent::Given(_), Some(_)) => AlignedBy::Given,
                    (_, Some(p)) if Some(p) == origin.parent_objective_id => AlignedBy::OriginalParent,
                    (_, Some(_)) => AlignedBy::CarriedParent,
                };
                (by, parent, parent_kr)
            }
            (PlannedParent::Unaligned, _) => (AlignedBy::Unaligned, None, None),
            (PlannedParent::Given(id), _) => (AlignedBy::Given, Some(*id), None),
            (PlannedParent::Carried { copy, .. }, _) => (AlignedBy::CarriedParent, *copy, None),
            (PlannedParent::Original { objective, key_result }, _) => {
                (AlignedBy::OriginalParent, Some(*objective), *key_result)
            }
            (PlannedParent::Asks, _) => (AlignedBy::Asks, None, None),
        };
        CarriedObjective {
            origin_objective_id: origin.id.get(),
            title: origin.title.clone(),
            owner_person_id: origin.owner_person_id,
            owner_team_id: origin.owner_team_id,
            score: origin.score,
            copy_objective_id: written.map(|w| w.0),
            created,
            key_results,
            skipped_key_results: if self.existing.is_some() && !created { Vec::new() } else { self.skipped.clone() },
            initiative_ids: self.initiatives.iter().map(|(id, _)| *id).collect(),
            alignment: CarriedAlignment {
                by,
                parent_objective_id,
                parent_key_result_id,
                origin_parent_objective_id: origin.parent_objective_id,
            },
        }
    }
}

impl Plan {
    /// The answer of a preview: what would be done, nothing written.
    pub fn outcome(&self, preview: bool) -> CarryOutcome {
        CarryOutcome {
            source_cycle_id: self.source.id,
            target_cycle_id: self.target.id,
            preview,
            objectives: self.objectives.iter().map(|o| o.answer(None, false)).collect(),
        }
    }
}

//! The writes of a carry, inside the caller's transaction: each copy (parents first, so
//! a child finds its parent's copy), its key results, their links to the initiatives not
//! done, and the audit trail: a `carry` event per copy and one for the request.

use super::CarryOutcome;
use super::plan::{Plan, PlannedParent};
use crate::Caller;
use crate::access::record;
use crate::cycle::period_of;
use crate::error::AppError;
use jiff::Timestamp;
use milepost_core::CycleStatus;
use milepost_store::{KeyResultFields, ObjectiveFields, Tx};
use serde::Serialize;
use std::collections::HashMap;

/// A row as the audit trail records a copy: the row and where it came from.
#[derive(Serialize)]
struct Copied<'a, T: Serialize> {
    #[serde(flatten)]
    row: &'a T,
    carried_from: i64,
}

/// What the audit trail records of the request itself.
#[derive(Serialize)]
struct Summary {
    target_cycle_id: i64,
    /// (origin, copy, created).
    objectives: Vec<(i64, Option<i64>, bool)>,
}

/// Writes what `plan` decided; answers what was done.
pub(super) async fn write(tx: &mut Tx, caller: &Caller, plan: Plan, now: Timestamp) -> Result<CarryOutcome, AppError> {
    let ws = caller.workspace;
    let now_ms = now.as_millisecond();
    let added_after_start = plan.target.status == CycleStatus::Active && now >= period_of(&plan.target).starts_at();
    // Origin → copy, for objectives and key results carried now or before.
    let mut objective_copies: HashMap<i64, i64> = HashMap::new();
    let mut key_result_copies: HashMap<i64, i64> = HashMap::new();
    let mut answers = Vec::with_capacity(plan.objectives.len());
    for planned in &plan.objectives {
        let origin = &planned.origin;
        let origin_id = origin.id.get();
        if let Some(existing) = &planned.existing {
            objective_copies.insert(origin_id, existing.objective_id);
            key_result_copies.extend(existing.key_results.iter().map(|(copy, from)| (*from, *copy)));
            answers.push(planned.answer(None, false));
            continue;
        }
        let (parent, parent_key_result) = match &planned.parent {
            PlannedParent::Unaligned | PlannedParent::Asks => (None, None),
            PlannedParent::Given(id) => (Some(*id), None),
            PlannedParent::Carried { origin_parent, copy } => {
                let parent = copy.or_else(|| objective_copies.get(origin_parent).copied());
                let key_result = origin.parent_key_result_id.and_then(|k| key_result_copies.get(&k).copied());
                (parent, key_result.filter(|_| parent.is_some()))
            }
            PlannedParent::Original { objective, key_result } => (Some(*objective), *key_result),
        };
        let fields = ObjectiveFields {
            cycle_id: plan.target.id,
            title: origin.title.clone(),
            description: origin.description.clone(),
            owner_person_id: origin.owner_person_id,
            owner_team_id: origin.owner_team_id,
            commitment: origin.commitment,
            parent_objective_id: parent,
            parent_key_result_id: parent_key_result,
            visibility: origin.visibility,
            rollup_children: origin.rollup_children,
        };
        let row = tx.insert_objective(ws, &fields, added_after_start, now_ms).await?;
        tx.set_objective_carried_from(ws, row.id, origin_id).await?;
        let after = Copied { row: &row, carried_from: origin_id };
        record(tx, caller, "carry", "objective", row.id, None::<&()>, Some(&after), now_ms).await?;
        objective_copies.insert(origin_id, row.id);
        let mut copied = Vec::new();
        for planned_kr in planned.key_results.iter().filter(|k| k.selected) {
            let kr = &planned_kr.origin;
            let fields = KeyResultFields {
                objective_id: row.id,
                title: kr.title.clone(),
                kind: kr.kind,
                metric: kr.metric.clone(),
                unit: kr.unit.clone(),
                start_value: planned_kr.start,
                target_value: kr.target,
                range_low: kr.range.map(|[low, _]| low),
                range_high: kr.range.map(|[_, high]| high),
                comparator: kr.comparator,
                // The target stands as a number now: the start moved to the value reached.
                relative_change: None,
                // The share of slices to meet carries over with the goal.
                required_share: kr.required_share,
                weight: kr.weight,
                owner_person_id: kr.owner_person_id,
                cadence: kr.cadence,
                kpi_id: kr.kpi_id,
                // A schedule's dates belong to the closed cycle.
                target_schedule: None,
            };
            let written = tx.insert_key_result(ws, &fields, added_after_start, now_ms).await?;
            tx.set_key_result_carried_from(ws, written.id, kr.id.get()).await?;
            let after = Copied { row: &written, carried_from: kr.id.get() };
            record(tx, caller, "carry", "key_result", written.id, None::<&()>, Some(&after), now_ms).await?;
            key_result_copies.insert(kr.id.get(), written.id);
            copied.push((written.id, kr.id.get()));
        }
        for (initiative, links) in &planned.initiatives {
            let mut next = links.clone();
            next.extend(links.iter().filter_map(|k| key_result_copies.get(k).copied()));
            next.sort_unstable();
            next.dedup();
            if next.len() == links.len() {
                continue;
            }
            tx.set_initiative_key_results(ws, *initiative, &next).await?;
            #[derive(Serialize)]
            struct Links<'a> {
                key_result_ids: &'a [i64],
            }
            let (before, after) = (Links { key_result_ids: links }, Links { key_result_ids: &next });
            record(tx, caller, "carry", "initiative", *initiative, Some(&before), Some(&after), now_ms).await?;
        }
        answers.push(planned.answer(Some((row.id, &copied, parent, parent_key_result)), true));
    }
    let summary = Summary {
        target_cycle_id: plan.target.id,
        objectives: answers.iter().map(|a| (a.origin_objective_id, a.copy_objective_id, a.created)).collect(),
    };
    record(tx, caller, "carry", "cycle", plan.source.id, None::<&()>, Some(&summary), now_ms).await?;
    Ok(CarryOutcome {
        source_cycle_id: plan.source.id,
        target_cycle_id: plan.target.id,
        preview: false,
        objectives: answers,
    })
}

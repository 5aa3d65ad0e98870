//! KPI → OKR (SPEC §4): a lagging KPI offers "create an OKR to fix this". One action
//! drafts an objective in the current cycle, owned by the KPI's owner, with one key
//! result "Bring <KPI> from <current> to <target>" linked to the KPI (so it checks
//! itself in from the KPI's measurements), for a person to edit and commit.
//!
//! A lagging KPI has at most one active recovery objective (drafted for it, not
//! archived, in a cycle that is not closed): drafting again returns that one. The KPI's
//! row lock makes two drafts at the same moment queue, so the second finds the first's.

use super::{board, goal_of, not_found};
use crate::Caller;
use crate::error::AppError;
use crate::key_result::NewKeyResult;
use crate::kpi::Kpis;
use crate::objective::{NewObjective, ObjectiveView};
use crate::time::period_of;
use milepost_core::KpiId;
use milepost_core::ObjectiveId;
use milepost_core::{CycleStatus, KeyResultKind};
use milepost_store::{CycleFilter, Page};
use serde::{Deserialize, Serialize};

/// Where to draft the objective.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftObjective {
    /// The cycle (default: the shortest active cycle that contains today).
    pub cycle_id: Option<i64>,
}

/// What a draft did: the recovery objective, and whether this draft created it (or
/// found the one drafted before, still active).
#[derive(Debug, Clone)]
pub struct Drafted {
    /// The recovery objective.
    pub objective: ObjectiveView,
    /// Whether it was created now.
    pub created: bool,
}

/// A value with its unit, as a key result sentence writes it: `99.5%`, `800 ms`.
fn with_unit(value: f64, unit: Option<&str>) -> String {
    let number = format!("{}", (value * 1000.0).round() / 1000.0);
    match unit {
        Some("%") => format!("{number}%"),
        Some(unit) => format!("{number} {unit}"),
        None => number,
    }
}

/// Who works on a KPI: the objectives whose key results it feeds, as the caller may see
/// them, and its active recovery objective.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct KpiWork {
    /// Its active recovery objective (drafted for it, not archived, in a cycle that is
    /// not closed), when the caller may see it.
    pub recovery_objective_id: Option<i64>,
    /// The objectives with key results linked to it, newest cycle first; each with the
    /// key results it feeds.
    pub objectives: Vec<KpiWorkObjective>,
}

/// An objective working on a KPI.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct KpiWorkObjective {
    /// The objective, with its numbers; its `key_results` are only those the KPI feeds.
    pub objective: ObjectiveView,
    /// Whether it was drafted to bring the KPI back (its recovery objective).
    pub recovery: bool,
}

impl Kpis<'_> {
    /// Who works on KPI `kpi_id` (see [`KpiWork`]): only what the caller may see.
    pub async fn work(self, caller: &Caller, kpi_id: KpiId) -> Result<KpiWork, AppError> {
        let kpi_id = kpi_id.get();
        let (rows, recovery) = {
            let mut tx = self.app.store().read().await?;
            tx.kpi(caller.workspace, kpi_id).await?.ok_or_else(|| not_found(kpi_id))?;
            let rows = tx.key_results_of_kpi(caller.workspace, kpi_id).await?;
            (rows, tx.active_recovery_objective(caller.workspace, kpi_id).await?)
        };
        let mut ids: Vec<i64> = rows.iter().map(|k| k.objective_id).chain(recovery).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut objectives = Vec::new();
        for id in ids {
            // An objective the caller may not see (its team's only) is left out, as
            // every list leaves it out.
            let mut objective = match self.app.objectives().get(caller, ObjectiveId(id)).await {
                Ok(objective) => objective,
                Err(AppError::NotFound { .. }) => continue,
                Err(other) => return Err(other),
            };
            objective.key_results.retain(|k| k.kpi_id == Some(kpi_id));
            objectives.push(KpiWorkObjective { recovery: Some(id) == recovery, objective });
        }
        let recovery_objective_id = recovery.filter(|id| objectives.iter().any(|o| o.objective.id.get() == *id));
        objectives.sort_by(|a, b| {
            b.objective.cycle_id.cmp(&a.objective.cycle_id).then(a.objective.id.get().cmp(&b.objective.id.get()))
        });
        Ok(KpiWork { recovery_objective_id, objectives })
    }

    /// What drafting a recovery objective for KPI `kpi_id` would create, written
    /// nowhere: the form that offers it shows this. Refused as the draft is refused (not
    /// lagging, no owner, no current cycle), and with `recovery_exists` (409) when the
    /// KPI already has an active recovery objective.
    pub async fn recovery_plan(
        self,
        caller: &Caller,
        kpi_id: KpiId,
        draft: DraftObjective,
    ) -> Result<RecoveryPlan, AppError> {
        let mut tx = self.app.store().read().await?;
        if let Some(existing) = tx.active_recovery_objective(caller.workspace, kpi_id.get()).await? {
            return Err(AppError::Conflict {
                code: "recovery_exists",
                detail: format!("this KPI has a recovery objective already: objective {existing}"),
                location: None,
            });
        }
        let plan = plan(&mut tx, caller, kpi_id.get(), &draft, self.app.now()).await?;
        crate::permission::require(caller, crate::permission::Action::EditOkr { owner: Some(plan.owner_person_id) })?;
        Ok(plan)
    }

    /// Drafts an objective to bring a lagging KPI back on target (see the module docs),
    /// or answers the KPI's active recovery objective when it has one. Refused with 409
    /// when the KPI is not lagging, has no owner, or there is no current cycle; the
    /// objective itself is created as `create_objective` creates one, with the same
    /// permission (the right to create an objective for the KPI's owner).
    pub async fn draft_recovery_objective(
        self,
        caller: &Caller,
        kpi_id: KpiId,
        draft: DraftObjective,
    ) -> Result<Drafted, AppError> {
        let kpi_id = kpi_id.get();
        let now = self.app.now();
        let owner = {
            let mut tx = self.app.store().read().await?;
            tx.kpi(caller.workspace, kpi_id).await?.ok_or_else(|| not_found(kpi_id))?.owner_person_id
        };
        crate::permission::require(caller, crate::permission::Action::EditOkr { owner })?;
        let mut tx = self.app.write(caller.workspace).await?;
        tx.lock_kpi(caller.workspace, kpi_id).await?;
        if let Some(existing) = tx.active_recovery_objective(caller.workspace, kpi_id).await? {
            drop(tx);
            return Ok(Drafted {
                objective: self.app.objectives().get(caller, ObjectiveId(existing)).await?,
                created: false,
            });
        }
        let plan = plan(&mut tx, caller, kpi_id, &draft, now).await?;
        let key_result = NewKeyResult {
            title: plan.key_result_title.clone(),
            kind: Some(plan.kind),
            metric: Some(plan.kpi_name.clone()),
            unit: plan.unit.clone(),
            start: Some(plan.start),
            target: Some(plan.target),
            range: None,
            comparator: None,
            relative_change: None,
            delta: None,
            required_share: None,
            weight: None,
            owner_person_id: Some(plan.owner_person_id),
            cadence: Some(plan.cadence),
            kpi_id: Some(kpi_id),
            target_schedule: None,
            start_from_kpi: None,
        };
        let new = NewObjective {
            cycle_id: plan.cycle_id,
            title: plan.objective_title.clone(),
            description: Some(plan.description.clone()),
            owner_person_id: Some(plan.owner_person_id),
            owner_team_id: None,
            commitment: None,
            parent_objective_id: None,
            parent_key_result_id: None,
            visibility: None,
            rollup_children: None,
            key_results: vec![key_result],
        };
        let created = self.app.objectives().create_in(&mut tx, caller, new).await?;
        tx.set_objective_recovers_kpi(caller.workspace, created.row.id, kpi_id).await?;
        tx.commit().await?;
        Ok(Drafted { objective: self.app.objectives().created_view(caller, created).await?, created: true })
    }
}

/// The recovery objective a lagging KPI would get: one objective owned by the KPI's
/// owner in the cycle, with one key result from the latest value to the goal, linked to
/// the KPI.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RecoveryPlan {
    /// The cycle it goes in.
    pub cycle_id: i64,
    /// "Get <KPI> back on target".
    pub objective_title: String,
    /// Why it exists, for its description.
    pub description: String,
    /// Its owner: the KPI's.
    pub owner_person_id: i64,
    /// "Bring <KPI> from <current> to <target>".
    pub key_result_title: String,
    /// The KPI's name, the key result's metric.
    pub kpi_name: String,
    /// increase or decrease.
    pub kind: KeyResultKind,
    /// The KPI's latest value.
    pub start: f64,
    /// Its target, or the nearer end of its range.
    pub target: f64,
    /// The KPI's unit.
    pub unit: Option<String>,
    /// The KPI's cadence, the key result's.
    #[schema(value_type = String)]
    pub cadence: milepost_core::Cadence,
}

/// The plan of a recovery objective for `kpi_id` (see [`RecoveryPlan`]), or why there is
/// none: not lagging, no owner, no current cycle.
async fn plan(
    tx: &mut milepost_store::Tx,
    caller: &Caller,
    kpi_id: i64,
    draft: &DraftObjective,
    now: jiff::Timestamp,
) -> Result<RecoveryPlan, AppError> {
    let conflict = |code: &'static str, detail: String| AppError::Conflict { code, detail, location: None };
    let kpi = tx.kpi(caller.workspace, kpi_id).await?.ok_or_else(|| not_found(kpi_id))?;
    let state = board::state(tx, &kpi, now).await?;
    let cycle_id = match draft.cycle_id {
        Some(id) => Some(id),
        None => {
            let active = CycleFilter { status: Some(CycleStatus::Active), include_archived: false };
            tx.list_cycles(caller.workspace, &active, Page::ALL)
                .await?
                .into_iter()
                .filter(|c| c.status == CycleStatus::Active && period_of(c).contains(now))
                .min_by_key(|c| period_of(c).ends_at().duration_since(period_of(c).starts_at()))
                .map(|c| c.id)
        }
    };
    let (Some(goal), Some(current), true) = (goal_of(&kpi), state.last_value, state.lagging) else {
        return Err(conflict(
            "not_lagging",
            format!(
                "KPI {} is not lagging: an objective is drafted only for a KPI red for {} periods in a row",
                kpi.slug, kpi.lagging_after
            ),
        ));
    };
    let Some(owner) = kpi.owner_person_id else {
        return Err(conflict(
            "no_owner",
            format!("KPI {} has no owner to own the objective: give it one first", kpi.slug),
        ));
    };
    let Some(cycle_id) = cycle_id else {
        return Err(conflict(
            "no_current_cycle",
            "no active cycle contains today: create or start one first".to_owned(),
        ));
    };
    let target = goal.aim_for(current);
    let unit = kpi.unit.as_deref();
    Ok(RecoveryPlan {
        cycle_id,
        objective_title: format!("Get {} back on target", kpi.name),
        description: format!(
            "Drafted from the lagging KPI {} ({}): red for {} periods in a row. Edit it, then commit to it.",
            kpi.name, kpi.slug, kpi.lagging_after
        ),
        owner_person_id: owner,
        key_result_title: format!(
            "Bring {} from {} to {}",
            kpi.name,
            with_unit(current, unit),
            with_unit(target, unit)
        ),
        kpi_name: kpi.name.clone(),
        kind: if target > current { KeyResultKind::Increase } else { KeyResultKind::Decrease },
        start: current,
        target,
        unit: kpi.unit.clone(),
        cadence: super::cadence_of(&kpi),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_as_a_sentence_writes_them() {
        assert_eq!(with_unit(99.5, Some("%")), "99.5%");
        assert_eq!(with_unit(812.123_456, Some("ms")), "812.123 ms");
        assert_eq!(with_unit(3.0, None), "3");
    }
}

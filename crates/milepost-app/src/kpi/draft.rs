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
use serde::Deserialize;

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

impl Kpis<'_> {
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
        let conflict = |code: &'static str, detail: String| AppError::Conflict { code, detail, location: None };
        let (kpi, state, cycle_id) = {
            let mut tx = self.app.store().read().await?;
            let kpi = tx.kpi(caller.workspace, kpi_id).await?.ok_or_else(|| not_found(kpi_id))?;
            let state = board::state(&mut tx, &kpi, now).await?;
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
            (kpi, state, cycle_id)
        };
        crate::permission::require(caller, crate::permission::Action::EditOkr { owner: kpi.owner_person_id })?;
        let mut tx = self.app.write(caller.workspace).await?;
        tx.lock_kpi(caller.workspace, kpi_id).await?;
        if let Some(existing) = tx.active_recovery_objective(caller.workspace, kpi_id).await? {
            drop(tx);
            return Ok(Drafted {
                objective: self.app.objectives().get(caller, ObjectiveId(existing)).await?,
                created: false,
            });
        }
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
        let title = format!("Bring {} from {} to {}", kpi.name, with_unit(current, unit), with_unit(target, unit));
        let kind = if target > current { KeyResultKind::Increase } else { KeyResultKind::Decrease };
        let key_result = NewKeyResult {
            title,
            kind: Some(kind),
            metric: Some(kpi.name.clone()),
            unit: kpi.unit.clone(),
            start: Some(current),
            target: Some(target),
            range: None,
            comparator: None,
            relative_change: None,
            delta: None,
            weight: None,
            owner_person_id: Some(owner),
            cadence: Some(kpi.cadence),
            kpi_id: Some(kpi.id),
            target_schedule: None,
        };
        let new = NewObjective {
            cycle_id,
            title: format!("Get {} back on target", kpi.name),
            description: Some(format!(
                "Drafted from the lagging KPI {} ({}): red for {} periods in a row. Edit it, then commit to it.",
                kpi.name, kpi.slug, kpi.lagging_after
            )),
            owner_person_id: Some(owner),
            owner_team_id: None,
            commitment: None,
            parent_objective_id: None,
            parent_key_result_id: None,
            visibility: None,
            rollup_children: None,
            key_results: vec![key_result],
        };
        let created = self.app.objectives().create_in(&mut tx, caller, new).await?;
        tx.set_objective_recovers_kpi(caller.workspace, created.row.id, kpi.id).await?;
        tx.commit().await?;
        Ok(Drafted { objective: self.app.objectives().created_view(caller, created).await?, created: true })
    }
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

//! Carry-over (issue 16): objectives of a closed cycle that did not succeed move on to a
//! later cycle, as copies that start from the value reached and point at their origin.
//!
//! One request chooses the objectives (all unfinished ones, those of one team, or a
//! list), for each its key results (by default those below full progress) and,
//! optionally, a parent. [`Carries::preview`] answers what a carry would do without
//! writing; [`Carries::carry`] does it in one transaction. The plan is made once, the same
//! way for both ([`plan`]), and the writes follow it ([`write`]).
//!
//! A copy aligns to the carried copy of its parent (carried in the same request or
//! earlier into the same cycle), else to the original parent while that is in an open
//! cycle that covers the target, else it is left unaligned and the answer asks for a
//! parent. Carrying an objective into a cycle it was already carried into answers the
//! existing copy (`created: false`).

mod plan;
mod write;

use crate::Caller;
use crate::error::AppError;
use crate::evaluation::ScoreView;
use milepost_core::{CycleId, KeyResultKind};
use serde::{Deserialize, Serialize};

/// What to carry, from a closed cycle into a later one.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CarryRequest {
    /// The cycle to carry into: any cycle of the workspace that is not closed (default:
    /// the next one by start date).
    pub target_cycle_id: Option<i64>,
    /// Which objectives (default: all unfinished ones).
    #[serde(default)]
    pub scope: CarryScope,
    /// Per objective: which key results, and which parent in the target cycle.
    #[serde(default)]
    pub overrides: Vec<CarryOverride>,
}

/// Which objectives of the closed cycle to carry.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CarryScope {
    /// Every objective that did not succeed: below 1.0 committed, 0.7 aspirational.
    #[default]
    AllUnfinished,
    /// The unfinished objectives of one team (owned by the team or by one of its people).
    TeamId(i64),
    /// These objectives, finished or not.
    ObjectiveIds(Vec<i64>),
}

/// What to carry of one objective, when not the defaults.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CarryOverride {
    /// The objective of the closed cycle.
    pub objective_id: i64,
    /// Its key results to copy (default: those below full progress).
    pub key_result_ids: Option<Vec<i64>>,
    /// The parent of the copy, an objective of an open cycle that covers the target
    /// (default: see how a copy aligns).
    pub parent_objective_id: Option<i64>,
}

/// What a carry did (or, in a preview, would do).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CarryOutcome {
    /// The closed cycle carried from.
    pub source_cycle_id: i64,
    /// The cycle carried into.
    pub target_cycle_id: i64,
    /// Whether nothing was written (a preview).
    pub preview: bool,
    /// Each objective carried, parents before the objectives aligned to them.
    pub objectives: Vec<CarriedObjective>,
}

/// One objective carried.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CarriedObjective {
    /// The objective of the closed cycle.
    pub origin_objective_id: i64,
    /// Its title (the copy's too).
    pub title: String,
    /// Owning person.
    pub owner_person_id: Option<i64>,
    /// Owning team.
    pub owner_team_id: Option<i64>,
    /// The origin's grade.
    pub score: Option<ScoreView>,
    /// The copy; absent in a preview of an objective not carried yet.
    pub copy_objective_id: Option<i64>,
    /// Whether this request created the copy (false: it was carried before, or a preview).
    pub created: bool,
    /// The key results copied (in a preview: every key result, `selected` saying which
    /// would be copied by default).
    pub key_results: Vec<CarriedKeyResult>,
    /// The key results chosen but not copied, with the reason.
    pub skipped_key_results: Vec<SkippedKeyResult>,
    /// The initiatives not done that now roll up to the copied key results too.
    pub initiative_ids: Vec<i64>,
    /// How the copy is aligned.
    pub alignment: CarriedAlignment,
}

/// One key result carried.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CarriedKeyResult {
    /// The key result of the closed cycle.
    pub origin_key_result_id: i64,
    /// The copy; absent in a preview.
    pub copy_key_result_id: Option<i64>,
    /// Its sentence.
    pub title: String,
    /// Its kind.
    pub kind: KeyResultKind,
    /// The origin's progress at close, unclamped.
    pub progress: f64,
    /// The copy's start: the value reached (a KPI's value at the target's start).
    pub start: Option<f64>,
    /// The target, unchanged.
    pub target: Option<f64>,
    /// Whether it is (or, in a preview, would by default be) copied.
    pub selected: bool,
}

/// A key result chosen but not copied.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SkippedKeyResult {
    /// The key result of the closed cycle.
    pub origin_key_result_id: i64,
    /// Its sentence.
    pub title: String,
    /// Why, as a stable code: `start_equals_target` (the value reached is the target),
    /// `target_passed` (the value reached is past the target), `invalid`.
    pub code: String,
    /// Why, in words.
    pub reason: String,
}

/// How a copy aligns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlignedBy {
    /// The origin had no parent.
    Unaligned,
    /// To the parent the request gave.
    Given,
    /// To the carried copy of the origin's parent.
    CarriedParent,
    /// To the origin's own parent, still in an open cycle that covers the target.
    OriginalParent,
    /// The origin's parent is in a closed cycle and was not carried: left unaligned
    /// until a person picks a parent.
    Asks,
}

/// A copy's alignment.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CarriedAlignment {
    /// How it was decided.
    pub by: AlignedBy,
    /// The parent objective.
    pub parent_objective_id: Option<i64>,
    /// The parent key result.
    pub parent_key_result_id: Option<i64>,
    /// The origin's parent.
    pub origin_parent_objective_id: Option<i64>,
}

/// The preview's filters, as a query string.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CarryPreviewQuery {
    /// The cycle to carry into (default: the next one by start date).
    pub target_cycle_id: Option<i64>,
    /// Only the unfinished objectives of this team.
    pub team_id: Option<i64>,
    /// Only these objectives, comma-separated (`12,15`).
    pub objective_ids: Option<String>,
}

impl CarryPreviewQuery {
    /// The request it previews.
    pub fn request(&self) -> Result<CarryRequest, AppError> {
        let scope = match (&self.objective_ids, self.team_id) {
            (Some(_), Some(_)) => {
                return Err(AppError::invalid("/objective_ids", "give team_id or objective_ids, not both"));
            }
            (Some(list), None) => {
                let ids: Result<Vec<i64>, _> =
                    list.split(',').filter(|s| !s.trim().is_empty()).map(|s| s.trim().parse::<i64>()).collect();
                CarryScope::ObjectiveIds(
                    ids.map_err(|_| AppError::invalid("/objective_ids", "a comma-separated list of ids"))?,
                )
            }
            (None, Some(team)) => CarryScope::TeamId(team),
            (None, None) => CarryScope::AllUnfinished,
        };
        Ok(CarryRequest { target_cycle_id: self.target_cycle_id, scope, overrides: Vec::new() })
    }
}

/// Carry-over: preview and carry. Reached through [`App::carries`](crate::App::carries).
#[derive(Debug, Clone, Copy)]
pub struct Carries<'a> {
    pub(crate) app: &'a crate::App,
}

impl Carries<'_> {
    /// What carrying would do, written nowhere: the objectives chosen with every key
    /// result (those copied by default `selected`), the start each copy would take and
    /// the alignment each copy would get. Same refusals as [`Carries::carry`].
    pub async fn preview(
        self,
        caller: &Caller,
        source: CycleId,
        request: CarryRequest,
    ) -> Result<CarryOutcome, AppError> {
        let views = self.app.objectives().list_in_cycle_shared(caller, source).await?;
        let mut tx = self.app.store().read().await?;
        let plan = plan::plan(&mut tx, caller, source.get(), &views, &request).await?;
        Ok(plan.outcome(true))
    }

    /// Carries objectives of a closed cycle into a later one, in one transaction (see
    /// the module docs). Refused with 409 `cycle_not_closed` when the source is not
    /// closed, `target_cycle_closed`, `target_cycle_archived` or `same_cycle` for a bad target, and
    /// `no_target_cycle` when there is no later open cycle to default to.
    pub async fn carry(
        self,
        caller: &Caller,
        source: CycleId,
        request: CarryRequest,
    ) -> Result<CarryOutcome, AppError> {
        let views = self.app.objectives().list_in_cycle_shared(caller, source).await?;
        let mut plan = {
            let mut tx = self.app.store().read().await?;
            plan::plan(&mut tx, caller, source.get(), &views, &request).await?
        };
        let mut tx = self.app.write(caller.workspace).await?;
        plan::recheck(&mut tx, caller, &mut plan).await?;
        let outcome = write::write(&mut tx, caller, plan, self.app.now()).await?;
        tx.commit().await?;
        Ok(outcome)
    }
}

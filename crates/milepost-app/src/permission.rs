//! The one place that decides what a caller may do. Every use case that changes
//! something asks [`require`] before it writes; reads of objectives ask [`can_see`].
//!
//! | role | may |
//! |---|---|
//! | admin | everything in the workspace: people, teams, cycles (and their status), tokens, the audit trail, all OKRs |
//! | editor | plan cycles (create them, change their name, dates and kind); create and change every objective, key result, initiative and check-in; define KPIs and record their measurements |
//! | member | read; comment on what they may see; create and change the objectives, key results and initiatives they own; check in on key results they own; record measurements of KPIs they own |
//! | viewer | read only (comments too) |
//!
//! A KPI's new measurement is written as a check-in on every key result linked to it
//! ([`Action::FeedFromKpi`]): whoever may record the measurement may have it written
//! there, whoever owns the key result, and that right allows nothing else.
//!
//! An objective visible to its team only is seen by admins, its owner and the members
//! of its team; to everyone else it does not exist (404, never 403, so its existence
//! does not leak).

use crate::caller::Caller;
use crate::caller::Role;
use crate::error::AppError;
use milepost_store::{ObjectiveRow, Page, PersonFilter, Tx};
use std::collections::{HashMap, HashSet};

/// What a caller wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Manage the workspace: people, teams, cycles, tokens, the audit trail.
    Administer,
    /// Create or change an objective, key result or initiative owned by `owner`.
    EditOkr {
        /// The person who owns the thing (or will), if a person does.
        owner: Option<i64>,
    },
    /// Check in on a key result owned by `owner`.
    CheckIn {
        /// The person who owns the key result (or its objective).
        owner: Option<i64>,
    },
    /// Plan cycles: create a cycle, change its name, dates and kind. Changing its status
    /// (starting, closing) stays [`Action::Administer`].
    PlanCycles,
    /// Define a KPI: create, change (promote, demote), archive or restore it, and
    /// configure or run its source.
    DefineKpi,
    /// Record measurements of a KPI owned by `owner`.
    RecordMeasurement {
        /// The person who owns the KPI, if a person does.
        owner: Option<i64>,
    },
    /// Have a KPI's new measurement written as a check-in on a key result linked to it
    /// (SPEC §2: a linked key result updates itself), whoever owns the key result. Given
    /// exactly to whoever may record the KPI's measurements: it allows that one write,
    /// not a check-in of the caller's own on the key result, nor anything else.
    FeedFromKpi {
        /// The person who owns the KPI, if a person does.
        kpi_owner: Option<i64>,
    },
    /// Write a comment on something the caller may see (and change or delete their own).
    Comment,
}

fn owns(caller: &Caller, owner: Option<i64>) -> bool {
    caller.person.is_some() && caller.person == owner
}

/// Whether `caller` may do `action`.
pub fn allows(caller: &Caller, action: Action) -> bool {
    match (caller.role, action) {
        (_, Action::FeedFromKpi { kpi_owner }) => allows(caller, Action::RecordMeasurement { owner: kpi_owner }),
        (Role::Admin, _) => true,
        (_, Action::Administer) => false,
        (Role::Editor, _) => true,
        (Role::Member, Action::EditOkr { owner } | Action::CheckIn { owner } | Action::RecordMeasurement { owner }) => {
            owns(caller, owner)
        }
        (Role::Member, Action::DefineKpi | Action::PlanCycles) => false,
        (Role::Member, Action::Comment) => true,
        (Role::Viewer, _) => false,
    }
}

/// `Ok` when `caller` may do `action`, or a 403 saying why not.
pub fn require(caller: &Caller, action: Action) -> Result<(), AppError> {
    if allows(caller, action) {
        return Ok(());
    }
    let detail = match (caller.role, action) {
        (Role::Viewer, _) => "a viewer can read but not change anything".to_owned(),
        (_, Action::Administer) => "only an admin of the workspace can do this".to_owned(),
        (_, Action::EditOkr { .. }) => {
            "a member can change only the objectives, key results and initiatives they own".to_owned()
        }
        (_, Action::CheckIn { .. }) => "a member can check in only on key results they own".to_owned(),
        (_, Action::DefineKpi) => "only editors and admins define KPIs".to_owned(),
        (_, Action::PlanCycles) => "only editors and admins plan cycles".to_owned(),
        (_, Action::RecordMeasurement { .. }) => "a member can record measurements only of KPIs they own".to_owned(),
        (_, Action::Comment) => "only members, editors and admins write comments".to_owned(),
        (_, Action::FeedFromKpi { .. }) => {
            "a key result takes a KPI's value only from whoever may record the KPI's measurements".to_owned()
        }
    };
    Err(AppError::Forbidden { detail })
}

/// Whether `caller` may see an objective with this visibility, owned by `owner_person`
/// or `owner_team`, where `owner_person_team` is the owning person's team.
pub fn can_see(
    caller: &Caller,
    team_only: bool,
    owner_person: Option<i64>,
    owner_team: Option<i64>,
    owner_person_team: Option<i64>,
) -> bool {
    if !team_only || caller.role == Role::Admin || owns(caller, owner_person) {
        return true;
    }
    let team = owner_team.or(owner_person_team);
    caller.team.is_some() && caller.team == team
}

/// `Ok` when `caller` may see `objective`, or the same 404 as for one that does not exist.
pub(crate) async fn require_visible(tx: &mut Tx, caller: &Caller, objective: &ObjectiveRow) -> Result<(), AppError> {
    if objective.visibility != milepost_core::Visibility::Team || caller.role == Role::Admin {
        return Ok(());
    }
    let owner_team = match objective.owner_person_id {
        Some(person) => tx.person(caller.workspace, person).await?.and_then(|p| p.team_id),
        None => None,
    };
    if can_see(caller, true, objective.owner_person_id, objective.owner_team_id, owner_team) {
        Ok(())
    } else {
        Err(AppError::NotFound { what: "objective", id: objective.id.to_string() })
    }
}

/// Whether `caller` may see the key result `id` (it exists and its objective is
/// visible to the caller).
pub(crate) async fn sees_key_result(tx: &mut Tx, caller: &Caller, id: i64) -> Result<bool, AppError> {
    let Some(key_result) = tx.key_result(caller.workspace, id).await? else { return Ok(false) };
    let Some(objective) = tx.objective(caller.workspace, key_result.objective_id).await? else { return Ok(false) };
    Ok(require_visible(tx, caller, &objective).await.is_ok())
}

/// The key results (archived ones too) of an objective the caller may see; an objective
/// it may not see is not found, as if it did not exist.
pub(crate) async fn key_results_of_visible_objective(
    tx: &mut Tx,
    caller: &Caller,
    objective: milepost_core::ObjectiveId,
) -> Result<Vec<i64>, AppError> {
    let not_found = || AppError::NotFound { what: "objective", id: objective.to_string() };
    let row = tx.objective(caller.workspace, objective.get()).await?.ok_or_else(not_found)?;
    require_visible(tx, caller, &row).await.map_err(|_| not_found())?;
    Ok(tx.key_results_of_objectives(caller.workspace, &[row.id]).await?.iter().map(|k| k.id).collect())
}

/// [`hidden_objectives`], from the read model's people and team-only objectives.
pub(crate) async fn hidden_objectives_in(
    app: &crate::App,
    tx: &mut Tx,
    caller: &Caller,
    generation: i64,
) -> Result<HashSet<i64>, AppError> {
    if caller.role == Role::Admin {
        return Ok(HashSet::new());
    }
    let model = app.read_model().workspace(tx, caller.workspace, generation).await?;
    Ok(model
        .team_only
        .iter()
        .filter(|o| {
            let owner_team = o.owner_person_id.and_then(|p| model.team_of_person.get(&p).copied().flatten());
            !can_see(caller, true, o.owner_person_id, o.owner_team_id, owner_team)
        })
        .map(|o| o.id)
        .collect())
}

/// The objectives `caller` may not see, by id: team-only ones outside its reach.
/// Empty for admins, without a query.
pub(crate) async fn hidden_objectives(tx: &mut Tx, caller: &Caller) -> Result<HashSet<i64>, AppError> {
    if caller.role == Role::Admin {
        return Ok(HashSet::new());
    }
    let team_only = tx.team_only_objectives(caller.workspace).await?;
    if team_only.is_empty() {
        return Ok(HashSet::new());
    }
    let everyone = PersonFilter { include_archived: true, ..Default::default() };
    let teams: HashMap<i64, Option<i64>> =
        tx.list_people(caller.workspace, &everyone, Page::ALL).await?.into_iter().map(|p| (p.id, p.team_id)).collect();
    Ok(team_only
        .into_iter()
        .filter(|o| {
            let owner_team = o.owner_person_id.and_then(|p| teams.get(&p).copied().flatten());
            !can_see(caller, true, o.owner_person_id, o.owner_team_id, owner_team)
        })
        .map(|o| o.id)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use milepost_core::WorkspaceId;

    fn caller(role: Role, person: Option<i64>, team: Option<i64>) -> Caller {
        Caller { workspace: WorkspaceId(1), workspace_slug: "w".into(), role, person, team, token: None }
    }

    #[test]
    fn each_role_may_do_what_the_table_says() {
        let dana = Some(7);
        let cases = [
            (Role::Admin, Action::Administer, true),
            (Role::Editor, Action::Administer, false),
            (Role::Member, Action::Administer, false),
            (Role::Viewer, Action::Administer, false),
            (Role::Admin, Action::EditOkr { owner: None }, true),
            (Role::Editor, Action::EditOkr { owner: None }, true),
            (Role::Member, Action::EditOkr { owner: None }, false),
            (Role::Member, Action::EditOkr { owner: dana }, true),
            (Role::Member, Action::EditOkr { owner: Some(8) }, false),
            (Role::Viewer, Action::EditOkr { owner: dana }, false),
            (Role::Member, Action::CheckIn { owner: dana }, true),
            (Role::Member, Action::CheckIn { owner: Some(8) }, false),
            (Role::Editor, Action::CheckIn { owner: Some(8) }, true),
            (Role::Viewer, Action::CheckIn { owner: dana }, false),
            (Role::Admin, Action::DefineKpi, true),
            (Role::Editor, Action::DefineKpi, true),
            (Role::Member, Action::DefineKpi, false),
            (Role::Viewer, Action::DefineKpi, false),
            (Role::Admin, Action::PlanCycles, true),
            (Role::Editor, Action::PlanCycles, true),
            (Role::Member, Action::PlanCycles, false),
            (Role::Viewer, Action::PlanCycles, false),
            (Role::Member, Action::FeedFromKpi { kpi_owner: dana }, true),
            (Role::Member, Action::FeedFromKpi { kpi_owner: Some(8) }, false),
            (Role::Member, Action::FeedFromKpi { kpi_owner: None }, false),
            (Role::Editor, Action::FeedFromKpi { kpi_owner: Some(8) }, true),
            (Role::Viewer, Action::FeedFromKpi { kpi_owner: dana }, false),
            (Role::Editor, Action::RecordMeasurement { owner: None }, true),
            (Role::Member, Action::RecordMeasurement { owner: dana }, true),
            (Role::Member, Action::RecordMeasurement { owner: Some(8) }, false),
            (Role::Member, Action::RecordMeasurement { owner: None }, false),
            (Role::Viewer, Action::RecordMeasurement { owner: dana }, false),
        ];
        for (role, action, expected) in cases {
            assert_eq!(allows(&caller(role, dana, None), action), expected, "{role:?} {action:?}");
            assert_eq!(require(&caller(role, dana, None), action).is_ok(), expected);
        }
    }

    #[test]
    fn a_machine_token_owns_nothing() {
        let token = caller(Role::Member, None, None);
        assert!(!allows(&token, Action::EditOkr { owner: None }));
        assert!(!allows(&token, Action::CheckIn { owner: None }));
    }

    #[test]
    fn team_only_objectives_are_seen_by_their_team_their_owner_and_admins() {
        let team = Some(3);
        assert!(can_see(&caller(Role::Viewer, None, None), false, None, team, None), "workspace-wide is seen by all");
        assert!(can_see(&caller(Role::Admin, None, None), true, None, team, None));
        assert!(can_see(&caller(Role::Viewer, Some(1), team), true, None, team, None), "a member of the team");
        assert!(!can_see(&caller(Role::Editor, Some(1), Some(4)), true, None, team, None), "another team");
        assert!(can_see(&caller(Role::Member, Some(9), None), true, Some(9), None, None), "the owner");
        assert!(can_see(&caller(Role::Member, Some(1), team), true, Some(9), None, team), "the owner's team");
        assert!(!can_see(&caller(Role::Member, None, None), true, Some(9), None, team), "a token with no team");
    }
}

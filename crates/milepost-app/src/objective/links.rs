//! An objective's owner and alignment, checked: the owner exists, the parent objective
//! or key result exists, is visible and is not the objective itself or below it.

use crate::Caller;
use crate::error::{AppError, Problems};
use crate::permission::{require_visible, sees_key_result};
use crate::time::period_of;
use milepost_store::{CycleRow, Tx};

/// Who owns an objective and what it aligns to, as given.
pub(super) struct Links {
    pub(super) owner_person_id: Option<i64>,
    pub(super) owner_team_id: Option<i64>,
    pub(super) parent_objective_id: Option<i64>,
    pub(super) parent_key_result_id: Option<i64>,
}

/// What an objective aligns to, checked.
pub(super) struct Alignment {
    pub(super) parent_objective_id: Option<i64>,
    pub(super) parent_key_result_id: Option<i64>,
}

/// Checks the owner, the alignment and the cycle of an objective.
pub(super) async fn check_links(
    tx: &mut Tx,
    caller: &Caller,
    problems: &mut Problems,
    id: Option<i64>,
    cycle: &CycleRow,
    links: Links,
) -> Result<Alignment, AppError> {
    let Links { owner_person_id, owner_team_id, parent_objective_id, parent_key_result_id } = links;
    match (owner_person_id, owner_team_id) {
        (Some(_), Some(_)) => problems
            .push("/owner_team_id", "an objective has one owner: give owner_person_id or owner_team_id, not both"),
        (None, None) => {
            problems.push("/owner_person_id", "an objective needs an owner: give owner_person_id or owner_team_id")
        }
        (Some(person), None) => {
            if !tx.exists("people", caller.workspace, person).await? {
                problems.push("/owner_person_id", format!("there is no person {person} in this workspace"));
            }
        }
        (None, Some(team)) => {
            if !tx.exists("teams", caller.workspace, team).await? {
                problems.push("/owner_team_id", format!("there is no team {team} in this workspace"));
            }
        }
    }
    let mut parent = parent_objective_id;
    if let Some(kr) = parent_key_result_id {
        let row =
            if sees_key_result(tx, caller, kr).await? { tx.key_result(caller.workspace, kr).await? } else { None };
        match row {
            None => problems.push("/parent_key_result_id", format!("there is no key result {kr} in this workspace")),
            Some(row) => {
                if parent.is_some_and(|p| p != row.objective_id) {
                    problems.push(
                        "/parent_objective_id",
                        format!(
                            "key result {kr} belongs to objective {}, not to the parent objective given",
                            row.objective_id
                        ),
                    );
                }
                parent = Some(row.objective_id);
            }
        }
    }
    let pointer = if parent_key_result_id.is_some() { "/parent_key_result_id" } else { "/parent_objective_id" };
    if let Some(first) = parent {
        let period = period_of(cycle);
        let mut cursor = Some(first);
        let mut steps = 0;
        while let Some(current) = cursor {
            if Some(current) == id {
                problems.push(pointer, "an objective cannot align to itself or to one of the objectives aligned to it");
                break;
            }
            let row = tx.objective(caller.workspace, current).await?;
            // An objective the caller may not see is, to the caller, one that does not exist.
            let visible = match &row {
                Some(row) if steps == 0 => require_visible(tx, caller, row).await.is_ok(),
                _ => true,
            };
            let Some(row) = row.filter(|_| visible) else {
                if steps == 0 {
                    problems.push(pointer, format!("there is no objective {current} in this workspace"));
                }
                break;
            };
            if steps == 0 {
                let parent_cycle = tx.cycle(caller.workspace, row.cycle_id).await?;
                let covers = parent_cycle
                    .as_ref()
                    .map(period_of)
                    .is_some_and(|p| p.start() <= period.start() && p.end() >= period.end());
                if !covers {
                    problems.push(pointer, format!("objective {current} is in a cycle that does not cover {}: align to an objective of the same cycle or of a longer one around it", cycle.slug));
                }
            }
            steps += 1;
            cursor = if steps < 1000 { row.parent_objective_id } else { None };
        }
    }
    Ok(Alignment { parent_objective_id: parent, parent_key_result_id })
}

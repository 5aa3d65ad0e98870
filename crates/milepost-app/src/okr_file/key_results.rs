//! One key result line of a file: created, restored, moved under another objective, or
//! updated in the fields that differ. Its numbers are read from its sentence, by the
//! key results' own use cases (`key_result::interpretation`, as for the API and the web
//! forms), only when the sentence changed: the file gives the sentence and nothing else.

use super::resolve::Owners;
use super::{Action, Place, Run, at};
use crate::AppError;
use crate::key_result::{KeyResultPatch, NewKeyResult};
use milepost_core::Cadence;
use milepost_store::{KeyResultRow, Tx};

impl Run<'_> {
    /// Creates, restores, moves or updates one key result; returns its id when new.
    pub(super) async fn key_result(
        &mut self,
        tx: &mut Tx,
        place: &Place,
        owner: &Owners,
        objective_id: i64,
        kr: &milepost_okrfile::KeyResult,
    ) -> Result<Option<i64>, AppError> {
        let owner_person = match &kr.owner {
            Some(handle) => match self.resolver().person(handle) {
                Some(id) => Some(id),
                None => {
                    self.problems.push(place.problem(format!("@{handle} is nobody in this workspace")));
                    return Ok(None);
                }
            },
            None => owner.person,
        };
        let kpi_id = match &kr.kpi {
            Some(slug) => match self.resolver().kpi(slug) {
                Some(id) => Some(id),
                None => {
                    self.problems.push(place.problem(format!("there is no KPI `{slug}` in this workspace")));
                    return Ok(None);
                }
            },
            None => None,
        };
        let weight = kr.weight.map_or(1.0, |w| w.get());
        let cadence = kr.cadence.unwrap_or(Cadence::Weekly);
        let Some(id) = kr.id.map(|id| id.0) else {
            let new = NewKeyResult {
                title: kr.text.clone(),
                kind: None,
                metric: None,
                unit: None,
                start: None,
                target: None,
                range: None,
                comparator: None,
                relative_change: None,
                delta: None,
                required_share: kr.required_share,
                weight: Some(weight),
                owner_person_id: owner_person,
                cadence: Some(cadence),
                kpi_id,
                target_schedule: None,
                start_from_kpi: None,
            };
            let created = self.app.key_results().create_in(tx, self.caller, objective_id, new).await;
            let Some(row) = self.or_problem(place, created)? else { return Ok(None) };
            self.named_key_results.insert(row.id);
            self.push(place, Action::Create, "key_result", row.id, &kr.text, None, Some(&row));
            return Ok(Some(row.id));
        };
        let Some(mut current) = self.visible_key_result(tx, id).await? else {
            self.problems.push(place.problem(format!("KR-{id} is no key result of this workspace")));
            return Ok(None);
        };
        if current.archived {
            self.app
                .key_results()
                .archive_in(tx, self.caller, id, current.version, false)
                .await
                .map_err(|e| at(place, e))?;
            self.push(place, Action::Restore, "key_result", id, &kr.text, None, None::<&()>);
            current = self.row_key_result(tx, id).await?;
        }
        let before = current.clone();
        if current.objective_id != objective_id {
            current = self.move_key_result(tx, place, &current, objective_id).await?;
        }
        let mut change = KeyResultPatch {
            version: current.version,
            title: None,
            kind: None,
            metric: None,
            unit: None,
            start: None,
            target: None,
            range: None,
            comparator: None,
            relative_change: None,
            delta: None,
            // A share written in the file (rounded to 4 decimals of a percent) moves the
            // stored one only when it says another.
            required_share: kr
                .required_share
                .filter(|share| current.required_share.is_none_or(|had| (had - share).abs() > 1e-6))
                .map(Some),
            weight: (current.weight != weight).then_some(weight),
            owner_person_id: (current.owner_person_id != owner_person).then_some(owner_person),
            cadence: (current.cadence != cadence).then_some(cadence),
            kpi_id: (current.kpi_id != kpi_id).then_some(kpi_id),
            target_schedule: None,
            start_from_kpi: None,
            reason: self.reason.clone(),
        };
        if current.title != kr.text {
            change.title = Some(kr.text.clone());
        }
        let unchanged = change.title.is_none()
            && change.weight.is_none()
            && change.owner_person_id.is_none()
            && change.cadence.is_none()
            && change.kpi_id.is_none()
            && change.required_share.is_none();
        if !unchanged {
            let updated = self.app.key_results().update_in(tx, self.caller, id, change).await;
            if self.or_problem(place, updated)?.is_none() {
                return Ok(None);
            }
        }
        let after = self.row_key_result(tx, id).await?;
        if !unchanged || before.objective_id != after.objective_id {
            self.push(place, Action::Update, "key_result", id, &kr.text, Some(&before), Some(&after));
        }
        Ok(None)
    }

    /// Moves a key result, marker and all, under another objective of the same cycle.
    async fn move_key_result(
        &mut self,
        tx: &mut Tx,
        place: &Place,
        current: &KeyResultRow,
        objective_id: i64,
    ) -> Result<KeyResultRow, AppError> {
        let from = self.row_objective(tx, current.objective_id).await?;
        let to = self.row_objective(tx, objective_id).await?;
        if from.cycle_id != to.cycle_id {
            return Err(at(
                place,
                AppError::invalid(
                    "",
                    format!("KR-{} belongs to another cycle: a key result moves only within its cycle", current.id),
                ),
            ));
        }
        crate::key_result::require_owner(self.caller, current, &from).map_err(|e| at(place, e))?;
        crate::permission::require(self.caller, crate::permission::Action::EditOkr { owner: to.owner_person_id })
            .map_err(|e| at(place, e))?;
        let fields = milepost_store::KeyResultFields { objective_id, ..current.fields() };
        let now = self.app.now_ms();
        let row = tx
            .update_key_result(self.caller.workspace, current.id, current.version, &fields, current.archived, now)
            .await
            .map_err(|e| crate::error::on_update(e, "key result", current.id, current.version))?;
        crate::access::record(tx, self.caller, "update", "key_result", current.id, Some(current), Some(&row), now)
            .await?;
        Ok(row)
    }

    /// The row a use case wrote, or `None` with its field problems noted at the line, so
    /// that a file's every problem is reported at once; any other error ends the apply.
    /// (A use case refuses bad input before it writes, so the transaction goes on.)
    fn or_problem<T>(&mut self, place: &Place, result: Result<T, AppError>) -> Result<Option<T>, AppError> {
        match result.map_err(|e| at(place, e)) {
            Ok(row) => Ok(Some(row)),
            Err(AppError::Invalid(problems)) => {
                self.problems.extend(problems);
                Ok(None)
            }
            Err(other) => Err(other),
        }
    }
}

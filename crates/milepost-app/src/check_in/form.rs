//! The weekly check-in form's read model: everything the form shows, read in one
//! transaction, so that the rows agree with each other and the front end holds no rule
//! about which key results are due.

use super::CheckIns;
use crate::Caller;
use crate::error::AppError;
use crate::key_result::{KeyResultView, views};
use crate::permission::hidden_objectives;
use crate::person::PersonView;
use milepost_core::CycleStatus;
use milepost_store::{CycleFilter, KeyResultFilter, Page};

/// What the weekly check-in form shows: one row per key result.
#[derive(Debug, Clone, Default)]
pub struct CheckInForm {
    /// The key results the caller owns in every active cycle (cycle by cycle, then in
    /// id order), not archived, each with what its row shows: its value now, its latest
    /// confidence, its last check-in, when the next one is due, and its computed
    /// progress and status. Empty for a caller who is no person (an API token).
    pub key_results: Vec<KeyResultView>,
    /// The people the rows name (the key results' owners: the caller).
    pub people: Vec<PersonView>,
}

impl CheckIns<'_> {
    /// The weekly check-in form of `caller`, read in one transaction.
    pub async fn form(self, caller: &Caller) -> Result<CheckInForm, AppError> {
        let Some(person) = caller.person else { return Ok(CheckInForm::default()) };
        let mut tx = self.app.store().read().await?;
        let active = CycleFilter { status: Some(CycleStatus::Active), include_archived: false };
        let cycles = tx.list_cycles(caller.workspace, &active, Page::ALL).await?;
        let hidden = hidden_objectives(&mut tx, caller).await?;
        let mut rows = Vec::new();
        for cycle in cycles {
            let filter = KeyResultFilter {
                cycle_id: Some(cycle.id),
                owner_person_id: Some(person),
                ..KeyResultFilter::default()
            };
            let mine = tx.list_key_results(caller.workspace, &filter, Page::ALL).await?;
            rows.extend(mine.into_iter().filter(|r| !hidden.contains(&r.objective_id)));
        }
        let key_results = views(&mut tx, caller, rows, self.app.now()).await?;
        let people = tx.person(caller.workspace, person).await?.into_iter().map(PersonView::from).collect();
        Ok(CheckInForm { key_results, people })
    }
}

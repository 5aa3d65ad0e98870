//! Retrospective notes: the short "what worked / what did not" that an objective's
//! owners (and editors and admins) write when its cycle ends, kept with the objective
//! and shown in its cycle's review report.
//!
//! One note per objective. It may be written at any time (the objective's page offers
//! it once the cycle has ended or closed); whoever may change the objective may write
//! it, and whoever may see the objective may read it. The first write is based on
//! version 0; each later one on the version it read, so two people writing at once do
//! not overwrite each other.
//!
//! The read model does not hold the notes, so a write changes no evaluated cycle: it is
//! written outside the read model's generations (a note is read from the store by the
//! page and the report that show it).

use crate::Caller;
use crate::access::record;
use crate::error::{AppError, Problems};
use crate::objective::Objectives;
use crate::permission::{Action, require, require_visible};
use crate::time::from_ms;
use jiff::Timestamp;
use milepost_core::ObjectiveId;
use milepost_store::{RetrospectiveFields, RetrospectiveRow, StoreError};
use serde::{Deserialize, Serialize};

/// The most characters each part of a note may hold.
pub const RETROSPECTIVE_MAX_CHARS: usize = 4_000;

/// An objective's retrospective note.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RetrospectiveView {
    /// The objective.
    pub objective_id: i64,
    /// What worked; empty while nothing is written.
    pub worked: String,
    /// What did not work; empty while nothing is written.
    pub did_not_work: String,
    /// Who wrote it last, when a person did.
    pub author_person_id: Option<i64>,
    /// When it last changed; absent while nothing is written.
    pub updated_at: Option<Timestamp>,
    /// Its version: 0 while nothing is written. Send it back with a change.
    pub version: i64,
}

impl RetrospectiveView {
    /// Whether nothing is written in it.
    pub fn is_empty(&self) -> bool {
        self.worked.is_empty() && self.did_not_work.is_empty()
    }

    /// The note nobody has written yet.
    fn blank(objective_id: i64) -> RetrospectiveView {
        RetrospectiveView {
            objective_id,
            worked: String::new(),
            did_not_work: String::new(),
            author_person_id: None,
            updated_at: None,
            version: 0,
        }
    }
}

impl From<RetrospectiveRow> for RetrospectiveView {
    fn from(row: RetrospectiveRow) -> RetrospectiveView {
        RetrospectiveView {
            objective_id: row.objective_id,
            worked: row.worked,
            did_not_work: row.did_not_work,
            author_person_id: row.author_person_id,
            updated_at: Some(from_ms(row.updated_at)),
            version: row.version,
        }
    }
}

/// A retrospective note to write.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetrospectiveChange {
    /// The version the change is based on: 0 for the first note.
    pub version: i64,
    /// What worked, up to 4,000 characters.
    pub worked: String,
    /// What did not work, up to 4,000 characters.
    pub did_not_work: String,
}

/// Checks one part of a note: trimmed, at most [`RETROSPECTIVE_MAX_CHARS`] characters.
fn checked(problems: &mut Problems, field: &'static str, text: &str) -> String {
    let text = text.trim();
    let chars = text.chars().count();
    if chars > RETROSPECTIVE_MAX_CHARS {
        problems.push(
            field,
            format!("is {chars} characters long; a retrospective note holds at most {RETROSPECTIVE_MAX_CHARS}"),
        );
    }
    text.to_owned()
}

impl Objectives<'_> {
    /// An objective's retrospective note (a blank one at version 0 while nothing is
    /// written). An objective the caller may not see is a 404 like a missing one.
    pub async fn retrospective(self, caller: &Caller, id: ObjectiveId) -> Result<RetrospectiveView, AppError> {
        let id = id.get();
        let mut tx = self.app.store().read().await?;
        let objective = tx.objective(caller.workspace, id).await?.ok_or_else(|| not_found(id))?;
        require_visible(&mut tx, caller, &objective).await?;
        Ok(tx.retrospective(caller.workspace, id).await?.map_or_else(|| RetrospectiveView::blank(id), Into::into))
    }

    /// Writes an objective's retrospective note, based on the version read (0 for the
    /// first). Whoever may change the objective may write it.
    pub async fn update_retrospective(
        self,
        caller: &Caller,
        id: ObjectiveId,
        change: RetrospectiveChange,
    ) -> Result<RetrospectiveView, AppError> {
        let id = id.get();
        let mut problems = Problems::new();
        let worked = checked(&mut problems, "/worked", &change.worked);
        let did_not_work = checked(&mut problems, "/did_not_work", &change.did_not_work);
        if change.version < 0 {
            problems.push("/version", "a version is 0 (no note yet) or more");
        }
        let mut tx = self.app.write_outside_read_model().await?;
        let objective = tx.objective(caller.workspace, id).await?.ok_or_else(|| not_found(id))?;
        require_visible(&mut tx, caller, &objective).await?;
        require(caller, Action::EditOkr { owner: objective.owner_person_id })?;
        problems.finish()?;
        let before = tx.retrospective(caller.workspace, id).await?;
        let fields = RetrospectiveFields { worked, did_not_work, author_person_id: caller.person };
        let now = self.app.now_ms();
        let row =
            tx.put_retrospective(caller.workspace, id, change.version, &fields, now).await.map_err(|e| match e {
                StoreError::Conflict { current } => {
                    AppError::StaleVersion { what: "retrospective", id, current, given: change.version }
                }
                StoreError::NotFound => {
                    AppError::StaleVersion { what: "retrospective", id, current: 0, given: change.version }
                }
                other => other.into(),
            })?;
        record(&mut tx, caller, "update", "retrospective", id, before.as_ref(), Some(&row), now).await?;
        tx.commit().await?;
        Ok(row.into())
    }
}

fn not_found(id: i64) -> AppError {
    AppError::NotFound { what: "objective", id: id.to_string() }
}

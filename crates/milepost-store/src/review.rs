//! What a cycle's review reads beside its numbers: the retrospective notes (the short
//! "what worked / what did not" that an objective's owners write at close, one per
//! objective) and the objectives of later cycles carried over from it.

use crate::Result;
use milepost_core::WorkspaceId;

/// An objective's retrospective as stored.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
pub struct RetrospectiveRow {
    /// The workspace it belongs to.
    pub workspace_id: i64,
    /// The objective it is about.
    pub objective_id: i64,
    /// What worked.
    pub worked: String,
    /// What did not work.
    pub did_not_work: String,
    /// Who wrote it last, when a person did.
    pub author_person_id: Option<i64>,
    /// When it last changed (unix ms).
    pub updated_at: i64,
    /// Its version.
    pub version: i64,
}

/// What a person writes in a retrospective.
#[derive(Debug, Clone)]
pub struct RetrospectiveFields {
    /// What worked.
    pub worked: String,
    /// What did not work.
    pub did_not_work: String,
    /// Who writes it, when a person does.
    pub author_person_id: Option<i64>,
}

/// An objective carried over from a cycle into a later one.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
pub struct CarriedRow {
    /// The copy.
    pub id: i64,
    /// Its title.
    pub title: String,
    /// The cycle it was carried into.
    pub cycle_id: i64,
    /// The objective it was carried from.
    pub carried_from_objective_id: i64,
}

/// What a transaction can do with retrospectives and carried objectives; see [`crate::Transaction`].
#[async_trait::async_trait]
pub trait ReviewStore: Send {
    /// The retrospective of an objective, if one was written.
    async fn retrospective(&mut self, workspace: WorkspaceId, objective_id: i64) -> Result<Option<RetrospectiveRow>>;

    /// The retrospectives of every objective of a cycle, by objective id.
    async fn retrospectives_of_cycle(&mut self, workspace: WorkspaceId, cycle_id: i64)
    -> Result<Vec<RetrospectiveRow>>;

    /// Writes an objective's retrospective: the first one when `version` is 0 (a
    /// `Conflict` with the current version when one exists already), else a change of
    /// the one at `version` (a `Conflict` when it moved on, `NotFound` when there is none).
    async fn put_retrospective(
        &mut self,
        workspace: WorkspaceId,
        objective_id: i64,
        version: i64,
        fields: &RetrospectiveFields,
        now: i64,
    ) -> Result<RetrospectiveRow>;

    /// The objectives (not archived) carried from an objective of cycle `cycle_id` into
    /// another cycle, in id order.
    async fn carried_from_cycle(&mut self, workspace: WorkspaceId, cycle_id: i64) -> Result<Vec<CarriedRow>>;
}

//! Initiatives: projects and tasks that roll up to key results.

use crate::{Page, Result};
use milepost_core::{InitiativeStatus, WorkspaceId};

/// An initiative as stored.
#[derive(Debug, Clone, serde::Serialize)]
pub struct InitiativeRow {
    /// Its id.
    pub id: i64,
    /// The workspace it belongs to.
    pub workspace_id: i64,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Owning person.
    pub owner_person_id: Option<i64>,
    /// planned, active, done or dropped.
    pub status: InitiativeStatus,
    /// Due day, `YYYY-MM-DD`.
    pub due_date: Option<String>,
    /// A link to the work (issue, doc).
    pub link: Option<String>,
    /// Whether archived.
    pub archived: bool,
    /// When created (unix ms).
    pub created_at: i64,
    /// When last changed (unix ms).
    pub updated_at: i64,
    /// Version.
    pub version: i64,
}

#[cfg(feature = "sqlx")]
crate::decode::from_row!(InitiativeRow in "initiatives" { id, workspace_id, title, description, owner_person_id, status: named, due_date, link, archived, created_at, updated_at, version });

/// The fields set on an initiative.
#[derive(Debug, Clone)]
pub struct InitiativeFields {
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Owner.
    pub owner_person_id: Option<i64>,
    /// Status name.
    pub status: InitiativeStatus,
    /// Due day.
    pub due_date: Option<String>,
    /// Link.
    pub link: Option<String>,
}

/// Which initiatives to list.
#[derive(Debug, Clone, Default)]
pub struct InitiativeFilter {
    /// Only those rolling up to this key result.
    pub key_result_id: Option<i64>,
    /// Only owned by this person.
    pub owner_person_id: Option<i64>,
    /// Only in this status.
    pub status: Option<InitiativeStatus>,
    /// Include archived initiatives.
    pub include_archived: bool,
}

impl InitiativeRow {
    /// The fields a person sets, as they stand: the starting point of a change.
    pub fn fields(&self) -> InitiativeFields {
        InitiativeFields {
            title: self.title.clone(),
            description: self.description.clone(),
            owner_person_id: self.owner_person_id,
            status: self.status,
            due_date: self.due_date.clone(),
            link: self.link.clone(),
        }
    }
}

/// What a transaction can do with initiative data; see [`crate::Transaction`].
#[async_trait::async_trait]
pub trait InitiativeStore: Send {
    /// Creates an initiative.
    async fn insert_initiative(
        &mut self,
        workspace: WorkspaceId,
        fields: &InitiativeFields,
        now: i64,
    ) -> Result<InitiativeRow>;

    /// The initiative with that id.
    async fn initiative(&mut self, workspace: WorkspaceId, id: i64) -> Result<Option<InitiativeRow>>;

    /// Replaces an initiative's fields if it is still at `version`.
    async fn update_initiative(
        &mut self,
        workspace: WorkspaceId,
        id: i64,
        version: i64,
        fields: &InitiativeFields,
        archived: bool,
        now: i64,
    ) -> Result<InitiativeRow>;

    /// Replaces the set of key results an initiative rolls up to.
    async fn set_initiative_key_results(
        &mut self,
        workspace: WorkspaceId,
        initiative_id: i64,
        key_result_ids: &[i64],
    ) -> Result<()>;

    /// The key results an initiative rolls up to, in id order.
    async fn initiative_key_results(&mut self, workspace: WorkspaceId, initiative_id: i64) -> Result<Vec<i64>>;

    /// The initiatives (archived ones too) that roll up to any of these key results, in
    /// id order, each once.
    async fn initiatives_of_key_results(
        &mut self,
        workspace: WorkspaceId,
        key_result_ids: &[i64],
    ) -> Result<Vec<InitiativeRow>>;

    /// Lists initiatives in id order.
    async fn list_initiatives(
        &mut self,
        workspace: WorkspaceId,
        filter: &InitiativeFilter,
        page: Page,
    ) -> Result<Vec<InitiativeRow>>;
}

//! Workspaces: the tenants. Every other table points at one.

use crate::Result;

/// A workspace as stored.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
pub struct WorkspaceRow {
    /// Its id.
    pub id: i64,
    /// Its short name, unique on the installation.
    pub slug: String,
    /// Its display name.
    pub name: String,
    /// Whether it is archived.
    pub archived: bool,
    /// When it was created (unix ms).
    pub created_at: i64,
    /// When it last changed (unix ms).
    pub updated_at: i64,
    /// Its version, for optimistic concurrency.
    pub version: i64,
}

/// What a transaction can do with workspace data; see [`crate::Transaction`].
#[async_trait::async_trait]
pub trait WorkspaceStore: Send {
    /// Creates a workspace.
    async fn insert_workspace(&mut self, slug: &str, name: &str, now: i64) -> Result<WorkspaceRow>;

    /// The workspace with that id.
    async fn workspace(&mut self, id: milepost_core::WorkspaceId) -> Result<Option<WorkspaceRow>>;

    /// The workspace with that slug.
    async fn workspace_by_slug(&mut self, slug: &str) -> Result<Option<WorkspaceRow>>;

    /// Every workspace, oldest first.
    async fn list_workspaces(&mut self) -> Result<Vec<WorkspaceRow>>;
}

//! Teams: a tree (company → department → team) inside a workspace.

use crate::{Page, Result};
use milepost_core::WorkspaceId;

/// A team as stored.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
pub struct TeamRow {
    /// Its id.
    pub id: i64,
    /// The workspace it belongs to.
    pub workspace_id: i64,
    /// Its short name, unique in the workspace.
    pub slug: String,
    /// Its display name.
    pub name: String,
    /// The team it belongs to, if any.
    pub parent_team_id: Option<i64>,
    /// Whether it is archived.
    pub archived: bool,
    /// When it was created (unix ms).
    pub created_at: i64,
    /// When it last changed (unix ms).
    pub updated_at: i64,
    /// Its version.
    pub version: i64,
}

/// The fields a person sets on a team.
#[derive(Debug, Clone)]
pub struct TeamFields {
    /// Short name.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// Parent team.
    pub parent_team_id: Option<i64>,
}

/// Which teams to list.
#[derive(Debug, Clone, Default)]
pub struct TeamFilter {
    /// Only children of this team.
    pub parent_team_id: Option<i64>,
    /// Include archived teams.
    pub include_archived: bool,
}

impl TeamRow {
    /// The fields a person sets, as they stand: the starting point of a change.
    pub fn fields(&self) -> TeamFields {
        TeamFields { slug: self.slug.clone(), name: self.name.clone(), parent_team_id: self.parent_team_id }
    }
}

/// What a transaction can do with team data; see [`crate::Transaction`].
#[async_trait::async_trait]
pub trait TeamStore: Send {
    /// Creates a team.
    async fn insert_team(&mut self, workspace: WorkspaceId, fields: &TeamFields, now: i64) -> Result<TeamRow>;

    /// The team with that id.
    async fn team(&mut self, workspace: WorkspaceId, id: i64) -> Result<Option<TeamRow>>;

    /// The team with that slug.
    async fn team_by_slug(&mut self, workspace: WorkspaceId, slug: &str) -> Result<Option<TeamRow>>;

    /// Replaces a team's fields if it is still at `version`.
    async fn update_team(
        &mut self,
        workspace: WorkspaceId,
        id: i64,
        version: i64,
        fields: &TeamFields,
        archived: bool,
        now: i64,
    ) -> Result<TeamRow>;

    /// Lists teams in id order.
    async fn list_teams(&mut self, workspace: WorkspaceId, filter: &TeamFilter, page: Page) -> Result<Vec<TeamRow>>;
}

//! People of a workspace.

use crate::{Page, Result};
use milepost_core::{Role, WorkspaceId};

/// A person as stored.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PersonRow {
    /// Their id.
    pub id: i64,
    /// The workspace they belong to.
    pub workspace_id: i64,
    /// Their handle (`dana`), unique in the workspace, used in OKR files as `@dana`.
    pub handle: String,
    /// Their name.
    pub name: String,
    /// Their email, unique in the workspace.
    pub email: String,
    /// admin, editor, member or viewer.
    pub role: Role,
    /// Their team, if any.
    pub team_id: Option<i64>,
    /// Whether they are archived (left the company).
    pub archived: bool,
    /// Their password's Argon2id hash (PHC string), when they can log in.
    #[serde(skip)]
    pub password_hash: Option<String>,
    /// When created (unix ms).
    pub created_at: i64,
    /// When last changed (unix ms).
    pub updated_at: i64,
    /// Version.
    pub version: i64,
}

#[cfg(feature = "sqlx")]
crate::decode::from_row!(PersonRow in "people" { id, workspace_id, handle, name, email, role: named, team_id, archived, password_hash, created_at, updated_at, version });

/// The fields set on a person.
#[derive(Debug, Clone)]
pub struct PersonFields {
    /// Handle.
    pub handle: String,
    /// Name.
    pub name: String,
    /// Email.
    pub email: String,
    /// Role name.
    pub role: Role,
    /// Team.
    pub team_id: Option<i64>,
}

/// Which people to list.
#[derive(Debug, Clone, Default)]
pub struct PersonFilter {
    /// Only members of this team.
    pub team_id: Option<i64>,
    /// Only this role.
    pub role: Option<Role>,
    /// Include archived people.
    pub include_archived: bool,
}

impl PersonRow {
    /// The fields a person sets, as they stand: the starting point of a change.
    pub fn fields(&self) -> PersonFields {
        PersonFields {
            handle: self.handle.clone(),
            name: self.name.clone(),
            email: self.email.clone(),
            role: self.role,
            team_id: self.team_id,
        }
    }
}

/// What a transaction can do with person data; see [`crate::Transaction`].
#[async_trait::async_trait]
pub trait PersonStore: Send {
    /// Creates a person.
    async fn insert_person(&mut self, workspace: WorkspaceId, fields: &PersonFields, now: i64) -> Result<PersonRow>;

    /// The person with that id.
    async fn person(&mut self, workspace: WorkspaceId, id: i64) -> Result<Option<PersonRow>>;

    /// The person with that handle.
    async fn person_by_handle(&mut self, workspace: WorkspaceId, handle: &str) -> Result<Option<PersonRow>>;

    /// Replaces a person's fields if they are still at `version`.
    async fn update_person(
        &mut self,
        workspace: WorkspaceId,
        id: i64,
        version: i64,
        fields: &PersonFields,
        archived: bool,
        now: i64,
    ) -> Result<PersonRow>;

    /// Lists people in id order.
    async fn list_people(
        &mut self,
        workspace: WorkspaceId,
        filter: &PersonFilter,
        page: Page,
    ) -> Result<Vec<PersonRow>>;
}

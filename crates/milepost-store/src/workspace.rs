//! Workspaces: the tenants. Every other table points at one.

use crate::{Result, Tx, run};

/// A workspace as stored.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
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

impl Tx {
    /// Creates a workspace.
    pub async fn insert_workspace(&mut self, slug: &str, name: &str, now: i64) -> Result<WorkspaceRow> {
        Ok(run!(self, |conn| {
            sqlx::query_as(
                "INSERT INTO workspaces (slug, name, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING *",
            )
            .bind(slug)
            .bind(name)
            .bind(now)
            .fetch_one(conn)
            .await?
        }))
    }

    /// The workspace with that id.
    pub async fn workspace(&mut self, id: milepost_core::WorkspaceId) -> Result<Option<WorkspaceRow>> {
        Ok(run!(self, |conn| sqlx::query_as("SELECT * FROM workspaces WHERE id = $1")
            .bind(id.get())
            .fetch_optional(conn)
            .await?))
    }

    /// The workspace with that slug.
    pub async fn workspace_by_slug(&mut self, slug: &str) -> Result<Option<WorkspaceRow>> {
        Ok(run!(self, |conn| sqlx::query_as("SELECT * FROM workspaces WHERE slug = $1")
            .bind(slug)
            .fetch_optional(conn)
            .await?))
    }

    /// Every workspace, oldest first.
    pub async fn list_workspaces(&mut self) -> Result<Vec<WorkspaceRow>> {
        Ok(run!(self, |conn| sqlx::query_as("SELECT * FROM workspaces ORDER BY id").fetch_all(conn).await?))
    }
}

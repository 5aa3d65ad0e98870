//! Workspaces: the tenants. Every other table points at one.

use crate::{Tx, run};
use milepost_store::*;

#[async_trait::async_trait]
impl WorkspaceStore for Tx {
    async fn insert_workspace(&mut self, slug: &str, name: &str, now: i64) -> Result<WorkspaceRow> {
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

    async fn workspace(&mut self, id: milepost_core::WorkspaceId) -> Result<Option<WorkspaceRow>> {
        Ok(run!(self, |conn| sqlx::query_as("SELECT * FROM workspaces WHERE id = $1")
            .bind(id.get())
            .fetch_optional(conn)
            .await?))
    }

    async fn workspace_by_slug(&mut self, slug: &str) -> Result<Option<WorkspaceRow>> {
        Ok(run!(self, |conn| sqlx::query_as("SELECT * FROM workspaces WHERE slug = $1")
            .bind(slug)
            .fetch_optional(conn)
            .await?))
    }

    async fn list_workspaces(&mut self) -> Result<Vec<WorkspaceRow>> {
        Ok(run!(self, |conn| sqlx::query_as("SELECT * FROM workspaces ORDER BY id").fetch_all(conn).await?))
    }
}

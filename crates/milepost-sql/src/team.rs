//! Teams: a tree (company → department → team) inside a workspace.

use crate::{Tx, run};
use milepost_core::WorkspaceId;
use milepost_store::*;

#[async_trait::async_trait]
impl TeamStore for Tx {
    async fn insert_team(&mut self, workspace: WorkspaceId, fields: &TeamFields, now: i64) -> Result<TeamRow> {
        Ok(run!(self, |conn| sqlx::query_as(
            "INSERT INTO teams (workspace_id, slug, name, parent_team_id, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $5) RETURNING *"
        )
        .bind(workspace.get())
        .bind(&fields.slug)
        .bind(&fields.name)
        .bind(fields.parent_team_id)
        .bind(now)
        .fetch_one(conn)
        .await?))
    }

    async fn team(&mut self, workspace: WorkspaceId, id: i64) -> Result<Option<TeamRow>> {
        Ok(run!(self, |conn| sqlx::query_as("SELECT * FROM teams WHERE workspace_id = $1 AND id = $2")
            .bind(workspace.get())
            .bind(id)
            .fetch_optional(conn)
            .await?))
    }

    async fn team_by_slug(&mut self, workspace: WorkspaceId, slug: &str) -> Result<Option<TeamRow>> {
        Ok(run!(self, |conn| sqlx::query_as("SELECT * FROM teams WHERE workspace_id = $1 AND slug = $2")
            .bind(workspace.get())
            .bind(slug)
            .fetch_optional(conn)
            .await?))
    }

    async fn update_team(
        &mut self,
        workspace: WorkspaceId,
        id: i64,
        version: i64,
        fields: &TeamFields,
        archived: bool,
        now: i64,
    ) -> Result<TeamRow> {
        let row: Option<TeamRow> = run!(self, |conn| {
            sqlx::query_as(
                "UPDATE teams SET slug = $4, name = $5, parent_team_id = $6, archived = $7, updated_at = $8,
                 version = version + 1
             WHERE workspace_id = $1 AND id = $2 AND version = $3 RETURNING *",
            )
            .bind(workspace.get())
            .bind(id)
            .bind(version)
            .bind(&fields.slug)
            .bind(&fields.name)
            .bind(fields.parent_team_id)
            .bind(archived)
            .bind(now)
            .fetch_optional(conn)
            .await?
        });
        match row {
            Some(row) => Ok(row),
            None => self.missing_or_conflict("teams", workspace, id).await,
        }
    }

    async fn list_teams(&mut self, workspace: WorkspaceId, filter: &TeamFilter, page: Page) -> Result<Vec<TeamRow>> {
        Ok(run!(self, |conn| sqlx::query_as(
            "SELECT * FROM teams WHERE workspace_id = $1
               AND (CAST($2 AS BIGINT) IS NULL OR parent_team_id = $2)
               AND ($3 OR NOT archived)
               AND id > $4
             ORDER BY id LIMIT $5"
        )
        .bind(workspace.get())
        .bind(filter.parent_team_id)
        .bind(filter.include_archived)
        .bind(page.after.unwrap_or(0))
        .bind(page.limit)
        .fetch_all(conn)
        .await?))
    }
}

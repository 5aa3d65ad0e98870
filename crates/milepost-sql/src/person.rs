//! People of a workspace.

use crate::{Tx, run};
use milepost_core::{Named, WorkspaceId};
use milepost_store::*;

#[async_trait::async_trait]
impl PersonStore for Tx {
    async fn insert_person(&mut self, workspace: WorkspaceId, fields: &PersonFields, now: i64) -> Result<PersonRow> {
        Ok(run!(self, |conn| {
            sqlx::query_as(
                "INSERT INTO people (workspace_id, handle, name, email, role, team_id, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING *",
            )
            .bind(workspace.get())
            .bind(&fields.handle)
            .bind(&fields.name)
            .bind(&fields.email)
            .bind(fields.role.as_str())
            .bind(fields.team_id)
            .bind(now)
            .fetch_one(conn)
            .await?
        }))
    }

    async fn person(&mut self, workspace: WorkspaceId, id: i64) -> Result<Option<PersonRow>> {
        Ok(run!(self, |conn| sqlx::query_as("SELECT * FROM people WHERE workspace_id = $1 AND id = $2")
            .bind(workspace.get())
            .bind(id)
            .fetch_optional(conn)
            .await?))
    }

    async fn person_by_handle(&mut self, workspace: WorkspaceId, handle: &str) -> Result<Option<PersonRow>> {
        Ok(run!(self, |conn| sqlx::query_as("SELECT * FROM people WHERE workspace_id = $1 AND handle = $2")
            .bind(workspace.get())
            .bind(handle)
            .fetch_optional(conn)
            .await?))
    }

    async fn update_person(
        &mut self,
        workspace: WorkspaceId,
        id: i64,
        version: i64,
        fields: &PersonFields,
        archived: bool,
        now: i64,
    ) -> Result<PersonRow> {
        let row: Option<PersonRow> = run!(self, |conn| {
            sqlx::query_as(
                "UPDATE people SET handle = $4, name = $5, email = $6, role = $7, team_id = $8, archived = $9,
                 updated_at = $10, version = version + 1
             WHERE workspace_id = $1 AND id = $2 AND version = $3 RETURNING *",
            )
            .bind(workspace.get())
            .bind(id)
            .bind(version)
            .bind(&fields.handle)
            .bind(&fields.name)
            .bind(&fields.email)
            .bind(fields.role.as_str())
            .bind(fields.team_id)
            .bind(archived)
            .bind(now)
            .fetch_optional(conn)
            .await?
        });
        match row {
            Some(row) => Ok(row),
            None => self.missing_or_conflict("people", workspace, id).await,
        }
    }

    async fn list_people(
        &mut self,
        workspace: WorkspaceId,
        filter: &PersonFilter,
        page: Page,
    ) -> Result<Vec<PersonRow>> {
        Ok(run!(self, |conn| sqlx::query_as(
            "SELECT * FROM people WHERE workspace_id = $1
               AND (CAST($2 AS BIGINT) IS NULL OR team_id = $2)
               AND (CAST($3 AS TEXT) IS NULL OR role = $3)
               AND ($4 OR NOT archived)
               AND id > $5
             ORDER BY id LIMIT $6"
        )
        .bind(workspace.get())
        .bind(filter.team_id)
        .bind(filter.role.map(Named::as_str))
        .bind(filter.include_archived)
        .bind(page.after.unwrap_or(0))
        .bind(page.limit)
        .fetch_all(conn)
        .await?))
    }
}

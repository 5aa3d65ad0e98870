//! Initiatives: projects and tasks that roll up to key results.

use crate::{Tx, run};
use milepost_core::{Named, WorkspaceId};
use milepost_store::*;

#[async_trait::async_trait]
impl InitiativeStore for Tx {
    async fn insert_initiative(
        &mut self,
        workspace: WorkspaceId,
        fields: &InitiativeFields,
        now: i64,
    ) -> Result<InitiativeRow> {
        Ok(run!(self, |conn| {
            sqlx::query_as(
                "INSERT INTO initiatives (workspace_id, title, description, owner_person_id, status, due_date, link,
                 created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING *",
            )
            .bind(workspace.get())
            .bind(&fields.title)
            .bind(&fields.description)
            .bind(fields.owner_person_id)
            .bind(fields.status.as_str())
            .bind(&fields.due_date)
            .bind(&fields.link)
            .bind(now)
            .fetch_one(conn)
            .await?
        }))
    }

    async fn initiative(&mut self, workspace: WorkspaceId, id: i64) -> Result<Option<InitiativeRow>> {
        Ok(run!(self, |conn| sqlx::query_as("SELECT * FROM initiatives WHERE workspace_id = $1 AND id = $2")
            .bind(workspace.get())
            .bind(id)
            .fetch_optional(conn)
            .await?))
    }

    async fn update_initiative(
        &mut self,
        workspace: WorkspaceId,
        id: i64,
        version: i64,
        fields: &InitiativeFields,
        archived: bool,
        now: i64,
    ) -> Result<InitiativeRow> {
        let row: Option<InitiativeRow> = run!(self, |conn| {
            sqlx::query_as(
                "UPDATE initiatives SET title = $4, description = $5, owner_person_id = $6, status = $7,
                 due_date = $8, link = $9, archived = $10, updated_at = $11, version = version + 1
             WHERE workspace_id = $1 AND id = $2 AND version = $3 RETURNING *",
            )
            .bind(workspace.get())
            .bind(id)
            .bind(version)
            .bind(&fields.title)
            .bind(&fields.description)
            .bind(fields.owner_person_id)
            .bind(fields.status.as_str())
            .bind(&fields.due_date)
            .bind(&fields.link)
            .bind(archived)
            .bind(now)
            .fetch_optional(conn)
            .await?
        });
        match row {
            Some(row) => Ok(row),
            None => self.missing_or_conflict("initiatives", workspace, id).await,
        }
    }

    async fn set_initiative_key_results(
        &mut self,
        workspace: WorkspaceId,
        initiative_id: i64,
        key_result_ids: &[i64],
    ) -> Result<()> {
        run!(self, |conn| sqlx::query(
            "DELETE FROM initiative_key_results WHERE workspace_id = $1 AND initiative_id = $2"
        )
        .bind(workspace.get())
        .bind(initiative_id)
        .execute(conn)
        .await?
        .rows_affected());
        for key_result_id in key_result_ids {
            run!(self, |conn| {
                sqlx::query(
                "INSERT INTO initiative_key_results (workspace_id, initiative_id, key_result_id) VALUES ($1, $2, $3)"
            )
            .bind(workspace.get())
            .bind(initiative_id)
            .bind(*key_result_id)
            .execute(conn)
            .await?
            .rows_affected()
            });
        }
        Ok(())
    }

    async fn initiative_key_results(&mut self, workspace: WorkspaceId, initiative_id: i64) -> Result<Vec<i64>> {
        Ok(run!(self, |conn| {
            sqlx::query_scalar(
                "SELECT key_result_id FROM initiative_key_results WHERE workspace_id = $1 AND initiative_id = $2
             ORDER BY key_result_id",
            )
            .bind(workspace.get())
            .bind(initiative_id)
            .fetch_all(conn)
            .await?
        }))
    }

    async fn initiatives_of_key_results(
        &mut self,
        workspace: WorkspaceId,
        key_result_ids: &[i64],
    ) -> Result<Vec<InitiativeRow>> {
        if key_result_ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids = crate::ids_json(key_result_ids);
        Ok(crate::run_on!(self, |conn, sqlite| {
            let sql = format!(
                "SELECT * FROM initiatives WHERE workspace_id = $1 AND id IN (
                   SELECT initiative_id FROM initiative_key_results WHERE workspace_id = $1 AND {})
                 ORDER BY id",
                crate::in_ids(sqlite, "key_result_id", 2)
            );
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(workspace.get()).bind(&ids).fetch_all(conn).await?
        }))
    }

    async fn list_initiatives(
        &mut self,
        workspace: WorkspaceId,
        filter: &InitiativeFilter,
        page: Page,
    ) -> Result<Vec<InitiativeRow>> {
        // By key result, the links are read through their index rather than every
        // initiative of the workspace tried against them.
        let sql = if filter.key_result_id.is_some() {
            "SELECT i.* FROM initiative_key_results l
               JOIN initiatives i ON i.workspace_id = l.workspace_id AND i.id = l.initiative_id
             WHERE l.workspace_id = $1 AND l.key_result_id = $2
               AND (CAST($3 AS BIGINT) IS NULL OR i.owner_person_id = $3)
               AND (CAST($4 AS TEXT) IS NULL OR i.status = $4)
               AND ($5 OR NOT i.archived)
               AND i.id > $6
             ORDER BY i.id LIMIT $7"
        } else {
            "SELECT * FROM initiatives i WHERE workspace_id = $1
               AND CAST($2 AS BIGINT) IS NULL
               AND (CAST($3 AS BIGINT) IS NULL OR owner_person_id = $3)
               AND (CAST($4 AS TEXT) IS NULL OR status = $4)
               AND ($5 OR NOT archived)
               AND id > $6
             ORDER BY id LIMIT $7"
        };
        Ok(run!(self, |conn| {
            sqlx::query_as(sql)
                .bind(workspace.get())
                .bind(filter.key_result_id)
                .bind(filter.owner_person_id)
                .bind(filter.status.map(Named::as_str))
                .bind(filter.include_archived)
                .bind(page.after.unwrap_or(0))
                .bind(page.limit)
                .fetch_all(conn)
                .await?
        }))
    }
}

//! Cycles: named periods with start and end days.

use crate::{Tx, run};
use milepost_core::{Named, WorkspaceId};
use milepost_store::*;

#[async_trait::async_trait]
impl CycleStore for Tx {
    async fn insert_cycle(&mut self, workspace: WorkspaceId, fields: &CycleFields, now: i64) -> Result<CycleRow> {
        Ok(run!(self, |conn| {
            sqlx::query_as(
                "INSERT INTO cycles (workspace_id, slug, name, start_date, end_date, status, created_at, updated_at, kind)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8) RETURNING *",
            )
            .bind(workspace.get())
            .bind(&fields.slug)
            .bind(&fields.name)
            .bind(fields.start_date.to_string())
            .bind(fields.end_date.to_string())
            .bind(fields.status.as_str())
            .bind(now)
            .bind(fields.kind.as_str())
            .fetch_one(conn)
            .await?
        }))
    }

    async fn cycle(&mut self, workspace: WorkspaceId, id: i64) -> Result<Option<CycleRow>> {
        Ok(run!(self, |conn| sqlx::query_as("SELECT * FROM cycles WHERE workspace_id = $1 AND id = $2")
            .bind(workspace.get())
            .bind(id)
            .fetch_optional(conn)
            .await?))
    }

    async fn cycle_by_slug(&mut self, workspace: WorkspaceId, slug: &str) -> Result<Option<CycleRow>> {
        Ok(run!(self, |conn| sqlx::query_as("SELECT * FROM cycles WHERE workspace_id = $1 AND slug = $2")
            .bind(workspace.get())
            .bind(slug)
            .fetch_optional(conn)
            .await?))
    }

    async fn update_cycle(
        &mut self,
        workspace: WorkspaceId,
        id: i64,
        version: i64,
        fields: &CycleFields,
        archived: bool,
        now: i64,
    ) -> Result<CycleRow> {
        let row: Option<CycleRow> = run!(self, |conn| {
            sqlx::query_as(
                "UPDATE cycles SET slug = $4, name = $5, start_date = $6, end_date = $7, status = $8, archived = $9,
                 updated_at = $10, kind = $11, version = version + 1
             WHERE workspace_id = $1 AND id = $2 AND version = $3 RETURNING *",
            )
            .bind(workspace.get())
            .bind(id)
            .bind(version)
            .bind(&fields.slug)
            .bind(&fields.name)
            .bind(fields.start_date.to_string())
            .bind(fields.end_date.to_string())
            .bind(fields.status.as_str())
            .bind(archived)
            .bind(now)
            .bind(fields.kind.as_str())
            .fetch_optional(conn)
            .await?
        });
        match row {
            Some(row) => Ok(row),
            None => self.missing_or_conflict("cycles", workspace, id).await,
        }
    }

    async fn list_cycles(&mut self, workspace: WorkspaceId, filter: &CycleFilter, page: Page) -> Result<Vec<CycleRow>> {
        Ok(run!(self, |conn| sqlx::query_as(
            "SELECT * FROM cycles WHERE workspace_id = $1
               AND (CAST($2 AS TEXT) IS NULL OR status = $2)
               AND ($3 OR NOT archived)
               AND id > $4
             ORDER BY id LIMIT $5"
        )
        .bind(workspace.get())
        .bind(filter.status.map(Named::as_str))
        .bind(filter.include_archived)
        .bind(page.after.unwrap_or(0))
        .bind(page.limit)
        .fetch_all(conn)
        .await?))
    }

    async fn due_cycles(&mut self, today: &str, limit: i64) -> Result<Vec<CycleRow>> {
        Ok(run!(self, |conn| sqlx::query_as(
            "SELECT * FROM cycles WHERE status = 'planning' AND NOT archived AND start_date <= $1
             ORDER BY start_date, id LIMIT $2"
        )
        .bind(today)
        .bind(limit)
        .fetch_all(conn)
        .await?))
    }

    async fn start_due_cycle(
        &mut self,
        workspace: WorkspaceId,
        id: i64,
        today: &str,
        now: i64,
    ) -> Result<Option<CycleRow>> {
        Ok(run!(self, |conn| sqlx::query_as(
            "UPDATE cycles SET status = 'active', updated_at = $4, version = version + 1
             WHERE workspace_id = $1 AND id = $2 AND status = 'planning' AND NOT archived AND start_date <= $3
             RETURNING *"
        )
        .bind(workspace.get())
        .bind(id)
        .bind(today)
        .bind(now)
        .fetch_optional(conn)
        .await?))
    }

    async fn insert_cycle_transition(
        &mut self,
        workspace: WorkspaceId,
        new: &NewCycleTransition<'_>,
        now: i64,
    ) -> Result<CycleTransitionRow> {
        Ok(run!(self, |conn| {
            sqlx::query_as(
                "INSERT INTO cycle_transitions (workspace_id, cycle_id, from_status, to_status, reason,
                 actor_person_id, actor_token_id, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *",
            )
            .bind(workspace.get())
            .bind(new.cycle_id)
            .bind(new.from_status.as_str())
            .bind(new.to_status.as_str())
            .bind(new.reason)
            .bind(new.actor_person_id)
            .bind(new.actor_token_id)
            .bind(now)
            .fetch_one(conn)
            .await?
        }))
    }

    async fn list_cycle_transitions(
        &mut self,
        workspace: WorkspaceId,
        cycle_id: i64,
    ) -> Result<Vec<CycleTransitionRow>> {
        Ok(run!(self, |conn| sqlx::query_as(
            "SELECT * FROM cycle_transitions WHERE workspace_id = $1 AND cycle_id = $2 ORDER BY id"
        )
        .bind(workspace.get())
        .bind(cycle_id)
        .fetch_all(conn)
        .await?))
    }

    async fn insert_cycle_closing(
        &mut self,
        workspace: WorkspaceId,
        new: &NewCycleClosing<'_>,
        now: i64,
    ) -> Result<CycleClosingRow> {
        Ok(run!(self, |conn| {
            sqlx::query_as(
                "INSERT INTO cycle_closings (workspace_id, cycle_id, closed_at, early, actor_person_id, actor_token_id,
                 thresholds, scores)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *",
            )
            .bind(workspace.get())
            .bind(new.cycle_id)
            .bind(now)
            .bind(new.early)
            .bind(new.actor_person_id)
            .bind(new.actor_token_id)
            .bind(new.thresholds)
            .bind(new.scores)
            .fetch_one(conn)
            .await?
        }))
    }

    async fn list_cycle_closings(&mut self, workspace: WorkspaceId, cycle_id: i64) -> Result<Vec<CycleClosingRow>> {
        Ok(run!(self, |conn| sqlx::query_as(
            "SELECT * FROM cycle_closings WHERE workspace_id = $1 AND cycle_id = $2 ORDER BY id"
        )
        .bind(workspace.get())
        .bind(cycle_id)
        .fetch_all(conn)
        .await?))
    }

    async fn standing_cycle_closing(
        &mut self,
        workspace: WorkspaceId,
        cycle_id: i64,
    ) -> Result<Option<CycleClosingRow>> {
        Ok(run!(self, |conn| sqlx::query_as(
            "SELECT * FROM cycle_closings WHERE workspace_id = $1 AND cycle_id = $2 AND reopened_at IS NULL
             ORDER BY id DESC LIMIT 1"
        )
        .bind(workspace.get())
        .bind(cycle_id)
        .fetch_optional(conn)
        .await?))
    }

    async fn reopen_cycle_closing(
        &mut self,
        workspace: WorkspaceId,
        cycle_id: i64,
        person: Option<i64>,
        reason: &str,
        now: i64,
    ) -> Result<bool> {
        let done = run!(self, |conn| sqlx::query(
            "UPDATE cycle_closings SET reopened_at = $3, reopened_by_person_id = $4, reopen_reason = $5
             WHERE workspace_id = $1 AND cycle_id = $2 AND reopened_at IS NULL"
        )
        .bind(workspace.get())
        .bind(cycle_id)
        .bind(now)
        .bind(person)
        .bind(reason)
        .execute(conn)
        .await?
        .rows_affected());
        Ok(done > 0)
    }
}

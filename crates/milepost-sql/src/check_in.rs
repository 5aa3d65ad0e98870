//! Check-ins: append-only history of a key result's value, confidence and notes.

use crate::{Tx, run};
use milepost_core::WorkspaceId;
use milepost_store::*;

#[async_trait::async_trait]
impl CheckInStore for Tx {
    async fn insert_check_in(&mut self, workspace: WorkspaceId, new: &NewCheckIn, now: i64) -> Result<CheckInRow> {
        Ok(run!(self, |conn| sqlx::query_as(
            "INSERT INTO check_ins (workspace_id, key_result_id, value, confidence, note, blockers,
                 author_person_id, source, checked_in_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *"
        )
        .bind(workspace.get())
        .bind(new.key_result_id)
        .bind(new.value)
        .bind(new.confidence)
        .bind(&new.note)
        .bind(&new.blockers)
        .bind(new.author_person_id)
        .bind(&new.source)
        .bind(new.checked_in_at)
        .bind(now)
        .fetch_one(conn)
        .await?))
    }

    async fn check_in(&mut self, workspace: WorkspaceId, id: i64) -> Result<Option<CheckInRow>> {
        Ok(run!(self, |conn| sqlx::query_as("SELECT * FROM check_ins WHERE workspace_id = $1 AND id = $2")
            .bind(workspace.get())
            .bind(id)
            .fetch_optional(conn)
            .await?))
    }

    async fn list_check_ins(
        &mut self,
        workspace: WorkspaceId,
        key_result_id: i64,
        page: crate::Page,
    ) -> Result<Vec<CheckInRow>> {
        Ok(run!(self, |conn| sqlx::query_as(
            "SELECT * FROM check_ins WHERE workspace_id = $1 AND key_result_id = $2 AND id > $3
             ORDER BY id LIMIT $4"
        )
        .bind(workspace.get())
        .bind(key_result_id)
        .bind(page.after.unwrap_or(0))
        .bind(page.limit)
        .fetch_all(conn)
        .await?))
    }

    async fn check_ins_of(&mut self, workspace: WorkspaceId, key_result_ids: &[i64]) -> Result<Vec<CheckInRow>> {
        if key_result_ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids = crate::ids_json(key_result_ids);
        Ok(crate::run_on!(self, |conn, sqlite| {
            let sql = format!(
                "SELECT * FROM check_ins WHERE workspace_id = $1 AND {}
                 ORDER BY key_result_id, checked_in_at, id",
                crate::in_ids(sqlite, "key_result_id", 2)
            );
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(workspace.get()).bind(&ids).fetch_all(conn).await?
        }))
    }

    async fn check_ins_of_cycle(&mut self, workspace: WorkspaceId, cycle_id: i64) -> Result<Vec<CheckInRow>> {
        Ok(run!(self, |conn| sqlx::query_as(
            "SELECT c.* FROM check_ins c
               JOIN key_results k ON k.id = c.key_result_id AND k.workspace_id = c.workspace_id
               JOIN objectives o ON o.id = k.objective_id AND o.workspace_id = k.workspace_id
             WHERE c.workspace_id = $1 AND o.cycle_id = $2
             ORDER BY c.key_result_id, c.checked_in_at, c.id"
        )
        .bind(workspace.get())
        .bind(cycle_id)
        .fetch_all(conn)
        .await?))
    }

    async fn insert_goal_change(
        &mut self,
        workspace: WorkspaceId,
        key_result_id: i64,
        field: &str,
        old_value: Option<f64>,
        new_value: Option<f64>,
        reason: &str,
        author_person_id: Option<i64>,
        now: i64,
    ) -> Result<GoalChangeRow> {
        Ok(run!(self, |conn| {
            sqlx::query_as(
                "INSERT INTO goal_changes (workspace_id, key_result_id, field, old_value, new_value, reason,
                 author_person_id, changed_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *",
            )
            .bind(workspace.get())
            .bind(key_result_id)
            .bind(field)
            .bind(old_value)
            .bind(new_value)
            .bind(reason)
            .bind(author_person_id)
            .bind(now)
            .fetch_one(conn)
            .await?
        }))
    }

    async fn list_goal_changes(&mut self, workspace: WorkspaceId, key_result_id: i64) -> Result<Vec<GoalChangeRow>> {
        Ok(run!(self, |conn| sqlx::query_as(
            "SELECT * FROM goal_changes WHERE workspace_id = $1 AND key_result_id = $2 ORDER BY id"
        )
        .bind(workspace.get())
        .bind(key_result_id)
        .fetch_all(conn)
        .await?))
    }

    async fn goal_changes_of(&mut self, workspace: WorkspaceId, key_result_ids: &[i64]) -> Result<Vec<GoalChangeRow>> {
        if key_result_ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids = crate::ids_json(key_result_ids);
        Ok(crate::run_on!(self, |conn, sqlite| {
            let sql = format!(
                "SELECT * FROM goal_changes WHERE workspace_id = $1 AND {} ORDER BY key_result_id, id",
                crate::in_ids(sqlite, "key_result_id", 2)
            );
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(workspace.get()).bind(&ids).fetch_all(conn).await?
        }))
    }
}

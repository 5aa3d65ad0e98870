//! Key results. Their current value changes only through check-ins.

use crate::{Tx, run};
use milepost_core::{Named, WorkspaceId};
use milepost_store::*;

#[async_trait::async_trait]
impl KeyResultStore for Tx {
    async fn insert_key_result(
        &mut self,
        workspace: WorkspaceId,
        fields: &KeyResultFields,
        added_after_start: bool,
        now: i64,
    ) -> Result<KeyResultRow> {
        Ok(run!(self, |conn| {
            sqlx::query_as(
                "INSERT INTO key_results (workspace_id, objective_id, title, kind, metric, unit, start_value,
                 target_value, range_low, range_high, comparator, relative_change, weight, owner_person_id,
                 cadence, kpi_id, target_schedule, added_after_start, created_at, updated_at, required_share)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $19, $20)
             RETURNING *",
            )
            .bind(workspace.get())
            .bind(fields.objective_id)
            .bind(&fields.title)
            .bind(fields.kind.as_str())
            .bind(&fields.metric)
            .bind(&fields.unit)
            .bind(fields.start_value)
            .bind(fields.target_value)
            .bind(fields.range_low)
            .bind(fields.range_high)
            .bind(fields.comparator.map(Named::as_str))
            .bind(fields.relative_change)
            .bind(fields.weight)
            .bind(fields.owner_person_id)
            .bind(fields.cadence.as_str())
            .bind(fields.kpi_id)
            .bind(&fields.target_schedule)
            .bind(added_after_start)
            .bind(now)
            .bind(fields.required_share)
            .fetch_one(conn)
            .await?
        }))
    }

    async fn key_result(&mut self, workspace: WorkspaceId, id: i64) -> Result<Option<KeyResultRow>> {
        Ok(run!(self, |conn| sqlx::query_as("SELECT * FROM key_results WHERE workspace_id = $1 AND id = $2")
            .bind(workspace.get())
            .bind(id)
            .fetch_optional(conn)
            .await?))
    }

    async fn update_key_result(
        &mut self,
        workspace: WorkspaceId,
        id: i64,
        version: i64,
        fields: &KeyResultFields,
        archived: bool,
        now: i64,
    ) -> Result<KeyResultRow> {
        let row: Option<KeyResultRow> = run!(self, |conn| {
            sqlx::query_as(
                "UPDATE key_results SET objective_id = $4, title = $5, kind = $6, metric = $7, unit = $8,
                 start_value = $9, target_value = $10, range_low = $11, range_high = $12, comparator = $13,
                 relative_change = $14, weight = $15, owner_person_id = $16, cadence = $17, kpi_id = $18,
                 target_schedule = $19, archived = $20, updated_at = $21, required_share = $22, version = version + 1
             WHERE workspace_id = $1 AND id = $2 AND version = $3 RETURNING *",
            )
            .bind(workspace.get())
            .bind(id)
            .bind(version)
            .bind(fields.objective_id)
            .bind(&fields.title)
            .bind(fields.kind.as_str())
            .bind(&fields.metric)
            .bind(&fields.unit)
            .bind(fields.start_value)
            .bind(fields.target_value)
            .bind(fields.range_low)
            .bind(fields.range_high)
            .bind(fields.comparator.map(Named::as_str))
            .bind(fields.relative_change)
            .bind(fields.weight)
            .bind(fields.owner_person_id)
            .bind(fields.cadence.as_str())
            .bind(fields.kpi_id)
            .bind(&fields.target_schedule)
            .bind(archived)
            .bind(now)
            .bind(fields.required_share)
            .fetch_optional(conn)
            .await?
        });
        match row {
            Some(row) => Ok(row),
            None => self.missing_or_conflict("key_results", workspace, id).await,
        }
    }

    async fn list_key_results(
        &mut self,
        workspace: WorkspaceId,
        filter: &KeyResultFilter,
        page: Page,
    ) -> Result<Vec<KeyResultRow>> {
        Ok(run!(self, |conn| {
            sqlx::query_as(
            "SELECT k.* FROM key_results k JOIN objectives o ON o.id = k.objective_id AND o.workspace_id = k.workspace_id
             WHERE k.workspace_id = $1
               AND (CAST($2 AS BIGINT) IS NULL OR k.objective_id = $2)
               AND (CAST($3 AS BIGINT) IS NULL OR o.cycle_id = $3)
               AND (CAST($4 AS BIGINT) IS NULL OR k.owner_person_id = $4)
               AND (CAST($5 AS BIGINT) IS NULL OR o.owner_team_id = $5)
               AND ($6 OR NOT (k.archived OR o.archived))
               AND k.id > $7
             ORDER BY k.id LIMIT $8"
        )
        .bind(workspace.get())
        .bind(filter.objective_id)
        .bind(filter.cycle_id)
        .bind(filter.owner_person_id)
        .bind(filter.team_id)
        .bind(filter.include_archived)
        .bind(page.after.unwrap_or(0))
        .bind(page.limit)
        .fetch_all(conn)
        .await?
        }))
    }

    async fn touch_key_result(&mut self, workspace: WorkspaceId, id: i64, now: i64) -> Result<()> {
        let done = run!(self, |conn| {
            sqlx::query(
                "UPDATE key_results SET version = version + 1, updated_at = $3 WHERE workspace_id = $1 AND id = $2",
            )
            .bind(workspace.get())
            .bind(id)
            .bind(now)
            .execute(conn)
            .await?
            .rows_affected()
        });
        if done == 0 { Err(crate::StoreError::NotFound) } else { Ok(()) }
    }

    async fn refresh_current_value(&mut self, workspace: WorkspaceId, id: i64) -> Result<KeyResultRow> {
        let row: Option<KeyResultRow> = run!(self, |conn| sqlx::query_as(
            "UPDATE key_results SET current_value = (
                 SELECT value FROM check_ins c WHERE c.workspace_id = $1 AND c.key_result_id = $2
                 ORDER BY c.checked_in_at DESC, c.id DESC LIMIT 1)
             WHERE workspace_id = $1 AND id = $2 RETURNING *"
        )
        .bind(workspace.get())
        .bind(id)
        .fetch_optional(conn)
        .await?);
        row.ok_or(crate::StoreError::NotFound)
    }

    async fn key_results_of_objectives(
        &mut self,
        workspace: WorkspaceId,
        objective_ids: &[i64],
    ) -> Result<Vec<KeyResultRow>> {
        if objective_ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids = crate::ids_json(objective_ids);
        Ok(crate::run_on!(self, |conn, sqlite| {
            let sql = format!(
                "SELECT * FROM key_results WHERE workspace_id = $1 AND {} ORDER BY id",
                crate::in_ids(sqlite, "objective_id", 2)
            );
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(workspace.get()).bind(&ids).fetch_all(conn).await?
        }))
    }

    async fn key_results_of_kpi(&mut self, workspace: WorkspaceId, kpi_id: i64) -> Result<Vec<KeyResultRow>> {
        Ok(run!(self, |conn| {
            sqlx::query_as(
            "SELECT k.* FROM key_results k JOIN objectives o ON o.id = k.objective_id AND o.workspace_id = k.workspace_id
             WHERE k.workspace_id = $1 AND k.kpi_id = $2 AND NOT k.archived AND NOT o.archived ORDER BY k.id",
            )
            .bind(workspace.get())
            .bind(kpi_id)
            .fetch_all(conn)
            .await?
        }))
    }

    async fn set_key_result_position(&mut self, workspace: WorkspaceId, id: i64, position: i64) -> Result<()> {
        run!(self, |conn| sqlx::query("UPDATE key_results SET position = $3 WHERE workspace_id = $1 AND id = $2")
            .bind(workspace.get())
            .bind(id)
            .bind(position)
            .execute(conn)
            .await?
            .rows_affected());
        Ok(())
    }
}

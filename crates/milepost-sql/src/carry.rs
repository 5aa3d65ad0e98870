//! Carry-over links between an objective or key result and its copy in a later cycle.

use crate::{Tx, run};
use milepost_core::WorkspaceId;
use milepost_store::*;

#[async_trait::async_trait]
impl CarryStore for Tx {
    async fn carried_copy(&mut self, workspace: WorkspaceId, origin: i64, cycle_id: i64) -> Result<Option<i64>> {
        let row: Option<(i64,)> = run!(self, |conn| sqlx::query_as(
            "SELECT id FROM objectives WHERE workspace_id = $1 AND carried_from_objective_id = $2 AND cycle_id = $3"
        )
        .bind(workspace.get())
        .bind(origin)
        .bind(cycle_id)
        .fetch_optional(conn)
        .await?);
        Ok(row.map(|(id,)| id))
    }

    async fn set_objective_carried_from(&mut self, workspace: WorkspaceId, id: i64, origin: i64) -> Result<()> {
        run!(self, |conn| sqlx::query(
            "UPDATE objectives SET carried_from_objective_id = $3 WHERE workspace_id = $1 AND id = $2"
        )
        .bind(workspace.get())
        .bind(id)
        .bind(origin)
        .execute(conn)
        .await?
        .rows_affected());
        Ok(())
    }

    async fn set_key_result_carried_from(&mut self, workspace: WorkspaceId, id: i64, origin: i64) -> Result<()> {
        run!(self, |conn| sqlx::query(
            "UPDATE key_results SET carried_from_key_result_id = $3 WHERE workspace_id = $1 AND id = $2"
        )
        .bind(workspace.get())
        .bind(id)
        .bind(origin)
        .execute(conn)
        .await?
        .rows_affected());
        Ok(())
    }

    async fn carry_links_of_cycle(&mut self, workspace: WorkspaceId, cycle_id: i64) -> Result<Vec<CarryLink>> {
        // Two halves, each on an index: the cycle's own copies (its objectives by
        // cycle), and the copies of its objectives (objectives_carried_once, probed
        // with each objective of the cycle).
        let rows: Vec<(i64, i64, i64)> = run!(self, |conn| sqlx::query_as(
            "SELECT id, cycle_id, carried_from_objective_id FROM objectives
              WHERE workspace_id = $1 AND cycle_id = $2 AND carried_from_objective_id IS NOT NULL
             UNION
             SELECT copy.id, copy.cycle_id, copy.carried_from_objective_id
               FROM objectives origin
               JOIN objectives copy ON copy.workspace_id = origin.workspace_id
                                   AND copy.carried_from_objective_id = origin.id
              WHERE origin.workspace_id = $1 AND origin.cycle_id = $2
             ORDER BY 1"
        )
        .bind(workspace.get())
        .bind(cycle_id)
        .fetch_all(conn)
        .await?);
        Ok(rows
            .into_iter()
            .map(|(objective_id, cycle_id, carried_from_objective_id)| CarryLink {
                objective_id,
                cycle_id,
                carried_from_objective_id,
            })
            .collect())
    }

    async fn key_result_links_of_cycle(&mut self, workspace: WorkspaceId, cycle_id: i64) -> Result<Vec<(i64, i64)>> {
        Ok(run!(self, |conn| sqlx::query_as(
            "SELECT k.id, k.carried_from_key_result_id FROM key_results k
               JOIN objectives o ON o.workspace_id = k.workspace_id AND o.id = k.objective_id
              WHERE k.workspace_id = $1 AND o.cycle_id = $2 AND k.carried_from_key_result_id IS NOT NULL
              ORDER BY k.id"
        )
        .bind(workspace.get())
        .bind(cycle_id)
        .fetch_all(conn)
        .await?))
    }

    async fn key_result_origins(&mut self, workspace: WorkspaceId, key_result_ids: &[i64]) -> Result<Vec<(i64, i64)>> {
        if key_result_ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids = crate::ids_json(key_result_ids);
        Ok(crate::run_on!(self, |conn, sqlite| {
            let sql = format!(
                "SELECT id, carried_from_key_result_id FROM key_results
                  WHERE workspace_id = $1 AND carried_from_key_result_id IS NOT NULL AND {} ORDER BY id",
                crate::in_ids(sqlite, "id", 2)
            );
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(workspace.get()).bind(&ids).fetch_all(conn).await?
        }))
    }
}

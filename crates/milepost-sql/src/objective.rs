//! Objectives, aligned to a parent objective or key result.

use crate::{Tx, run};
use milepost_core::{Named, WorkspaceId};
use milepost_store::*;

#[async_trait::async_trait]
impl ObjectiveStore for Tx {
    async fn insert_objective(
        &mut self,
        workspace: WorkspaceId,
        fields: &ObjectiveFields,
        added_after_start: bool,
        now: i64,
    ) -> Result<ObjectiveRow> {
        Ok(run!(self, |conn| {
            sqlx::query_as(
                "INSERT INTO objectives (workspace_id, cycle_id, title, description, owner_person_id, owner_team_id,
                 commitment, parent_objective_id, parent_key_result_id, visibility, rollup_children,
                 added_after_start, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING *",
            )
            .bind(workspace.get())
            .bind(fields.cycle_id)
            .bind(&fields.title)
            .bind(&fields.description)
            .bind(fields.owner_person_id)
            .bind(fields.owner_team_id)
            .bind(fields.commitment.as_str())
            .bind(fields.parent_objective_id)
            .bind(fields.parent_key_result_id)
            .bind(fields.visibility.as_str())
            .bind(fields.rollup_children)
            .bind(added_after_start)
            .bind(now)
            .fetch_one(conn)
            .await?
        }))
    }

    async fn objective(&mut self, workspace: WorkspaceId, id: i64) -> Result<Option<ObjectiveRow>> {
        Ok(run!(self, |conn| sqlx::query_as("SELECT * FROM objectives WHERE workspace_id = $1 AND id = $2")
            .bind(workspace.get())
            .bind(id)
            .fetch_optional(conn)
            .await?))
    }

    async fn update_objective(
        &mut self,
        workspace: WorkspaceId,
        id: i64,
        version: i64,
        fields: &ObjectiveFields,
        archived: bool,
        now: i64,
    ) -> Result<ObjectiveRow> {
        let row: Option<ObjectiveRow> = run!(self, |conn| {
            sqlx::query_as(
                "UPDATE objectives SET cycle_id = $4, title = $5, description = $6, owner_person_id = $7,
                 owner_team_id = $8, commitment = $9, parent_objective_id = $10, parent_key_result_id = $11,
                 visibility = $12, rollup_children = $13, archived = $14, updated_at = $15, version = version + 1
             WHERE workspace_id = $1 AND id = $2 AND version = $3 RETURNING *",
            )
            .bind(workspace.get())
            .bind(id)
            .bind(version)
            .bind(fields.cycle_id)
            .bind(&fields.title)
            .bind(&fields.description)
            .bind(fields.owner_person_id)
            .bind(fields.owner_team_id)
            .bind(fields.commitment.as_str())
            .bind(fields.parent_objective_id)
            .bind(fields.parent_key_result_id)
            .bind(fields.visibility.as_str())
            .bind(fields.rollup_children)
            .bind(archived)
            .bind(now)
            .fetch_optional(conn)
            .await?
        });
        match row {
            Some(row) => Ok(row),
            None => self.missing_or_conflict("objectives", workspace, id).await,
        }
    }

    async fn list_objectives(
        &mut self,
        workspace: WorkspaceId,
        filter: &ObjectiveFilter,
        page: Page,
    ) -> Result<Vec<ObjectiveRow>> {
        // Only the filters given are in the SQL, so that the database can walk the index
        // of the one that narrows (a cycle's objectives in id order) instead of every
        // objective of the workspace tried against each filter.
        let filters = [
            ("cycle_id", filter.cycle_id),
            ("owner_person_id", filter.owner_person_id),
            ("owner_team_id", filter.owner_team_id),
            ("parent_objective_id", filter.parent_objective_id),
        ];
        let given: Vec<(&str, i64)> = filters.iter().filter_map(|(column, value)| Some((*column, (*value)?))).collect();
        let mut sql = String::from("SELECT * FROM objectives WHERE workspace_id = $1");
        for (at, (column, _)) in given.iter().enumerate() {
            sql.push_str(&format!(" AND {column} = ${}", at + 2));
        }
        let next = given.len() + 2;
        sql.push_str(&format!(" AND (${next} OR NOT archived) AND id > ${} ORDER BY id LIMIT ${}", next + 1, next + 2));
        Ok(run!(self, |conn| {
            let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(workspace.get());
            for (_, value) in &given {
                query = query.bind(*value);
            }
            query.bind(filter.include_archived).bind(page.after.unwrap_or(0)).bind(page.limit).fetch_all(conn).await?
        }))
    }

    async fn objectives_aligned_from_other_cycles(
        &mut self,
        workspace: WorkspaceId,
        cycle_id: i64,
        parents: &[i64],
    ) -> Result<Vec<ObjectiveRow>> {
        if parents.is_empty() {
            return Ok(Vec::new());
        }
        let ids = crate::ids_json(parents);
        Ok(crate::run_on!(self, |conn, sqlite| {
            let sql = format!(
                "SELECT * FROM objectives WHERE workspace_id = $1 AND cycle_id <> $2 AND {} ORDER BY id",
                crate::in_ids(sqlite, "parent_objective_id", 3)
            );
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(workspace.get())
                .bind(cycle_id)
                .bind(&ids)
                .fetch_all(conn)
                .await?
        }))
    }

    async fn team_only_objectives(&mut self, workspace: WorkspaceId) -> Result<Vec<ObjectiveRow>> {
        Ok(run!(self, |conn| sqlx::query_as(
            "SELECT * FROM objectives WHERE workspace_id = $1 AND visibility = 'team' ORDER BY id"
        )
        .bind(workspace.get())
        .fetch_all(conn)
        .await?))
    }

    async fn set_objective_position(&mut self, workspace: WorkspaceId, id: i64, position: i64) -> Result<()> {
        run!(self, |conn| sqlx::query("UPDATE objectives SET position = $3 WHERE workspace_id = $1 AND id = $2")
            .bind(workspace.get())
            .bind(id)
            .bind(position)
            .execute(conn)
            .await?
            .rows_affected());
        Ok(())
    }

    async fn set_objective_recovers_kpi(&mut self, workspace: WorkspaceId, id: i64, kpi_id: i64) -> Result<()> {
        run!(self, |conn| sqlx::query(
            "UPDATE objectives SET recovers_kpi_id = $3 WHERE workspace_id = $1 AND id = $2"
        )
        .bind(workspace.get())
        .bind(id)
        .bind(kpi_id)
        .execute(conn)
        .await?
        .rows_affected());
        Ok(())
    }

    async fn active_recovery_objective(&mut self, workspace: WorkspaceId, kpi_id: i64) -> Result<Option<i64>> {
        Ok(run!(self, |conn| sqlx::query_scalar(
            "SELECT o.id FROM objectives o
               JOIN cycles c ON c.id = o.cycle_id AND c.workspace_id = o.workspace_id
             WHERE o.workspace_id = $1 AND o.recovers_kpi_id = $2 AND NOT o.archived AND c.status <> 'closed'
             ORDER BY o.id LIMIT 1"
        )
        .bind(workspace.get())
        .bind(kpi_id)
        .fetch_optional(conn)
        .await?))
    }
}

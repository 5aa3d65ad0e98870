//! A cycle's review: retrospective notes of objectives (one row per objective, written
//! with a version) and the objectives carried over from the cycle.

use crate::{Tx, run};
use milepost_core::WorkspaceId;
use milepost_store::*;

#[async_trait::async_trait]
impl ReviewStore for Tx {
    async fn retrospective(&mut self, workspace: WorkspaceId, objective_id: i64) -> Result<Option<RetrospectiveRow>> {
        Ok(run!(self, |conn| sqlx::query_as(
            "SELECT * FROM objective_retrospectives WHERE workspace_id = $1 AND objective_id = $2"
        )
        .bind(workspace.get())
        .bind(objective_id)
        .fetch_optional(conn)
        .await?))
    }

    async fn retrospectives_of_cycle(
        &mut self,
        workspace: WorkspaceId,
        cycle_id: i64,
    ) -> Result<Vec<RetrospectiveRow>> {
        Ok(run!(self, |conn| sqlx::query_as(
            "SELECT r.* FROM objective_retrospectives r
               JOIN objectives o ON o.workspace_id = r.workspace_id AND o.id = r.objective_id
             WHERE r.workspace_id = $1 AND o.cycle_id = $2
             ORDER BY r.objective_id"
        )
        .bind(workspace.get())
        .bind(cycle_id)
        .fetch_all(conn)
        .await?))
    }

    async fn put_retrospective(
        &mut self,
        workspace: WorkspaceId,
        objective_id: i64,
        version: i64,
        fields: &RetrospectiveFields,
        now: i64,
    ) -> Result<RetrospectiveRow> {
        let written: Option<RetrospectiveRow> = if version == 0 {
            run!(self, |conn| sqlx::query_as(
                "INSERT INTO objective_retrospectives
                   (workspace_id, objective_id, worked, did_not_work, author_person_id, updated_at, version)
                 VALUES ($1, $2, $3, $4, $5, $6, 1)
                 ON CONFLICT (workspace_id, objective_id) DO NOTHING RETURNING *"
            )
            .bind(workspace.get())
            .bind(objective_id)
            .bind(&fields.worked)
            .bind(&fields.did_not_work)
            .bind(fields.author_person_id)
            .bind(now)
            .fetch_optional(conn)
            .await?)
        } else {
            run!(self, |conn| sqlx::query_as(
                "UPDATE objective_retrospectives
                   SET worked = $4, did_not_work = $5, author_person_id = $6, updated_at = $7, version = version + 1
                 WHERE workspace_id = $1 AND objective_id = $2 AND version = $3 RETURNING *"
            )
            .bind(workspace.get())
            .bind(objective_id)
            .bind(version)
            .bind(&fields.worked)
            .bind(&fields.did_not_work)
            .bind(fields.author_person_id)
            .bind(now)
            .fetch_optional(conn)
            .await?)
        };
        if let Some(row) = written {
            return Ok(row);
        }
        let current: Option<i64> = run!(self, |conn| sqlx::query_scalar(
            "SELECT version FROM objective_retrospectives WHERE workspace_id = $1 AND objective_id = $2"
        )
        .bind(workspace.get())
        .bind(objective_id)
        .fetch_optional(conn)
        .await?);
        Err(match current {
            Some(current) => StoreError::Conflict { current },
            None => StoreError::NotFound,
        })
    }

    async fn carried_from_cycle(&mut self, workspace: WorkspaceId, cycle_id: i64) -> Result<Vec<CarriedRow>> {
        Ok(run!(self, |conn| sqlx::query_as(
            "SELECT c.id, c.title, c.cycle_id, c.carried_from_objective_id FROM objectives c
               JOIN objectives o ON o.workspace_id = c.workspace_id AND o.id = c.carried_from_objective_id
             WHERE c.workspace_id = $1 AND o.cycle_id = $2 AND c.cycle_id <> $2 AND NOT c.archived
             ORDER BY c.id"
        )
        .bind(workspace.get())
        .bind(cycle_id)
        .fetch_all(conn)
        .await?))
    }
}

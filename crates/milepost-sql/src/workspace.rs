//! Workspaces: the tenants. Every other table points at one.

use crate::{Tx, run};
use milepost_core::WorkspaceId;
use milepost_store::*;

/// How many generations of changes a workspace keeps: a server whose read model is
/// further behind reloads it whole.
const CHANGES_KEPT: i64 = 4_096;

/// Bumps the workspace's generation and writes what it changed, as the last writes of
/// a transaction: the row lock on the workspace is then held only until the commit, and
/// generations are numbered in commit order within a workspace.
pub(crate) async fn record_change(tx: &mut Tx, workspace: WorkspaceId, change: &Change) -> Result<()> {
    let generation: Option<i64> = run!(tx, |conn| sqlx::query_scalar(
        "UPDATE workspaces SET generation = generation + 1 WHERE id = $1 RETURNING generation"
    )
    .bind(workspace.get())
    .fetch_optional(conn)
    .await?);
    let Some(generation) = generation else {
        return Ok(());
    };
    let key_results = match change {
        Change::KeyResults(ids) => Some(serde_json::to_string(ids).unwrap_or_else(|_| "[]".to_owned())),
        Change::Everything => None,
    };
    run!(tx, |conn| sqlx::query("INSERT INTO changes (workspace_id, generation, key_results) VALUES ($1, $2, $3)")
        .bind(workspace.get())
        .bind(generation)
        .bind(key_results.as_deref())
        .execute(conn)
        .await?
        .rows_affected());
    if generation % 256 == 0 {
        run!(tx, |conn| sqlx::query("DELETE FROM changes WHERE workspace_id = $1 AND generation <= $2")
            .bind(workspace.get())
            .bind(generation - CHANGES_KEPT)
            .execute(conn)
            .await?
            .rows_affected());
    }
    Ok(())
}

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

    async fn scoring(&mut self, workspace: WorkspaceId) -> Result<Option<ScoringRow>> {
        Ok(run!(self, |conn| sqlx::query_as(
            "SELECT score_yellow_from, score_green_from, committed_success, aspirational_success
             FROM workspaces WHERE id = $1"
        )
        .bind(workspace.get())
        .fetch_optional(conn)
        .await?))
    }

    async fn set_scoring(&mut self, workspace: WorkspaceId, scoring: &ScoringRow, now: i64) -> Result<()> {
        run!(self, |conn| sqlx::query(
            "UPDATE workspaces SET score_yellow_from = $2, score_green_from = $3, committed_success = $4,
             aspirational_success = $5, updated_at = $6, version = version + 1 WHERE id = $1"
        )
        .bind(workspace.get())
        .bind(scoring.score_yellow_from)
        .bind(scoring.score_green_from)
        .bind(scoring.committed_success)
        .bind(scoring.aspirational_success)
        .bind(now)
        .execute(conn)
        .await?
        .rows_affected());
        Ok(())
    }

    async fn workspace_settings(&mut self, workspace: WorkspaceId) -> Result<Option<WorkspaceSettingsRow>> {
        Ok(run!(self, |conn| sqlx::query_as(
            "SELECT time_zone, check_in_weekday, check_in_hour, quiet_hours_start, quiet_hours_end FROM workspaces
             WHERE id = $1"
        )
        .bind(workspace.get())
        .fetch_optional(conn)
        .await?))
    }

    async fn update_workspace(
        &mut self,
        workspace: WorkspaceId,
        version: i64,
        name: &str,
        settings: &WorkspaceSettingsRow,
        now: i64,
    ) -> Result<WorkspaceRow> {
        let row: Option<WorkspaceRow> = run!(self, |conn| {
            sqlx::query_as(
            "UPDATE workspaces SET name = $3, time_zone = $4, check_in_weekday = $5, check_in_hour = $6,
             quiet_hours_start = $8, quiet_hours_end = $9, updated_at = $7, version = version + 1 WHERE id = $1 AND version = $2 RETURNING *"
        )
        .bind(workspace.get())
        .bind(version)
        .bind(name)
        .bind(&settings.time_zone)
        .bind(settings.check_in_weekday)
        .bind(settings.check_in_hour)
        .bind(now)
        .bind(settings.quiet_hours_start)
        .bind(settings.quiet_hours_end)
        .fetch_optional(conn)
        .await?
        });
        if let Some(row) = row {
            return Ok(row);
        }
        let current: Option<i64> =
            run!(self, |conn| sqlx::query_scalar("SELECT version FROM workspaces WHERE id = $1")
                .bind(workspace.get())
                .fetch_optional(conn)
                .await?);
        Err(match current {
            Some(current) => StoreError::Conflict { current },
            None => StoreError::NotFound,
        })
    }

    async fn insert_setup_code(&mut self, code_hash: &str, now: i64, expires_at: i64) -> Result<()> {
        run!(self, |conn| sqlx::query(
            "INSERT INTO setup_codes (code_hash, created_at, expires_at) VALUES ($1, $2, $3)"
        )
        .bind(code_hash)
        .bind(now)
        .bind(expires_at)
        .execute(conn)
        .await?
        .rows_affected());
        Ok(())
    }

    async fn use_setup_codes(&mut self, code_hash: &str, now: i64) -> Result<bool> {
        // A right code uses every unused code at once (a wrong one uses none, so
        // guessing cannot spoil the real code): a second set-up waits on these rows and
        // then finds them used, on PostgreSQL as on SQLite (whose write lock orders them).
        let used: Vec<String> = run!(self, |conn| sqlx::query_scalar(
            "UPDATE setup_codes SET used_at = $1 WHERE used_at IS NULL AND EXISTS (
                 SELECT 1 FROM setup_codes AS valid
                 WHERE valid.code_hash = $2 AND valid.used_at IS NULL AND valid.expires_at > $1)
             RETURNING code_hash"
        )
        .bind(now)
        .bind(code_hash)
        .fetch_all(conn)
        .await?);
        Ok(used.iter().any(|hash| hash == code_hash))
    }

    async fn generation(&mut self, workspace: WorkspaceId) -> Result<i64> {
        let generation: Option<i64> =
            run!(self, |conn| sqlx::query_scalar("SELECT generation FROM workspaces WHERE id = $1")
                .bind(workspace.get())
                .fetch_optional(conn)
                .await?);
        Ok(generation.unwrap_or(0))
    }

    async fn changes_between(&mut self, workspace: WorkspaceId, after: i64, up_to: i64) -> Result<Vec<ChangeRow>> {
        let rows: Vec<(i64, Option<String>)> = run!(self, |conn| sqlx::query_as(
            "SELECT generation, key_results FROM changes \
             WHERE workspace_id = $1 AND generation > $2 AND generation <= $3 ORDER BY generation"
        )
        .bind(workspace.get())
        .bind(after)
        .bind(up_to)
        .fetch_all(conn)
        .await?);
        Ok(rows
            .into_iter()
            .map(|(generation, key_results)| {
                // A list that does not read (edited by hand) is read as a change of
                // everything: reloading is always right.
                let change = key_results
                    .and_then(|ids| serde_json::from_str(&ids).ok())
                    .map_or(Change::Everything, Change::KeyResults);
                ChangeRow { generation, change }
            })
            .collect())
    }
}

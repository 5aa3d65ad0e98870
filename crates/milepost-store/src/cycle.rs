//! Cycles: named periods with start and end days.

use crate::{Page, Result, Tx, run};
use milepost_core::WorkspaceId;

/// A cycle as stored.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct CycleRow {
    /// Its id.
    pub id: i64,
    /// The workspace it belongs to.
    pub workspace_id: i64,
    /// Short name (`2026-q4`), unique in the workspace.
    pub slug: String,
    /// Display name (`2026 Q4`).
    pub name: String,
    /// First day, `YYYY-MM-DD`.
    pub start_date: String,
    /// Last day, `YYYY-MM-DD`, inclusive.
    pub end_date: String,
    /// planning, active or closed.
    pub status: String,
    /// quarter, half, year or custom.
    pub kind: String,
    /// Whether archived.
    pub archived: bool,
    /// When created (unix ms).
    pub created_at: i64,
    /// When last changed (unix ms).
    pub updated_at: i64,
    /// Version.
    pub version: i64,
}

/// The fields set on a cycle.
#[derive(Debug, Clone)]
pub struct CycleFields {
    /// Short name.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// First day.
    pub start_date: String,
    /// Last day.
    pub end_date: String,
    /// Status name.
    pub status: String,
    /// Kind name.
    pub kind: String,
}

/// A change of a cycle's status, as stored.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct CycleTransitionRow {
    /// Its id.
    pub id: i64,
    /// The workspace it belongs to.
    pub workspace_id: i64,
    /// The cycle.
    pub cycle_id: i64,
    /// The status before.
    pub from_status: String,
    /// The status after.
    pub to_status: String,
    /// Why (required when a closed cycle is reopened; may be empty otherwise).
    pub reason: String,
    /// The person who changed it, when a person did.
    pub actor_person_id: Option<i64>,
    /// The API token that changed it, when one did.
    pub actor_token_id: Option<i64>,
    /// When (unix ms).
    pub at: i64,
}

/// A change of a cycle's status to record.
#[derive(Debug, Clone)]
pub struct NewCycleTransition<'a> {
    /// The cycle.
    pub cycle_id: i64,
    /// The status before.
    pub from_status: &'a str,
    /// The status after.
    pub to_status: &'a str,
    /// Why.
    pub reason: &'a str,
    /// The person who changed it.
    pub actor_person_id: Option<i64>,
    /// The API token that changed it.
    pub actor_token_id: Option<i64>,
}

/// Which cycles to list.
#[derive(Debug, Clone, Default)]
pub struct CycleFilter {
    /// Only cycles in this status.
    pub status: Option<String>,
    /// Include archived cycles.
    pub include_archived: bool,
}

impl CycleRow {
    /// The fields a person sets, as they stand: the starting point of a change.
    pub fn fields(&self) -> CycleFields {
        CycleFields {
            slug: self.slug.clone(),
            name: self.name.clone(),
            start_date: self.start_date.clone(),
            end_date: self.end_date.clone(),
            status: self.status.clone(),
            kind: self.kind.clone(),
        }
    }
}

impl Tx {
    /// Creates a cycle.
    pub async fn insert_cycle(&mut self, workspace: WorkspaceId, fields: &CycleFields, now: i64) -> Result<CycleRow> {
        Ok(run!(self, |conn| {
            sqlx::query_as(
                "INSERT INTO cycles (workspace_id, slug, name, start_date, end_date, status, created_at, updated_at, kind)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8) RETURNING *",
            )
            .bind(workspace.get())
            .bind(&fields.slug)
            .bind(&fields.name)
            .bind(&fields.start_date)
            .bind(&fields.end_date)
            .bind(&fields.status)
            .bind(now)
            .bind(&fields.kind)
            .fetch_one(conn)
            .await?
        }))
    }

    /// The cycle with that id.
    pub async fn cycle(&mut self, workspace: WorkspaceId, id: i64) -> Result<Option<CycleRow>> {
        Ok(run!(self, |conn| sqlx::query_as("SELECT * FROM cycles WHERE workspace_id = $1 AND id = $2")
            .bind(workspace.get())
            .bind(id)
            .fetch_optional(conn)
            .await?))
    }

    /// The cycle with that slug.
    pub async fn cycle_by_slug(&mut self, workspace: WorkspaceId, slug: &str) -> Result<Option<CycleRow>> {
        Ok(run!(self, |conn| sqlx::query_as("SELECT * FROM cycles WHERE workspace_id = $1 AND slug = $2")
            .bind(workspace.get())
            .bind(slug)
            .fetch_optional(conn)
            .await?))
    }

    /// Replaces a cycle's fields if it is still at `version`.
    pub async fn update_cycle(
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
            .bind(&fields.start_date)
            .bind(&fields.end_date)
            .bind(&fields.status)
            .bind(archived)
            .bind(now)
            .bind(&fields.kind)
            .fetch_optional(conn)
            .await?
        });
        match row {
            Some(row) => Ok(row),
            None => self.missing_or_conflict("cycles", workspace, id).await,
        }
    }

    /// Lists cycles in id order.
    pub async fn list_cycles(
        &mut self,
        workspace: WorkspaceId,
        filter: &CycleFilter,
        page: Page,
    ) -> Result<Vec<CycleRow>> {
        Ok(run!(self, |conn| sqlx::query_as(
            "SELECT * FROM cycles WHERE workspace_id = $1
               AND (CAST($2 AS TEXT) IS NULL OR status = $2)
               AND ($3 OR NOT archived)
               AND id > $4
             ORDER BY id LIMIT $5"
        )
        .bind(workspace.get())
        .bind(filter.status.as_deref())
        .bind(filter.include_archived)
        .bind(page.after.unwrap_or(0))
        .bind(page.limit)
        .fetch_all(conn)
        .await?))
    }

    /// The planning cycles of every workspace whose first day is `today` or earlier
    /// (`YYYY-MM-DD`), not archived: those the scheduler starts. At most `limit`.
    pub async fn due_cycles(&mut self, today: &str, limit: i64) -> Result<Vec<CycleRow>> {
        Ok(run!(self, |conn| sqlx::query_as(
            "SELECT * FROM cycles WHERE status = 'planning' AND NOT archived AND start_date <= $1
             ORDER BY start_date, id LIMIT $2"
        )
        .bind(today)
        .bind(limit)
        .fetch_all(conn)
        .await?))
    }

    /// Starts a planning cycle whose first day is `today` or earlier: moves it to
    /// active only if it is still planning and due as it stands now (compare and set),
    /// so that of servers sharing a database exactly one starts it. The row after, when
    /// this caller won.
    pub async fn start_due_cycle(
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

    /// Records a change of a cycle's status.
    pub async fn insert_cycle_transition(
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
            .bind(new.from_status)
            .bind(new.to_status)
            .bind(new.reason)
            .bind(new.actor_person_id)
            .bind(new.actor_token_id)
            .bind(now)
            .fetch_one(conn)
            .await?
        }))
    }

    /// A cycle's status changes, oldest first.
    pub async fn list_cycle_transitions(
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
}

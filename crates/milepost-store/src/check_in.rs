//! Check-ins: append-only history of a key result's value, confidence and notes.

use crate::{Result, Tx, run};
use milepost_core::WorkspaceId;

/// A check-in as stored.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct CheckInRow {
    /// Its id.
    pub id: i64,
    /// The workspace it belongs to.
    pub workspace_id: i64,
    /// The key result checked in on.
    pub key_result_id: i64,
    /// The value reported.
    pub value: f64,
    /// Confidence 0–10.
    pub confidence: Option<i64>,
    /// What happened.
    pub note: String,
    /// What stands in the way.
    pub blockers: String,
    /// Who checked in.
    pub author_person_id: Option<i64>,
    /// Where the value came from (manual, api, kpi, …).
    pub source: String,
    /// The time the value describes (unix ms).
    pub checked_in_at: i64,
    /// When it was recorded (unix ms).
    pub created_at: i64,
}

/// A check-in to record.
#[derive(Debug, Clone)]
pub struct NewCheckIn {
    /// Key result.
    pub key_result_id: i64,
    /// Value.
    pub value: f64,
    /// Confidence.
    pub confidence: Option<i64>,
    /// Note.
    pub note: String,
    /// Blockers.
    pub blockers: String,
    /// Author.
    pub author_person_id: Option<i64>,
    /// Source name.
    pub source: String,
    /// Time described (unix ms).
    pub checked_in_at: i64,
}

impl Tx {
    /// Records a check-in.
    pub async fn insert_check_in(&mut self, workspace: WorkspaceId, new: &NewCheckIn, now: i64) -> Result<CheckInRow> {
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

    /// The check-in with that id.
    pub async fn check_in(&mut self, workspace: WorkspaceId, id: i64) -> Result<Option<CheckInRow>> {
        Ok(run!(self, |conn| sqlx::query_as("SELECT * FROM check_ins WHERE workspace_id = $1 AND id = $2")
            .bind(workspace.get())
            .bind(id)
            .fetch_optional(conn)
            .await?))
    }

    /// A key result's check-ins, oldest first, in pages by id.
    pub async fn list_check_ins(
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

    /// Every check-in of the given key results, in time order, for computing progress,
    /// pace and status of a page of key results in one query.
    pub async fn check_ins_of(&mut self, workspace: WorkspaceId, key_result_ids: &[i64]) -> Result<Vec<CheckInRow>> {
        if key_result_ids.is_empty() {
            return Ok(Vec::new());
        }
        // The ids are numbers we hold, never user text; placeholders keep the plan cached.
        let placeholders = (0..key_result_ids.len()).map(|i| format!("${}", i + 2)).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "SELECT * FROM check_ins WHERE workspace_id = $1 AND key_result_id IN ({placeholders})
             ORDER BY key_result_id, checked_in_at, id"
        );
        Ok(run!(self, |conn| {
            let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(workspace.get());
            for id in key_result_ids {
                query = query.bind(*id);
            }
            query.fetch_all(conn).await?
        }))
    }
}

/// A recorded change of a key result's start or target after its cycle began.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct GoalChangeRow {
    /// Its id.
    pub id: i64,
    /// The workspace it belongs to.
    pub workspace_id: i64,
    /// The key result whose goal moved.
    pub key_result_id: i64,
    /// `start` or `target` (or `range_low`, `range_high`).
    pub field: String,
    /// The value before.
    pub old_value: Option<f64>,
    /// The value after.
    pub new_value: Option<f64>,
    /// Why, in the words of whoever moved it.
    pub reason: String,
    /// Who moved it.
    pub author_person_id: Option<i64>,
    /// When (unix ms).
    pub changed_at: i64,
}

impl Tx {
    /// Every check-in of the non-archived key results of a cycle's objectives, grouped
    /// by key result and in time order.
    pub async fn check_ins_of_cycle(&mut self, workspace: WorkspaceId, cycle_id: i64) -> Result<Vec<CheckInRow>> {
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

    /// Records that a key result's goal moved.
    #[expect(clippy::too_many_arguments, reason = "one column each; a struct would only rename them")]
    pub async fn insert_goal_change(
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

    /// A key result's goal changes, oldest first.
    pub async fn list_goal_changes(
        &mut self,
        workspace: WorkspaceId,
        key_result_id: i64,
    ) -> Result<Vec<GoalChangeRow>> {
        Ok(run!(self, |conn| sqlx::query_as(
            "SELECT * FROM goal_changes WHERE workspace_id = $1 AND key_result_id = $2 ORDER BY id"
        )
        .bind(workspace.get())
        .bind(key_result_id)
        .fetch_all(conn)
        .await?))
    }
}

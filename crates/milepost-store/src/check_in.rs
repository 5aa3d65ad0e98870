//! Check-ins: append-only history of a key result's value, confidence and notes.

use crate::{Result, Tx, run};
use milepost_core::WorkspaceId;

/// A check-in as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
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

//! Check-ins: append-only history of a key result's value, confidence and notes.

use crate::Result;
use milepost_core::WorkspaceId;

/// A check-in as stored.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
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

/// A recorded change of a key result's start or target after its cycle began.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
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

/// What a transaction can do with check in data; see [`crate::Transaction`].
#[async_trait::async_trait]
pub trait CheckInStore: Send {
    /// Records a check-in.
    async fn insert_check_in(&mut self, workspace: WorkspaceId, new: &NewCheckIn, now: i64) -> Result<CheckInRow>;

    /// The check-in with that id.
    async fn check_in(&mut self, workspace: WorkspaceId, id: i64) -> Result<Option<CheckInRow>>;

    /// A key result's check-ins, oldest first, in pages by id.
    async fn list_check_ins(
        &mut self,
        workspace: WorkspaceId,
        key_result_id: i64,
        page: crate::Page,
    ) -> Result<Vec<CheckInRow>>;

    /// Every check-in of the given key results, in time order, for computing progress,
    /// pace and status of a page of key results in one query.
    async fn check_ins_of(&mut self, workspace: WorkspaceId, key_result_ids: &[i64]) -> Result<Vec<CheckInRow>>;

    /// Every check-in of the non-archived key results of a cycle's objectives, grouped
    /// by key result and in time order.
    async fn check_ins_of_cycle(&mut self, workspace: WorkspaceId, cycle_id: i64) -> Result<Vec<CheckInRow>>;

    /// Records that a key result's goal moved.
    #[expect(clippy::too_many_arguments, reason = "one column each; a struct would only rename them")]
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
    ) -> Result<GoalChangeRow>;

    /// A key result's goal changes, oldest first.
    async fn list_goal_changes(&mut self, workspace: WorkspaceId, key_result_id: i64) -> Result<Vec<GoalChangeRow>>;

    /// The goal changes of several key results in one read, grouped by key result,
    /// oldest first.
    async fn goal_changes_of(&mut self, workspace: WorkspaceId, key_result_ids: &[i64]) -> Result<Vec<GoalChangeRow>>;
}

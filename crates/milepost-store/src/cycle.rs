//! Cycles: named periods with start and end days.

use crate::{Page, Result};
use jiff::civil::Date;
use milepost_core::{CycleKind, CycleStatus, WorkspaceId};

/// A cycle as stored.
#[derive(Debug, Clone, serde::Serialize)]
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
    pub start_date: Date,
    /// Last day, `YYYY-MM-DD`, inclusive.
    pub end_date: Date,
    /// planning, active or closed.
    pub status: CycleStatus,
    /// quarter, half, year or custom.
    pub kind: CycleKind,
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
    pub start_date: Date,
    /// Last day.
    pub end_date: Date,
    /// Status name.
    pub status: CycleStatus,
    /// Kind name.
    pub kind: CycleKind,
}

/// A change of a cycle's status, as stored.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CycleTransitionRow {
    /// Its id.
    pub id: i64,
    /// The workspace it belongs to.
    pub workspace_id: i64,
    /// The cycle.
    pub cycle_id: i64,
    /// The status before.
    pub from_status: CycleStatus,
    /// The status after.
    pub to_status: CycleStatus,
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
    pub from_status: CycleStatus,
    /// The status after.
    pub to_status: CycleStatus,
    /// Why.
    pub reason: &'a str,
    /// The person who changed it.
    pub actor_person_id: Option<i64>,
    /// The API token that changed it.
    pub actor_token_id: Option<i64>,
}

/// One closing of a cycle, as stored: the scores it froze and the thresholds they were
/// computed under (JSON documents the app writes and reads), and, once the cycle was
/// reopened, when, by whom and why.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CycleClosingRow {
    /// Its id.
    pub id: i64,
    /// The workspace it belongs to.
    pub workspace_id: i64,
    /// The cycle.
    pub cycle_id: i64,
    /// When it was closed (unix ms).
    pub closed_at: i64,
    /// Whether it was closed before its end date.
    pub early: bool,
    /// The person who closed it, when a person did.
    pub actor_person_id: Option<i64>,
    /// The API token that closed it, when one did.
    pub actor_token_id: Option<i64>,
    /// The thresholds the scores were computed under (JSON).
    pub thresholds: String,
    /// The frozen scores (JSON).
    pub scores: String,
    /// When it was reopened (unix ms), if it was.
    pub reopened_at: Option<i64>,
    /// Who reopened it.
    pub reopened_by_person_id: Option<i64>,
    /// Why it was reopened.
    pub reopen_reason: Option<String>,
}

/// A closing to record.
#[derive(Debug, Clone)]
pub struct NewCycleClosing<'a> {
    /// The cycle.
    pub cycle_id: i64,
    /// Whether before its end date.
    pub early: bool,
    /// The person who closed it.
    pub actor_person_id: Option<i64>,
    /// The API token that closed it.
    pub actor_token_id: Option<i64>,
    /// The thresholds (JSON).
    pub thresholds: &'a str,
    /// The frozen scores (JSON).
    pub scores: &'a str,
}

/// Which cycles to list.
#[derive(Debug, Clone, Default)]
pub struct CycleFilter {
    /// Only cycles in this status.
    pub status: Option<CycleStatus>,
    /// Include archived cycles.
    pub include_archived: bool,
}

impl CycleRow {
    /// The fields a person sets, as they stand: the starting point of a change.
    pub fn fields(&self) -> CycleFields {
        CycleFields {
            slug: self.slug.clone(),
            name: self.name.clone(),
            start_date: self.start_date,
            end_date: self.end_date,
            status: self.status,
            kind: self.kind,
        }
    }
}

#[cfg(feature = "sqlx")]
crate::decode::from_row!(CycleRow in "cycles" { id, workspace_id, slug, name, start_date: date, end_date: date, status: named, kind: named, archived, created_at, updated_at, version });

#[cfg(feature = "sqlx")]
crate::decode::from_row!(CycleTransitionRow in "cycle_transitions" { id, workspace_id, cycle_id, from_status: named, to_status: named, reason, actor_person_id, actor_token_id, at });

#[cfg(feature = "sqlx")]
crate::decode::from_row!(CycleClosingRow in "cycle_closings" { id, workspace_id, cycle_id, closed_at, early, actor_person_id, actor_token_id, thresholds, scores, reopened_at, reopened_by_person_id, reopen_reason });

/// What a transaction can do with cycle data; see [`crate::Transaction`].
#[async_trait::async_trait]
pub trait CycleStore: Send {
    /// Creates a cycle.
    async fn insert_cycle(&mut self, workspace: WorkspaceId, fields: &CycleFields, now: i64) -> Result<CycleRow>;

    /// The cycle with that id.
    async fn cycle(&mut self, workspace: WorkspaceId, id: i64) -> Result<Option<CycleRow>>;

    /// The cycle with that slug.
    async fn cycle_by_slug(&mut self, workspace: WorkspaceId, slug: &str) -> Result<Option<CycleRow>>;

    /// Replaces a cycle's fields if it is still at `version`.
    async fn update_cycle(
        &mut self,
        workspace: WorkspaceId,
        id: i64,
        version: i64,
        fields: &CycleFields,
        archived: bool,
        now: i64,
    ) -> Result<CycleRow>;

    /// Lists cycles in id order.
    async fn list_cycles(&mut self, workspace: WorkspaceId, filter: &CycleFilter, page: Page) -> Result<Vec<CycleRow>>;

    /// The planning cycles of every workspace whose first day is `today` or earlier
    /// (`YYYY-MM-DD`), not archived: those the scheduler starts. At most `limit`.
    async fn due_cycles(&mut self, today: &str, limit: i64) -> Result<Vec<CycleRow>>;

    /// Starts a planning cycle whose first day is `today` or earlier: moves it to
    /// active only if it is still planning and due as it stands now (compare and set),
    /// so that of servers sharing a database exactly one starts it. The row after, when
    /// this caller won.
    async fn start_due_cycle(
        &mut self,
        workspace: WorkspaceId,
        id: i64,
        today: &str,
        now: i64,
    ) -> Result<Option<CycleRow>>;

    /// Records a change of a cycle's status.
    async fn insert_cycle_transition(
        &mut self,
        workspace: WorkspaceId,
        new: &NewCycleTransition<'_>,
        now: i64,
    ) -> Result<CycleTransitionRow>;

    /// A cycle's status changes, oldest first.
    async fn list_cycle_transitions(
        &mut self,
        workspace: WorkspaceId,
        cycle_id: i64,
    ) -> Result<Vec<CycleTransitionRow>>;

    /// Records a closing of a cycle with the scores it froze, at `now`.
    async fn insert_cycle_closing(
        &mut self,
        workspace: WorkspaceId,
        new: &NewCycleClosing<'_>,
        now: i64,
    ) -> Result<CycleClosingRow>;

    /// A cycle's closings, oldest first.
    async fn list_cycle_closings(&mut self, workspace: WorkspaceId, cycle_id: i64) -> Result<Vec<CycleClosingRow>>;

    /// The closing that holds a closed cycle's scores: its latest, unless that was
    /// reopened.
    async fn standing_cycle_closing(
        &mut self,
        workspace: WorkspaceId,
        cycle_id: i64,
    ) -> Result<Option<CycleClosingRow>>;

    /// Marks a cycle's standing closing as reopened at `now` by `person`, for `reason`:
    /// its scores no longer hold. Whether there was one.
    async fn reopen_cycle_closing(
        &mut self,
        workspace: WorkspaceId,
        cycle_id: i64,
        person: Option<i64>,
        reason: &str,
        now: i64,
    ) -> Result<bool>;
}

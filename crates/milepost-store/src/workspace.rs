//! Workspaces: the tenants. Every other table points at one.

use crate::Result;

/// A workspace as stored.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
pub struct WorkspaceRow {
    /// Its id.
    pub id: i64,
    /// Its short name, unique on the installation.
    pub slug: String,
    /// Its display name.
    pub name: String,
    /// Whether it is archived.
    pub archived: bool,
    /// When it was created (unix ms).
    pub created_at: i64,
    /// When it last changed (unix ms).
    pub updated_at: i64,
    /// Its version, for optimistic concurrency.
    pub version: i64,
}

/// A workspace's scoring thresholds as stored, in tenths of a score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
pub struct ScoringRow {
    /// The score from which a score is yellow.
    pub score_yellow_from: i64,
    /// The score from which a score is green.
    pub score_green_from: i64,
    /// The score a committed OKR needs to succeed.
    pub committed_success: i64,
    /// The score an aspirational OKR needs to succeed.
    pub aspirational_success: i64,
}

/// A workspace's settings as stored: its time zone and its weekly check-in there.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
pub struct WorkspaceSettingsRow {
    /// An IANA time zone name (`Europe/Paris`), checked when set.
    pub time_zone: String,
    /// The weekday of the weekly check-in, 1 = Monday … 7 = Sunday.
    pub check_in_weekday: i64,
    /// The hour of the weekly check-in in the time zone, 0–23.
    pub check_in_hour: i64,
    /// The first quiet hour (no reminders), 0–23, when the workspace has quiet hours.
    pub quiet_hours_start: Option<i64>,
    /// The first hour after the quiet hours, 0–23, when the workspace has quiet hours.
    pub quiet_hours_end: Option<i64>,
}

/// What a transaction can do with workspace data; see [`crate::Transaction`].
#[async_trait::async_trait]
pub trait WorkspaceStore: Send {
    /// Creates a workspace.
    async fn insert_workspace(&mut self, slug: &str, name: &str, now: i64) -> Result<WorkspaceRow>;

    /// The workspace with that id.
    async fn workspace(&mut self, id: milepost_core::WorkspaceId) -> Result<Option<WorkspaceRow>>;

    /// The workspace with that slug.
    async fn workspace_by_slug(&mut self, slug: &str) -> Result<Option<WorkspaceRow>>;

    /// Every workspace, oldest first.
    async fn list_workspaces(&mut self) -> Result<Vec<WorkspaceRow>>;

    /// The workspace's scoring thresholds (`None` for an unknown workspace).
    async fn scoring(&mut self, workspace: milepost_core::WorkspaceId) -> Result<Option<ScoringRow>>;

    /// Sets the workspace's scoring thresholds.
    async fn set_scoring(
        &mut self,
        workspace: milepost_core::WorkspaceId,
        scoring: &ScoringRow,
        now: i64,
    ) -> Result<()>;

    /// The workspace's settings (`None` for an unknown workspace).
    async fn workspace_settings(
        &mut self,
        workspace: milepost_core::WorkspaceId,
    ) -> Result<Option<WorkspaceSettingsRow>>;

    /// Renames a workspace and sets its settings if its version is `version`
    /// (`StoreError::Conflict` when stale, not found when unknown).
    async fn update_workspace(
        &mut self,
        workspace: milepost_core::WorkspaceId,
        version: i64,
        name: &str,
        settings: &WorkspaceSettingsRow,
        now: i64,
    ) -> Result<WorkspaceRow>;

    /// Stores a one-time set-up code's hash, valid until `expires_at` (unix ms).
    async fn insert_setup_code(&mut self, code_hash: &str, now: i64, expires_at: i64) -> Result<()>;

    /// Uses the set-up codes: marks every unused one used and answers whether the code
    /// with this hash was among them and still valid at `now`. Concurrent set-ups queue
    /// on the rows, so at most one of them finds its code unused.
    async fn use_setup_codes(&mut self, code_hash: &str, now: i64) -> Result<bool>;

    /// The workspace's generation: how many write transactions that changed what the
    /// read model holds have committed in it (0 for an unknown workspace).
    async fn generation(&mut self, workspace: milepost_core::WorkspaceId) -> Result<i64>;

    /// What the generations after `after`, up to and including `up_to`, changed, in
    /// order. A generation missing from the answer was pruned: read everything again.
    async fn changes_between(
        &mut self,
        workspace: milepost_core::WorkspaceId,
        after: i64,
        up_to: i64,
    ) -> Result<Vec<ChangeRow>>;
}

/// What one write transaction changed in a workspace, for the read model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Only the values and check-ins of these key results (their rows, their check-ins
    /// and the measurements they read): a check-in, a measurement that feeds them.
    KeyResults(std::collections::BTreeSet<i64>),
    /// Anything else: a server reloads what it holds of the workspace.
    Everything,
}

impl Change {
    /// Both changes together.
    #[must_use]
    pub fn and(self, other: Change) -> Change {
        match (self, other) {
            (Change::KeyResults(mut a), Change::KeyResults(b)) => {
                a.extend(b);
                Change::KeyResults(a)
            }
            _ => Change::Everything,
        }
    }
}

/// One generation of a workspace and what it changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeRow {
    /// The generation.
    pub generation: i64,
    /// What it changed.
    pub change: Change,
}

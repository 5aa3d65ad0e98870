//! Reminders and calendar feeds as stored: who asked for no reminder emails, the claim
//! row of each reminder (written before it is sent, so that several servers send it
//! once), and each person's private calendar feed token (its SHA-256 only).

use crate::Result;
use milepost_core::WorkspaceId;

/// A reminder's claim as stored: one per workspace, person and period.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
pub struct ReminderRow {
    /// Its id.
    pub id: i64,
    /// Its workspace.
    pub workspace_id: i64,
    /// The person it reminds.
    pub person_id: i64,
    /// The local date of the check-in day it is for (`YYYY-MM-DD`).
    pub period: String,
    /// The email's Message-ID, the same on every attempt.
    pub message_id: String,
    /// When it was first claimed (unix ms).
    pub created_at: i64,
    /// Until when the server that claimed it last may send it (unix ms).
    pub lease_until: i64,
    /// How many times it was claimed to be sent.
    pub attempts: i64,
    /// When it was sent, once it was.
    pub sent_at: Option<i64>,
    /// Why the last attempt failed, if it did.
    pub last_error: Option<String>,
}

/// A person's calendar feed as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
pub struct CalendarFeedRow {
    /// Its workspace.
    pub workspace_id: i64,
    /// Whose it is.
    pub person_id: i64,
    /// When it was made (unix ms).
    pub created_at: i64,
}

/// What a transaction can do with reminders and calendar feeds; see [`crate::Transaction`].
#[async_trait::async_trait]
pub trait ReminderStore: Send {
    /// Whether the person asked for no reminder emails.
    async fn reminder_opted_out(&mut self, workspace: WorkspaceId, person: i64) -> Result<bool>;

    /// Records that the person wants reminder emails (`false`) or not (`true`).
    async fn set_reminder_opt_out(
        &mut self,
        workspace: WorkspaceId,
        person: i64,
        opted_out: bool,
        now: i64,
    ) -> Result<()>;

    /// The people of the workspace who asked for no reminder emails.
    async fn reminder_opt_outs(&mut self, workspace: WorkspaceId) -> Result<Vec<i64>>;

    /// Claims the person's reminder of `period` for a send, until `lease_until`: creates
    /// its row if there is none (with `message_id`), then takes its lease by
    /// compare-and-set if it was not sent and no other lease runs at `now`. `None` when
    /// it was sent or another server holds it.
    async fn claim_reminder(
        &mut self,
        workspace: WorkspaceId,
        person: i64,
        period: &str,
        message_id: &str,
        now: i64,
        lease_until: i64,
    ) -> Result<Option<ReminderRow>>;

    /// Marks a claimed reminder sent.
    async fn reminder_sent(&mut self, workspace: WorkspaceId, id: i64, now: i64) -> Result<()>;

    /// Gives up a claimed reminder's lease after a failed send, noting why, so the next
    /// pass tries again.
    async fn reminder_failed(&mut self, workspace: WorkspaceId, id: i64, error: &str) -> Result<()>;

    /// The person's reminders, newest period first.
    async fn reminders_of(&mut self, workspace: WorkspaceId, person: i64) -> Result<Vec<ReminderRow>>;

    /// The person's calendar feed, if they have one.
    async fn calendar_feed(&mut self, workspace: WorkspaceId, person: i64) -> Result<Option<CalendarFeedRow>>;

    /// Gives the person a calendar feed with this token hash, replacing the one they had.
    async fn replace_calendar_feed(
        &mut self,
        workspace: WorkspaceId,
        person: i64,
        token_hash: &str,
        now: i64,
    ) -> Result<CalendarFeedRow>;

    /// Removes the person's calendar feed; whether there was one.
    async fn delete_calendar_feed(&mut self, workspace: WorkspaceId, person: i64) -> Result<bool>;

    /// The calendar feed with that token hash, in whichever workspace it is: a feed
    /// names its workspace and person by its token.
    async fn calendar_feed_by_hash(&mut self, token_hash: &str) -> Result<Option<CalendarFeedRow>>;
}

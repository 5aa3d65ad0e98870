//! Reminders and calendar feeds: opt-outs, reminder claims and feed tokens.

use crate::{Tx, run};
use milepost_core::WorkspaceId;
use milepost_store::*;

#[async_trait::async_trait]
impl ReminderStore for Tx {
    async fn reminder_opted_out(&mut self, workspace: WorkspaceId, person: i64) -> Result<bool> {
        let found: Option<i64> = run!(self, |conn| sqlx::query_scalar(
            "SELECT person_id FROM reminder_opt_outs WHERE workspace_id = $1 AND person_id = $2"
        )
        .bind(workspace.get())
        .bind(person)
        .fetch_optional(conn)
        .await?);
        Ok(found.is_some())
    }

    async fn set_reminder_opt_out(
        &mut self,
        workspace: WorkspaceId,
        person: i64,
        opted_out: bool,
        now: i64,
    ) -> Result<()> {
        if opted_out {
            run!(self, |conn| sqlx::query(
                "INSERT INTO reminder_opt_outs (workspace_id, person_id, created_at) VALUES ($1, $2, $3)
                 ON CONFLICT (workspace_id, person_id) DO NOTHING"
            )
            .bind(workspace.get())
            .bind(person)
            .bind(now)
            .execute(conn)
            .await?
            .rows_affected());
        } else {
            run!(self, |conn| sqlx::query("DELETE FROM reminder_opt_outs WHERE workspace_id = $1 AND person_id = $2")
                .bind(workspace.get())
                .bind(person)
                .execute(conn)
                .await?
                .rows_affected());
        }
        Ok(())
    }

    async fn reminder_opt_outs(&mut self, workspace: WorkspaceId) -> Result<Vec<i64>> {
        Ok(run!(self, |conn| sqlx::query_scalar(
            "SELECT person_id FROM reminder_opt_outs WHERE workspace_id = $1 ORDER BY person_id"
        )
        .bind(workspace.get())
        .fetch_all(conn)
        .await?))
    }

    async fn claim_reminder(
        &mut self,
        workspace: WorkspaceId,
        person: i64,
        period: &str,
        message_id: &str,
        now: i64,
        lease_until: i64,
    ) -> Result<Option<ReminderRow>> {
        run!(self, |conn| sqlx::query(
            "INSERT INTO reminders (workspace_id, person_id, period, message_id, created_at, lease_until)
             VALUES ($1, $2, $3, $4, $5, 0) ON CONFLICT (workspace_id, person_id, period) DO NOTHING"
        )
        .bind(workspace.get())
        .bind(person)
        .bind(period)
        .bind(message_id)
        .bind(now)
        .execute(conn)
        .await?
        .rows_affected());
        Ok(run!(self, |conn| sqlx::query_as(
            "UPDATE reminders SET lease_until = $5, attempts = attempts + 1
             WHERE workspace_id = $1 AND person_id = $2 AND period = $3 AND sent_at IS NULL AND lease_until <= $4
             RETURNING id, workspace_id, person_id, period, message_id, created_at, lease_until, attempts,
                       sent_at, last_error"
        )
        .bind(workspace.get())
        .bind(person)
        .bind(period)
        .bind(now)
        .bind(lease_until)
        .fetch_optional(conn)
        .await?))
    }

    async fn reminder_sent(&mut self, workspace: WorkspaceId, id: i64, now: i64) -> Result<()> {
        run!(self, |conn| sqlx::query(
            "UPDATE reminders SET sent_at = $3, last_error = NULL WHERE workspace_id = $1 AND id = $2"
        )
        .bind(workspace.get())
        .bind(id)
        .bind(now)
        .execute(conn)
        .await?
        .rows_affected());
        Ok(())
    }

    async fn reminder_failed(&mut self, workspace: WorkspaceId, id: i64, error: &str) -> Result<()> {
        run!(self, |conn| {
            sqlx::query(
            "UPDATE reminders SET lease_until = 0, last_error = $3 WHERE workspace_id = $1 AND id = $2 AND sent_at IS NULL"
        )
        .bind(workspace.get())
        .bind(id)
        .bind(error)
        .execute(conn)
        .await?
        .rows_affected()
        });
        Ok(())
    }

    async fn reminders_of(&mut self, workspace: WorkspaceId, person: i64) -> Result<Vec<ReminderRow>> {
        Ok(run!(self, |conn| sqlx::query_as(
            "SELECT id, workspace_id, person_id, period, message_id, created_at, lease_until, attempts, sent_at,
                    last_error
             FROM reminders WHERE workspace_id = $1 AND person_id = $2 ORDER BY period DESC"
        )
        .bind(workspace.get())
        .bind(person)
        .fetch_all(conn)
        .await?))
    }

    async fn calendar_feed(&mut self, workspace: WorkspaceId, person: i64) -> Result<Option<CalendarFeedRow>> {
        Ok(run!(self, |conn| sqlx::query_as(
            "SELECT workspace_id, person_id, created_at FROM calendar_feeds WHERE workspace_id = $1 AND person_id = $2"
        )
        .bind(workspace.get())
        .bind(person)
        .fetch_optional(conn)
        .await?))
    }

    async fn replace_calendar_feed(
        &mut self,
        workspace: WorkspaceId,
        person: i64,
        token_hash: &str,
        now: i64,
    ) -> Result<CalendarFeedRow> {
        self.delete_calendar_feed(workspace, person).await?;
        Ok(run!(self, |conn| sqlx::query_as(
            "INSERT INTO calendar_feeds (workspace_id, person_id, token_hash, created_at) VALUES ($1, $2, $3, $4)
             RETURNING workspace_id, person_id, created_at"
        )
        .bind(workspace.get())
        .bind(person)
        .bind(token_hash)
        .bind(now)
        .fetch_one(conn)
        .await?))
    }

    async fn delete_calendar_feed(&mut self, workspace: WorkspaceId, person: i64) -> Result<bool> {
        let deleted =
            run!(self, |conn| sqlx::query("DELETE FROM calendar_feeds WHERE workspace_id = $1 AND person_id = $2")
                .bind(workspace.get())
                .bind(person)
                .execute(conn)
                .await?
                .rows_affected());
        Ok(deleted > 0)
    }

    async fn calendar_feed_by_hash(&mut self, token_hash: &str) -> Result<Option<CalendarFeedRow>> {
        Ok(run!(self, |conn| sqlx::query_as(
            "SELECT workspace_id, person_id, created_at FROM calendar_feeds WHERE token_hash = $1"
        )
        .bind(token_hash)
        .fetch_optional(conn)
        .await?))
    }
}

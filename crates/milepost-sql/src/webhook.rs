//! Webhooks and their outbox of deliveries, with the attempts' log. A delivery is
//! claimed by compare-and-set on its lease, and only the claim's holder records the
//! attempt's outcome.

use crate::{Tx, run};
use milepost_core::WorkspaceId;
use milepost_store::*;

#[async_trait::async_trait]
impl WebhookStore for Tx {
    async fn insert_webhook(&mut self, workspace: WorkspaceId, fields: &WebhookFields, now: i64) -> Result<WebhookRow> {
        Ok(run!(self, |conn| sqlx::query_as(
            "INSERT INTO webhooks (workspace_id, url, events, secret, description, enabled, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING *"
        )
        .bind(workspace.get())
        .bind(&fields.url)
        .bind(&fields.events)
        .bind(&fields.secret)
        .bind(&fields.description)
        .bind(fields.enabled)
        .bind(now)
        .fetch_one(conn)
        .await?))
    }

    async fn webhook(&mut self, workspace: WorkspaceId, id: i64) -> Result<Option<WebhookRow>> {
        Ok(run!(self, |conn| sqlx::query_as("SELECT * FROM webhooks WHERE workspace_id = $1 AND id = $2")
            .bind(workspace.get())
            .bind(id)
            .fetch_optional(conn)
            .await?))
    }

    async fn list_webhooks(&mut self, workspace: WorkspaceId) -> Result<Vec<WebhookRow>> {
        Ok(run!(self, |conn| sqlx::query_as("SELECT * FROM webhooks WHERE workspace_id = $1 ORDER BY id")
            .bind(workspace.get())
            .fetch_all(conn)
            .await?))
    }

    async fn update_webhook(
        &mut self,
        workspace: WorkspaceId,
        id: i64,
        version: i64,
        fields: &WebhookFields,
        now: i64,
    ) -> Result<WebhookRow> {
        let row: Option<WebhookRow> = run!(self, |conn| {
            sqlx::query_as(
                "UPDATE webhooks SET url = $4, events = $5, secret = $6, description = $7, enabled = $8,
                    updated_at = $9, version = version + 1
                 WHERE workspace_id = $1 AND id = $2 AND version = $3 RETURNING *",
            )
            .bind(workspace.get())
            .bind(id)
            .bind(version)
            .bind(&fields.url)
            .bind(&fields.events)
            .bind(&fields.secret)
            .bind(&fields.description)
            .bind(fields.enabled)
            .bind(now)
            .fetch_optional(conn)
            .await?
        });
        match row {
            Some(row) => Ok(row),
            None => self.missing_or_conflict("webhooks", workspace, id).await,
        }
    }

    async fn delete_webhook(&mut self, workspace: WorkspaceId, id: i64) -> Result<bool> {
        run!(self, |conn| sqlx::query(
            "DELETE FROM webhook_attempts WHERE workspace_id = $1 AND delivery_id IN
               (SELECT id FROM webhook_deliveries WHERE workspace_id = $1 AND webhook_id = $2)"
        )
        .bind(workspace.get())
        .bind(id)
        .execute(conn)
        .await?
        .rows_affected());
        run!(self, |conn| sqlx::query("DELETE FROM webhook_deliveries WHERE workspace_id = $1 AND webhook_id = $2")
            .bind(workspace.get())
            .bind(id)
            .execute(conn)
            .await?
            .rows_affected());
        let deleted = run!(self, |conn| sqlx::query("DELETE FROM webhooks WHERE workspace_id = $1 AND id = $2")
            .bind(workspace.get())
            .bind(id)
            .execute(conn)
            .await?
            .rows_affected());
        Ok(deleted > 0)
    }

    async fn insert_delivery(
        &mut self,
        workspace: WorkspaceId,
        new: &NewDelivery<'_>,
        now: i64,
    ) -> Result<DeliveryRow> {
        Ok(run!(self, |conn| {
            sqlx::query_as(
            "INSERT INTO webhook_deliveries
               (workspace_id, webhook_id, message_id, event_type, payload, status, next_attempt_at, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $7) RETURNING *"
        )
        .bind(workspace.get())
        .bind(new.webhook_id)
        .bind(new.message_id)
        .bind(new.event_type)
        .bind(new.payload)
        .bind(new.next_attempt_at)
        .bind(now)
        .fetch_one(conn)
        .await?
        }))
    }

    async fn delivery(&mut self, workspace: WorkspaceId, id: i64) -> Result<Option<DeliveryRow>> {
        Ok(run!(self, |conn| sqlx::query_as("SELECT * FROM webhook_deliveries WHERE workspace_id = $1 AND id = $2")
            .bind(workspace.get())
            .bind(id)
            .fetch_optional(conn)
            .await?))
    }

    async fn list_deliveries(
        &mut self,
        workspace: WorkspaceId,
        webhook_id: i64,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<DeliveryRow>> {
        Ok(run!(self, |conn| sqlx::query_as(
            "SELECT * FROM webhook_deliveries WHERE workspace_id = $1 AND webhook_id = $2 AND id < $3
             ORDER BY id DESC LIMIT $4"
        )
        .bind(workspace.get())
        .bind(webhook_id)
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(conn)
        .await?))
    }

    async fn list_attempts(&mut self, workspace: WorkspaceId, delivery_id: i64) -> Result<Vec<AttemptRow>> {
        Ok(run!(self, |conn| sqlx::query_as(
            "SELECT * FROM webhook_attempts WHERE workspace_id = $1 AND delivery_id = $2 ORDER BY id"
        )
        .bind(workspace.get())
        .bind(delivery_id)
        .fetch_all(conn)
        .await?))
    }

    async fn due_deliveries(&mut self, now: i64, limit: i64) -> Result<Vec<(i64, i64)>> {
        Ok(run!(self, |conn| sqlx::query_as(
            "SELECT workspace_id, id FROM webhook_deliveries
             WHERE status = 'pending' AND next_attempt_at <= $1 AND (lease_until IS NULL OR lease_until <= $1)
             ORDER BY next_attempt_at, id LIMIT $2"
        )
        .bind(now)
        .bind(limit)
        .fetch_all(conn)
        .await?))
    }

    async fn claim_delivery(
        &mut self,
        workspace: WorkspaceId,
        id: i64,
        now: i64,
        lease_until: i64,
        token: &str,
    ) -> Result<Option<DeliveryRow>> {
        Ok(run!(self, |conn| sqlx::query_as(
            "UPDATE webhook_deliveries SET lease_until = $4, lease_token = $5
             WHERE workspace_id = $1 AND id = $2 AND status = 'pending' AND next_attempt_at <= $3
               AND (lease_until IS NULL OR lease_until <= $3)
             RETURNING *"
        )
        .bind(workspace.get())
        .bind(id)
        .bind(now)
        .bind(lease_until)
        .bind(token)
        .fetch_optional(conn)
        .await?))
    }

    async fn finish_attempt(
        &mut self,
        workspace: WorkspaceId,
        id: i64,
        token: &str,
        outcome: &AttemptOutcome<'_>,
    ) -> Result<bool> {
        let held: Option<(i64,)> = run!(self, |conn| sqlx::query_as(
            "UPDATE webhook_deliveries SET status = $4, attempts = attempts + 1, next_attempt_at = $5,
                last_error = $6, lease_until = NULL, lease_token = NULL, updated_at = $7
             WHERE workspace_id = $1 AND id = $2 AND lease_token = $3 RETURNING id"
        )
        .bind(workspace.get())
        .bind(id)
        .bind(token)
        .bind(outcome.status)
        .bind(outcome.next_attempt_at)
        .bind(outcome.error)
        .bind(outcome.attempted_at)
        .fetch_optional(conn)
        .await?);
        if held.is_none() {
            return Ok(false);
        }
        run!(self, |conn| sqlx::query(
            "INSERT INTO webhook_attempts (workspace_id, delivery_id, attempted_at, status_code, error, duration_ms)
             VALUES ($1, $2, $3, $4, $5, $6)"
        )
        .bind(workspace.get())
        .bind(id)
        .bind(outcome.attempted_at)
        .bind(outcome.status_code)
        .bind(outcome.error)
        .bind(outcome.duration_ms)
        .execute(conn)
        .await?
        .rows_affected());
        Ok(true)
    }

    async fn requeue_delivery(&mut self, workspace: WorkspaceId, id: i64, now: i64) -> Result<Option<DeliveryRow>> {
        Ok(run!(self, |conn| sqlx::query_as(
            "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $3, lease_until = NULL,
                lease_token = NULL, updated_at = $3
             WHERE workspace_id = $1 AND id = $2 AND status = 'failed' RETURNING *"
        )
        .bind(workspace.get())
        .bind(id)
        .bind(now)
        .fetch_optional(conn)
        .await?))
    }
}

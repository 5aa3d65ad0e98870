//! Webhooks and their outbox: a workspace's receivers, one delivery row per event and
//! receiver (written in the transaction of the change that caused the event), and the
//! log of each delivery's attempts. Deliveries are claimed by compare-and-set on a
//! lease, so of several servers one makes each attempt, and a crashed server's claim
//! runs out and is taken again.

use crate::Result;
use milepost_core::WorkspaceId;

/// A webhook as stored.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
pub struct WebhookRow {
    /// Its id.
    pub id: i64,
    /// The workspace it belongs to.
    pub workspace_id: i64,
    /// Where deliveries are posted.
    pub url: String,
    /// The event types it asks for, as a JSON array of names.
    pub events: String,
    /// The signing secret, `whsec_` and base64. Never serialised into the audit trail.
    #[serde(skip)]
    pub secret: String,
    /// What it is for.
    pub description: String,
    /// Whether new events are queued for it.
    pub enabled: bool,
    /// When it was made (unix ms).
    pub created_at: i64,
    /// When it last changed (unix ms).
    pub updated_at: i64,
    /// Its version.
    pub version: i64,
}

/// The fields an admin sets on a webhook.
#[derive(Debug, Clone)]
pub struct WebhookFields {
    /// Where deliveries are posted.
    pub url: String,
    /// The event types, as a JSON array of names.
    pub events: String,
    /// The signing secret.
    pub secret: String,
    /// What it is for.
    pub description: String,
    /// Whether new events are queued for it.
    pub enabled: bool,
}

impl WebhookRow {
    /// The fields as they stand: the starting point of a change.
    pub fn fields(&self) -> WebhookFields {
        WebhookFields {
            url: self.url.clone(),
            events: self.events.clone(),
            secret: self.secret.clone(),
            description: self.description.clone(),
            enabled: self.enabled,
        }
    }
}

/// One delivery of one event to one webhook, as stored.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
pub struct DeliveryRow {
    /// Its id.
    pub id: i64,
    /// The workspace.
    pub workspace_id: i64,
    /// The webhook it goes to.
    pub webhook_id: i64,
    /// The `webhook-id` header: the same on every attempt.
    pub message_id: String,
    /// The event's type name.
    pub event_type: String,
    /// The body, JSON.
    pub payload: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    /// Attempts made.
    pub attempts: i64,
    /// When the next attempt is due (unix ms).
    pub next_attempt_at: i64,
    /// Claimed by a worker until then.
    pub lease_until: Option<i64>,
    /// The claim's holder.
    pub lease_token: Option<String>,
    /// The last attempt's error.
    pub last_error: Option<String>,
    /// When the event happened (unix ms).
    pub created_at: i64,
    /// When it last changed (unix ms).
    pub updated_at: i64,
}

/// A delivery to queue.
#[derive(Debug, Clone)]
pub struct NewDelivery<'a> {
    /// The webhook it goes to.
    pub webhook_id: i64,
    /// The `webhook-id` header.
    pub message_id: &'a str,
    /// The event's type name.
    pub event_type: &'a str,
    /// The body, JSON.
    pub payload: &'a str,
    /// When the first attempt is due (unix ms).
    pub next_attempt_at: i64,
}

/// One attempt, as stored.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
pub struct AttemptRow {
    /// Its id.
    pub id: i64,
    /// The workspace.
    pub workspace_id: i64,
    /// The delivery.
    pub delivery_id: i64,
    /// When it was made (unix ms).
    pub attempted_at: i64,
    /// The receiver's status code, when it answered.
    pub status_code: Option<i64>,
    /// What went wrong, when something did.
    pub error: Option<String>,
    /// How long it took.
    pub duration_ms: i64,
}

/// How an attempt ended, to record.
#[derive(Debug, Clone)]
pub struct AttemptOutcome<'a> {
    /// When it was made (unix ms).
    pub attempted_at: i64,
    /// The receiver's status code, when it answered.
    pub status_code: Option<i64>,
    /// What went wrong (none: delivered).
    pub error: Option<&'a str>,
    /// How long it took.
    pub duration_ms: i64,
    /// The delivery's status after it: `pending`, `delivered` or `failed`.
    pub status: &'a str,
    /// When the next attempt is due, while pending.
    pub next_attempt_at: i64,
}

/// What a transaction can do with webhooks and their outbox; see [`crate::Transaction`].
#[async_trait::async_trait]
pub trait WebhookStore: Send {
    /// Creates a webhook.
    async fn insert_webhook(&mut self, workspace: WorkspaceId, fields: &WebhookFields, now: i64) -> Result<WebhookRow>;

    /// The webhook with that id.
    async fn webhook(&mut self, workspace: WorkspaceId, id: i64) -> Result<Option<WebhookRow>>;

    /// The workspace's webhooks in id order.
    async fn list_webhooks(&mut self, workspace: WorkspaceId) -> Result<Vec<WebhookRow>>;

    /// Replaces a webhook's fields if it is still at `version`.
    async fn update_webhook(
        &mut self,
        workspace: WorkspaceId,
        id: i64,
        version: i64,
        fields: &WebhookFields,
        now: i64,
    ) -> Result<WebhookRow>;

    /// Deletes a webhook with its deliveries and their attempts; whether it existed.
    async fn delete_webhook(&mut self, workspace: WorkspaceId, id: i64) -> Result<bool>;

    /// Queues a delivery.
    async fn insert_delivery(&mut self, workspace: WorkspaceId, new: &NewDelivery<'_>, now: i64)
    -> Result<DeliveryRow>;

    /// The delivery with that id.
    async fn delivery(&mut self, workspace: WorkspaceId, id: i64) -> Result<Option<DeliveryRow>>;

    /// A webhook's deliveries, newest first, at most `limit`, below id `before` when given.
    async fn list_deliveries(
        &mut self,
        workspace: WorkspaceId,
        webhook_id: i64,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<DeliveryRow>>;

    /// A delivery's attempts, oldest first.
    async fn list_attempts(&mut self, workspace: WorkspaceId, delivery_id: i64) -> Result<Vec<AttemptRow>>;

    /// The ids of pending deliveries due at `now` and not claimed (or whose claim ran
    /// out), oldest due first, in every workspace: `(workspace, id)`.
    async fn due_deliveries(&mut self, now: i64, limit: i64) -> Result<Vec<(i64, i64)>>;

    /// Claims a delivery for `token` until `lease_until` if it is still pending, due at
    /// `now` and not held by anyone (compare-and-set): the row when this call won it.
    async fn claim_delivery(
        &mut self,
        workspace: WorkspaceId,
        id: i64,
        now: i64,
        lease_until: i64,
        token: &str,
    ) -> Result<Option<DeliveryRow>>;

    /// Records an attempt of a delivery that `token` holds, and the delivery's new
    /// state, releasing the claim. `false` when the claim was lost (it ran out and
    /// another worker took it): nothing is written then.
    async fn finish_attempt(
        &mut self,
        workspace: WorkspaceId,
        id: i64,
        token: &str,
        outcome: &AttemptOutcome<'_>,
    ) -> Result<bool>;

    /// Puts a delivery that failed back in the queue, due at `now`: a retry by hand.
    /// `None` when it is not failed.
    async fn requeue_delivery(&mut self, workspace: WorkspaceId, id: i64, now: i64) -> Result<Option<DeliveryRow>>;
}

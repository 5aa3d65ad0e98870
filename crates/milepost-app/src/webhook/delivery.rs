//! Working the outbox: each due delivery is claimed by one server (compare-and-set on
//! its lease, which runs out if that server dies, so another takes it again), signed
//! ([`super::signature`]) and posted through a [`WebhookSender`]; the attempt is logged
//! and the delivery is done, or due again after the next step of [`RETRY_SCHEDULE`]
//! (with up to a fifth more as jitter, so receivers that came back are not hit by every
//! sender at once), or failed after [`MAX_ATTEMPTS`]. A receiver sees one message twice
//! only when a server dies between its post and its record, and then with the same
//! `webhook-id`.
//!
//! The HTTP client lives outside this crate (`milepost_sources::WebhookClient`), as the
//! KPI sources' does: [`crate::App::with_webhook_sender`] plugs it in.

use super::{DeliveryView, Webhooks, delivery_view, not_found, signature};
use crate::access::record;
use crate::caller::Caller;
use crate::error::AppError;
use crate::outbox::{TEST_EVENT, new_message_id, payload};
use crate::permission::{Action, require};
use jiff::SignedDuration;
use milepost_core::{DeliveryId, WebhookId, WorkspaceId};
use milepost_store::{AttemptOutcome, DeliveryRow, NewDelivery};
use rand::RngExt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// A future a sender returns: boxed, so the trait can be used as `dyn`.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// How long after each failed attempt the next is due (before jitter): attempt 2 comes
/// 5 s after attempt 1 failed, attempt 3 30 s after attempt 2, and so on.
pub const RETRY_SCHEDULE: [SignedDuration; 7] = [
    SignedDuration::from_secs(5),
    SignedDuration::from_secs(30),
    SignedDuration::from_secs(2 * 60),
    SignedDuration::from_secs(10 * 60),
    SignedDuration::from_secs(60 * 60),
    SignedDuration::from_secs(6 * 60 * 60),
    SignedDuration::from_secs(12 * 60 * 60),
];

/// Attempts before a delivery is marked failed: the first and one per step of the schedule.
pub const MAX_ATTEMPTS: i64 = 8;

/// How long a claim holds: longer than any send may take (the client gives up after 10 s).
pub const LEASE: SignedDuration = SignedDuration::from_secs(60);

/// How many due deliveries one pass of the worker takes.
pub const BATCH: i64 = 200;

/// When the attempt after `attempts_made` failed ones is due, after the last: the
/// schedule's step stretched by `jitter` (from 0 to 1) times a fifth; `None` when none
/// is left. Pure: the caller draws the jitter.
pub fn retry_delay(attempts_made: i64, jitter: f64) -> Option<SignedDuration> {
    if attempts_made >= MAX_ATTEMPTS {
        return None;
    }
    let step = usize::try_from(attempts_made - 1).ok().and_then(|i| RETRY_SCHEDULE.get(i))?;
    let stretch = 1.0 + jitter.clamp(0.0, 1.0) / 5.0;
    Some(SignedDuration::from_secs_f64(step.as_secs_f64() * stretch))
}

/// A request to post.
#[derive(Debug, Clone)]
pub struct Outgoing<'a> {
    /// Where.
    pub url: &'a str,
    /// The Standard Webhooks headers: `webhook-id`, `webhook-timestamp`, `webhook-signature`.
    pub headers: [(&'static str, String); 3],
    /// The JSON body.
    pub body: &'a str,
}

/// Posts webhook requests, within the operator's rules about where. Implemented by
/// `milepost_sources::WebhookClient`; [`RefuseAllWebhooks`] is the default.
pub trait WebhookSender: Send + Sync {
    /// Whether the operator allows posting to `url`, judged on the parsed URL (scheme,
    /// host, port) when an admin saves it: the sentence at `/url` when not.
    fn check(&self, url: &url::Url) -> Result<(), String>;

    /// Posts `request`, checking the URL again on the addresses it resolves to: the
    /// receiver's status code, or the sentence an admin reads when it was not reached.
    fn send<'a>(&'a self, request: Outgoing<'a>) -> BoxFuture<'a, Result<u16, String>>;
}

/// A sender that refuses every URL: what an app uses until it is given one.
#[derive(Debug, Clone, Copy, Default)]
pub struct RefuseAllWebhooks;

const NO_SENDER: &str = "this Milepost sends no webhooks: it was started without a webhook client";

impl WebhookSender for RefuseAllWebhooks {
    fn check(&self, _url: &url::Url) -> Result<(), String> {
        Err(NO_SENDER.to_owned())
    }

    fn send<'a>(&'a self, _request: Outgoing<'a>) -> BoxFuture<'a, Result<u16, String>> {
        Box::pin(async { Err(NO_SENDER.to_owned()) })
    }
}

impl crate::App {
    /// The app with `sender` posting webhooks (and deciding which URLs they may have).
    /// Until this is called, every webhook URL is refused ([`RefuseAllWebhooks`]).
    pub fn with_webhook_sender(mut self, sender: Arc<dyn WebhookSender>) -> crate::App {
        self.webhook_sender = sender;
        self
    }
}

impl Webhooks<'_> {
    /// The workers' pass: makes the attempts that are due, in every workspace, each
    /// claimed first so that of several servers one makes it. How many it made.
    pub async fn deliver_due(self) -> Result<usize, AppError> {
        let now = self.app.now_ms();
        let due = {
            let mut tx = self.app.store().read_primary().await?;
            tx.due_deliveries(now, BATCH).await?
        };
        let mut made = 0;
        for (workspace, id) in due {
            if self.attempt(WorkspaceId(workspace), id).await?.is_some() {
                made += 1;
            }
        }
        Ok(made)
    }

    /// Claims delivery `id` and makes one attempt: the delivery as it stands after it,
    /// or `None` when another worker holds it (or it is not due).
    async fn attempt(self, workspace: WorkspaceId, id: i64) -> Result<Option<DeliveryRow>, AppError> {
        let started = self.app.now();
        let token = new_message_id();
        let lease_until = started.saturating_add(LEASE).unwrap_or(started).as_millisecond();
        let (row, webhook) = {
            let mut tx = self.app.write_outside_read_model().await?;
            let Some(row) = tx.claim_delivery(workspace, id, started.as_millisecond(), lease_until, &token).await?
            else {
                return Ok(None);
            };
            let webhook = tx.webhook(workspace, row.webhook_id).await?;
            tx.commit().await?;
            (row, webhook)
        };
        let clock = std::time::Instant::now();
        let sent = match &webhook {
            None => Err("the webhook was deleted".to_owned()),
            Some(webhook) => match signature::secret_key(&webhook.secret) {
                Err(why) => Err(format!("the webhook's secret is not usable: {why}")),
                Ok(key) => {
                    let timestamp = started.as_second();
                    let request = Outgoing {
                        url: &webhook.url,
                        headers: [
                            ("webhook-id", row.message_id.clone()),
                            ("webhook-timestamp", timestamp.to_string()),
                            ("webhook-signature", signature::sign(&key, &row.message_id, timestamp, &row.payload)),
                        ],
                        body: &row.payload,
                    };
                    self.app.webhook_sender.send(request).await
                }
            },
        };
        let duration_ms = i64::try_from(clock.elapsed().as_millis()).unwrap_or(i64::MAX);
        let (status_code, error) = match sent {
            Ok(code) if (200..300).contains(&code) => (Some(i64::from(code)), None),
            Ok(code) => (Some(i64::from(code)), Some(format!("the receiver answered {code}"))),
            Err(why) => (None, Some(why)),
        };
        let made = row.attempts + 1;
        let retry = if row.event_type == TEST_EVENT { None } else { retry_delay(made, rand::rng().random::<f64>()) };
        let finished = self.app.now();
        let (status, next) = match (&error, retry) {
            (None, _) => ("delivered", finished),
            (Some(_), Some(delay)) => ("pending", finished.saturating_add(delay).unwrap_or(finished)),
            (Some(_), None) => ("failed", finished),
        };
        let outcome = AttemptOutcome {
            attempted_at: started.as_millisecond(),
            status_code,
            error: error.as_deref(),
            duration_ms,
            status,
            next_attempt_at: next.as_millisecond(),
        };
        let mut tx = self.app.write_outside_read_model().await?;
        if !tx.finish_attempt(workspace, id, &token, &outcome).await? {
            tracing::warn!(delivery = id, "a webhook delivery's claim ran out before its attempt was recorded");
            return Ok(None);
        }
        let after = tx.delivery(workspace, id).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The delivery with its attempts, read after a write.
    async fn view(self, workspace: WorkspaceId, id: i64) -> Result<DeliveryView, AppError> {
        let mut tx = self.app.store().read_primary().await?;
        let row = tx
            .delivery(workspace, id)
            .await?
            .ok_or_else(|| AppError::NotFound { what: "delivery", id: id.to_string() })?;
        let attempts = tx.list_attempts(workspace, id).await?;
        Ok(delivery_view(row, attempts))
    }

    /// Sends a test event (`webhook.test`) to a webhook now, enabled or not (admins
    /// only): the delivery with its one attempt. A test is not retried.
    pub async fn test(self, caller: &Caller, id: WebhookId) -> Result<DeliveryView, AppError> {
        let id = id.get();
        require(caller, Action::Administer)?;
        let now = self.app.now();
        let data = serde_json::json!({"webhook": {"id": id}, "workspace": {"slug": caller.workspace_slug}});
        let body = payload(TEST_EVENT, now, "Milepost test: this webhook works.", &data);
        let message_id = new_message_id();
        let mut tx = self.app.write_outside_read_model().await?;
        tx.webhook(caller.workspace, id).await?.ok_or_else(|| not_found(id))?;
        let new = NewDelivery {
            webhook_id: id,
            message_id: &message_id,
            event_type: TEST_EVENT,
            payload: &body,
            next_attempt_at: now.as_millisecond(),
        };
        let row = tx.insert_delivery(caller.workspace, &new, now.as_millisecond()).await?;
        let summary = serde_json::json!({"delivery_id": row.id, "message_id": row.message_id});
        record(&mut tx, caller, "test", "webhook", id, None::<&()>, Some(&summary), now.as_millisecond()).await?;
        tx.commit().await?;
        self.attempt(caller.workspace, row.id).await?;
        self.view(caller.workspace, row.id).await
    }

    /// Retries a failed delivery by hand, now (admins only): one more attempt, with
    /// the same `webhook-id`; the delivery with its attempts.
    pub async fn retry(self, caller: &Caller, id: DeliveryId) -> Result<DeliveryView, AppError> {
        let id = id.get();
        require(caller, Action::Administer)?;
        let now = self.app.now_ms();
        let mut tx = self.app.write_outside_read_model().await?;
        let current = tx
            .delivery(caller.workspace, id)
            .await?
            .ok_or_else(|| AppError::NotFound { what: "delivery", id: id.to_string() })?;
        if tx.requeue_delivery(caller.workspace, id, now).await?.is_none() {
            return Err(AppError::Conflict {
                code: "delivery_not_failed",
                detail: format!(
                    "delivery {id} is {}: only a failed delivery is retried by hand (a pending one is retried on its own)",
                    current.status
                ),
                location: None,
            });
        }
        let summary = serde_json::json!({"message_id": current.message_id, "attempts": current.attempts});
        record(&mut tx, caller, "retry", "webhook_delivery", id, None::<&()>, Some(&summary), now).await?;
        tx.commit().await?;
        self.attempt(caller.workspace, id).await?;
        self.view(caller.workspace, id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_follow_the_schedule_stretched_by_at_most_a_fifth() {
        assert_eq!(retry_delay(1, 0.0), Some(SignedDuration::from_secs(5)));
        assert_eq!(retry_delay(1, 1.0), Some(SignedDuration::from_secs(6)));
        assert_eq!(retry_delay(2, 0.0), Some(SignedDuration::from_secs(30)));
        assert_eq!(retry_delay(7, 0.5), Some(SignedDuration::from_secs(12 * 60 * 60 + 72 * 60)));
        assert_eq!(retry_delay(MAX_ATTEMPTS, 0.0), None);
        assert_eq!(usize::try_from(MAX_ATTEMPTS - 1).unwrap(), RETRY_SCHEDULE.len());
    }
}

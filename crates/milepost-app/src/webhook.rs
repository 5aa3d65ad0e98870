//! Webhooks: a workspace's receivers of events, managed by admins. Each has a URL (the
//! operator's rules decide which: [`WebhookSender::check`], at save and again at every
//! send), the event types it asks for, a signing secret (made or given; shown in full
//! once) and an on/off switch. Events are queued by [`crate::outbox::emit`] in the
//! transaction of the change; `delivery` works the queue.

pub mod delivery;
pub mod signature;

pub use delivery::{BoxFuture, MAX_ATTEMPTS, Outgoing, RETRY_SCHEDULE, RefuseAllWebhooks, WebhookSender, retry_delay};

use crate::access::record;
use crate::caller::Caller;
use crate::error::{AppError, Problems};
use crate::outbox::EventType;
use crate::permission::{Action, require};
use crate::time::from_ms;
use jiff::Timestamp;
use milepost_core::{DeliveryId, WebhookId};
use milepost_store::{AttemptRow, DeliveryRow, WebhookFields, WebhookRow};
use serde::{Deserialize, Serialize};

/// The longest description.
const MAX_DESCRIPTION: usize = 500;

/// A webhook to make.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    /// Where to post: an `http` or `https` URL the operator allows.
    pub url: String,
    /// The event types it asks for (`check_in.created`, `objective.created`, …).
    pub events: Vec<String>,
    /// The signing secret, `whsec_` and the base64 of 24 to 64 bytes; leave it out to
    /// have one made. Shown in this answer and never again.
    pub secret: Option<String>,
    /// What it is for.
    pub description: Option<String>,
    /// Whether new events are queued for it (default: yes).
    pub enabled: Option<bool>,
}

/// A change to a webhook; fields left out stay as they are.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookChange {
    /// The version the change is based on.
    pub version: i64,
    /// Where to post.
    pub url: Option<String>,
    /// The event types it asks for.
    pub events: Option<Vec<String>>,
    /// A new signing secret (`whsec_…`); the old one stops at once.
    pub secret: Option<String>,
    /// What it is for.
    pub description: Option<String>,
    /// Whether new events are queued for it.
    pub enabled: Option<bool>,
}

/// A webhook as shown: never its whole secret.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WebhookView {
    /// Its id.
    #[schema(value_type = i64)]
    pub id: WebhookId,
    /// Where it posts.
    pub url: String,
    /// The event types it asks for.
    pub events: Vec<EventType>,
    /// What it is for.
    pub description: String,
    /// Whether new events are queued for it.
    pub enabled: bool,
    /// The secret's first characters, to recognise it.
    pub secret_hint: String,
    /// When it was made.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
    /// Its version.
    pub version: i64,
}

/// A webhook just made: the one time its secret is shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CreatedWebhook {
    /// The signing secret: keep it where the receiver verifies signatures.
    pub secret: String,
    /// The webhook as it will be shown.
    pub webhook: WebhookView,
}

/// One attempt of a delivery.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AttemptView {
    /// When it was made.
    pub at: Timestamp,
    /// The receiver's status code, when it answered.
    pub status_code: Option<i64>,
    /// What went wrong, when something did.
    pub error: Option<String>,
    /// How long it took, in milliseconds.
    pub duration_ms: i64,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Waiting for its next attempt.
    Pending,
    /// The receiver took it (a 2xx answer).
    Delivered,
    /// Every attempt failed; an admin may retry it by hand.
    Failed,
}

impl DeliveryStatus {
    /// Its stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
        }
    }

    fn parse(text: &str) -> DeliveryStatus {
        match text {
            "delivered" => DeliveryStatus::Delivered,
            "failed" => DeliveryStatus::Failed,
            _ => DeliveryStatus::Pending,
        }
    }
}

/// A delivery of one event to one webhook, with its attempts.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DeliveryView {
    /// Its id.
    #[schema(value_type = i64)]
    pub id: DeliveryId,
    /// The webhook.
    #[schema(value_type = i64)]
    pub webhook_id: WebhookId,
    /// The `webhook-id` header: the same on every attempt.
    pub message_id: String,
    /// The event's type (`webhook.test` for a test).
    pub event_type: String,
    /// Where it stands.
    pub status: DeliveryStatus,
    /// How many attempts were made.
    pub attempts: i64,
    /// When the next attempt is due, while pending.
    pub next_attempt_at: Option<Timestamp>,
    /// The last attempt's error.
    pub last_error: Option<String>,
    /// When the event happened.
    pub created_at: Timestamp,
    /// The body sent.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    /// The attempts, oldest first (in the list of a webhook's deliveries: empty).
    pub log: Vec<AttemptView>,
}

/// Which deliveries of a webhook to list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    /// At most this many, 1–100 (default 50).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    /// Only deliveries older than this id (the last id of the previous page).
    #[param(minimum = 1)]
    pub before: Option<i64>,
}

fn webhook_view(row: WebhookRow) -> WebhookView {
    let events = serde_json::from_str::<Vec<String>>(&row.events)
        .unwrap_or_default()
        .iter()
        .filter_map(|name| EventType::parse(name))
        .collect();
    WebhookView {
        id: WebhookId(row.id),
        url: row.url,
        events,
        description: row.description,
        enabled: row.enabled,
        secret_hint: signature::masked(&row.secret),
        created_at: from_ms(row.created_at),
        updated_at: from_ms(row.updated_at),
        version: row.version,
    }
}

pub(crate) fn delivery_view(row: DeliveryRow, attempts: Vec<AttemptRow>) -> DeliveryView {
    let status = DeliveryStatus::parse(&row.status);
    DeliveryView {
        id: DeliveryId(row.id),
        webhook_id: WebhookId(row.webhook_id),
        message_id: row.message_id,
        event_type: row.event_type,
        status,
        attempts: row.attempts,
        next_attempt_at: (status == DeliveryStatus::Pending).then(|| from_ms(row.next_attempt_at)),
        last_error: row.last_error,
        created_at: from_ms(row.created_at),
        payload: serde_json::from_str(&row.payload).unwrap_or(serde_json::Value::Null),
        log: attempts
            .into_iter()
            .map(|a| AttemptView {
                at: from_ms(a.attempted_at),
                status_code: a.status_code,
                error: a.error,
                duration_ms: a.duration_ms,
            })
            .collect(),
    }
}

fn not_found(id: i64) -> AppError {
    AppError::NotFound { what: "webhook", id: id.to_string() }
}

/// Webhooks: create, list, change, delete, send a test, the deliveries' log and a
/// retry by hand, and the delivery workers' pass. Reached through [`App::webhooks`](crate::App::webhooks).
#[derive(Debug, Clone, Copy)]
pub struct Webhooks<'a> {
    pub(crate) app: &'a crate::App,
}

impl Webhooks<'_> {
    /// Checks a URL: an `http` or `https` URL with a host and no password, that the
    /// operator's rules allow. The problem goes at `/url`.
    fn check_url(self, problems: &mut Problems, url: &str) -> Option<String> {
        let trimmed = url.trim();
        let parsed = match url::Url::parse(trimmed) {
            Ok(parsed) => parsed,
            Err(error) => {
                problems.push("/url", format!("{trimmed:?} is not a URL ({error}): write it as https://host/path"));
                return None;
            }
        };
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
            problems.push("/url", format!("{trimmed:?} is not an http or https URL with a host"));
            return None;
        }
        if !parsed.username().is_empty() || parsed.password().is_some() {
            problems.push("/url", "a webhook URL may not carry a user name or password: put a token in its path");
            return None;
        }
        if let Err(why) = self.app.webhook_sender.check(&parsed) {
            problems.push("/url", why);
            return None;
        }
        Some(parsed.to_string())
    }

    /// Checks the event names: at least one, each known, as a stored JSON array.
    fn check_events(problems: &mut Problems, events: &[String]) -> Option<String> {
        if events.is_empty() {
            problems.push("/events", format!("name at least one event type: {}", EventType::names()));
            return None;
        }
        let mut names = Vec::new();
        let mut ok = true;
        for (index, name) in events.iter().enumerate() {
            match EventType::parse(name.trim()) {
                Some(kind) if !names.contains(&kind.as_str()) => names.push(kind.as_str()),
                Some(_) => {}
                None => {
                    ok = false;
                    problems.push(
                        crate::error::Path::root().field("events").index(index),
                        format!("{name:?} is not an event type: the types are {}", EventType::names()),
                    );
                }
            }
        }
        ok.then(|| serde_json::to_string(&names).unwrap_or_else(|_| "[]".to_owned()))
    }

    fn check_secret(problems: &mut Problems, secret: &str) -> Option<String> {
        match signature::secret_key(secret.trim()) {
            Ok(_) => Some(secret.trim().to_owned()),
            Err(why) => {
                problems.push("/secret", why);
                None
            }
        }
    }

    fn check_description(problems: &mut Problems, description: &str) -> Option<String> {
        if description.chars().count() > MAX_DESCRIPTION {
            problems.push("/description", format!("at most {MAX_DESCRIPTION} characters"));
            return None;
        }
        Some(description.trim().to_owned())
    }

    /// Makes a webhook (admins only). The answer holds the secret, shown this once.
    pub async fn create(self, caller: &Caller, new: NewWebhook) -> Result<CreatedWebhook, AppError> {
        require(caller, Action::Administer)?;
        let mut problems = Problems::new();
        let url = self.check_url(&mut problems, &new.url);
        let events = Self::check_events(&mut problems, &new.events);
        let secret = match &new.secret {
            Some(secret) => Self::check_secret(&mut problems, secret),
            None => Some(signature::new_secret()),
        };
        let description = Self::check_description(&mut problems, new.description.as_deref().unwrap_or_default());
        problems.finish()?;
        let (Some(url), Some(events), Some(secret), Some(description)) = (url, events, secret, description) else {
            return Err(AppError::invalid("/", "the webhook could not be read"));
        };
        let fields =
            WebhookFields { url, events, secret: secret.clone(), description, enabled: new.enabled.unwrap_or(true) };
        let now = self.app.now_ms();
        let mut tx = self.app.write_outside_read_model().await?;
        let row = tx.insert_webhook(caller.workspace, &fields, now).await?;
        record(&mut tx, caller, "create", "webhook", row.id, None::<&()>, Some(&row), now).await?;
        tx.commit().await?;
        Ok(CreatedWebhook { secret, webhook: webhook_view(row) })
    }

    /// The workspace's webhooks (admins only).
    pub async fn list(self, caller: &Caller) -> Result<Vec<WebhookView>, AppError> {
        require(caller, Action::Administer)?;
        let mut tx = self.app.store().read().await?;
        Ok(tx.list_webhooks(caller.workspace).await?.into_iter().map(webhook_view).collect())
    }

    /// One webhook (admins only).
    pub async fn get(self, caller: &Caller, id: WebhookId) -> Result<WebhookView, AppError> {
        require(caller, Action::Administer)?;
        let mut tx = self.app.store().read().await?;
        tx.webhook(caller.workspace, id.get()).await?.map(webhook_view).ok_or_else(|| not_found(id.get()))
    }

    /// Changes a webhook (admins only), if it is still at the version given.
    pub async fn update(self, caller: &Caller, id: WebhookId, change: WebhookChange) -> Result<WebhookView, AppError> {
        let id = id.get();
        require(caller, Action::Administer)?;
        let mut problems = Problems::new();
        let url = change.url.as_deref().map(|url| self.check_url(&mut problems, url));
        let events = change.events.as_deref().map(|events| Self::check_events(&mut problems, events));
        let secret = change.secret.as_deref().map(|secret| Self::check_secret(&mut problems, secret));
        let description = change.description.as_deref().map(|d| Self::check_description(&mut problems, d));
        problems.finish()?;
        let now = self.app.now_ms();
        let mut tx = self.app.write_outside_read_model().await?;
        let current = tx.webhook(caller.workspace, id).await?.ok_or_else(|| not_found(id))?;
        let mut fields = current.fields();
        if let Some(url) = url.flatten() {
            fields.url = url;
        }
        if let Some(events) = events.flatten() {
            fields.events = events;
        }
        if let Some(secret) = secret.flatten() {
            fields.secret = secret;
        }
        if let Some(description) = description.flatten() {
            fields.description = description;
        }
        if let Some(enabled) = change.enabled {
            fields.enabled = enabled;
        }
        let row = tx
            .update_webhook(caller.workspace, id, change.version, &fields, now)
            .await
            .map_err(|e| crate::error::on_update(e, "webhook", id, change.version))?;
        record(&mut tx, caller, "update", "webhook", id, Some(&current), Some(&row), now).await?;
        tx.commit().await?;
        Ok(webhook_view(row))
    }

    /// Deletes a webhook with its deliveries' log (admins only); queued deliveries go too.
    pub async fn delete(self, caller: &Caller, id: WebhookId) -> Result<(), AppError> {
        let id = id.get();
        require(caller, Action::Administer)?;
        let now = self.app.now_ms();
        let mut tx = self.app.write_outside_read_model().await?;
        let current = tx.webhook(caller.workspace, id).await?.ok_or_else(|| not_found(id))?;
        tx.delete_webhook(caller.workspace, id).await?;
        record(&mut tx, caller, "delete", "webhook", id, Some(&current), None::<&()>, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A webhook's deliveries, newest first, without their attempts (admins only).
    pub async fn deliveries(
        self,
        caller: &Caller,
        id: WebhookId,
        query: DeliveryQuery,
    ) -> Result<Vec<DeliveryView>, AppError> {
        let id = id.get();
        require(caller, Action::Administer)?;
        let limit = query.limit.unwrap_or(50);
        if !(1..=100).contains(&limit) {
            return Err(AppError::Invalid(vec![crate::FieldError::parameter("limit", "must be from 1 to 100")]));
        }
        let mut tx = self.app.store().read().await?;
        tx.webhook(caller.workspace, id).await?.ok_or_else(|| not_found(id))?;
        let rows = tx.list_deliveries(caller.workspace, id, query.before, i64::from(limit)).await?;
        Ok(rows.into_iter().map(|row| delivery_view(row, Vec::new())).collect())
    }

    /// One delivery with its attempts (admins only).
    pub async fn delivery(self, caller: &Caller, id: DeliveryId) -> Result<DeliveryView, AppError> {
        let id = id.get();
        require(caller, Action::Administer)?;
        let mut tx = self.app.store().read().await?;
        let row = tx
            .delivery(caller.workspace, id)
            .await?
            .ok_or_else(|| AppError::NotFound { what: "delivery", id: id.to_string() })?;
        let attempts = tx.list_attempts(caller.workspace, id).await?;
        Ok(delivery_view(row, attempts))
    }
}

//! `/api/v1/webhooks`: a workspace's webhooks, their deliveries' log, a test send and a
//! retry by hand, for admins.

use crate::extract::{Authenticated, Id, Json, Query};
use crate::problem::{ApiError, ErrorResponses};
use axum::extract::State;
use axum::http::{StatusCode, header};
use milepost_app::App;
use milepost_app::webhook::{CreatedWebhook, DeliveryQuery, DeliveryView, NewWebhook, WebhookChange, WebhookView};
use milepost_core::{DeliveryId, WebhookId};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The workspace's webhooks, without their secrets.
#[utoipa::path(get, path = "/api/v1/webhooks", tag = "webhooks",
    responses((status = 200, description = "Every webhook of the workspace", body = Vec<WebhookView>), ErrorResponses))]
pub async fn list_webhooks(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
) -> Result<Json<Vec<WebhookView>>, ApiError> {
    Ok(Json(app.webhooks().list(&caller).await?))
}

/// Makes a webhook. Its secret is in this answer and never again in full.
#[utoipa::path(post, path = "/api/v1/webhooks", tag = "webhooks", request_body = NewWebhook,
    responses((status = 201, description = "The webhook, with its secret shown this once", body = CreatedWebhook,
        headers(("location" = String, description = "The webhook's address"))), ErrorResponses))]
pub async fn create_webhook(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Json(new): Json<NewWebhook>,
) -> Result<(StatusCode, [(header::HeaderName, String); 1], Json<CreatedWebhook>), ApiError> {
    let created = app.webhooks().create(&caller, new).await?;
    let location = format!("/api/v1/webhooks/{}", created.webhook.id.get());
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(created)))
}

/// One webhook.
#[utoipa::path(get, path = "/api/v1/webhooks/{id}", tag = "webhooks",
    params(("id" = i64, Path, minimum = 1, description = "The webhook's id")),
    responses((status = 200, description = "The webhook", body = WebhookView), ErrorResponses))]
pub async fn get_webhook(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Id(id): Id<WebhookId>,
) -> Result<Json<WebhookView>, ApiError> {
    Ok(Json(app.webhooks().get(&caller, id).await?))
}

/// Changes a webhook: its URL, events, secret, description, or turns it on or off.
#[utoipa::path(patch, path = "/api/v1/webhooks/{id}", tag = "webhooks", request_body = WebhookChange,
    params(("id" = i64, Path, minimum = 1, description = "The webhook's id")),
    responses((status = 200, description = "The webhook as changed", body = WebhookView), ErrorResponses))]
pub async fn update_webhook(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Id(id): Id<WebhookId>,
    Json(change): Json<WebhookChange>,
) -> Result<Json<WebhookView>, ApiError> {
    Ok(Json(app.webhooks().update(&caller, id, change).await?))
}

/// Deletes a webhook, its queued deliveries and their log.
#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", tag = "webhooks",
    params(("id" = i64, Path, minimum = 1, description = "The webhook's id")),
    responses((status = 204, description = "Deleted"), ErrorResponses))]
pub async fn delete_webhook(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Id(id): Id<WebhookId>,
) -> Result<StatusCode, ApiError> {
    app.webhooks().delete(&caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sends a `webhook.test` event to the webhook now: the delivery and its attempt.
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/test", tag = "webhooks",
    params(("id" = i64, Path, minimum = 1, description = "The webhook's id")),
    responses((status = 200, description = "The test delivery, with its attempt", body = DeliveryView), ErrorResponses))]
pub async fn test_webhook(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Id(id): Id<WebhookId>,
) -> Result<Json<DeliveryView>, ApiError> {
    Ok(Json(app.webhooks().test(&caller, id).await?))
}

/// A webhook's deliveries, newest first.
#[utoipa::path(get, path = "/api/v1/webhooks/{id}/deliveries", tag = "webhooks",
    params(("id" = i64, Path, minimum = 1, description = "The webhook's id"), DeliveryQuery),
    responses((status = 200, description = "Its deliveries, newest first, without their attempts", body = Vec<DeliveryView>),
        ErrorResponses))]
pub async fn list_webhook_deliveries(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Id(id): Id<WebhookId>,
    Query(query): Query<DeliveryQuery>,
) -> Result<Json<Vec<DeliveryView>>, ApiError> {
    Ok(Json(app.webhooks().deliveries(&caller, id, query).await?))
}

/// One delivery with the log of its attempts.
#[utoipa::path(get, path = "/api/v1/webhook-deliveries/{id}", tag = "webhooks",
    params(("id" = i64, Path, minimum = 1, description = "The delivery's id")),
    responses((status = 200, description = "The delivery and its attempts", body = DeliveryView), ErrorResponses))]
pub async fn get_webhook_delivery(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Id(id): Id<DeliveryId>,
) -> Result<Json<DeliveryView>, ApiError> {
    Ok(Json(app.webhooks().delivery(&caller, id).await?))
}

/// Retries a failed delivery now, with the same `webhook-id`.
#[utoipa::path(post, path = "/api/v1/webhook-deliveries/{id}/retry", tag = "webhooks",
    params(("id" = i64, Path, minimum = 1, description = "The delivery's id")),
    responses((status = 200, description = "The delivery after the attempt", body = DeliveryView), ErrorResponses))]
pub async fn retry_webhook_delivery(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Id(id): Id<DeliveryId>,
) -> Result<Json<DeliveryView>, ApiError> {
    Ok(Json(app.webhooks().retry(&caller, id).await?))
}

pub(super) fn routes(router: OpenApiRouter<App>) -> OpenApiRouter<App> {
    router
        .routes(routes!(list_webhooks, create_webhook))
        .routes(routes!(get_webhook, update_webhook, delete_webhook))
        .routes(routes!(test_webhook))
        .routes(routes!(list_webhook_deliveries))
        .routes(routes!(get_webhook_delivery))
        .routes(routes!(retry_webhook_delivery))
}

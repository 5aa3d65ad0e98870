//! `/api/v1/tokens` and `/api/v1/events`: API tokens and the audit trail, for admins.

use crate::extract::{Authenticated, Id, Json, Query};
use crate::problem::{ApiError, ErrorResponses};
use axum::extract::State;
use axum::http::{StatusCode, header};
use milepost_app::access::{CreatedToken, EventQuery, EventView, NewApiToken, TokenView};
use milepost_app::{App, Paged};
use milepost_core::TokenId;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The workspace's API tokens, without their secrets.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "access",
    responses((status = 200, description = "Every token of the workspace", body = Vec<TokenView>), ErrorResponses))]
pub async fn list_tokens(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
) -> Result<Json<Vec<TokenView>>, ApiError> {
    Ok(Json(app.access().list_tokens(&caller).await?))
}

/// Makes a token. Its secret is in this answer and never again.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "access", request_body = NewApiToken,
    responses((status = 201, description = "The token, with its secret shown this once", body = CreatedToken,
        headers(("location" = String, description = "Where it is listed"))), ErrorResponses))]
pub async fn create_token(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Json(new): Json<NewApiToken>,
) -> Result<(StatusCode, [(header::HeaderName, String); 1], Json<CreatedToken>), ApiError> {
    let created = app.access().create_token(&caller, new).await?;
    Ok((StatusCode::CREATED, [(header::LOCATION, "/api/v1/tokens".to_owned())], Json(created)))
}

/// Revokes a token: it stops working at once.
#[utoipa::path(post, path = "/api/v1/tokens/{id}/revoke", tag = "access",
    params(("id" = i64, Path, minimum = 1, description = "The token's id")),
    responses((status = 200, description = "The revoked token", body = TokenView), ErrorResponses))]
pub async fn revoke_token(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Id(id): Id<TokenId>,
) -> Result<Json<TokenView>, ApiError> {
    Ok(Json(app.access().revoke_token(&caller, id).await?))
}

/// The audit trail: every change, who made it, when, and the thing before and after.
#[utoipa::path(get, path = "/api/v1/events", tag = "access", params(EventQuery),
    responses((status = 200, description = "A page of events, oldest first", body = Paged<EventView>), ErrorResponses))]
pub async fn list_events(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Query(query): Query<EventQuery>,
) -> Result<Json<Paged<EventView>>, ApiError> {
    Ok(Json(app.access().events(&caller, query).await?))
}

pub(super) fn routes(router: OpenApiRouter<App>) -> OpenApiRouter<App> {
    router.routes(routes!(list_tokens, create_token)).routes(routes!(revoke_token)).routes(routes!(list_events))
}

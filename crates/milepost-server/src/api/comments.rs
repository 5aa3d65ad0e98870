//! Comments on objectives, key results and check-ins, and the caller's inbox. A comment
//! is visible where the objective it belongs to is: elsewhere it, and the thing it is
//! on, are a 404.

use crate::extract::{Authenticated, Id, Json, Query};
use crate::problem::{ApiError, ErrorResponses};
use axum::extract::State;
use axum::http::{StatusCode, header};
use milepost_app::comment::{CommentChange, CommentSubject, CommentView, NewCommentInput};
use milepost_app::inbox::Inbox;
use milepost_app::{App, ListParams, Paged};
use milepost_core::{CheckInId, CommentId, KeyResultId, ObjectiveId};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

type Created<T> = (StatusCode, [(header::HeaderName, String); 1], Json<T>);

fn created(view: CommentView) -> Created<CommentView> {
    (StatusCode::CREATED, [(header::LOCATION, format!("/api/v1/comments/{}", view.id))], Json(view))
}

/// Lists the comments on an objective, oldest first; deleted ones show as deleted, with no text.
#[utoipa::path(get, path = "/api/v1/objectives/{id}/comments", tag = "comments",
    params(("id" = i64, Path, minimum = 1, description = "The objective's id"), ListParams),
    responses((status = 200, description = "A page of comments", body = Paged<CommentView>), ErrorResponses))]
pub async fn list_objective_comments(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Id(id): Id<ObjectiveId>,
    Query(params): Query<ListParams>,
) -> Result<Json<Paged<CommentView>>, ApiError> {
    Ok(Json(app.comments().list(&caller, CommentSubject::Objective, id.get(), params).await?))
}

/// Comments on an objective (members, editors and admins who may see it). Markdown,
/// rendered without HTML; `@handle` mentions notify those people, and a handle that is
/// unknown or of someone who may not see the objective is a 422 at `/body` naming it.
#[utoipa::path(post, path = "/api/v1/objectives/{id}/comments", tag = "comments",
    params(("id" = i64, Path, minimum = 1, description = "The objective's id")), request_body = NewCommentInput,
    responses((status = 201, description = "Written", body = CommentView, headers(("location" = String, description = "Where it lives"))), ErrorResponses))]
pub async fn create_objective_comment(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Id(id): Id<ObjectiveId>,
    Json(input): Json<NewCommentInput>,
) -> Result<Created<CommentView>, ApiError> {
    Ok(created(app.comments().create(&caller, CommentSubject::Objective, id.get(), input).await?))
}

/// Lists the comments on a key result, oldest first.
#[utoipa::path(get, path = "/api/v1/key-results/{id}/comments", tag = "comments",
    params(("id" = i64, Path, minimum = 1, description = "The key result's id"), ListParams),
    responses((status = 200, description = "A page of comments", body = Paged<CommentView>), ErrorResponses))]
pub async fn list_key_result_comments(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Id(id): Id<KeyResultId>,
    Query(params): Query<ListParams>,
) -> Result<Json<Paged<CommentView>>, ApiError> {
    Ok(Json(app.comments().list(&caller, CommentSubject::KeyResult, id.get(), params).await?))
}

/// Comments on a key result, as on an objective.
#[utoipa::path(post, path = "/api/v1/key-results/{id}/comments", tag = "comments",
    params(("id" = i64, Path, minimum = 1, description = "The key result's id")), request_body = NewCommentInput,
    responses((status = 201, description = "Written", body = CommentView, headers(("location" = String, description = "Where it lives"))), ErrorResponses))]
pub async fn create_key_result_comment(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Id(id): Id<KeyResultId>,
    Json(input): Json<NewCommentInput>,
) -> Result<Created<CommentView>, ApiError> {
    Ok(created(app.comments().create(&caller, CommentSubject::KeyResult, id.get(), input).await?))
}

/// Lists the comments on a check-in, oldest first.
#[utoipa::path(get, path = "/api/v1/check-ins/{id}/comments", tag = "comments",
    params(("id" = i64, Path, minimum = 1, description = "The check-in's id"), ListParams),
    responses((status = 200, description = "A page of comments", body = Paged<CommentView>), ErrorResponses))]
pub async fn list_check_in_comments(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Id(id): Id<CheckInId>,
    Query(params): Query<ListParams>,
) -> Result<Json<Paged<CommentView>>, ApiError> {
    Ok(Json(app.comments().list(&caller, CommentSubject::CheckIn, id.get(), params).await?))
}

/// Comments on a check-in, as on an objective.
#[utoipa::path(post, path = "/api/v1/check-ins/{id}/comments", tag = "comments",
    params(("id" = i64, Path, minimum = 1, description = "The check-in's id")), request_body = NewCommentInput,
    responses((status = 201, description = "Written", body = CommentView, headers(("location" = String, description = "Where it lives"))), ErrorResponses))]
pub async fn create_check_in_comment(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Id(id): Id<CheckInId>,
    Json(input): Json<NewCommentInput>,
) -> Result<Created<CommentView>, ApiError> {
    Ok(created(app.comments().create(&caller, CommentSubject::CheckIn, id.get(), input).await?))
}

/// Reads one comment.
#[utoipa::path(get, path = "/api/v1/comments/{id}", tag = "comments",
    params(("id" = i64, Path, minimum = 1, description = "The comment's id")),
    responses((status = 200, description = "Found", body = CommentView), ErrorResponses))]
pub async fn get_comment(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Id(id): Id<CommentId>,
) -> Result<Json<CommentView>, ApiError> {
    Ok(Json(app.comments().get(&caller, id).await?))
}

/// Changes a comment's text: its author only, within 15 minutes of writing it (after
/// that, a 409 `edit_window_closed`).
#[utoipa::path(patch, path = "/api/v1/comments/{id}", tag = "comments",
    params(("id" = i64, Path, minimum = 1, description = "The comment's id")), request_body = CommentChange,
    responses((status = 200, description = "Changed", body = CommentView), ErrorResponses))]
pub async fn update_comment(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Id(id): Id<CommentId>,
    Json(change): Json<CommentChange>,
) -> Result<Json<CommentView>, ApiError> {
    Ok(Json(app.comments().update(&caller, id, change).await?))
}

/// The version a deletion is based on.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeleteQuery {
    /// The comment's version as read.
    pub version: i64,
}

/// Deletes a comment (its author or an admin). It stays in its thread as deleted, with
/// no text; the audit trail keeps what it said.
#[utoipa::path(delete, path = "/api/v1/comments/{id}", tag = "comments",
    params(("id" = i64, Path, minimum = 1, description = "The comment's id"), DeleteQuery),
    responses((status = 204, description = "Deleted"), ErrorResponses))]
pub async fn delete_comment(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Id(id): Id<CommentId>,
    Query(query): Query<DeleteQuery>,
) -> Result<StatusCode, ApiError> {
    app.comments().delete(&caller, id, query.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's inbox: check-ins due, mentions and replies, key results of theirs at
/// risk, off track or stale, lagging KPIs of theirs and (admins) cycles past their end
/// waiting to be closed; only about what the caller may see. Paged by position: pass
/// `next_cursor` as `after`. Empty for a machine token.
#[utoipa::path(get, path = "/api/v1/me/inbox", tag = "inbox", params(ListParams),
    responses((status = 200, description = "A page of the inbox", body = Inbox), ErrorResponses))]
pub async fn get_inbox(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Query(params): Query<ListParams>,
) -> Result<Json<Inbox>, ApiError> {
    Ok(Json(app.inbox().page(&caller, params).await?))
}

/// Which inbox item to mark done or dismiss.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DismissInput {
    /// The item's `key`, as the inbox gave it.
    pub key: String,
}

/// Marks an inbox item done or dismissed: it stays away. A computed item (a check-in
/// due, a key result at risk) comes back in a later period while it is still true.
#[utoipa::path(post, path = "/api/v1/me/inbox/dismiss", tag = "inbox", request_body = DismissInput,
    responses((status = 204, description = "Dismissed"), ErrorResponses))]
pub async fn dismiss_inbox_item(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Json(input): Json<DismissInput>,
) -> Result<StatusCode, ApiError> {
    app.inbox().dismiss(&caller, &input.key).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(super) fn routes(router: OpenApiRouter<App>) -> OpenApiRouter<App> {
    router
        .routes(routes!(list_objective_comments, create_objective_comment))
        .routes(routes!(list_key_result_comments, create_key_result_comment))
        .routes(routes!(list_check_in_comments, create_check_in_comment))
        .routes(routes!(get_comment, update_comment, delete_comment))
        .routes(routes!(get_inbox))
        .routes(routes!(dismiss_inbox_item))
}

//! A cycle's life beyond its fields: closing it (what the close will freeze, then the
//! close), reopening a closed, graded cycle (an admin's decision with a reason), the
//! history of its status changes and its closings.

use crate::extract::{Authenticated, Id, Json};
use crate::problem::{ApiError, ErrorResponses};
use axum::extract::State;
use milepost_app::App;
use milepost_app::cycle::{ClosePreview, CycleClose, CycleClosingView, CycleReopen, CycleTransitionView, CycleView};
use milepost_core::CycleId;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Reopens a closed cycle (admins only): it takes check-ins again until it is closed
/// anew. A reason is required; the audit trail and the cycle's review show who reopened
/// it, when and why. A cycle that is not closed is a 409 `cycle_not_closed`.
#[utoipa::path(post, path = "/api/v1/cycles/{id}/reopen", tag = "cycles",
    params(("id" = i64, Path, minimum = 1, description = "The cycle's id")), request_body = CycleReopen,
    responses((status = 200, description = "Reopened", body = CycleView), ErrorResponses))]
pub async fn reopen_cycle(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Id(id): Id<CycleId>,
    Json(reopen): Json<CycleReopen>,
) -> Result<Json<CycleView>, ApiError> {
    Ok(Json(app.cycles().reopen(&caller, id, reopen).await?))
}

/// A cycle's status changes, oldest first: when it started, closed and was reopened,
/// by whom and why.
#[utoipa::path(get, path = "/api/v1/cycles/{id}/transitions", tag = "cycles",
    params(("id" = i64, Path, minimum = 1, description = "The cycle's id")),
    responses((status = 200, description = "Its status changes, oldest first", body = Vec<CycleTransitionView>), ErrorResponses))]
pub async fn list_cycle_transitions(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Id(id): Id<CycleId>,
) -> Result<Json<Vec<CycleTransitionView>>, ApiError> {
    Ok(Json(app.cycles().transitions(&caller, id).await?))
}

/// What closing the cycle now would freeze (admins): each objective's and key result's
/// score under the workspace's thresholds, the committed and aspirational outcomes,
/// whether it would close early, and what is still open. Writes nothing.
#[utoipa::path(get, path = "/api/v1/cycles/{id}/close", tag = "cycles",
    params(("id" = i64, Path, minimum = 1, description = "The cycle's id")),
    responses((status = 200, description = "What the close would freeze", body = ClosePreview), ErrorResponses))]
pub async fn preview_cycle_close(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Id(id): Id<CycleId>,
) -> Result<Json<ClosePreview>, ApiError> {
    Ok(Json(app.cycles().close_preview(&caller, id).await?))
}

/// Closes a cycle (admins): freezes every score under the workspace's thresholds (a
/// later change of settings or late data does not move them) and records the closing.
/// Before its end date it needs `confirm_early: true` (else a 409
/// `close_early_unconfirmed`); a closed cycle is a 409 `cycle_closed`.
#[utoipa::path(post, path = "/api/v1/cycles/{id}/close", tag = "cycles",
    params(("id" = i64, Path, minimum = 1, description = "The cycle's id")), request_body = CycleClose,
    responses((status = 200, description = "Closed", body = CycleView), ErrorResponses))]
pub async fn close_cycle(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Id(id): Id<CycleId>,
    Json(close): Json<CycleClose>,
) -> Result<Json<CycleView>, ApiError> {
    Ok(Json(app.cycles().close(&caller, id, close).await?))
}

/// A cycle's closings, oldest first: when and by whom, early or not, the thresholds
/// and the frozen outcomes, and each reopening with its reason.
#[utoipa::path(get, path = "/api/v1/cycles/{id}/closings", tag = "cycles",
    params(("id" = i64, Path, minimum = 1, description = "The cycle's id")),
    responses((status = 200, description = "Its closings, oldest first", body = Vec<CycleClosingView>), ErrorResponses))]
pub async fn list_cycle_closings(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Id(id): Id<CycleId>,
) -> Result<Json<Vec<CycleClosingView>>, ApiError> {
    Ok(Json(app.cycles().closings(&caller, id).await?))
}

pub(super) fn routes(router: OpenApiRouter<App>) -> OpenApiRouter<App> {
    router
        .routes(routes!(reopen_cycle))
        .routes(routes!(list_cycle_transitions))
        .routes(routes!(preview_cycle_close, close_cycle))
        .routes(routes!(list_cycle_closings))
}

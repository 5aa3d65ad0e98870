//! A cycle's life beyond its fields: reopening a closed, graded cycle (an admin's
//! decision with a reason) and the history of its status changes.

use crate::extract::{Authenticated, Id, Json};
use crate::problem::{ApiError, ErrorResponses};
use axum::extract::State;
use milepost_app::App;
use milepost_app::cycle::{CycleReopen, CycleTransitionView, CycleView};
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

pub(super) fn routes(router: OpenApiRouter<App>) -> OpenApiRouter<App> {
    router.routes(routes!(reopen_cycle)).routes(routes!(list_cycle_transitions))
}

//! `/api/v1/workspace`: the workspace the caller's token acts in. Workspaces are made
//! by the operator of the installation (`milepost workspace create`), not over HTTP.

use crate::extract::{Authenticated, Json};
use crate::problem::{ApiError, ErrorResponses};
use axum::extract::State;
use milepost_app::App;
use milepost_app::scoring::ScoringView;
use milepost_app::workspace::{WorkspacePatch, WorkspaceView};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The workspace the token acts in.
#[utoipa::path(get, path = "/api/v1/workspace", tag = "workspaces",
    responses((status = 200, description = "The workspace", body = WorkspaceView), ErrorResponses))]
pub async fn get_workspace(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
) -> Result<Json<WorkspaceView>, ApiError> {
    Ok(Json(app.workspaces().get(&caller.workspace_slug).await?))
}

/// Changes the workspace's name and settings (admins): its time zone (an IANA name such
/// as `Europe/Paris`, checked against the time zone database) and the day and hour of
/// its weekly check-in there. Fields left out stay as they are; a stale version is 409.
#[utoipa::path(patch, path = "/api/v1/workspace", tag = "workspaces", request_body = WorkspacePatch,
    responses((status = 200, description = "The workspace as changed", body = WorkspaceView), ErrorResponses))]
pub async fn update_workspace(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Json(change): Json<WorkspacePatch>,
) -> Result<Json<WorkspaceView>, ApiError> {
    Ok(Json(app.workspaces().update(&caller, change).await?))
}

/// How the workspace grades: the score from which a score is yellow and green, and the
/// scores committed and aspirational OKRs need to succeed.
#[utoipa::path(get, path = "/api/v1/workspace/scoring", tag = "workspaces",
    responses((status = 200, description = "The scoring thresholds", body = ScoringView), ErrorResponses))]
pub async fn get_scoring(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
) -> Result<Json<ScoringView>, ApiError> {
    Ok(Json(app.workspaces().scoring(&caller).await?))
}

/// Sets the scoring thresholds (admins): each a score from 0.1 to 1.0 in steps of 0.1,
/// yellow below green. Open cycles are graded by them from now on; a closed cycle keeps
/// the scores and thresholds its closing froze.
#[utoipa::path(put, path = "/api/v1/workspace/scoring", tag = "workspaces", request_body = ScoringView,
    responses((status = 200, description = "The new thresholds", body = ScoringView), ErrorResponses))]
pub async fn set_scoring(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Json(scoring): Json<ScoringView>,
) -> Result<Json<ScoringView>, ApiError> {
    Ok(Json(app.workspaces().set_scoring(&caller, scoring).await?))
}

pub(super) fn routes(router: OpenApiRouter<App>) -> OpenApiRouter<App> {
    router.routes(routes!(get_workspace, update_workspace)).routes(routes!(get_scoring, set_scoring))
}

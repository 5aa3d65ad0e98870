//! `/api/v1/workspaces`: the tenants of the installation.

use crate::extract::Json;
use crate::problem::{ApiError, ErrorResponses};
use axum::extract::State;
use axum::http::StatusCode;
use milepost_app::App;
use milepost_app::workspace::{NewWorkspace, WorkspaceView};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Every workspace.
#[utoipa::path(get, path = "/api/v1/workspaces", tag = "workspaces",
    responses((status = 200, description = "Every workspace", body = Vec<WorkspaceView>), ErrorResponses))]
pub async fn list_workspaces(State(app): State<App>) -> Result<Json<Vec<WorkspaceView>>, ApiError> {
    Ok(Json(app.list_workspaces().await?))
}

/// Creates a workspace.
#[utoipa::path(post, path = "/api/v1/workspaces", tag = "workspaces", request_body = NewWorkspace,
    responses((status = 201, description = "Created", body = WorkspaceView), ErrorResponses))]
pub async fn create_workspace(
    State(app): State<App>,
    Json(new): Json<NewWorkspace>,
) -> Result<(StatusCode, Json<WorkspaceView>), ApiError> {
    Ok((StatusCode::CREATED, Json(app.create_workspace(new).await?)))
}

pub(super) fn routes(router: OpenApiRouter<App>) -> OpenApiRouter<App> {
    router.routes(routes!(list_workspaces, create_workspace))
}

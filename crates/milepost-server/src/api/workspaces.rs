//! `/api/v1/workspace`: the workspace the caller's token acts in. Workspaces are made
//! by the operator of the installation (`milepost workspace create`), not over HTTP.

use crate::extract::{Authenticated, Json};
use crate::problem::{ApiError, ErrorResponses};
use axum::extract::State;
use milepost_app::App;
use milepost_app::workspace::WorkspaceView;
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

pub(super) fn routes(router: OpenApiRouter<App>) -> OpenApiRouter<App> {
    router.routes(routes!(get_workspace))
}

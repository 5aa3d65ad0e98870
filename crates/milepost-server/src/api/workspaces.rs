//! `/api/v1/workspaces`: the tenants of the installation.

use crate::extract::{Json, Slug};
use crate::problem::{ApiError, ErrorResponses};
use axum::extract::State;
use axum::http::{StatusCode, header};
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
    responses((status = 201, description = "Created", body = WorkspaceView,
        headers(("location" = String, description = "Where it lives"))), ErrorResponses))]
pub async fn create_workspace(
    State(app): State<App>,
    Json(new): Json<NewWorkspace>,
) -> Result<(StatusCode, [(header::HeaderName, String); 1], Json<WorkspaceView>), ApiError> {
    let view = app.create_workspace(new).await?;
    Ok((StatusCode::CREATED, [(header::LOCATION, format!("/api/v1/workspaces/{}", view.slug))], Json(view)))
}

/// Reads one workspace by its slug.
#[utoipa::path(get, path = "/api/v1/workspaces/{slug}", tag = "workspaces",
    params(("slug" = String, Path, description = "Its short name")),
    responses((status = 200, description = "The workspace", body = WorkspaceView), ErrorResponses))]
pub async fn get_workspace(State(app): State<App>, Slug(slug): Slug) -> Result<Json<WorkspaceView>, ApiError> {
    Ok(Json(app.get_workspace(&slug).await?))
}

pub(super) fn routes(router: OpenApiRouter<App>) -> OpenApiRouter<App> {
    router.routes(routes!(list_workspaces, create_workspace)).routes(routes!(get_workspace))
}

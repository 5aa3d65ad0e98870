//! `/api/v1/okr-files`: OKRs as plain text (docs/okr-files.md). `milepost apply --server`
//! and `milepost export --server` use these, so a remote apply runs in the server's one
//! transaction exactly as a local one does.

use crate::extract::{Authenticated, Json, Query};
use crate::problem::{ApiError, ErrorResponses};
use axum::extract::State;
use milepost_app::App;
use milepost_app::okr_file::{ApplyRequest, ExportQuery, LintReport, LintRequest, OkrFileText, Plan};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Plans OKR files against the workspace and applies the plan in one transaction (or,
/// with `dry_run`, only plans it). Lint errors, unknown names and refused changes stop
/// the whole apply, each reported at its file and line.
#[utoipa::path(post, path = "/api/v1/okr-files/apply", tag = "okr-files", request_body = ApplyRequest,
    responses((status = 200, description = "The plan, whether it was applied, and the files with their new ids",
        body = Plan), ErrorResponses))]
pub async fn apply_okr_files(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Json(request): Json<ApplyRequest>,
) -> Result<Json<Plan>, ApiError> {
    Ok(Json(app.okr_files().apply(&caller, request).await?))
}

/// Lints OKR and KPI files against the workspace's names (people, teams, cycles, KPIs)
/// and writes nothing: every rule of `milepost lint`, which are the checks `apply` runs
/// before it plans. `milepost lint --server` uses it. Any member may.
#[utoipa::path(post, path = "/api/v1/okr-files/lint", tag = "okr-files", request_body = LintRequest,
    responses((status = 200, description = "What the linter found, file by file; `errors` > 0 means apply would \
        refuse the files", body = LintReport), ErrorResponses))]
pub async fn lint_okr_files(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Json(request): Json<LintRequest>,
) -> Result<Json<LintReport>, ApiError> {
    Ok(Json(app.okr_files().lint(&caller, request).await?))
}

/// The workspace's OKRs as files in canonical form, one per owner and cycle.
#[utoipa::path(get, path = "/api/v1/okr-files", tag = "okr-files", params(ExportQuery),
    responses((status = 200, description = "The files, sorted by name", body = Vec<OkrFileText>), ErrorResponses))]
pub async fn export_okr_files(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Query(query): Query<ExportQuery>,
) -> Result<Json<Vec<OkrFileText>>, ApiError> {
    Ok(Json(app.okr_files().export(&caller, query).await?))
}

pub(super) fn routes(router: OpenApiRouter<App>) -> OpenApiRouter<App> {
    router.routes(routes!(apply_okr_files)).routes(routes!(lint_okr_files)).routes(routes!(export_okr_files))
}

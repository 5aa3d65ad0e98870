//! `/healthz` (the process answers) and `/readyz` (and its database does).

use crate::extract::Json;
use crate::problem::{ApiError, ErrorResponses};
use axum::extract::State;
use milepost_app::App;
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// A health answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok`.
    pub status: &'static str,
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "health", operation_id = "get_health", security(()),
    responses((status = 200, description = "Up", body = Health)))]
pub async fn get_health() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// The process is up and its database answers.
#[utoipa::path(get, path = "/readyz", tag = "health", operation_id = "get_readiness", security(()),
    responses((status = 200, description = "Ready", body = Health), ErrorResponses))]
pub async fn get_readiness(State(app): State<App>) -> Result<Json<Health>, ApiError> {
    match app.ready().await {
        Ok(()) => Ok(Json(Health { status: "ok" })),
        Err(error) => {
            tracing::warn!(%error, "not ready");
            Err(ApiError::unavailable("the database does not answer"))
        }
    }
}

pub(super) fn routes(router: OpenApiRouter<App>) -> OpenApiRouter<App> {
    router.routes(routes!(get_health)).routes(routes!(get_readiness))
}

//! A closed cycle's confidence calibration: Brier scores of the confidence people gave
//! in their check-ins against the outcomes, per person, per team and for the workspace,
//! and the same for the forecast the key result had at each of those check-ins.

use crate::extract::{Authenticated, Id, Json};
use crate::problem::{ApiError, ErrorResponses};
use axum::extract::State;
use milepost_app::App;
use milepost_app::calibration::CalibrationView;
use milepost_core::CycleId;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Reads a closed cycle's confidence calibration, with the forecast's beside it
/// (`forecast`: at each check-in, the probability the forecast gave from the values known
/// then). A cycle that is not closed yet is a 409 `cycle_not_closed`: its outcomes are
/// not known.
#[utoipa::path(get, path = "/api/v1/cycles/{id}/calibration", tag = "cycles",
    params(("id" = i64, Path, minimum = 1, description = "The cycle's id")),
    responses((status = 200, description = "The calibration", body = CalibrationView), ErrorResponses))]
pub async fn get_cycle_calibration(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Id(id): Id<CycleId>,
) -> Result<Json<CalibrationView>, ApiError> {
    Ok(Json(app.cycles().calibration(&caller, id).await?))
}

pub(super) fn routes(router: OpenApiRouter<App>) -> OpenApiRouter<App> {
    router.routes(routes!(get_cycle_calibration))
}

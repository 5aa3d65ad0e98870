//! Carry-over (issue 16): unfinished objectives of a closed cycle copied into a later
//! cycle, starting from the value reached and linked to their origin. A preview first
//! (what would be carried, with which key results and alignment), then the carry itself
//! in one transaction.

use crate::extract::{Authenticated, Id, Json, Query};
use crate::problem::{ApiError, ErrorResponses};
use axum::extract::State;
use milepost_app::App;
use milepost_app::carry::{CarryOutcome, CarryPreviewQuery, CarryRequest};
use milepost_core::CycleId;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// What carrying would do, writing nothing: the objectives of the closed cycle that
/// did not succeed (or those of `team_id`, or `objective_ids`), each with every key
/// result (`selected`: below full progress, copied by default), the start each copy
/// would take and the alignment it would get (`asks` where a person must choose a
/// parent). Objectives carried before show their existing copy. Refused as the carry
/// is: 409 `cycle_not_closed`, `target_cycle_closed`, `target_cycle_archived`, `same_cycle`,
/// `no_target_cycle`.
#[utoipa::path(get, path = "/api/v1/cycles/{id}/carry", tag = "cycles",
    params(("id" = i64, Path, minimum = 1, description = "The closed cycle's id"), CarryPreviewQuery),
    responses((status = 200, description = "What would be carried", body = CarryOutcome), ErrorResponses))]
pub async fn preview_carry(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Id(id): Id<CycleId>,
    Query(query): Query<CarryPreviewQuery>,
) -> Result<Json<CarryOutcome>, ApiError> {
    let request = query.request()?;
    Ok(Json(app.carries().preview(&caller, id, request).await?))
}

/// Carries objectives of a closed cycle into a later one that is not closed (default:
/// the next by start date), in one transaction: all unfinished ones, those of one team,
/// or a list, each with its key results below full progress (or those given). A copy
/// keeps the title, owner, commitment, visibility and KPI links, starts each key result
/// from the value reached (a KPI-linked one from the KPI's value at the target's
/// start), keeps the initiatives not done, and aligns to its parent's copy, to its
/// parent while that is open, or to the parent given; otherwise its alignment `asks`.
/// A key result whose value reached is its target is skipped with a reason. Carrying
/// an objective into a cycle twice answers the existing copy (`created: false`).
/// Editors and admins; a member may carry their own objectives.
#[utoipa::path(post, path = "/api/v1/cycles/{id}/carry", tag = "cycles",
    params(("id" = i64, Path, minimum = 1, description = "The closed cycle's id")), request_body = CarryRequest,
    responses((status = 200, description = "What was carried", body = CarryOutcome), ErrorResponses))]
pub async fn carry_objectives(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Id(id): Id<CycleId>,
    Json(request): Json<CarryRequest>,
) -> Result<Json<CarryOutcome>, ApiError> {
    Ok(Json(app.carries().carry(&caller, id, request).await?))
}

pub(super) fn routes(router: OpenApiRouter<App>) -> OpenApiRouter<App> {
    router.routes(routes!(preview_carry, carry_objectives))
}

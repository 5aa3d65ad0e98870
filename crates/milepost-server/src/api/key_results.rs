//! Key results and their check-ins. A key result is created under its objective;
//! check-ins are created under their key result and never changed afterwards.

use super::VersionBody;
use crate::extract::{Authenticated, CsvOrJson, Id, Json, Query, csv_or_json, from_json_slice};
use crate::problem::{ApiError, ErrorResponses};
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use milepost_app::as_of::AsOfQuery;
use milepost_app::check_in::{CheckInResult, CheckInView, GoalChangeView, NewCheckIn};
use milepost_app::check_in_import::{CheckInImportResult, ImportedCheckIn, parse_check_in_csv};
use milepost_app::key_result::{KeyResultPatch, KeyResultQuery, KeyResultView, NewKeyResult};
use milepost_app::{App, ListParams, Paged};
use milepost_core::CheckInId;
use milepost_core::{KeyResultId, ObjectiveId};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

type Created<T> = (StatusCode, [(header::HeaderName, String); 1], Json<T>);

/// Lists key results, filtered and paged.
#[utoipa::path(get, path = "/api/v1/key-results", tag = "key-results", params(KeyResultQuery),
    responses((status = 200, description = "A page of key results", body = Paged<KeyResultView>), ErrorResponses))]
pub async fn list_key_results(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Query(query): Query<KeyResultQuery>,
) -> Result<Json<Paged<KeyResultView>>, ApiError> {
    Ok(Json(app.key_results().list(&caller, query).await?))
}

/// Adds a key result to an objective.
#[utoipa::path(post, path = "/api/v1/objectives/{id}/key-results", tag = "key-results",
    params(("id" = i64, Path, minimum = 1, description = "The objective's id")), request_body = NewKeyResult,
    responses((status = 201, description = "Created", body = KeyResultView, headers(("location" = String, description = "Where it lives"))), ErrorResponses))]
pub async fn create_key_result(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Id(objective_id): Id<ObjectiveId>,
    Json(new): Json<NewKeyResult>,
) -> Result<Created<KeyResultView>, ApiError> {
    let view = app.key_results().create(&caller, objective_id, new).await?;
    Ok((StatusCode::CREATED, [(header::LOCATION, format!("/api/v1/key-results/{}", view.id))], Json(view)))
}

/// Reads a key result with its progress, expected progress and status.
#[utoipa::path(get, path = "/api/v1/key-results/{id}", tag = "key-results",
    params(("id" = i64, Path, minimum = 1, description = "Its id"), AsOfQuery), responses((status = 200, description = "Found", body = KeyResultView), ErrorResponses))]
pub async fn get_key_result(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Id(id): Id<KeyResultId>,
    Query(as_of): Query<AsOfQuery>,
) -> Result<Json<KeyResultView>, ApiError> {
    Ok(Json(app.key_results().get_as_of(&caller, id, &as_of).await?))
}

/// Changes a key result. Its value changes only through check-ins; moving its start,
/// target or range after the cycle began needs a `reason`.
#[utoipa::path(patch, path = "/api/v1/key-results/{id}", tag = "key-results",
    params(("id" = i64, Path, minimum = 1, description = "Its id")), request_body = KeyResultPatch,
    responses((status = 200, description = "Changed", body = KeyResultView), ErrorResponses))]
pub async fn update_key_result(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Id(id): Id<KeyResultId>,
    Json(change): Json<KeyResultPatch>,
) -> Result<Json<KeyResultView>, ApiError> {
    Ok(Json(app.key_results().update(&caller, id, change).await?))
}

/// Archives a key result: it leaves its objective's progress, its history stays.
#[utoipa::path(post, path = "/api/v1/key-results/{id}/archive", tag = "key-results",
    params(("id" = i64, Path, minimum = 1, description = "Its id")), request_body = VersionBody,
    responses((status = 200, description = "Archived", body = KeyResultView), ErrorResponses))]
pub async fn archive_key_result(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Id(id): Id<KeyResultId>,
    Json(body): Json<VersionBody>,
) -> Result<Json<KeyResultView>, ApiError> {
    Ok(Json(app.key_results().archive(&caller, id, body.version, true).await?))
}

/// Restores an archived key result.
#[utoipa::path(post, path = "/api/v1/key-results/{id}/restore", tag = "key-results",
    params(("id" = i64, Path, minimum = 1, description = "Its id")), request_body = VersionBody,
    responses((status = 200, description = "Restored", body = KeyResultView), ErrorResponses))]
pub async fn restore_key_result(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Id(id): Id<KeyResultId>,
    Json(body): Json<VersionBody>,
) -> Result<Json<KeyResultView>, ApiError> {
    Ok(Json(app.key_results().archive(&caller, id, body.version, false).await?))
}

/// Lists a key result's check-ins, oldest first.
#[utoipa::path(get, path = "/api/v1/key-results/{id}/check-ins", tag = "check-ins",
    params(("id" = i64, Path, minimum = 1, description = "The key result's id"), ListParams),
    responses((status = 200, description = "A page of check-ins", body = Paged<CheckInView>), ErrorResponses))]
pub async fn list_check_ins(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Id(id): Id<KeyResultId>,
    Query(params): Query<ListParams>,
) -> Result<Json<Paged<CheckInView>>, ApiError> {
    Ok(Json(app.check_ins().list(&caller, id, params).await?))
}

/// Checks in on a key result: its new value, confidence, note and blockers. Answers
/// with the check-in and the key result as it stands after it.
#[utoipa::path(post, path = "/api/v1/key-results/{id}/check-ins", tag = "check-ins",
    params(("id" = i64, Path, minimum = 1, description = "The key result's id")), request_body = NewCheckIn,
    responses((status = 201, description = "Recorded", body = CheckInResult, headers(("location" = String, description = "Where it lives"))), ErrorResponses))]
pub async fn create_check_in(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Id(id): Id<KeyResultId>,
    Json(new): Json<NewCheckIn>,
) -> Result<Created<CheckInResult>, ApiError> {
    let result = app.check_ins().create(&caller, id, new).await?;
    Ok((StatusCode::CREATED, [(header::LOCATION, format!("/api/v1/check-ins/{}", result.check_in.id))], Json(result)))
}

/// Reads one check-in.
#[utoipa::path(get, path = "/api/v1/check-ins/{id}", tag = "check-ins",
    params(("id" = i64, Path, minimum = 1, description = "Its id")), responses((status = 200, description = "Found", body = CheckInView), ErrorResponses))]
pub async fn get_check_in(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Id(id): Id<CheckInId>,
) -> Result<Json<CheckInView>, ApiError> {
    Ok(Json(app.check_ins().get(&caller, id).await?))
}

/// Imports a history of check-ins (up to 10,000), all or nothing: a `text/csv` body
/// with a header naming the columns `key_result` (`KR-41`), `checked_in_at` (RFC 3339
/// or a day; never in the future), `value` and, optionally, `confidence`, `note`,
/// `blockers` and `author` (`@dana`), or a JSON array of the same rows
/// (`key_result_id`, `author` a handle). Every row goes through the same checks as a
/// single check-in; a bad row refuses the whole file, naming its row and column
/// (`/2/confidence`).
#[utoipa::path(post, path = "/api/v1/check-ins/import", tag = "check-ins",
    summary = "Imports a CSV history of check-ins, all or nothing.",
    request_body(content((Vec<ImportedCheckIn> = "application/json"), (String = "text/csv",
        example = "key_result,checked_in_at,value,confidence,note,author\nKR-41,2026-11-13T15:00:00Z,6.5,7,\"Triage macros live, backlog down\",@dana\n"))),
    responses((status = 200, description = "Imported", body = CheckInImportResult), ErrorResponses))]
pub async fn import_check_ins(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    request: Request,
) -> Result<Json<CheckInImportResult>, ApiError> {
    let too_large = format!("a check-in file may be at most {} MiB", IMPORT_BODY_LIMIT >> 20);
    let rows = match csv_or_json(request, IMPORT_BODY_LIMIT, "the check-ins", too_large).await? {
        CsvOrJson::Csv(text) => parse_check_in_csv(&text)?,
        CsvOrJson::Json(bytes) => from_json_slice(&bytes).map_err(ApiError::with_row_numbers)?,
    };
    Ok(Json(app.check_ins().import(&caller, rows).await?))
}

/// The largest check-in file accepted: 10,000 rows with long notes fit.
const IMPORT_BODY_LIMIT: usize = 16 * 1024 * 1024;

/// Every move of a key result's start, target or range after its cycle began, oldest
/// first: who moved it, when, from what to what, and the reason they gave.
#[utoipa::path(get, path = "/api/v1/key-results/{id}/goal-changes", tag = "key-results",
    params(("id" = i64, Path, minimum = 1, description = "The key result's id")),
    responses((status = 200, description = "Its goal changes, oldest first", body = Vec<GoalChangeView>), ErrorResponses))]
pub async fn list_goal_changes(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Id(id): Id<KeyResultId>,
) -> Result<Json<Vec<GoalChangeView>>, ApiError> {
    Ok(Json(app.check_ins().goal_changes(&caller, id).await?))
}

pub(super) fn routes(router: OpenApiRouter<App>) -> OpenApiRouter<App> {
    router
        .routes(routes!(list_key_results))
        .routes(routes!(create_key_result))
        .routes(routes!(get_key_result, update_key_result))
        .routes(routes!(archive_key_result))
        .routes(routes!(restore_key_result))
        .routes(routes!(list_check_ins, create_check_in))
        .routes(routes!(get_check_in))
        .routes(routes!(import_check_ins))
        .routes(routes!(list_goal_changes))
}

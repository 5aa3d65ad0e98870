//! KPIs beyond their shared shape (which `crud.rs` writes): measurements in, one or a
//! batch (JSON array or CSV body), a KPI's downsampled series, and the board.

use crate::extract::{Authenticated, CsvOrJson, Id, Json, Query, csv_or_json, from_json_slice};
use crate::problem::{ApiError, ErrorResponses};
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use milepost_app::App;
use milepost_app::as_of::AsOfQuery;
use milepost_app::kpi::measurement::{BATCH_MAX, parse_csv};
use milepost_app::kpi::{
    DraftObjective, KpiBoard, KpiSeries, KpiTree, KpiView, MeasurementBatchResult, MeasurementInput, MeasurementSource,
    NewMeasurement, RecordedMeasurement, SeriesQuery, SourceTest, SourceTestResult,
};
use milepost_app::objective::ObjectiveView;
use milepost_core::KpiId;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The largest batch body accepted: 100,000 rows of JSON fit with room to spare.
pub const BATCH_BODY_LIMIT: usize = 32 * 1024 * 1024;

/// Records one measurement of a KPI (default time: now). Sending the value already
/// recorded for that time changes nothing and answers 200 with `written: false`.
#[utoipa::path(post, path = "/api/v1/kpis/{id}/measurements", tag = "kpis",
    summary = "Records one measurement of a KPI.",
    params(("id" = i64, Path, minimum = 1, description = "The KPI's id")), request_body = NewMeasurement,
    responses(
        (status = 201, description = "Recorded", body = RecordedMeasurement),
        (status = 200, description = "Already recorded: nothing changed", body = RecordedMeasurement),
        ErrorResponses))]
pub async fn create_measurement(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Id(id): Id<KpiId>,
    Json(new): Json<NewMeasurement>,
) -> Result<(StatusCode, Json<RecordedMeasurement>), ApiError> {
    let recorded = app.kpis().record(&caller, id, new, MeasurementSource::Api).await?;
    let status = if recorded.written { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(recorded)))
}

/// Records a batch of up to 100,000 measurements of a KPI, all or nothing: a JSON
/// array of `{measured_at, value}`, or a `text/csv` body with the columns
/// `measured_at,value` (header optional; days or RFC 3339 times). A bad row refuses the
/// whole batch, naming its row number. Rows whose value is already recorded for their
/// time change nothing, so sending a batch twice writes it once.
#[utoipa::path(post, path = "/api/v1/kpis/{id}/measurements/batch", tag = "kpis",
    summary = "Records a batch of measurements of a KPI, all or nothing.",
    params(("id" = i64, Path, minimum = 1, description = "The KPI's id")),
    request_body(content(
        (Vec<MeasurementInput> = "application/json"),
        (String = "text/csv", example = "measured_at,value\n2026-11-16T00:00:00Z,99.95\n"),
    )),
    responses((status = 200, description = "Recorded", body = MeasurementBatchResult), ErrorResponses))]
pub async fn import_measurements(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Id(id): Id<KpiId>,
    request: Request,
) -> Result<Json<MeasurementBatchResult>, ApiError> {
    let too_large =
        format!("a batch body may be at most {} MiB: send at most {BATCH_MAX} rows at a time", BATCH_BODY_LIMIT >> 20);
    let (rows, source) = match csv_or_json(request, BATCH_BODY_LIMIT, "the batch", too_large).await? {
        CsvOrJson::Csv(text) => (parse_csv(&text)?, MeasurementSource::Csv),
        CsvOrJson::Json(bytes) => {
            let rows: Vec<MeasurementInput> = from_json_slice(&bytes).map_err(ApiError::with_row_numbers)?;
            (rows, MeasurementSource::Api)
        }
    };
    Ok(Json(app.kpis().record_many(&caller, id, rows, source).await?))
}

/// A KPI's values from `from` to `to`, downsampled on the server to at most
/// `max_points`: the measurements themselves when there are few enough, otherwise equal
/// buckets of time, each with its min, max, mean and last value.
#[utoipa::path(get, path = "/api/v1/kpis/{id}/series", tag = "kpis",
    summary = "Reads a KPI's series over a time range, downsampled.",
    params(("id" = i64, Path, minimum = 1, description = "The KPI's id"), SeriesQuery),
    responses((status = 200, description = "The series", body = KpiSeries), ErrorResponses))]
pub async fn get_kpi_series(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Id(id): Id<KpiId>,
    Query(query): Query<SeriesQuery>,
) -> Result<Json<KpiSeries>, ApiError> {
    Ok(Json(app.kpis().series(&caller, id, query).await?))
}

/// A KPI's driver tree: the KPI, the KPIs that drive it (its formula's inputs, then
/// its named drivers) and theirs, depth first, each with its health now; a lagging or
/// red KPI names the driver that explains most of its change over its last two periods.
#[utoipa::path(get, path = "/api/v1/kpis/{id}/tree", tag = "kpis",
    summary = "Reads a KPI's driver tree.",
    params(("id" = i64, Path, minimum = 1, description = "The KPI's id")),
    responses((status = 200, description = "The tree", body = KpiTree), ErrorResponses))]
pub async fn get_kpi_tree(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Id(id): Id<KpiId>,
) -> Result<Json<KpiTree>, ApiError> {
    Ok(Json(app.kpis().tree(&caller, id).await?))
}

/// The KPI board: every KPI (tier `kpi`, not archived) with its health, last value,
/// trend, lagging flag and sparkline data; now, or as of a past instant (`as_of`).
#[utoipa::path(get, path = "/api/v1/kpis/board", tag = "kpis",
    summary = "Reads the KPI board.",
    params(AsOfQuery),
    responses((status = 200, description = "The board", body = KpiBoard), ErrorResponses))]
pub async fn get_kpi_board(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Query(query): Query<AsOfQuery>,
) -> Result<Json<KpiBoard>, ApiError> {
    let as_of = app.workspaces().as_of(&caller, &query).await?;
    Ok(Json(KpiBoard::clone(&*app.kpis().board_as_of(&caller, as_of).await?)))
}

/// Drafts an objective to bring a lagging KPI back on target: in the current cycle,
/// owned by the KPI's owner, with the key result "Bring <KPI> from <current> to
/// <target>" linked to the KPI, for a person to edit and commit (201). A KPI has at
/// most one active recovery objective: when it has one (not archived, in a cycle that
/// is not closed), drafting again answers that one with 200 and creates nothing. 409
/// when the KPI is not lagging.
#[utoipa::path(post, path = "/api/v1/kpis/{id}/draft-objective", tag = "kpis",
    summary = "Drafts an objective to fix a lagging KPI.",
    params(("id" = i64, Path, minimum = 1, description = "The KPI's id")), request_body = DraftObjective,
    responses(
        (status = 201, description = "Drafted", body = ObjectiveView, headers(("location" = String, description = "Where it lives"))),
        (status = 200, description = "The KPI's active recovery objective, drafted before", body = ObjectiveView, headers(("location" = String, description = "Where it lives"))),
        ErrorResponses))]
pub async fn draft_objective_from_kpi(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Id(id): Id<KpiId>,
    Json(draft): Json<DraftObjective>,
) -> Result<(StatusCode, [(header::HeaderName, String); 1], Json<ObjectiveView>), ApiError> {
    let drafted = app.kpis().draft_recovery_objective(&caller, id, draft).await?;
    let status = if drafted.created { StatusCode::CREATED } else { StatusCode::OK };
    let view = drafted.objective;
    Ok((status, [(header::LOCATION, format!("/api/v1/objectives/{}", view.id))], Json(view)))
}

/// Runs a KPI's pull source now (editors and admins) and answers the KPI. A failed run
/// is recorded on the KPI (`last_error`, `last_error_at`) and still answers 200: the
/// failure is data. 409 when the KPI has no source or is archived.
#[utoipa::path(post, path = "/api/v1/kpis/{id}/source/run", tag = "kpis",
    summary = "Runs a KPI's pull source now.",
    params(("id" = i64, Path, minimum = 1, description = "The KPI's id")),
    responses((status = 200, description = "Ran; see last_error for a failure", body = KpiView), ErrorResponses))]
pub async fn run_kpi_source(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Id(id): Id<KpiId>,
) -> Result<Json<KpiView>, ApiError> {
    Ok(Json(app.kpis().run_source(&caller, id).await?))
}

/// Tries a KPI's pull source once and writes nothing (editors and admins): the KPI's
/// own source, or the `source` given, as a form tries one before it is saved (a URL
/// password written `***` stands for the stored one). Answers the value a run would
/// record, or in `error` why none could be read; 422 when the source is refused by its
/// checks or by the operator's allow-lists, exactly as saving it would be; 409 when the
/// KPI has no source and none is given.
#[utoipa::path(post, path = "/api/v1/kpis/{id}/source/test", tag = "kpis",
    summary = "Tries a KPI's pull source without recording anything.",
    params(("id" = i64, Path, minimum = 1, description = "The KPI's id")), request_body = SourceTest,
    responses((status = 200, description = "Tried; see error for a failure", body = SourceTestResult), ErrorResponses))]
pub async fn test_kpi_source(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Id(id): Id<KpiId>,
    Json(test): Json<SourceTest>,
) -> Result<Json<SourceTestResult>, ApiError> {
    Ok(Json(app.kpis().test_source(&caller, id, test).await?))
}

pub(super) fn routes(router: OpenApiRouter<App>) -> OpenApiRouter<App> {
    router
        .routes(routes!(create_measurement))
        .routes(routes!(import_measurements))
        .routes(routes!(get_kpi_series))
        .routes(routes!(get_kpi_board))
        .routes(routes!(get_kpi_tree))
        .routes(routes!(draft_objective_from_kpi))
        .routes(routes!(run_kpi_source))
        .routes(routes!(test_kpi_source))
}

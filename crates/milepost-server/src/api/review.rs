//! A closed cycle's review: its report in Markdown, HTML, CSV or JSON, and the
//! retrospective notes of its objectives.

use crate::extract::{Authenticated, Id, Json, Query};
use crate::problem::{ApiError, ErrorResponses};
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use milepost_app::App;
use milepost_app::report::{Report, ReportFormat, file_name, render};
use milepost_app::retrospective::{RetrospectiveChange, RetrospectiveView};
use milepost_core::{CycleId, ObjectiveId};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The policy of a served report: an HTML report may style itself inline and reach
/// nothing, not even this server.
const REPORT_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// Which format a report is asked in.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// md, html, csv or json (the default).
    #[param(inline)]
    pub format: Option<ReportFormat>,
}

/// A rendered report as a download: its media type, a file name, and a policy that lets
/// an HTML report reach nothing.
pub(crate) fn report_response(report: &Report, format: ReportFormat) -> Response {
    let body = render(report, format);
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(format.content_type()));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(REPORT_CSP));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(disposition) = HeaderValue::from_str(&format!("attachment; filename=\"{}\"", file_name(report, format))) {
        headers.insert(header::CONTENT_DISPOSITION, disposition);
    }
    response
}

/// The review report of a closed cycle, as the caller may see it: scores by team and
/// owner, committed vs aspirational, the confidence calibration with its reliability
/// table, the biggest movers, the KPIs that lagged, what was carried over and each
/// objective's retrospective. `format=json` (the default) is the typed report; `md`,
/// `html` (one self-contained file) and `csv` (one row per key result) are documents to
/// save. A cycle not closed yet is a 409 `cycle_not_closed`.
#[utoipa::path(get, path = "/api/v1/cycles/{id}/report", tag = "cycles",
    params(("id" = i64, Path, minimum = 1, description = "The cycle's id"), ReportQuery),
    responses((status = 200, description = "The report", content(
        (Report = "application/json"),
        (String = "text/markdown"),
        (String = "text/html"),
        (String = "text/csv"))), ErrorResponses))]
pub async fn get_cycle_report(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Id(id): Id<CycleId>,
    Query(query): Query<ReportQuery>,
) -> Result<Response, ApiError> {
    let report = app.cycles().report(&caller, id).await?;
    Ok(match query.format.unwrap_or(ReportFormat::Json) {
        ReportFormat::Json => Json(report).into_response(),
        format => report_response(&report, format),
    })
}

/// An objective's retrospective note: what worked and what did not. A blank note at
/// version 0 while nothing is written.
#[utoipa::path(get, path = "/api/v1/objectives/{id}/retrospective", tag = "objectives",
    params(("id" = i64, Path, minimum = 1, description = "The objective's id")),
    responses((status = 200, description = "The note", body = RetrospectiveView), ErrorResponses))]
pub async fn get_objective_retrospective(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Id(id): Id<ObjectiveId>,
) -> Result<Json<RetrospectiveView>, ApiError> {
    Ok(Json(app.objectives().retrospective(&caller, id).await?))
}

/// Writes an objective's retrospective note (whoever may change the objective), based on
/// the version read: 0 for the first note. Each part holds at most 4,000 characters.
#[utoipa::path(put, path = "/api/v1/objectives/{id}/retrospective", tag = "objectives",
    params(("id" = i64, Path, minimum = 1, description = "The objective's id")),
    request_body = RetrospectiveChange,
    responses((status = 200, description = "The note as written", body = RetrospectiveView), ErrorResponses))]
pub async fn put_objective_retrospective(
    State(app): State<App>,
    Authenticated(caller): Authenticated,
    Id(id): Id<ObjectiveId>,
    Json(change): Json<RetrospectiveChange>,
) -> Result<Json<RetrospectiveView>, ApiError> {
    Ok(Json(app.objectives().update_retrospective(&caller, id, change).await?))
}

pub(super) fn routes(router: OpenApiRouter<App>) -> OpenApiRouter<App> {
    router.routes(routes!(get_cycle_report)).routes(routes!(get_objective_retrospective, put_objective_retrospective))
}

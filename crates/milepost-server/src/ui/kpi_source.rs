//! A KPI's pull source on the web: the KPI page's "Source" section (kind, URL with any
//! password hidden, query or JSON path, cadence, last run, latest value, last error)
//! with "Run now", and `/kpis/{id}/source`, where editors set or change the source,
//! try it without recording anything ("Test"), and remove it. Each action calls the
//! app's use case behind the JSON API (`PATCH /api/v1/kpis/{id}` with `source`,
//! `POST /api/v1/kpis/{id}/source/test`, `POST /api/v1/kpis/{id}/source/run`), so the
//! operator's allow-lists and the source's checks speak the same sentences here.
//!
//! A stored password is never sent to the browser: the URL field shows it as `***`,
//! which the app reads as "keep the stored password" (for the same user, host and
//! port only), and the password field, left blank, keeps it too.

use super::form::{Fields, Form, Problems};
use super::view::value;
use super::{Layout, PageResult, Viewer, page, see_other};
use crate::extract::Id;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use milepost_app::kpi::{KpiPatch, KpiSource, KpiView, SourceTest};
use milepost_app::{App, AppError, Path, Segment};
use milepost_core::{KpiId, Named};

/// A time for people, to the minute, in UTC: `2026-11-16 09:30 UTC`.
fn moment(at: jiff::Timestamp) -> String {
    at.to_zoned(jiff::tz::TimeZone::UTC).strftime("%Y-%m-%d %H:%M UTC").to_string()
}

/// A source's kind in words.
fn kind_word(source: &KpiSource) -> &'static str {
    match source {
        KpiSource::Sql { .. } => "SQL query",
        KpiSource::Prometheus { .. } => "Prometheus (PromQL)",
        KpiSource::HttpJson { .. } => "JSON over HTTP",
    }
}

/// The KPI page's "Source" section.
pub struct SourceSummary {
    /// The kind, in words; `None` when the KPI has no source.
    pub kind: Option<&'static str>,
    /// The URL, its password as `***`.
    pub url: String,
    /// What is read there: "Query" or "JSON path".
    pub what_label: &'static str,
    /// The query or the path.
    pub what: String,
    /// How often it runs.
    pub cadence: &'static str,
    /// When it last ran, or "not yet".
    pub last_run: String,
    /// The KPI's latest value, with unit.
    pub last_value: String,
    /// The last run's failure and when it was.
    pub last_error: Option<(String, String)>,
    /// Whether the viewer may set, test, run and remove it.
    pub may_define: bool,
}

impl SourceSummary {
    /// The section for `kpi`, as `viewer` sees it.
    pub fn of(kpi: &KpiView, may_define: bool) -> SourceSummary {
        let (url, what_label, what) = match &kpi.source {
            Some(KpiSource::Sql { url, query } | KpiSource::Prometheus { url, query }) => {
                (url.clone(), "Query", query.clone())
            }
            Some(KpiSource::HttpJson { url, path }) => (url.clone(), "JSON path", path.clone()),
            None => (String::new(), "", String::new()),
        };
        SourceSummary {
            kind: kpi.source.as_ref().map(kind_word),
            url,
            what_label,
            what,
            cadence: kpi.cadence.as_str(),
            last_run: kpi.last_run_at.map_or_else(|| "not yet".to_owned(), moment),
            last_value: value(kpi.state.last_value, kpi.unit.as_deref()),
            last_error: kpi.last_error.clone().map(|e| (e, kpi.last_error_at.map(moment).unwrap_or_default())),
            may_define,
        }
    }
}

/// What a test found, to show.
struct Tried {
    /// The value it would record, with unit, and the time it measures.
    value: Option<(String, String)>,
    /// Why it could not read one.
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "kpi_source.html")]
struct SourcePage {
    layout: Layout,
    kpi: KpiView,
    source_summary: SourceSummary,
    fields: Fields,
    problems: Problems,
    tried: Option<Tried>,
    /// Whether the KPI has a password stored in its source's URL.
    has_password: bool,
}

impl SourcePage {
    /// Whether `kind` is the one the form shows chosen.
    fn chosen(&self, kind: &str) -> bool {
        self.fields.text("kind") == kind
    }
}

/// The form's fields for the KPI's stored source (its password as `***`).
fn fields_of(kpi: &KpiView) -> Fields {
    let (kind, url, query, path) = match &kpi.source {
        Some(KpiSource::Sql { url, query }) => ("sql", url.clone(), query.clone(), String::new()),
        Some(KpiSource::Prometheus { url, query }) => ("prometheus", url.clone(), query.clone(), String::new()),
        Some(KpiSource::HttpJson { url, path }) => ("http_json", url.clone(), String::new(), path.clone()),
        None => ("http_json", String::new(), String::new(), String::new()),
    };
    Fields::from_pairs([("kind", kind.to_owned()), ("url", url), ("query", query), ("path", path)])
}

/// The form field a problem at `path` belongs to: `/source/url` → `url`; anything else
/// shows at the top.
fn field_of(path: &Path) -> Option<String> {
    let field = match path.segments() {
        [Segment::Field(source), Segment::Field(field), ..] if source == "source" => match field.as_str() {
            "url" | "query" | "path" => field.as_str(),
            _ => "",
        },
        _ => "",
    };
    Some(field.to_owned())
}

/// The source the form describes, or its problems. A password typed in the password
/// field goes into the URL; left blank, a URL showing `***` keeps the stored one.
fn source_of(fields: &Fields, problems: &mut Problems) -> Option<KpiSource> {
    let url = fields.text("url").to_owned();
    if url.is_empty() {
        problems.add("url", "give the URL to read");
    }
    let query = fields.text("query").to_owned();
    let path = fields.text("path").to_owned();
    let source = match fields.text("kind") {
        "sql" => KpiSource::Sql { url, query },
        "prometheus" => KpiSource::Prometheus { url, query },
        "http_json" => KpiSource::HttpJson { url, path },
        other => {
            problems.add("kind", format!("{other:?} is not a kind of source: choose SQL, Prometheus or JSON"));
            return None;
        }
    };
    let password = fields.text("password");
    let source = if password.is_empty() || !problems.is_empty() {
        source
    } else {
        match source.with_password(password) {
            Ok(source) => source,
            Err(problem) => {
                problems.add("password", problem.detail);
                return None;
            }
        }
    };
    problems.is_empty().then_some(source)
}

/// The source page for `kpi`, showing `fields`, `problems` and what a test found.
fn render(
    viewer: &Viewer,
    kpi: KpiView,
    fields: Fields,
    problems: Problems,
    tried: Option<Tried>,
    status: StatusCode,
) -> PageResult {
    let has_password = kpi.source.as_ref().is_some_and(KpiSource::has_password);
    let template = SourcePage {
        layout: Layout::new(viewer, "kpis", format!("Source of {}", kpi.name)),
        source_summary: SourceSummary::of(&kpi, true),
        fields,
        problems,
        tried,
        has_password,
        kpi,
    };
    Ok(page(status, &template))
}

/// The KPI, refused to those who may not define KPIs (the API's rule for sources).
async fn kpi_for_editor(app: &App, viewer: &Viewer, id: KpiId) -> Result<KpiView, AppError> {
    milepost_app::permission::require(&viewer.caller, milepost_app::permission::Action::DefineKpi)?;
    app.kpis().get(&viewer.caller, id).await
}

/// The change that sets a KPI's source to `source` (`None`: removes it), and nothing else.
fn patch(version: i64, source: Option<serde_json::Value>) -> Result<KpiPatch, AppError> {
    serde_json::from_value(serde_json::json!({ "version": version, "source": source }))
        .map_err(|error| AppError::invalid("/source", format!("the source could not be described: {error}")))
}

/// `GET /kpis/{id}/source`: the source form, filled in with the stored source.
pub async fn show_source(State(app): State<App>, viewer: Viewer, Id(id): Id<KpiId>) -> PageResult {
    let kpi = kpi_for_editor(&app, &viewer, id).await?;
    render(&viewer, kpi.clone(), fields_of(&kpi), Problems::default(), None, StatusCode::OK)
}

/// `POST /kpis/{id}/source`: `action=test` tries the source as typed and records
/// nothing; `action=save` sets it (the KPI's next scheduler pass runs it).
pub async fn save_source(State(app): State<App>, viewer: Viewer, Id(id): Id<KpiId>, Form(fields): Form) -> PageResult {
    let caller = &viewer.caller;
    let kpi = kpi_for_editor(&app, &viewer, id).await?;
    let mut problems = Problems::default();
    let source = source_of(&fields, &mut problems);
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    let mut tried = None;
    if let Some(source) = source {
        if fields.text("action") == "test" {
            match app.kpis().test_source(caller, id, SourceTest { source: Some(source) }).await {
                Ok(result) => {
                    status = StatusCode::OK;
                    let unit = kpi.unit.as_deref();
                    tried = Some(Tried {
                        value: result
                            .value
                            .map(|v| (value(Some(v), unit), result.measured_at.map(moment).unwrap_or_default())),
                        error: result.error,
                    });
                }
                Err(error) => status = problems.refused(error, field_of)?,
            }
        } else {
            let change = patch(kpi.version, serde_json::to_value(&source).ok())?;
            match app.kpis().update(caller, id, change).await {
                Ok(_) => return Ok(see_other(&format!("/kpis/{id}#source"))),
                Err(error) => status = problems.refused(error, field_of)?,
            }
        }
    }
    // A typed password is never shown back.
    render(&viewer, kpi, fields, problems, tried, status)
}

/// `POST /kpis/{id}/source/run`: runs the source now; the KPI page shows the value
/// recorded, or the failure.
pub async fn run_source(State(app): State<App>, viewer: Viewer, Id(id): Id<KpiId>) -> PageResult {
    app.kpis().run_source(&viewer.caller, id).await?;
    Ok(see_other(&format!("/kpis/{id}#source")))
}

/// `POST /kpis/{id}/source/remove`: removes the source once `confirm` is ticked; the
/// measurements it recorded stay.
pub async fn remove_source(
    State(app): State<App>,
    viewer: Viewer,
    Id(id): Id<KpiId>,
    Form(fields): Form,
) -> PageResult {
    let kpi = kpi_for_editor(&app, &viewer, id).await?;
    let mut problems = Problems::default();
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if kpi.source.is_none() {
        return Ok(see_other(&format!("/kpis/{id}#source")));
    }
    if fields.text("confirm") != "yes" {
        problems.add("confirm", "tick the box to confirm: the source is removed, its measurements stay");
    } else {
        let change = patch(kpi.version, None)?;
        match app.kpis().update(&viewer.caller, id, change).await {
            Ok(_) => return Ok(see_other(&format!("/kpis/{id}#source"))),
            Err(error) => status = problems.refused(error, field_of)?,
        }
    }
    render(&viewer, kpi.clone(), fields_of(&kpi), problems, None, status)
}

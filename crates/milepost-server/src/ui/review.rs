//! A cycle's review on the web: the report's downloads (`/cycles/{id}/report.md`,
//! `.html`, `.csv`, `.json`, the same renderers as the API and the CLI), and the
//! retrospective note of an objective: shown on its page once its cycle has ended or
//! closed (or once written), and written from `/objectives/{id}/retrospective`.

use super::form::{self, Form, Problems};
use super::view::{Names, day};
use super::{Layout, PageResult, Viewer, page, see_other};
use crate::api::review::report_response;
use crate::extract::Id;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use milepost_app::cycle::CycleView;
use milepost_app::objective::ObjectiveView;
use milepost_app::permission::{Action, allows};
use milepost_app::report::ReportFormat;
use milepost_app::retrospective::RetrospectiveChange;
use milepost_app::{App, AppError, Caller, Path};
use milepost_core::{CycleId, CycleStatus, ObjectiveId};

/// `GET /cycles/{id}/report.{md,html,csv,json}`: the report of a closed cycle, to save.
async fn download(app: &App, viewer: &Viewer, id: CycleId, format: ReportFormat) -> Result<Response, super::PageError> {
    let report = app.cycles().report(&viewer.caller, id).await?;
    Ok(report_response(&report, format))
}

/// `GET /cycles/{id}/report.md`.
pub async fn download_report_md(State(app): State<App>, viewer: Viewer, Id(id): Id<CycleId>) -> PageResult {
    download(&app, &viewer, id, ReportFormat::Md).await
}

/// `GET /cycles/{id}/report.html`: one self-contained file.
pub async fn download_report_html(State(app): State<App>, viewer: Viewer, Id(id): Id<CycleId>) -> PageResult {
    download(&app, &viewer, id, ReportFormat::Html).await
}

/// `GET /cycles/{id}/report.csv`: one row per key result.
pub async fn download_report_csv(State(app): State<App>, viewer: Viewer, Id(id): Id<CycleId>) -> PageResult {
    download(&app, &viewer, id, ReportFormat::Csv).await
}

/// `GET /cycles/{id}/report.json`: the typed report.
pub async fn download_report_json(State(app): State<App>, viewer: Viewer, Id(id): Id<CycleId>) -> PageResult {
    download(&app, &viewer, id, ReportFormat::Json).await
}

/// What an objective's page shows of its retrospective note.
pub struct RetrospectivePanel {
    /// The objective.
    pub objective_id: i64,
    /// What worked; empty while nothing is written.
    pub worked: String,
    /// What did not work.
    pub did_not_work: String,
    /// "by Ada on 2026-12-01", once written.
    pub written: Option<String>,
    /// Whether the viewer may write it: the page links to the form.
    pub editable: bool,
}

/// Whether a cycle has ended (its last day is before today) or closed: then its
/// objectives' pages offer the retrospective.
fn ended(cycle: &CycleView, app: &App) -> bool {
    cycle.status == CycleStatus::Closed || cycle.end_date < app.now().to_zoned(jiff::tz::TimeZone::UTC).date()
}

/// The retrospective panel of an objective's page: shown once the cycle has ended or
/// closed, or once a note is written.
pub async fn retrospective_panel(
    app: &App,
    caller: &Caller,
    objective: &ObjectiveView,
    cycle: &CycleView,
    names: &Names,
) -> Result<Option<RetrospectivePanel>, AppError> {
    let note = app.objectives().retrospective(caller, objective.id).await?;
    if note.is_empty() && !ended(cycle, app) {
        return Ok(None);
    }
    Ok(Some(RetrospectivePanel {
        objective_id: objective.id.get(),
        written: note.updated_at.map(|at| format!("by {} on {}", names.person(note.author_person_id), day(at))),
        worked: note.worked,
        did_not_work: note.did_not_work,
        editable: allows(caller, Action::EditOkr { owner: objective.owner_person_id }),
    }))
}

#[derive(Template)]
#[template(path = "retrospective_form.html")]
struct RetrospectivePage {
    layout: Layout,
    objective_id: i64,
    objective_title: String,
    version: i64,
    worked: String,
    did_not_work: String,
    problems: Problems,
}

/// The form field of a retrospective's JSON pointer.
fn retrospective_field(path: &Path) -> Option<String> {
    Some(
        match form::head(path) {
            "worked" => "worked",
            "did_not_work" => "did_not_work",
            _ => "",
        }
        .to_owned(),
    )
}

/// `GET /objectives/{id}/retrospective`: the form to write an objective's retrospective.
pub async fn show_retrospective(State(app): State<App>, viewer: Viewer, Id(id): Id<ObjectiveId>) -> PageResult {
    let caller = &viewer.caller;
    let objective = app.objectives().get(caller, id).await?;
    milepost_app::permission::require(caller, Action::EditOkr { owner: objective.owner_person_id })?;
    let note = app.objectives().retrospective(caller, id).await?;
    let template = RetrospectivePage {
        layout: Layout::new(&viewer, "", format!("Retrospective: {}", objective.title)),
        objective_id: id.get(),
        objective_title: objective.title,
        version: note.version,
        worked: note.worked,
        did_not_work: note.did_not_work,
        problems: Problems::default(),
    };
    Ok(page(StatusCode::OK, &template))
}

/// `POST /objectives/{id}/retrospective`: writes the note and goes back to the
/// objective's page; the form again with its problems otherwise (a stale version says
/// someone else wrote first).
pub async fn save_retrospective(
    State(app): State<App>,
    viewer: Viewer,
    Id(id): Id<ObjectiveId>,
    Form(fields): Form,
) -> PageResult {
    let caller = &viewer.caller;
    let objective = app.objectives().get(caller, id).await?;
    let mut problems = Problems::default();
    let version = fields.whole("version", &mut problems).unwrap_or_default();
    let code = if problems.is_empty() {
        let change = RetrospectiveChange {
            version,
            worked: fields.text("worked").to_owned(),
            did_not_work: fields.text("did_not_work").to_owned(),
        };
        match app.objectives().update_retrospective(caller, id, change).await {
            Ok(_) => return Ok(see_other(&format!("/objectives/{id}#retrospective"))),
            Err(error) => problems.refused(error, retrospective_field)?,
        }
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let template = RetrospectivePage {
        layout: Layout::new(&viewer, "", format!("Retrospective: {}", objective.title)),
        objective_id: id.get(),
        objective_title: objective.title,
        version,
        worked: fields.text("worked").to_owned(),
        did_not_work: fields.text("did_not_work").to_owned(),
        problems,
    };
    Ok(page(code, &template))
}

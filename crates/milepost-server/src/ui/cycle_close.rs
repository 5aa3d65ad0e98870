//! `/cycles/{id}/close` (admins): what closing the cycle will freeze (each objective's
//! score and outcome under the workspace's thresholds, and what is still open), then the
//! close, which before the end date needs a confirmation; and `/settings/scoring`, where
//! admins set the thresholds scores are graded by.

use super::form::{Fields, Form, Problems};
use super::view::{Names, score_badge, score_text};
use super::{Layout, PageResult, Viewer, page, see_other};
use crate::extract::Id;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use milepost_app::cycle::{ClosePreview, ClosingKeyResult, CycleClose};
use milepost_app::scoring::ScoringView;
use milepost_app::{App, Path};
use milepost_core::{Commitment, CycleId};

/// One objective of the close page.
struct ClosingLine {
    id: i64,
    title: String,
    owner: String,
    commitment: &'static str,
    score: String,
    badge: super::view::Badge,
    succeeded: Option<bool>,
    key_results: Vec<(String, String, super::view::Badge)>,
}

/// A key result still open, for people.
struct OpenLine {
    title: String,
    last: String,
}

fn open_line(k: &ClosingKeyResult) -> OpenLine {
    OpenLine {
        title: k.title.clone(),
        last: k
            .last_check_in_at
            .map_or_else(|| "never".to_owned(), |at| at.to_zoned(jiff::tz::TimeZone::UTC).date().to_string()),
    }
}

#[derive(Template)]
#[template(path = "cycle_close.html")]
struct ClosePage {
    layout: Layout,
    preview: ClosePreview,
    lines: Vec<ClosingLine>,
    never: Vec<OpenLine>,
    overdue: Vec<OpenLine>,
    committed_rule: String,
    aspirational_rule: String,
    problems: Problems,
    confirmed: bool,
}

fn commitment_word(commitment: Commitment) -> &'static str {
    match commitment {
        Commitment::Committed => "Committed",
        Commitment::Aspirational => "Aspirational",
    }
}

async fn close_page(
    app: &App,
    viewer: &Viewer,
    id: CycleId,
    problems: Problems,
    confirmed: bool,
) -> Result<ClosePage, milepost_app::AppError> {
    let caller = &viewer.caller;
    let preview = app.cycles().close_preview(caller, id).await?;
    let names = Names::load(app, caller).await?;
    let lines = preview
        .objectives
        .iter()
        .map(|o| ClosingLine {
            id: o.id,
            title: o.title.clone(),
            owner: names.owner(o.owner_person_id, o.owner_team_id),
            commitment: commitment_word(o.commitment),
            score: score_text(&o.score),
            badge: score_badge(o.score.colour),
            succeeded: o.score.succeeded,
            key_results: o
                .key_results
                .iter()
                .map(|k| (k.title.clone(), score_text(&k.score), score_badge(k.score.colour)))
                .collect(),
        })
        .collect();
    let t = preview.thresholds;
    Ok(ClosePage {
        layout: Layout::new(viewer, "cycles", format!("Close {}", preview.cycle.name)),
        never: preview.still_open.never_checked_in.iter().map(open_line).collect(),
        overdue: preview.still_open.check_in_overdue.iter().map(open_line).collect(),
        committed_rule: format!("succeeds at a score of {:.1}", t.committed_success),
        aspirational_rule: format!("succeeds at {:.1} or more", t.aspirational_success),
        lines,
        preview,
        problems,
        confirmed,
    })
}

/// `GET /cycles/{id}/close`: what closing the cycle will freeze (admins).
pub async fn show_close_cycle(State(app): State<App>, viewer: Viewer, Id(id): Id<CycleId>) -> PageResult {
    let template = close_page(&app, &viewer, id, Problems::default(), false).await?;
    Ok(page(StatusCode::OK, &template))
}

/// The close form's field of a refusal's JSON pointer.
fn close_field(path: &Path) -> Option<String> {
    Some(if super::form::head(path) == "confirm_early" { "confirm_early" } else { "" }.to_owned())
}

/// `POST /cycles/{id}/close`: closes the cycle, freezing its scores; before its end date
/// only with the confirmation ticked.
pub async fn save_close_cycle(
    State(app): State<App>,
    viewer: Viewer,
    Id(id): Id<CycleId>,
    Form(fields): Form,
) -> PageResult {
    let caller = &viewer.caller;
    let mut problems = Problems::default();
    let version = fields.whole("version", &mut problems).unwrap_or_default();
    let confirmed = fields.has("confirm_early");
    let code = if problems.is_empty() {
        let close = CycleClose { version, confirm_early: confirmed };
        match app.cycles().close(caller, id, close).await {
            Ok(_) => return Ok(see_other(&format!("/cycles/{id}#review-heading"))),
            Err(milepost_app::AppError::Conflict { code: "close_early_unconfirmed", detail, .. }) => {
                problems.add("confirm_early", detail);
                StatusCode::CONFLICT
            }
            Err(error) => problems.refused(error, close_field)?,
        }
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let template = close_page(&app, &viewer, id, problems, confirmed).await?;
    Ok(page(code, &template))
}

#[derive(Template)]
#[template(path = "scoring.html")]
struct ScoringPage {
    layout: Layout,
    /// Whether the viewer may change the thresholds.
    administers: bool,
    fields: Fields,
    problems: Problems,
    saved: bool,
}

fn scoring_fields(view: &ScoringView) -> Fields {
    Fields::from_pairs([
        ("yellow_from", format!("{:.1}", view.yellow_from)),
        ("green_from", format!("{:.1}", view.green_from)),
        ("committed_success", format!("{:.1}", view.committed_success)),
        ("aspirational_success", format!("{:.1}", view.aspirational_success)),
    ])
}

/// What `/settings/scoring` takes.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ScoringQuery {
    /// Set after a save: the page says so.
    #[serde(default)]
    pub saved: Option<String>,
}

fn administers(viewer: &Viewer) -> bool {
    milepost_app::permission::allows(&viewer.caller, milepost_app::permission::Action::Administer)
}

/// `GET /settings/scoring`: the workspace's scoring thresholds (everyone reads them;
/// admins change them).
pub async fn show_scoring(
    State(app): State<App>,
    viewer: Viewer,
    crate::extract::Query(query): crate::extract::Query<ScoringQuery>,
) -> PageResult {
    let scoring = app.workspaces().scoring(&viewer.caller).await?;
    let template = ScoringPage {
        layout: Layout::new(&viewer, "cycles", "Scoring"),
        administers: administers(&viewer),
        fields: scoring_fields(&scoring),
        problems: Problems::default(),
        saved: query.saved.is_some(),
    };
    Ok(page(StatusCode::OK, &template))
}

/// The scoring form's field of a refusal's JSON pointer: the fields are named as the
/// request's.
fn scoring_field(path: &Path) -> Option<String> {
    Some(super::form::head(path).to_owned())
}

/// `POST /settings/scoring`: sets the thresholds (admins).
pub async fn save_scoring(State(app): State<App>, viewer: Viewer, Form(fields): Form) -> PageResult {
    let mut problems = Problems::default();
    let yellow_from = fields.number("yellow_from", &mut problems);
    let green_from = fields.number("green_from", &mut problems);
    let committed_success = fields.number("committed_success", &mut problems);
    let aspirational_success = fields.number("aspirational_success", &mut problems);
    let code = match (yellow_from, green_from, committed_success, aspirational_success) {
        (Some(yellow_from), Some(green_from), Some(committed_success), Some(aspirational_success))
            if problems.is_empty() =>
        {
            let view = ScoringView { yellow_from, green_from, committed_success, aspirational_success };
            match app.workspaces().set_scoring(&viewer.caller, view).await {
                Ok(_) => return Ok(see_other("/settings/scoring?saved=1")),
                Err(error) => problems.refused(error, scoring_field)?,
            }
        }
        _ => {
            for name in ["yellow_from", "green_from", "committed_success", "aspirational_success"] {
                if fields.text(name).trim().is_empty() && !problems.has(name) {
                    problems.add(name, "give a score between 0.1 and 1.0");
                }
            }
            StatusCode::UNPROCESSABLE_ENTITY
        }
    };
    let template = ScoringPage {
        layout: Layout::new(&viewer, "cycles", "Scoring"),
        administers: administers(&viewer),
        fields,
        problems,
        saved: false,
    };
    Ok(page(code, &template))
}

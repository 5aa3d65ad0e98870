//! `/settings`: the workspace's settings (admins): its name, time zone and the weekly
//! check-in's day and hour (`app.workspaces().update`, as `PATCH /api/v1/workspace`),
//! with the links to the other settings pages. And the archive and restore buttons of
//! objectives and key results (`app.objectives().archive`, `app.key_results().archive`).

use super::form::{Fields, Form, Problems, head};
use super::objective_form::Choice;
use super::setup::{day_choices, hour_choices};
use super::{Layout, PageResult, Viewer, page, see_other};
use crate::extract::{Id, Query};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use milepost_app::permission::{self, Action};
use milepost_app::workspace::{CheckInDay, QuietHoursView, WorkspacePatch};
use milepost_app::{App, AppError, Path};
use milepost_core::{KeyResultId, ObjectiveId};
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    layout: Layout,
    fields: Fields,
    problems: Problems,
    days: Vec<Choice>,
    hours: Vec<Choice>,
    saved: bool,
}

fn settings_page(viewer: &Viewer, fields: Fields, problems: Problems, saved: bool) -> SettingsPage {
    let days = day_choices(fields.text("check_in_day"));
    let hours = hour_choices(fields.text("check_in_hour"));
    SettingsPage { layout: Layout::new(viewer, "settings", "Settings"), fields, problems, days, hours, saved }
}

/// What a settings page takes: `?saved=1` after a save.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct SavedQuery {
    /// Present after a save.
    pub saved: Option<String>,
}

/// `GET /settings`: the workspace's settings form (admins).
pub async fn show_settings(State(app): State<App>, viewer: Viewer, Query(query): Query<SavedQuery>) -> PageResult {
    permission::require(&viewer.caller, Action::Administer)?;
    let workspace = app.workspaces().get(&viewer.caller.workspace_slug).await?;
    let fields = Fields::from(HashMap::from([
        ("version".to_owned(), workspace.version.to_string()),
        ("name".to_owned(), workspace.name),
        ("time_zone".to_owned(), workspace.time_zone),
        ("check_in_day".to_owned(), workspace.check_in_day.as_str().to_owned()),
        ("check_in_hour".to_owned(), workspace.check_in_hour.to_string()),
        ("quiet_hours_start".to_owned(), workspace.quiet_hours.map(|q| q.start.to_string()).unwrap_or_default()),
        ("quiet_hours_end".to_owned(), workspace.quiet_hours.map(|q| q.end.to_string()).unwrap_or_default()),
    ]));
    Ok(page(StatusCode::OK, &settings_page(&viewer, fields, Problems::default(), query.saved.is_some())))
}

/// `POST /settings`: saves the workspace's settings, based on the version the form showed.
pub async fn save_settings(State(app): State<App>, viewer: Viewer, Form(fields): Form) -> PageResult {
    permission::require(&viewer.caller, Action::Administer)?;
    let mut problems = Problems::default();
    let version = fields.whole("version", &mut problems).unwrap_or_default();
    let check_in_day = CheckInDay::parse(fields.text("check_in_day"));
    if check_in_day.is_none() {
        problems.add("check_in_day", "choose a day of the week");
    }
    let check_in_hour = fields.whole("check_in_hour", &mut problems);
    // Both quiet hours empty: none; one alone is a problem at the pair.
    let quiet_hours = match (fields.optional("quiet_hours_start"), fields.optional("quiet_hours_end")) {
        _ if !fields.has("quiet_hours_start") && !fields.has("quiet_hours_end") => None,
        (None, None) => Some(None),
        (Some(_), Some(_)) => {
            match (fields.whole("quiet_hours_start", &mut problems), fields.whole("quiet_hours_end", &mut problems)) {
                (Some(start), Some(end)) => Some(Some(QuietHoursView { start, end })),
                _ => None,
            }
        }
        _ => {
            problems.add("quiet_hours", "give both hours of the quiet hours, or neither");
            None
        }
    };
    let status = if problems.is_empty() {
        let change = WorkspacePatch {
            version,
            name: Some(fields.text("name").to_owned()),
            time_zone: Some(fields.text("time_zone").to_owned()),
            check_in_day,
            check_in_hour,
            quiet_hours,
        };
        match app.workspaces().update(&viewer.caller, change).await {
            Ok(_) => return Ok(see_other("/settings?saved=1")),
            Err(error) => problems.refused(error, |path: &Path| Some(head(path).to_owned()))?,
        }
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(page(status, &settings_page(&viewer, fields, problems, false)))
}

/// Reads an archive form: its version and whether it archives (`archived=true`) or
/// restores; every archive switch of the settings pages posts one.
pub(super) fn archive_form(fields: &Fields) -> Result<(i64, bool), AppError> {
    let version = fields
        .text("version")
        .parse::<i64>()
        .map_err(|_| AppError::invalid("/version", "the form lost its version: reload the page"))?;
    Ok((version, fields.text("archived") != "false"))
}

/// `POST /objectives/{id}/archive`: archives the objective (or restores it with
/// `archived=false`), based on the version the page showed; back to its page.
pub async fn archive_objective(
    State(app): State<App>,
    viewer: Viewer,
    Id(id): Id<ObjectiveId>,
    Form(fields): Form,
) -> PageResult {
    let (version, archived) = archive_form(&fields)?;
    app.objectives().archive(&viewer.caller, id, version, archived).await?;
    Ok(see_other(&format!("/objectives/{id}")))
}

/// `POST /key-results/{id}/archive`: archives the key result (or restores it with
/// `archived=false`), based on the version the page showed; back to its objective.
pub async fn archive_key_result(
    State(app): State<App>,
    viewer: Viewer,
    Id(id): Id<KeyResultId>,
    Form(fields): Form,
) -> PageResult {
    let (version, archived) = archive_form(&fields)?;
    let key_result = app.key_results().archive(&viewer.caller, id, version, archived).await?;
    Ok(see_other(&format!("/objectives/{}", key_result.objective_id)))
}

//! `/objectives/{id}/initiatives/new` and `/initiatives/{id}/edit`: an initiative, the
//! work that moves some of an objective's key results: title, owner, status, due day,
//! link, and which of the key results it moves.

use super::form::{self, Fields, Form, Problems};
use super::objective_form::{Choice, choices, people_of};
use super::view::Names;
use super::{Layout, PageError, PageResult, Viewer, page, see_other};
use crate::extract::Id;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use milepost_app::initiative::{InitiativePatch, InitiativeStatus, InitiativeView, NewInitiative};
use milepost_app::objective::ObjectiveView;
use milepost_app::{App, AppError, Path};
use milepost_core::Named;
use milepost_core::{InitiativeId, KeyResultId, ObjectiveId};
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "initiative_form.html")]
struct InitiativeFormPage {
    layout: Layout,
    action: String,
    heading: &'static str,
    submit: &'static str,
    version: Option<i64>,
    objective_id: i64,
    objective_title: String,
    fields: Fields,
    problems: Problems,
    owners: Vec<Choice>,
    statuses: Vec<Choice>,
    key_results: Vec<(i64, String, bool)>,
}

fn initiative_form(
    viewer: &Viewer,
    objective: &ObjectiveView,
    names: &Names,
    fields: Fields,
    problems: Problems,
) -> InitiativeFormPage {
    let mut owners = vec![(String::new(), "Nobody yet".to_owned())];
    owners.extend(people_of(names));
    let statuses =
        [InitiativeStatus::Planned, InitiativeStatus::Active, InitiativeStatus::Done, InitiativeStatus::Dropped]
            .iter()
            .map(|s| (s.as_str().to_owned(), s.as_str().to_owned()))
            .collect::<Vec<_>>();
    let fresh = !fields.has("title");
    InitiativeFormPage {
        layout: Layout::new(viewer, "", "New initiative"),
        action: format!("/objectives/{}/initiatives/new", objective.id),
        heading: "New initiative",
        submit: "Add the initiative",
        version: None,
        objective_id: objective.id.get(),
        objective_title: objective.title.clone(),
        owners: choices(owners, fields.text("owner")),
        statuses: choices(statuses, fields.text("status")),
        key_results: objective
            .key_results
            .iter()
            .map(|k| (k.id.get(), k.title.clone(), fresh || fields.has(&format!("key_result.{}", k.id))))
            .collect(),
        fields,
        problems,
    }
}

/// `GET /objectives/{id}/initiatives/new`: the form for an initiative on this objective's key results.
pub async fn show_new_initiative(State(app): State<App>, viewer: Viewer, Id(id): Id<ObjectiveId>) -> PageResult {
    let caller = &viewer.caller;
    let objective = app.objectives().get(caller, id).await?;
    let names = Names::load(&app, caller).await?;
    let mut pairs = HashMap::new();
    if let Some(person) = caller.person {
        pairs.insert("owner".to_owned(), person.to_string());
    }
    let form = initiative_form(&viewer, &objective, &names, Fields::from(pairs), Problems::default());
    Ok(page(StatusCode::OK, &form))
}

/// `POST /objectives/{id}/initiatives/new`: creates the initiative.
pub async fn save_new_initiative(
    State(app): State<App>,
    viewer: Viewer,
    Id(id): Id<ObjectiveId>,
    Form(fields): Form,
) -> PageResult {
    let caller = &viewer.caller;
    let objective = app.objectives().get(caller, id).await?;
    let mut problems = Problems::default();
    let new = NewInitiative {
        title: fields.text("title").to_owned(),
        description: fields.optional("description"),
        owner_person_id: fields.whole("owner", &mut problems),
        status: Some(status_of(&fields)),
        due_date: fields.optional("due_date"),
        link: fields.optional("link"),
        key_result_ids: objective
            .key_results
            .iter()
            .filter(|k| fields.has(&format!("key_result.{}", k.id)))
            .map(|k| k.id.get())
            .collect(),
    };
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if problems.is_empty() {
        match app.initiatives().create(caller, new).await {
            Ok(_) => return Ok(see_other(&format!("/objectives/{id}"))),
            Err(error) => status = problems.refused(error, initiative_field)?,
        }
    }
    let names = Names::load(&app, caller).await?;
    Ok(page(status, &initiative_form(&viewer, &objective, &names, fields, problems)))
}

fn status_of(fields: &Fields) -> InitiativeStatus {
    match fields.text("status") {
        "active" => InitiativeStatus::Active,
        "done" => InitiativeStatus::Done,
        "dropped" => InitiativeStatus::Dropped,
        _ => InitiativeStatus::Planned,
    }
}

fn initiative_field(path: &Path) -> Option<String> {
    Some(
        match form::head(path) {
            "owner_person_id" => "owner",
            "key_result_ids" => "key_results",
            other => other,
        }
        .to_owned(),
    )
}

/// The objective whose key results an initiative moves (that of its first key result).
async fn objective_of(app: &App, viewer: &Viewer, initiative: &InitiativeView) -> Result<ObjectiveView, PageError> {
    let first = initiative.key_result_ids.first().copied().ok_or_else(|| {
        PageError::from(AppError::Conflict {
            code: "no_key_result",
            detail: format!("initiative {} moves no key result: change it through the API", initiative.id),
            location: None,
        })
    })?;
    let key_result = app.key_results().get(&viewer.caller, KeyResultId(first)).await?;
    Ok(app.objectives().get(&viewer.caller, ObjectiveId(key_result.objective_id)).await?)
}

fn edit_form(
    viewer: &Viewer,
    initiative: &InitiativeView,
    objective: &ObjectiveView,
    names: &Names,
    fields: Fields,
    problems: Problems,
) -> InitiativeFormPage {
    InitiativeFormPage {
        layout: Layout::new(viewer, "", format!("Edit {}", initiative.title)),
        action: format!("/initiatives/{}/edit", initiative.id),
        heading: "Edit initiative",
        submit: "Save the initiative",
        version: Some(initiative.version),
        ..initiative_form(viewer, objective, names, fields, problems)
    }
}

/// `GET /initiatives/{id}/edit`: an initiative's form, filled in.
pub async fn show_edit_initiative(State(app): State<App>, viewer: Viewer, Id(id): Id<InitiativeId>) -> PageResult {
    let initiative = app.initiatives().get(&viewer.caller, id).await?;
    let objective = objective_of(&app, &viewer, &initiative).await?;
    let names = Names::load(&app, &viewer.caller).await?;
    let mut pairs = HashMap::from([
        ("title".to_owned(), initiative.title.clone()),
        ("description".to_owned(), initiative.description.clone()),
        ("owner".to_owned(), initiative.owner_person_id.map(|p| p.to_string()).unwrap_or_default()),
        ("status".to_owned(), initiative.status.as_str().to_owned()),
        ("due_date".to_owned(), initiative.due_date.map(|d| d.to_string()).unwrap_or_default()),
        ("link".to_owned(), initiative.link.clone().unwrap_or_default()),
    ]);
    for key_result in &initiative.key_result_ids {
        pairs.insert(format!("key_result.{key_result}"), "on".to_owned());
    }
    let form = edit_form(&viewer, &initiative, &objective, &names, Fields::from(pairs), Problems::default());
    Ok(page(StatusCode::OK, &form))
}

/// `POST /initiatives/{id}/edit`: changes the initiative, based on the version the form showed.
pub async fn save_initiative(
    State(app): State<App>,
    viewer: Viewer,
    Id(id): Id<InitiativeId>,
    Form(fields): Form,
) -> PageResult {
    let caller = &viewer.caller;
    let initiative = app.initiatives().get(caller, id).await?;
    let objective = objective_of(&app, &viewer, &initiative).await?;
    let mut problems = Problems::default();
    let version = fields.whole("version", &mut problems).unwrap_or_default();
    // The key results of this objective as ticked; links to other objectives' stay.
    let shown: Vec<i64> = objective.key_results.iter().map(|k| k.id.get()).collect();
    let mut key_result_ids: Vec<i64> =
        initiative.key_result_ids.iter().copied().filter(|k| !shown.contains(k)).collect();
    key_result_ids.extend(shown.iter().copied().filter(|k| fields.has(&format!("key_result.{k}"))));
    let change = InitiativePatch {
        version,
        title: Some(fields.text("title").to_owned()),
        description: Some(fields.text("description").to_owned()),
        owner_person_id: Some(fields.whole("owner", &mut problems)),
        status: Some(status_of(&fields)),
        due_date: Some(fields.optional("due_date")),
        link: Some(fields.optional("link")),
        key_result_ids: Some(key_result_ids),
    };
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if problems.is_empty() {
        match app.initiatives().update(caller, id, change).await {
            Ok(_) => return Ok(see_other(&format!("/objectives/{}", objective.id))),
            Err(error) => status = problems.refused(error, initiative_field)?,
        }
    }
    let names = Names::load(&app, caller).await?;
    Ok(page(status, &edit_form(&viewer, &initiative, &objective, &names, fields, problems)))
}

//! `/objectives/{id}/initiatives/new`: an initiative, the work that moves some of an
//! objective's key results: title, owner, status, due day, link.

use super::form::{Fields, Form, Problems};
use super::objective_form::{Choice, choices, people_of};
use super::view::Names;
use super::{Layout, PageError, PageResult, Viewer, page, see_other};
use crate::extract::Id;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use milepost_app::initiative::{InitiativeStatus, NewInitiative};
use milepost_app::objective::ObjectiveView;
use milepost_app::{App, AppError};
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "initiative_form.html")]
struct InitiativeFormPage {
    layout: Layout,
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
        objective_id: objective.id,
        objective_title: objective.title.clone(),
        owners: choices(owners, fields.text("owner")),
        statuses: choices(statuses, fields.text("status")),
        key_results: objective
            .key_results
            .iter()
            .map(|k| (k.id, k.title.clone(), fresh || fields.has(&format!("key_result.{}", k.id))))
            .collect(),
        fields,
        problems,
    }
}

/// `GET /objectives/{id}/initiatives/new`: the form for an initiative on this objective's key results.
pub async fn show_new_initiative(State(app): State<App>, viewer: Viewer, Id(id): Id) -> PageResult {
    let caller = &viewer.caller;
    let objective = app.get_objective(caller, id).await?;
    let names = Names::load(&app, caller).await?;
    let mut pairs = HashMap::new();
    if let Some(person) = caller.person {
        pairs.insert("owner".to_owned(), person.to_string());
    }
    let form = initiative_form(&viewer, &objective, &names, Fields::from(pairs), Problems::default());
    Ok(page(StatusCode::OK, &form))
}

/// `POST /objectives/{id}/initiatives/new`: creates the initiative.
pub async fn save_new_initiative(State(app): State<App>, viewer: Viewer, Id(id): Id, Form(fields): Form) -> PageResult {
    let caller = &viewer.caller;
    let objective = app.get_objective(caller, id).await?;
    let mut problems = Problems::default();
    let new = NewInitiative {
        title: fields.text("title").to_owned(),
        description: fields.optional("description"),
        owner_person_id: fields.whole("owner", &mut problems),
        status: match fields.text("status") {
            "active" => Some(InitiativeStatus::Active),
            "done" => Some(InitiativeStatus::Done),
            "dropped" => Some(InitiativeStatus::Dropped),
            _ => Some(InitiativeStatus::Planned),
        },
        due_date: fields.optional("due_date"),
        link: fields.optional("link"),
        key_result_ids: objective
            .key_results
            .iter()
            .filter(|k| fields.has(&format!("key_result.{}", k.id)))
            .map(|k| k.id)
            .collect(),
    };
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if problems.is_empty() {
        match app.create_initiative(caller, new).await {
            Ok(_) => return Ok(see_other(&format!("/objectives/{id}"))),
            Err(AppError::Invalid(errors)) => problems.extend(&errors, |pointer| {
                Some(
                    match pointer {
                        "/owner_person_id" => "owner",
                        "/key_result_ids" => "key_results",
                        other => other.trim_start_matches('/'),
                    }
                    .to_owned(),
                )
            }),
            Err(error @ AppError::Forbidden { .. }) => {
                status = StatusCode::FORBIDDEN;
                problems.add("", error.to_string());
            }
            Err(error) => return Err(PageError::from(error)),
        }
    }
    let names = Names::load(&app, caller).await?;
    Ok(page(status, &initiative_form(&viewer, &objective, &names, fields, problems)))
}

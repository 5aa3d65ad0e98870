//! Owner pickers that search instead of listing everyone: a text field with a
//! `<datalist>` of people (`Name <email>`), which htmx refills from
//! `GET /people/options?q=…` as the person types (20 at most, by `app.people().find`).
//! Without JavaScript the list holds the first people by name and typing an email
//! works. What the field holds is read back by [`read_person`]: `Name <email>`, an
//! email, a handle or an exact name; also `person:ID`, what older forms posted.

use super::{PageResult, Viewer, page};
use crate::extract::Query;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use milepost_app::person::{Directory, PersonView};
use milepost_app::{App, AppError, Caller};
use std::collections::HashMap;

/// How many people a picker's list offers at once.
pub const OFFERED: usize = 20;

/// A person as a picker writes them: `Name <email>`.
pub fn label(person: &PersonView) -> String {
    format!("{} <{}>", person.name, person.email)
}

/// What a picker field shows for a stored owner: the person's label, or "".
pub fn shown(directory: &Directory, person: Option<i64>) -> String {
    person.and_then(|id| directory.people.get(&id)).map(label).unwrap_or_default()
}

/// Reads a picker field: `None` when blank, the person it names, or a sentence saying
/// why it names nobody (unknown, or several people of that name).
pub fn read_person(directory: &Directory, text: &str) -> Result<Option<i64>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if let Some(id) = text.strip_prefix("person:").and_then(|id| id.trim().parse::<i64>().ok()) {
        return Ok(Some(id));
    }
    // `Name <email>`: the email decides.
    let key = match (text.rfind('<'), text.ends_with('>')) {
        (Some(open), true) => &text[open + 1..text.len() - 1],
        _ => text,
    }
    .trim()
    .to_lowercase();
    let live = || directory.people.values().filter(|p| !p.archived);
    if let Some(person) = live().find(|p| p.email.to_lowercase() == key || p.handle == key) {
        return Ok(Some(person.id.get()));
    }
    let named: Vec<&PersonView> = live().filter(|p| p.name.to_lowercase() == key).collect();
    match named.as_slice() {
        [one] => Ok(Some(one.id.get())),
        [] => Err(format!("nobody in this workspace is “{text}”: type their email or pick them from the list")),
        _ => Err(format!("several people are called “{text}”: type the email of the one you mean")),
    }
}

/// The first people by name, for a picker's list before anything is typed.
pub async fn first_people(app: &App, caller: &Caller) -> Result<Vec<String>, AppError> {
    Ok(app.people().find(caller, "", OFFERED).await?.iter().map(label).collect())
}

#[derive(Template)]
#[template(path = "people_options.html")]
struct PeopleOptions {
    people: Vec<String>,
}

/// `GET /people/options?q=…`: the `<option>`s of the people whose name or email
/// contains `q`, for a picker's `<datalist>`. htmx sends the field under its own name,
/// so any one parameter is the search.
pub async fn people_options(
    State(app): State<App>,
    viewer: Viewer,
    Query(query): Query<HashMap<String, String>>,
) -> PageResult {
    let text = query.get("q").or_else(|| query.values().next()).map(String::as_str).unwrap_or_default();
    let people = app.people().find(&viewer.caller, text, OFFERED).await?.iter().map(label).collect();
    Ok(page(StatusCode::OK, &PeopleOptions { people }))
}

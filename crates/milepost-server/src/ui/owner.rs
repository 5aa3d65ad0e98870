//! Owner pickers that search instead of listing everyone: a text field with a
//! `<datalist>` of people (`Name <email>`), which htmx refills from
//! `GET /people/options?q=…` as the person types (20 at most, by `app.people().find`).
//! Without JavaScript the list holds the first people by name and typing an email
//! works. What the field holds is read back by [`read_person`]: `Name <email>`, an
//! email, a handle or an exact name; also `person:ID`, what older forms posted.

use super::view::Names;
use super::{PageResult, Viewer, page};
use crate::extract::Query;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use milepost_app::person::PersonView;
use milepost_app::team::TeamView;
use milepost_app::{App, AppError, Caller};
use std::collections::HashMap;

/// How many people a picker's list offers at once.
pub const OFFERED: usize = 20;

/// A person as a picker writes them: `Name <email>`.
pub fn label(person: &PersonView) -> String {
    format!("{} <{}>", person.name, person.email)
}

/// A team as the objective's owner picker writes it: `Name (team)`.
pub fn team_label(team: &TeamView) -> String {
    format!("{} (team)", team.name)
}

/// How a form offers its owners: a select while the workspace is small, a search field
/// with a list of the first people once it has more than [`OFFERED`] people.
#[derive(Debug, Clone)]
pub struct Picker {
    /// Whether it searches (a text field and a `<datalist>`) rather than lists.
    pub search: bool,
    /// What the search field's list offers before anything is typed.
    pub offered: Vec<String>,
    names: Names,
}

impl Picker {
    /// The picker of people for a workspace with these names; `teams` adds the teams
    /// (an objective's owner).
    pub fn of(names: &Names, teams: bool) -> Picker {
        let search = names.people.values().filter(|p| !p.archived).count() > OFFERED;
        let mut people: Vec<&PersonView> = names.people.values().filter(|p| !p.archived).collect();
        people.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.get().cmp(&b.id.get())));
        let mut offered: Vec<String> = people.into_iter().take(OFFERED).map(label).collect();
        if teams {
            offered.extend(
                names
                    .team_order
                    .iter()
                    .filter_map(|id| names.teams.get(id))
                    .filter(|t| !t.archived)
                    .take(OFFERED)
                    .map(team_label),
            );
        }
        Picker { search, offered, names: names.clone() }
    }

    /// What the search field shows for a value a form holds: a stored owner
    /// (`person:ID`, `team:ID` or a person's id) as its label, anything typed as it is.
    pub fn text(&self, value: &str) -> String {
        let value = value.trim();
        let person = value.strip_prefix("person:").unwrap_or(value).parse::<i64>().ok();
        if let Some(person) = person.and_then(|id| self.names.people.get(&id)) {
            return label(person);
        }
        if let Some(team) =
            value.strip_prefix("team:").and_then(|id| id.parse::<i64>().ok()).and_then(|id| self.names.teams.get(&id))
        {
            return team_label(team);
        }
        value.to_owned()
    }
}

/// Reads a person field (a select's id, or a search field's text): `None` when blank,
/// the person it names, or a sentence saying why it names nobody (unknown, or several
/// people of that name).
pub fn read_person(people: &HashMap<i64, PersonView>, text: &str) -> Result<Option<i64>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if let Ok(id) = text.strip_prefix("person:").unwrap_or(text).trim().parse::<i64>() {
        return Ok(Some(id));
    }
    // `Name <email>`: the email decides.
    let key = match (text.rfind('<'), text.ends_with('>')) {
        (Some(open), true) => &text[open + 1..text.len() - 1],
        _ => text,
    }
    .trim()
    .to_lowercase();
    let live = || people.values().filter(|p| !p.archived);
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

/// Reads an objective's owner field: `person:ID` or `team:ID` (the select), or a
/// search field's text: `Name (team)` or a team's exact name or slug, else a person.
pub fn read_owner(names: &Names, text: &str) -> Result<(Option<i64>, Option<i64>), String> {
    let text = text.trim();
    if let Some(id) = text.strip_prefix("team:").and_then(|id| id.trim().parse::<i64>().ok()) {
        return Ok((None, Some(id)));
    }
    let team_name = text.strip_suffix("(team)").unwrap_or(text).trim().to_lowercase();
    let teams: Vec<&TeamView> = names
        .teams
        .values()
        .filter(|t| !t.archived && (t.name.to_lowercase() == team_name || t.slug == team_name))
        .collect();
    if let [team] = teams.as_slice()
        && (text.ends_with("(team)") || read_person(&names.people, text).is_err())
    {
        return Ok((None, Some(team.id.get())));
    }
    match read_person(&names.people, text)? {
        Some(person) => Ok((Some(person), None)),
        None => Err("choose who owns the objective: a person or a team".to_owned()),
    }
}

#[derive(Template)]
#[template(path = "people_options.html")]
struct PeopleOptions {
    people: Vec<String>,
}

/// `GET /people/options?q=…`: the `<option>`s of the people whose name or email
/// contains `q` (at most [`OFFERED`]), for a picker's `<datalist>`; with `teams=1`,
/// also the teams whose name contains it. htmx sends the field under its own name, so
/// any one parameter besides `teams` is the search.
pub async fn people_options(
    State(app): State<App>,
    viewer: Viewer,
    Query(query): Query<HashMap<String, String>>,
) -> PageResult {
    let text = query
        .get("q")
        .or_else(|| query.iter().find(|(name, _)| name.as_str() != "teams").map(|(_, value)| value))
        .map(String::as_str)
        .unwrap_or_default();
    let mut people: Vec<String> = app.people().find(&viewer.caller, text, OFFERED).await?.iter().map(label).collect();
    if query.contains_key("teams") {
        people.extend(teams_matching(&app, &viewer.caller, text).await?);
    }
    Ok(page(StatusCode::OK, &PeopleOptions { people }))
}

/// The teams (not archived) whose name contains `text`, as the owner picker writes them.
async fn teams_matching(app: &App, caller: &Caller, text: &str) -> Result<Vec<String>, AppError> {
    let names = Names::load(app, caller).await?;
    let text = text.trim().to_lowercase();
    Ok(names
        .team_order
        .iter()
        .filter_map(|id| names.teams.get(id))
        .filter(|t| !t.archived && t.name.to_lowercase().contains(&text))
        .take(OFFERED)
        .map(team_label)
        .collect())
}

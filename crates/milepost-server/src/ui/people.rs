//! `/settings/people` (admins): the people of the workspace, searched rather than all
//! listed; inviting a person (`app.access().invite`, which shows the invitation link
//! once); and a person's page: change their role and team, set a new password, or
//! deactivate them (archived: logged out everywhere, kept in the history) and back.

use super::form::{Fields, Form, Problems, head};
use super::objective_form::{Choice, choices};
use super::teams::all_teams;
use super::{Layout, PageResult, Viewer, page, see_other};
use crate::extract::{Id, Query};
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use milepost_app::permission::{self, Action};
use milepost_app::person::{PersonPatch, PersonQuery, PersonView, Role};
use milepost_app::session::NewInvitation;
use milepost_app::{App, AppError, Caller, Path};
use milepost_core::{Named, PersonId};
use std::collections::HashMap;

/// How many people the page lists at once; a search narrows them.
const LISTED: usize = 50;

/// A person as the list shows them.
pub struct PersonLine {
    /// Their id.
    pub id: i64,
    /// Their name.
    pub name: String,
    /// Their email.
    pub email: String,
    /// Their role.
    pub role: &'static str,
    /// Their team's name.
    pub team: String,
}

/// The roles a select offers, `current` chosen.
fn role_choices(current: &str) -> Vec<Choice> {
    choices(
        [
            ("member".to_owned(), "Member: edits what they own, checks in on their key results".to_owned()),
            ("editor".to_owned(), "Editor: creates and edits OKRs and KPIs".to_owned()),
            ("admin".to_owned(), "Admin: everything, settings and people too".to_owned()),
            ("viewer".to_owned(), "Viewer: reads only".to_owned()),
        ],
        current,
    )
}

/// The teams a select offers (those not archived), none first, `current` chosen.
async fn team_choices(app: &App, caller: &Caller, current: &str) -> Result<Vec<Choice>, AppError> {
    let mut options = vec![(String::new(), "No team".to_owned())];
    options
        .extend(all_teams(app, caller).await?.into_iter().filter(|t| !t.archived).map(|t| (t.id.to_string(), t.name)));
    Ok(choices(options, current))
}

/// The address of this server as the browser reached it, for an invitation link to
/// copy: the `Origin` of the post, else `http://` and the `Host`.
fn origin(headers: &HeaderMap) -> String {
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    text(header::ORIGIN)
        .filter(|o| o != "null")
        .or_else(|| text(header::HOST).map(|h| format!("http://{h}")))
        .unwrap_or_default()
}

#[derive(Template)]
#[template(path = "people.html")]
struct PeoplePage {
    layout: Layout,
    q: String,
    people: Vec<PersonLine>,
    more: bool,
    archived: Vec<PersonView>,
    roles: Vec<Choice>,
    teams: Vec<Choice>,
    fields: Fields,
    problems: Problems,
    /// The invitation just made: (name, link), shown once.
    invited: Option<(String, String)>,
}

/// What `/settings/people` takes: `q`, a search.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct PeopleQuery {
    /// Part of a name or email.
    pub q: Option<String>,
}

async fn people_page(
    app: &App,
    viewer: &Viewer,
    q: String,
    fields: Fields,
    problems: Problems,
    invited: Option<(String, String)>,
) -> Result<PeoplePage, AppError> {
    let caller = &viewer.caller;
    let directory = app.people().directory(caller).await?;
    let found = app.people().find(caller, &q, LISTED + 1).await?;
    let more = found.len() > LISTED;
    let people = found
        .into_iter()
        .take(LISTED)
        .map(|p| PersonLine {
            id: p.id.get(),
            team: p.team_id.and_then(|t| directory.teams.get(&t)).map(|t| t.name.clone()).unwrap_or_default(),
            role: p.role.as_str(),
            name: p.name,
            email: p.email,
        })
        .collect();
    let query = PersonQuery { include_archived: true, limit: Some(500), ..Default::default() };
    let archived = app.people().list(caller, query).await?.items.into_iter().filter(|p| p.archived).collect();
    let roles = role_choices(match fields.text("role") {
        "" => "member",
        role => role,
    });
    let teams = team_choices(app, caller, fields.text("team_id")).await?;
    Ok(PeoplePage {
        layout: Layout::new(viewer, "settings", "People"),
        q,
        people,
        more,
        archived,
        roles,
        teams,
        fields,
        problems,
        invited,
    })
}

/// `GET /settings/people`: the people (searched with `q`) and the invitation form.
pub async fn show_people(State(app): State<App>, viewer: Viewer, Query(query): Query<PeopleQuery>) -> PageResult {
    permission::require(&viewer.caller, Action::Administer)?;
    let q = query.q.unwrap_or_default();
    Ok(page(StatusCode::OK, &people_page(&app, &viewer, q, Fields::default(), Problems::default(), None).await?))
}

/// A people form's field of a refusal's JSON pointer: named as the request's.
fn person_field(path: &Path) -> Option<String> {
    Some(head(path).to_owned())
}

/// `POST /settings/people`: invites a person and shows the link to send them, once.
pub async fn invite_person(
    State(app): State<App>,
    viewer: Viewer,
    headers: HeaderMap,
    Form(fields): Form,
) -> PageResult {
    permission::require(&viewer.caller, Action::Administer)?;
    let mut problems = Problems::default();
    let role = match fields.text("role") {
        "" => None,
        text => {
            let role = Role::parse(text);
            if role.is_none() {
                problems.add("role", format!("choose one of {}", Role::names()));
            }
            role
        }
    };
    let team_id = fields.whole("team_id", &mut problems);
    let status = if problems.is_empty() {
        let new = NewInvitation {
            email: fields.text("email").to_owned(),
            name: fields.text("name").to_owned(),
            role,
            team_id,
        };
        match app.access().invite(&viewer.caller, new).await {
            Ok(invitation) => {
                let link = format!("{}{}", origin(&headers), invitation.link);
                let invited = Some((invitation.person.name, link));
                let page_ = people_page(&app, &viewer, String::new(), Fields::default(), problems, invited).await?;
                return Ok(page(StatusCode::OK, &page_));
            }
            Err(error) => problems.refused(error, person_field)?,
        }
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(page(status, &people_page(&app, &viewer, String::new(), fields, problems, None).await?))
}

#[derive(Template)]
#[template(path = "person_form.html")]
struct PersonPage {
    layout: Layout,
    person: PersonView,
    roles: Vec<Choice>,
    teams: Vec<Choice>,
    fields: Fields,
    problems: Problems,
    saved: Option<&'static str>,
}

/// What a person's page takes: `?saved=…` after a change.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct PersonSaved {
    /// What was saved: `person` or `password`.
    pub saved: Option<String>,
}

async fn person_page(
    app: &App,
    viewer: &Viewer,
    person: PersonView,
    fields: Fields,
    problems: Problems,
    saved: Option<&'static str>,
) -> Result<PersonPage, AppError> {
    let roles = role_choices(fields.text("role"));
    let teams = team_choices(app, &viewer.caller, fields.text("team_id")).await?;
    Ok(PersonPage { layout: Layout::new(viewer, "settings", "People"), person, roles, teams, fields, problems, saved })
}

fn person_fields(person: &PersonView) -> Fields {
    Fields::from(HashMap::from([
        ("name".to_owned(), person.name.clone()),
        ("email".to_owned(), person.email.clone()),
        ("role".to_owned(), person.role.as_str().to_owned()),
        ("team_id".to_owned(), person.team_id.map(|t| t.to_string()).unwrap_or_default()),
        ("version".to_owned(), person.version.to_string()),
    ]))
}

/// `GET /settings/people/{id}`: a person's page.
pub async fn show_person(
    State(app): State<App>,
    viewer: Viewer,
    Id(id): Id<PersonId>,
    Query(query): Query<PersonSaved>,
) -> PageResult {
    permission::require(&viewer.caller, Action::Administer)?;
    let person = app.people().get(&viewer.caller, id).await?;
    let saved = match query.saved.as_deref() {
        Some("password") => Some("The new password is set; their sessions have ended."),
        Some(_) => Some("Saved."),
        None => None,
    };
    let fields = person_fields(&person);
    Ok(page(StatusCode::OK, &person_page(&app, &viewer, person, fields, Problems::default(), saved).await?))
}

/// `POST /settings/people/{id}`: changes a person's name, email, role and team, based
/// on the version the form showed.
pub async fn save_person(
    State(app): State<App>,
    viewer: Viewer,
    Id(id): Id<PersonId>,
    Form(fields): Form,
) -> PageResult {
    permission::require(&viewer.caller, Action::Administer)?;
    let person = app.people().get(&viewer.caller, id).await?;
    let mut problems = Problems::default();
    let role = Role::parse(fields.text("role"));
    if role.is_none() {
        problems.add("role", format!("choose one of {}", Role::names()));
    }
    let team_id = fields.whole("team_id", &mut problems);
    let version = fields.whole("version", &mut problems).unwrap_or(person.version);
    let status = if problems.is_empty() {
        let change = PersonPatch {
            version,
            handle: None,
            name: Some(fields.text("name").to_owned()),
            email: Some(fields.text("email").to_owned()),
            role,
            team_id: Some(team_id),
        };
        match app.people().update(&viewer.caller, id, change).await {
            Ok(_) => return Ok(see_other(&format!("/settings/people/{id}?saved=person"))),
            Err(error) => problems.refused(error, person_field)?,
        }
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(page(status, &person_page(&app, &viewer, person, fields, problems, None).await?))
}

/// `POST /settings/people/{id}/archive`: deactivates the person (`archived=false`
/// brings them back).
pub async fn archive_person(
    State(app): State<App>,
    viewer: Viewer,
    Id(id): Id<PersonId>,
    Form(fields): Form,
) -> PageResult {
    let (version, archived) = super::settings::archive_form(&fields)?;
    app.people().archive(&viewer.caller, id, version, archived).await?;
    Ok(see_other(&format!("/settings/people/{id}?saved=person")))
}

/// `POST /settings/people/{id}/password`: sets a new password for the person (an
/// admin's reset: every session of theirs ends); they change it themselves later.
pub async fn reset_password(
    State(app): State<App>,
    viewer: Viewer,
    Id(id): Id<PersonId>,
    Form(fields): Form,
) -> PageResult {
    permission::require(&viewer.caller, Action::Administer)?;
    let person = app.people().get(&viewer.caller, id).await?;
    let mut problems = Problems::default();
    let status = match app.access().set_password(&viewer.caller, id, fields.text("new_password")).await {
        Ok(()) => return Ok(see_other(&format!("/settings/people/{id}?saved=password"))),
        Err(error) => problems.refused(error, |path: &Path| {
            Some(if head(path) == "password" { "new_password".to_owned() } else { head(path).to_owned() })
        })?,
    };
    let fields_shown = person_fields(&person);
    Ok(page(status, &person_page(&app, &viewer, person, fields_shown, problems, None).await?))
}

//! The first run in the browser: `/setup`, where the set-up code `milepost serve`
//! printed opens the making of the workspace, its first admin, its settings and its
//! first cycle (`app.first_run().set_up`, one transaction), and `/getting-started`, the
//! short guided path after it (a team, people, an objective), each step a page that
//! exists already.

use super::form::{Fields, Form, Problems, head};
use super::objective_form::Choice;
use super::session::LoginParts;
use super::{Layout, PageError, PageResult, Viewer, page, see_other};
use crate::api::session::cookie;
use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, header};
use milepost_app::cycle::{CycleQuery, NewCycle};
use milepost_app::first_run::SetUp;
use milepost_app::objective::ObjectiveQuery;
use milepost_app::person::PersonQuery;
use milepost_app::session::SESSION_LENGTH;
use milepost_app::team::TeamQuery;
use milepost_app::workspace::CheckInDay;
use milepost_app::{App, Path};
use milepost_core::Named;
use std::collections::HashMap;

/// The days of the week as a select offers them, `chosen` selected.
pub fn day_choices(chosen: &str) -> Vec<Choice> {
    CheckInDay::ALL
        .iter()
        .map(|day| {
            let value = day.as_str().to_owned();
            let mut label = value.clone();
            if let Some(first) = label.get_mut(0..1) {
                first.make_ascii_uppercase();
            }
            Choice { selected: value == chosen, value, label }
        })
        .collect()
}

/// The hours of the day as a select offers them, `chosen` selected.
pub fn hour_choices(chosen: &str) -> Vec<Choice> {
    (0..24)
        .map(|hour| Choice {
            value: hour.to_string(),
            label: format!("{hour:02}:00"),
            selected: hour.to_string() == chosen,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "setup.html")]
struct SetUpPage {
    fields: Fields,
    problems: Problems,
    days: Vec<Choice>,
    hours: Vec<Choice>,
}

fn setup_page(fields: Fields, problems: Problems) -> SetUpPage {
    let days = day_choices(fields.text("check_in_day"));
    let hours = hour_choices(fields.text("check_in_hour"));
    SetUpPage { fields, problems, days, hours }
}

/// `GET /setup`: the set-up form while the installation has no workspace, filled in
/// with the quarter around today; once it has one, the login page.
pub async fn show_setup(State(app): State<App>) -> PageResult {
    if !app.first_run().needed().await? {
        return Ok(see_other("/login"));
    }
    let today = app.now().to_zoned(jiff::tz::TimeZone::UTC).date();
    let (name, period) = milepost_core::cycle::next_quarter(None, today);
    let fields = Fields::from(HashMap::from([
        ("time_zone".to_owned(), "UTC".to_owned()),
        ("check_in_day".to_owned(), "monday".to_owned()),
        ("check_in_hour".to_owned(), "9".to_owned()),
        ("create_cycle".to_owned(), "on".to_owned()),
        ("cycle_name".to_owned(), name),
        ("cycle_start_date".to_owned(), period.start().to_string()),
        ("cycle_end_date".to_owned(), period.end().to_string()),
    ]));
    Ok(page(StatusCode::OK, &setup_page(fields, Problems::default())))
}

/// The set-up form's field of a refusal's JSON pointer: named as the request's.
fn setup_field(path: &Path) -> Option<String> {
    Some(head(path).to_owned())
}

/// `POST /setup`: sets the installation up and logs the first admin in, then goes on
/// to the guided path.
pub async fn save_setup(State(app): State<App>, _same_site: LoginParts, Form(fields): Form) -> PageResult {
    let mut problems = Problems::default();
    let check_in_day = match fields.text("check_in_day") {
        "" => None,
        text => {
            let day = CheckInDay::parse(text);
            if day.is_none() {
                problems.add("check_in_day", "choose a day of the week");
            }
            day
        }
    };
    let check_in_hour = fields.whole("check_in_hour", &mut problems);
    let first_cycle = fields.has("create_cycle").then(|| NewCycle {
        slug: None,
        name: fields.text("cycle_name").to_owned(),
        start_date: fields.text("cycle_start_date").to_owned(),
        end_date: fields.text("cycle_end_date").to_owned(),
        status: None,
        kind: None,
    });
    let set_up = SetUp {
        code: fields.text("code").to_owned(),
        name: fields.text("name").to_owned(),
        slug: fields.optional("slug"),
        admin_name: fields.text("admin_name").to_owned(),
        admin_email: fields.text("admin_email").to_owned(),
        password: fields.text("password").to_owned(),
        time_zone: fields.text("time_zone").to_owned(),
        check_in_day,
        check_in_hour,
        first_cycle,
    };
    let status = if problems.is_empty() {
        match app.first_run().set_up(set_up).await {
            Ok(done) => {
                let mut response = see_other("/getting-started");
                let value = cookie(&done.session.secret, SESSION_LENGTH.as_secs()).map_err(PageError::from)?;
                response.headers_mut().insert(header::SET_COOKIE, value);
                return Ok(response);
            }
            Err(error) => problems.refused(error, setup_field)?,
        }
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(page(status, &setup_page(fields, problems)))
}

/// One step of the guided path.
pub struct Step {
    /// What to do.
    pub title: &'static str,
    /// Why, in a sentence.
    pub detail: String,
    /// Where to do it.
    pub href: String,
    /// The link's words.
    pub action: &'static str,
    /// Whether it is done already.
    pub done: bool,
}

#[derive(Template)]
#[template(path = "getting_started.html")]
struct GettingStartedPage {
    layout: Layout,
    steps: Vec<Step>,
}

/// `GET /getting-started`: the steps after the set-up, each ticked once done: the
/// first cycle, a team, the people, the first objective, the first check-in.
pub async fn show_getting_started(State(app): State<App>, viewer: Viewer) -> PageResult {
    let caller = &viewer.caller;
    milepost_app::permission::require(caller, milepost_app::permission::Action::Administer)?;
    let one = Some(1);
    let cycles = app.cycles().list(caller, CycleQuery { limit: one, ..Default::default() }).await?.items;
    let teams = app.teams().list(caller, TeamQuery { limit: one, ..Default::default() }).await?.items;
    let people = app.people().list(caller, PersonQuery { limit: Some(2), ..Default::default() }).await?.items;
    let objectives = app.objectives().list(caller, ObjectiveQuery { limit: one, ..Default::default() }).await?.items;
    let cycle = cycles.first();
    let steps = vec![
        Step {
            title: "Plan the first cycle",
            detail: cycle.map_or_else(
                || "The quarter your objectives are for.".to_owned(),
                |c| format!("{} runs from {} to {} ({}).", c.name, c.start_date, c.end_date, c.status.as_str()),
            ),
            href: cycle.map_or_else(|| "/cycles/new".to_owned(), |c| format!("/cycles/{}", c.id)),
            action: if cycle.is_some() { "See the cycle" } else { "Plan a cycle" },
            done: cycle.is_some(),
        },
        Step {
            title: "Make the first team",
            detail: "Teams form a tree (company → department → team); objectives and people belong to them.".to_owned(),
            href: "/settings/teams".to_owned(),
            action: "Teams",
            done: !teams.is_empty(),
        },
        Step {
            title: "Invite your colleagues",
            detail: "Each gets a link to choose a password; send it to them as you like.".to_owned(),
            href: "/settings/people".to_owned(),
            action: "People",
            done: people.len() > 1,
        },
        Step {
            title: "Write the first objective",
            detail: "With its key results as sentences: “Increase retention from 40% to 80%”.".to_owned(),
            href: "/objectives/new".to_owned(),
            action: "New objective",
            done: !objectives.is_empty(),
        },
        Step {
            title: "Check in every week",
            detail: "Each owner records where their key results stand.".to_owned(),
            href: "/check-in".to_owned(),
            action: "Check in",
            done: false,
        },
    ];
    Ok(page(StatusCode::OK, &GettingStartedPage { layout: Layout::new(&viewer, "settings", "Getting started"), steps }))
}

//! `/cycles/new` and `/cycles/{id}/edit`: a cycle's name, dates and kind (quarter,
//! half, year or custom), and for admins its status. Editors and admins plan cycles; a
//! new cycle's form offers the quarter after the last cycle. A closed cycle reopens
//! only with a reason (`reopen_cycle`, admins only), from `/cycles/{id}/reopen`, never
//! from the edit form.

use super::cycle::all_cycles;
use super::form::{self, Fields, Form, Problems};
use super::objective_form::{Choice, choices};
use super::{Layout, PageResult, Viewer, page, see_other};
use crate::extract::Id;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use milepost_app::cycle::{CyclePatch, CycleReopen, CycleView, NewCycle};
use milepost_app::permission::{self, Action};
use milepost_app::{App, Path};
use milepost_core::CycleId;
use milepost_core::{CycleKind, CycleStatus, Named, next_quarter};
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "cycle_form.html")]
struct CycleFormPage {
    layout: Layout,
    action: String,
    heading: String,
    submit: &'static str,
    version: Option<i64>,
    fields: Fields,
    problems: Problems,
    kinds: Vec<Choice>,
    /// The status choices, for admins editing a cycle; empty otherwise.
    statuses: Vec<Choice>,
    /// Whether the cycle is closed: its form says how it reopens.
    closed: bool,
}

fn kind_label(kind: CycleKind) -> &'static str {
    match kind {
        CycleKind::Quarter => "Quarter (three whole months)",
        CycleKind::Half => "Half-year (six whole months)",
        CycleKind::Year => "Year (twelve whole months)",
        CycleKind::Custom => "Custom (any days)",
    }
}

fn cycle_form(viewer: &Viewer, fields: Fields, problems: Problems) -> CycleFormPage {
    let kinds = CycleKind::ALL.iter().map(|k| (k.as_str().to_owned(), kind_label(*k).to_owned()));
    CycleFormPage {
        layout: Layout::new(viewer, "cycles", "New cycle"),
        action: "/cycles/new".to_owned(),
        heading: "New cycle".to_owned(),
        submit: "Create the cycle",
        version: None,
        kinds: choices(kinds, fields.text("kind")),
        statuses: Vec::new(),
        closed: false,
        fields,
        problems,
    }
}

fn edit_form(viewer: &Viewer, cycle: &CycleView, version: i64, fields: Fields, problems: Problems) -> CycleFormPage {
    let statuses = if permission::allows(&viewer.caller, Action::Administer) {
        let options = CycleStatus::ALL.iter().map(|s| (s.as_str().to_owned(), status_label(*s).to_owned()));
        choices(options, fields.text("status"))
    } else {
        Vec::new()
    };
    CycleFormPage {
        layout: Layout::new(viewer, "cycles", format!("Edit {}", cycle.name)),
        action: format!("/cycles/{}/edit", cycle.id),
        heading: format!("Edit {}", cycle.name),
        submit: "Save the cycle",
        version: Some(version),
        statuses,
        closed: cycle.status == CycleStatus::Closed,
        ..cycle_form(viewer, fields, problems)
    }
}

fn status_label(status: CycleStatus) -> &'static str {
    match status {
        CycleStatus::Planning => "Planning (starts by itself on its start date)",
        CycleStatus::Active => "Active (check-ins happen)",
        CycleStatus::Closed => "Closed (over and graded)",
    }
}

/// The form field of a cycle's JSON pointer.
fn cycle_field(path: &Path) -> Option<String> {
    let field = match form::head(path) {
        field @ ("start_date" | "end_date" | "kind" | "status") => field,
        // The short name is made from the name.
        "name" | "slug" => "name",
        _ => "",
    };
    Some(field.to_owned())
}

/// Reads a choice of a `Named` enumeration; a problem when it is not one of them.
fn read_choice<T: Named>(fields: &Fields, name: &str, problems: &mut Problems) -> Option<T> {
    match fields.text(name) {
        "" => None,
        text => {
            let value = T::parse(text);
            if value.is_none() {
                problems.add(name, format!("choose one of {}", T::names()));
            }
            value
        }
    }
}

/// `GET /cycles/new`: the form for a new cycle, filled in with the quarter after the
/// cycle that ends last (or the quarter around today when there is none).
pub async fn show_new_cycle(State(app): State<App>, viewer: Viewer) -> PageResult {
    let caller = &viewer.caller;
    permission::require(caller, Action::PlanCycles)?;
    let last_end = all_cycles(&app, caller).await?.iter().map(|c| c.end_date).max();
    let today = app.now().to_zoned(jiff::tz::TimeZone::UTC).date();
    let (name, period) = next_quarter(last_end, today);
    let fields = Fields::from(HashMap::from([
        ("name".to_owned(), name),
        ("start_date".to_owned(), period.start().to_string()),
        ("end_date".to_owned(), period.end().to_string()),
        ("kind".to_owned(), CycleKind::Quarter.as_str().to_owned()),
    ]));
    Ok(page(StatusCode::OK, &cycle_form(&viewer, fields, Problems::default())))
}

/// `POST /cycles/new`: creates the cycle, in planning; it starts by itself on its
/// start date.
pub async fn save_new_cycle(State(app): State<App>, viewer: Viewer, Form(fields): Form) -> PageResult {
    let caller = &viewer.caller;
    let mut problems = Problems::default();
    let kind = read_choice::<CycleKind>(&fields, "kind", &mut problems);
    let status = if problems.is_empty() {
        let new = NewCycle {
            slug: None,
            name: fields.text("name").to_owned(),
            start_date: fields.text("start_date").to_owned(),
            end_date: fields.text("end_date").to_owned(),
            status: None,
            kind,
        };
        match app.cycles().create(caller, new).await {
            Ok(created) => return Ok(see_other(&format!("/cycles/{}", created.id))),
            Err(error) => problems.refused(error, cycle_field)?,
        }
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(page(status, &cycle_form(&viewer, fields, problems)))
}

/// `GET /cycles/{id}/edit`: the cycle's form, filled in.
pub async fn show_edit_cycle(State(app): State<App>, viewer: Viewer, Id(id): Id<CycleId>) -> PageResult {
    let caller = &viewer.caller;
    let cycle = app.cycles().get(caller, id).await?;
    permission::require(caller, Action::PlanCycles)?;
    let fields = Fields::from(HashMap::from([
        ("name".to_owned(), cycle.name.clone()),
        ("start_date".to_owned(), cycle.start_date.to_string()),
        ("end_date".to_owned(), cycle.end_date.to_string()),
        ("kind".to_owned(), cycle.kind.as_str().to_owned()),
        ("status".to_owned(), cycle.status.as_str().to_owned()),
    ]));
    Ok(page(StatusCode::OK, &edit_form(&viewer, &cycle, cycle.version, fields, Problems::default())))
}

/// `POST /cycles/{id}/edit`: changes the cycle, based on the version the form showed.
/// The status is sent only by an admin's form; changing it is an admin's decision.
pub async fn save_cycle(State(app): State<App>, viewer: Viewer, Id(id): Id<CycleId>, Form(fields): Form) -> PageResult {
    let caller = &viewer.caller;
    let cycle = app.cycles().get(caller, id).await?;
    let mut problems = Problems::default();
    let version = fields.whole("version", &mut problems).unwrap_or_default();
    let kind = read_choice::<CycleKind>(&fields, "kind", &mut problems);
    let status = read_choice::<CycleStatus>(&fields, "status", &mut problems);
    let code = if problems.is_empty() {
        let change = CyclePatch {
            version,
            slug: None,
            name: Some(fields.text("name").to_owned()),
            start_date: Some(fields.text("start_date").to_owned()),
            end_date: Some(fields.text("end_date").to_owned()),
            status,
            kind,
        };
        match app.cycles().update(caller, id, change).await {
            Ok(_) => return Ok(see_other(&format!("/cycles/{id}"))),
            Err(error) => problems.refused(error, cycle_field)?,
        }
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(page(code, &edit_form(&viewer, &cycle, version, fields, problems)))
}

#[derive(Template)]
#[template(path = "cycle_reopen.html")]
struct ReopenPage {
    layout: Layout,
    cycle: CycleView,
    version: i64,
    fields: Fields,
    problems: Problems,
}

/// The form field of a reopening's JSON pointer.
fn reopen_field(path: &Path) -> Option<String> {
    Some(if form::head(path) == "reason" { "reason" } else { "" }.to_owned())
}

/// `GET /cycles/{id}/reopen`: the form to reopen a closed cycle, with its reason (admins).
pub async fn show_reopen_cycle(State(app): State<App>, viewer: Viewer, Id(id): Id<CycleId>) -> PageResult {
    let caller = &viewer.caller;
    let cycle = app.cycles().get(caller, id).await?;
    permission::require(caller, Action::Administer)?;
    let template = ReopenPage {
        layout: Layout::new(&viewer, "cycles", format!("Reopen {}", cycle.name)),
        version: cycle.version,
        cycle,
        fields: Fields::default(),
        problems: Problems::default(),
    };
    Ok(page(StatusCode::OK, &template))
}

/// `POST /cycles/{id}/reopen`: reopens the closed cycle to active, with the reason its
/// history and review show.
pub async fn save_reopen_cycle(
    State(app): State<App>,
    viewer: Viewer,
    Id(id): Id<CycleId>,
    Form(fields): Form,
) -> PageResult {
    let caller = &viewer.caller;
    let cycle = app.cycles().get(caller, id).await?;
    let mut problems = Problems::default();
    let version = fields.whole("version", &mut problems).unwrap_or_default();
    let code = if problems.is_empty() {
        let reopen = CycleReopen { version, reason: fields.text("reason").to_owned(), status: None };
        match app.cycles().reopen(caller, id, reopen).await {
            Ok(_) => return Ok(see_other(&format!("/cycles/{id}#history"))),
            Err(error) => problems.refused(error, reopen_field)?,
        }
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let template = ReopenPage {
        layout: Layout::new(&viewer, "cycles", format!("Reopen {}", cycle.name)),
        cycle,
        version,
        fields,
        problems,
    };
    Ok(page(code, &template))
}

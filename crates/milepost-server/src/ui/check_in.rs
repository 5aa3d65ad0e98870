//! `/check-in`: the weekly check-in. Every key result the person owns in the active
//! cycles on one form (new value, confidence 0–10, note, blockers), saved in one
//! submit by one app call, all or nothing; each problem is shown next to its field.
//! A plain HTML form: it works with the keyboard alone and without JavaScript.

use super::cycle::all_key_results;
use super::form::{Fields, Form, Problems};
use super::view::{KeyResultLine, Names};
use super::{Layout, PageResult, Viewer, page, see_other};
use crate::extract::Query;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use milepost_app::check_in::NewCheckIn;
use milepost_app::cycle::CycleQuery;
use milepost_app::key_result::{KeyResultQuery, KeyResultView};
use milepost_app::{App, AppError, Caller, Location};
use milepost_core::{CycleStatus, KeyResultKind};
use std::collections::HashMap;

/// One key result's row of the form.
struct Row {
    line: KeyResultLine,
    milestone: bool,
    value: String,
    confidence: String,
    note: String,
    blockers: String,
    errors: HashMap<&'static str, String>,
}

impl Row {
    /// The problem with `field` of this row, or empty.
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).map_or("", String::as_str)
    }

    /// Whether `field` of this row has a problem.
    fn has(&self, field: &str) -> bool {
        self.errors.contains_key(field)
    }
}

#[derive(Template)]
#[template(path = "check_in.html")]
struct CheckInPage {
    layout: Layout,
    rows: Vec<Row>,
    ids: String,
    saved: Option<usize>,
    problems: Problems,
}

/// The key results `caller` owns in the active cycles.
async fn my_key_results(app: &App, caller: &Caller) -> Result<Vec<KeyResultView>, AppError> {
    let Some(person) = caller.person else { return Ok(Vec::new()) };
    let query = CycleQuery { status: Some(CycleStatus::Active), limit: Some(500), ..Default::default() };
    let mut out = Vec::new();
    for cycle in app.list_cycles(caller, query).await?.items {
        let query = KeyResultQuery { cycle_id: Some(cycle.id), owner_person_id: Some(person), ..Default::default() };
        out.extend(all_key_results(app, caller, query).await?);
    }
    Ok(out)
}

const FIELDS: [&str; 4] = ["value", "confidence", "note", "blockers"];

fn rows(
    key_results: &[KeyResultView],
    names: &Names,
    now: jiff::Timestamp,
    posted: Option<&Fields>,
    problems: &Problems,
) -> Vec<Row> {
    key_results
        .iter()
        .map(|k| {
            let id = k.id;
            let field = |name: &str| format!("{name}.{id}");
            let (value, confidence, note, blockers) = match posted {
                Some(fields) => (
                    fields.text(&field("value")).to_owned(),
                    fields.text(&field("confidence")).to_owned(),
                    fields.text(&field("note")).to_owned(),
                    fields.text(&field("blockers")).to_owned(),
                ),
                None => (
                    k.current.map(|v| v.to_string()).unwrap_or_default(),
                    k.confidence.map(|c| c.to_string()).unwrap_or_default(),
                    String::new(),
                    String::new(),
                ),
            };
            let errors = FIELDS
                .iter()
                .filter(|name| problems.has(&field(name)))
                .map(|name| (*name, problems.of(&field(name)).to_owned()))
                .collect();
            Row {
                line: KeyResultLine::of(k, names, now),
                milestone: k.kind == KeyResultKind::Milestone,
                value,
                confidence,
                note,
                blockers,
                errors,
            }
        })
        .collect()
}

/// The query of the check-in page: how many check-ins were just saved.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct CheckInQuery {
    /// How many check-ins the last submit saved.
    #[serde(default, deserialize_with = "super::form::empty_as_none")]
    pub saved: Option<usize>,
}

/// `GET /check-in`: the weekly check-in form.
pub async fn show_check_in(State(app): State<App>, viewer: Viewer, Query(query): Query<CheckInQuery>) -> PageResult {
    let caller = &viewer.caller;
    let key_results = my_key_results(&app, caller).await?;
    let names = Names::load(&app, caller).await?;
    let problems = Problems::default();
    let template = CheckInPage {
        layout: Layout::new(&viewer, "check-in", "Weekly check-in"),
        ids: key_results.iter().map(|k| k.id.to_string()).collect::<Vec<_>>().join(","),
        rows: rows(&key_results, &names, app.now(), None, &problems),
        saved: query.saved,
        problems,
    };
    Ok(page(StatusCode::OK, &template))
}

/// `POST /check-in`: saves every row with a value, in one transaction.
pub async fn save_check_in(State(app): State<App>, viewer: Viewer, Form(fields): Form) -> PageResult {
    let caller = &viewer.caller;
    let mut problems = Problems::default();
    let ids: Vec<i64> = fields.text("key_results").split(',').filter_map(|id| id.trim().parse().ok()).collect();
    let mut check_ins = Vec::new();
    for &id in &ids {
        let field = |name: &str| format!("{name}.{id}");
        let value = fields.number(&field("value"), &mut problems);
        let confidence = fields.whole(&field("confidence"), &mut problems);
        let note = fields.optional(&field("note"));
        let blockers = fields.optional(&field("blockers"));
        match value {
            Some(value) => check_ins.push((
                id,
                NewCheckIn { value, confidence, note, blockers, checked_in_at: None, author_person_id: caller.person },
            )),
            None if problems.has(&field("value")) => {}
            None if confidence.is_some() || note.is_some() || blockers.is_some() => {
                problems.add(&field("value"), "give the value now (the same as before, if it did not move)");
            }
            None => {}
        }
    }
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if problems.is_empty() {
        if check_ins.is_empty() {
            problems.add("", "nothing to save: give a value for at least one key result");
        } else {
            let order: Vec<i64> = check_ins.iter().map(|(id, _)| *id).collect();
            match app.create_check_ins(caller, check_ins).await {
                Ok(saved) => return Ok(see_other(&format!("/check-in?saved={}", saved.len()))),
                Err(AppError::Invalid(errors)) => {
                    for error in errors {
                        let place = match &error.location {
                            Location::Pointer(pointer) => pointer.strip_prefix("/check_ins/").and_then(|rest| {
                                let (index, field) = rest.split_once('/')?;
                                let id = order.get(index.parse::<usize>().ok()?)?;
                                let field = match field {
                                    "confidence" => "confidence",
                                    "note" => "note",
                                    "blockers" => "blockers",
                                    _ => "value",
                                };
                                Some(format!("{field}.{id}"))
                            }),
                            _ => None,
                        };
                        problems.add(&place.unwrap_or_default(), error.detail);
                    }
                }
                Err(error @ (AppError::Forbidden { .. } | AppError::Conflict { .. })) => {
                    status = if matches!(error, AppError::Forbidden { .. }) {
                        StatusCode::FORBIDDEN
                    } else {
                        StatusCode::CONFLICT
                    };
                    problems.add("", error.to_string());
                }
                Err(error) => return Err(error.into()),
            }
        }
    }
    // Show the form again with what was typed, for the key results it was about.
    let key_results: Vec<KeyResultView> =
        my_key_results(&app, caller).await?.into_iter().filter(|k| ids.contains(&k.id)).collect();
    let names = Names::load(&app, caller).await?;
    let template = CheckInPage {
        layout: Layout::new(&viewer, "check-in", "Weekly check-in"),
        ids: key_results.iter().map(|k| k.id.to_string()).collect::<Vec<_>>().join(","),
        rows: rows(&key_results, &names, app.now(), Some(&fields), &problems),
        saved: None,
        problems,
    };
    Ok(page(status, &template))
}

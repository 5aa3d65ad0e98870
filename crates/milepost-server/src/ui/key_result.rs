//! `/key-results/{id}/edit`: changing a key result's sentence, kind, start, target,
//! unit, weight and owner. Its value changes only by check-ins; moving its start or target
//! after the cycle began needs a reason, which the app records with who and when.

use super::form::{Fields, Form, Problems};
use super::objective_form::{Choice, choices, people_of};
use super::view::Names;
use super::{Layout, PageResult, Viewer, page, see_other};
use crate::extract::Id;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use milepost_app::App;
use milepost_core::KeyResultId;
use milepost_core::{Comparator, KeyResultKind, Named};
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "key_result_edit.html")]
struct KeyResultEditPage {
    layout: Layout,
    id: i64,
    objective_id: i64,
    /// The kind it is saved with, in words.
    kind: &'static str,
    /// The kinds to choose from, the form's one selected.
    kinds: Vec<Choice>,
    fields: Fields,
    problems: Problems,
    owners: Vec<Choice>,
}

fn key_result_fields(view: &milepost_app::key_result::KeyResultView) -> Fields {
    let number = |value: Option<f64>| value.map(|v| v.to_string()).unwrap_or_default();
    let (start, target) = match view.range {
        Some([low, high]) => (Some(low), Some(high)),
        None => (view.start, view.target),
    };
    let pairs = [
        ("version", view.version.to_string()),
        ("title", view.title.clone()),
        ("kind", view.kind.as_str().to_owned()),
        ("start", number(start)),
        ("target", number(target)),
        ("unit", view.unit.clone().unwrap_or_default()),
        ("weight", view.weight.to_string()),
        ("owner", view.owner_person_id.map(|p| p.to_string()).unwrap_or_default()),
    ];
    Fields::from(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect::<HashMap<_, _>>())
}

fn key_result_edit(
    viewer: &Viewer,
    view: &milepost_app::key_result::KeyResultView,
    names: &Names,
    fields: Fields,
    problems: Problems,
) -> KeyResultEditPage {
    let mut owners = vec![(String::new(), "Nobody".to_owned())];
    owners.extend(people_of(names));
    KeyResultEditPage {
        layout: Layout::new(viewer, "", format!("Edit {}", view.title)),
        id: view.id.get(),
        objective_id: view.objective_id,
        kind: super::view::kind(view.kind),
        kinds: choices(
            KeyResultKind::ALL.iter().map(|k| (k.as_str().to_owned(), super::view::kind(*k).to_owned())),
            fields.text("kind"),
        ),
        owners: choices(owners, fields.text("owner")),
        fields,
        problems,
    }
}

/// `GET /key-results/{id}/edit`: a key result's form, filled in.
pub async fn show_edit_key_result(State(app): State<App>, viewer: Viewer, Id(id): Id<KeyResultId>) -> PageResult {
    let caller = &viewer.caller;
    let view = app.key_results().get(caller, id).await?;
    let names = Names::load(&app, caller).await?;
    Ok(page(StatusCode::OK, &key_result_edit(&viewer, &view, &names, key_result_fields(&view), Problems::default())))
}

/// `POST /key-results/{id}/edit`: changes the key result; moving its start or target
/// after the cycle began needs a reason, which the app records.
pub async fn save_key_result(
    State(app): State<App>,
    viewer: Viewer,
    Id(id): Id<KeyResultId>,
    Form(fields): Form,
) -> PageResult {
    let caller = &viewer.caller;
    let view = app.key_results().get(caller, id).await?;
    let mut problems = Problems::default();
    let version = fields.whole("version", &mut problems).unwrap_or_default();
    // A form without the field keeps the kind; another kind is changed to, with what it needs.
    let kind = match fields.text("kind") {
        "" => view.kind,
        text => KeyResultKind::parse(text).unwrap_or_else(|| {
            problems.add("kind", format!("choose one of {}", KeyResultKind::names()));
            view.kind
        }),
    };
    // A key result becoming maintain takes its comparator from the sentence ("at or
    // below"), as a new one does; one that stays maintain keeps its own.
    let comparator = (kind == KeyResultKind::Maintain && view.kind != KeyResultKind::Maintain).then(|| {
        match milepost_okrfile::parse_key_result(fields.text("title")) {
            Ok(parsed) => parsed.comparator.unwrap_or(Comparator::AtLeast),
            Err(too_long) => {
                problems.add("title", too_long.to_string());
                Comparator::AtLeast
            }
        }
    });
    let start = fields.number("start", &mut problems);
    let target = fields.number("target", &mut problems);
    let (start, target, range) = match (kind, start, target) {
        (KeyResultKind::Range, Some(low), Some(high)) => (None, None, Some([low, high])),
        (KeyResultKind::Range, _, _) => (None, None, None),
        (KeyResultKind::Milestone, _, _) => (None, None, None),
        (KeyResultKind::Maintain, _, target) => (None, target, None),
        (_, start, target) => (start, target, None),
    };
    let change = milepost_app::key_result::KeyResultPatch {
        version,
        title: Some(fields.text("title").to_owned()),
        kind: (kind != view.kind).then_some(kind),
        metric: None,
        unit: Some(fields.optional("unit")),
        start,
        target,
        range,
        comparator,
        relative_change: None,
        delta: None,
        weight: fields.number("weight", &mut problems),
        owner_person_id: Some(fields.whole("owner", &mut problems)),
        cadence: None,
        kpi_id: None,
        target_schedule: None,
        reason: fields.optional("reason"),
    };
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if problems.is_empty() {
        match app.key_results().update(caller, id, change).await {
            Ok(saved) => return Ok(see_other(&format!("/objectives/{}#key-result-{id}", saved.objective_id))),
            Err(error) => {
                status = problems.refused(error, |path| {
                    let field = match super::form::head(path) {
                        "kind" | "comparator" => "kind",
                        "start" => "start",
                        "target" | "range" | "relative_change" | "delta" => "target",
                        "unit" => "unit",
                        "weight" => "weight",
                        "owner_person_id" => "owner",
                        "reason" => "reason",
                        "title" => "title",
                        _ => "",
                    };
                    Some(field.to_owned())
                })?
            }
        }
    }
    let names = Names::load(&app, caller).await?;
    Ok(page(status, &key_result_edit(&viewer, &view, &names, fields, problems)))
}

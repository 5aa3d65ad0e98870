//! `/key-results/{id}/edit`: changing a key result's sentence, kind, start, target,
//! unit, weight and owner. The fields changed from what the form showed are sent beside
//! the sentence; the app reads an edited sentence again, as it reads a new one. Its value changes only by check-ins; moving its start or target
//! after the cycle began needs a reason, which the app records with who and when.

use super::form::{Fields, Form, Problems};
use super::objective_form::{Choice, choices, people_of};
use super::view::Names;
use super::{Layout, PageResult, Viewer, page, see_other};
use crate::extract::{Id, Query};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use milepost_app::App;
use milepost_core::KeyResultId;
use milepost_core::{KeyResultKind, Named};
use std::collections::HashMap;

/// The form's two number boxes as the app takes them: a range's low and high ends, or a
/// start and a target (a threshold, for maintain).
pub(super) fn boxes(
    kind: Option<KeyResultKind>,
    start: Option<f64>,
    target: Option<f64>,
) -> (Option<f64>, Option<f64>, Option<[f64; 2]>) {
    match (kind, start, target) {
        (Some(KeyResultKind::Range), Some(low), Some(high)) => (None, None, Some([low, high])),
        (Some(KeyResultKind::Range | KeyResultKind::Milestone), _, _) => (None, None, None),
        (Some(KeyResultKind::Maintain), _, target) => (None, target, None),
        (_, start, target) => (start, target, None),
    }
}

/// Reads the kind chosen on a form: `None` for "read it from the sentence".
pub(super) fn read_kind(fields: &Fields, name: &str, problems: &mut Problems) -> Option<KeyResultKind> {
    match fields.text(name) {
        "" => None,
        text => {
            let kind = KeyResultKind::parse(text);
            if kind.is_none() {
                problems.add(name, format!("choose one of {}", KeyResultKind::names()));
            }
            kind
        }
    }
}

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
    /// The owner picker: a search field in a large workspace.
    picker: super::owner::Picker,
    /// What its search field shows.
    owner_text: String,
    /// Its version and whether it is archived, for the archive button.
    version: i64,
    archived: bool,
    /// What re-reading the edited sentence changes ("target 94% → 95%").
    rereads: Vec<String>,
    /// Whether those changes move a start or target of a cycle that has begun.
    needs_reason: bool,
    /// The KPIs it may be linked to (the first: none), the form's one selected.
    kpis: Vec<Choice>,
    /// The linked KPI's current value, with unit, for "use it as the start".
    kpi_now: Option<String>,
}

/// The edit form's kind and number boxes, filled from the sentence as it is typed.
#[derive(Template)]
#[template(path = "key_result_edit_fields.html")]
struct KeyResultEditFields {
    kinds: Vec<Choice>,
    fields: Fields,
    problems: Problems,
    rereads: Vec<String>,
    needs_reason: bool,
}

/// What the form's two number boxes show: a range's ends, or the start and target.
fn shown_boxes(view: &milepost_app::key_result::KeyResultView) -> (Option<f64>, Option<f64>) {
    match view.range {
        Some([low, high]) => (Some(low), Some(high)),
        None => (view.start, view.target),
    }
}

fn key_result_fields(view: &milepost_app::key_result::KeyResultView) -> Fields {
    let number = |value: Option<f64>| value.map(|v| v.to_string()).unwrap_or_default();
    let (start, target) = shown_boxes(view);
    let pairs = [
        ("version", view.version.to_string()),
        ("title", view.title.clone()),
        ("kind", view.kind.as_str().to_owned()),
        ("start", number(start)),
        ("target", number(target)),
        ("unit", view.unit.clone().unwrap_or_default()),
        ("weight", view.weight.to_string()),
        ("owner", view.owner_person_id.map(|p| p.to_string()).unwrap_or_default()),
        ("kpi", view.kpi_id.map(|k| k.to_string()).unwrap_or_default()),
    ];
    Fields::from(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect::<HashMap<_, _>>())
}

fn key_result_edit(
    viewer: &Viewer,
    view: &milepost_app::key_result::KeyResultView,
    names: &Names,
    fields: Fields,
    problems: Problems,
    kpis: &[super::objective_form::KpiOption],
) -> KeyResultEditPage {
    let kpi_now = view.kpi_id.and_then(|id| kpis.iter().find(|k| k.id == id.to_string())?.now.clone());
    let mut owners = vec![(String::new(), "Nobody".to_owned())];
    owners.extend(people_of(names));
    let kpi_choices = super::objective_form::kpi_choices(kpis, fields.text("kpi"));
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
        picker: super::owner::Picker::of(names, false),
        owner_text: super::owner::Picker::of(names, false).text(fields.text("owner")),
        version: view.version,
        archived: view.archived,
        fields,
        problems,
        rereads: Vec::new(),
        needs_reason: false,
        kpis: kpi_choices,
        kpi_now,
    }
}

/// `GET /key-results/{id}/reread?title=…` (htmx, from the edit form as the sentence is
/// typed): the kind and number boxes as saving would read the edited sentence, with what
/// changes said in words, so the change shows before it is saved. The reading is the
/// app's own (`interpret`), the one saving uses.
pub async fn reread_sentence(
    State(app): State<App>,
    viewer: Viewer,
    Id(id): Id<KeyResultId>,
    Query(query): Query<HashMap<String, String>>,
) -> PageResult {
    use milepost_app::key_result::interpretation::{Baseline, Given, Numbers, interpret};
    let caller = &viewer.caller;
    let view = app.key_results().get(caller, id).await?;
    let cycle_began = view.status_reason != milepost_core::StatusReason::CycleNotBegun;
    let title = query.get("title").cloned().unwrap_or_default();
    let mut fields: HashMap<String, String> = query.clone();
    let mut problems = Problems::default();
    let mut rereads = Vec::new();
    if title.trim() != view.title.trim() && !title.trim().is_empty() {
        let kept = Numbers {
            kind: Some(view.kind),
            metric: view.metric.clone(),
            unit: view.unit.clone(),
            start: view.start,
            target: view.target,
            range: view.range,
            comparator: view.comparator,
            relative_change: None,
            delta: None,
            required_share: view.required_share,
        };
        let reading = interpret(Some(&title), &Given::default(), Some(&kept), Baseline::NotLinked);
        for problem in &reading.problems {
            problems.add(if problem.field == "start" { "start" } else { "kind" }, problem.detail.clone());
        }
        let read = reading.numbers;
        let kind = read.kind.unwrap_or(view.kind);
        let (start, target) = match (kind, read.range) {
            (KeyResultKind::Range, Some([low, high])) => (Some(low), Some(high)),
            _ => (read.start, read.target),
        };
        let (shown_start, shown_target) = shown_boxes(&view);
        let unit = read.unit.clone().or(view.unit.clone());
        let number = |value: Option<f64>| value.map(|v| v.to_string()).unwrap_or_default();
        let said = |value: Option<f64>| super::view::value(value, unit.as_deref());
        if kind != view.kind {
            rereads.push(format!(
                "kind {} → {}",
                super::view::kind(view.kind).to_lowercase(),
                super::view::kind(kind).to_lowercase()
            ));
        }
        let (start_name, target_name) =
            if kind == KeyResultKind::Range { ("low end", "high end") } else { ("start", "target") };
        if start.is_some() && start != shown_start {
            rereads.push(format!("{start_name} {} → {}", said(shown_start), said(start)));
        }
        if target.is_some() && target != shown_target {
            rereads.push(format!("{target_name} {} → {}", said(shown_target), said(target)));
        }
        if unit != view.unit {
            rereads.push(format!(
                "unit {} → {}",
                view.unit.as_deref().unwrap_or("none"),
                unit.as_deref().unwrap_or("none")
            ));
        }
        fields.insert("kind".to_owned(), kind.as_str().to_owned());
        if start.is_some() || kind != view.kind {
            fields.insert("start".to_owned(), number(start));
        }
        if target.is_some() || kind != view.kind {
            fields.insert("target".to_owned(), number(target));
        }
        fields.insert("unit".to_owned(), unit.unwrap_or_default());
    }
    let needs_reason = cycle_began && rereads.iter().any(|r| !r.starts_with("unit") && !r.starts_with("kind"));
    let fields = Fields::from(fields);
    let fragment = KeyResultEditFields {
        kinds: choices(
            KeyResultKind::ALL.iter().map(|k| (k.as_str().to_owned(), super::view::kind(*k).to_owned())),
            fields.text("kind"),
        ),
        fields,
        problems,
        rereads,
        needs_reason,
    };
    Ok(page(StatusCode::OK, &fragment))
}

/// `GET /key-results/{id}/edit`: a key result's form, filled in.
pub async fn show_edit_key_result(State(app): State<App>, viewer: Viewer, Id(id): Id<KeyResultId>) -> PageResult {
    let caller = &viewer.caller;
    let view = app.key_results().get(caller, id).await?;
    let names = Names::load(&app, caller).await?;
    let kpis = super::objective_form::kpi_options(&app, caller).await?;
    Ok(page(
        StatusCode::OK,
        &key_result_edit(&viewer, &view, &names, key_result_fields(&view), Problems::default(), &kpis),
    ))
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
    let names = Names::load(&app, caller).await?;
    let mut problems = Problems::default();
    let version = fields.whole("version", &mut problems).unwrap_or_default();
    // A form without the field keeps the kind; another kind is changed to, with what it needs.
    let kind = read_kind(&fields, "kind", &mut problems).unwrap_or(view.kind);
    let kind_changed = kind != view.kind;
    // The form shows the key result as it is: only what was changed from that is given,
    // so that an edited sentence moves what it restates (the app reads it again). When
    // the kind changes, the number boxes mean what they mean for the new kind.
    let (shown_start, shown_target) = shown_boxes(&view);
    let (start, target) = (fields.number("start", &mut problems), fields.number("target", &mut problems));
    let changed = |posted: Option<f64>, shown: Option<f64>| posted.is_some() && (kind_changed || posted != shown);
    let (start, target) = if kind == KeyResultKind::Range {
        // A band is given whole, both ends, when either moves.
        if changed(start, shown_start) || changed(target, shown_target) { (start, target) } else { (None, None) }
    } else {
        (start.filter(|_| changed(start, shown_start)), target.filter(|_| changed(target, shown_target)))
    };
    let (start, target, range) = boxes(Some(kind), start, target);
    let unit = fields.optional("unit");
    // The boxes were read as the kind the form shows: numbers given go with their kind.
    let gives_kind = kind_changed || start.is_some() || target.is_some() || range.is_some();
    let change = milepost_app::key_result::KeyResultPatch {
        version,
        title: Some(fields.text("title").to_owned()),
        kind: gives_kind.then_some(kind),
        metric: None,
        unit: (unit != view.unit).then_some(unit),
        start,
        target,
        range,
        comparator: None,
        relative_change: None,
        delta: None,
        required_share: None,
        weight: fields.number("weight", &mut problems),
        owner_person_id: Some(super::owner::read_person(&names.people, fields.text("owner")).unwrap_or_else(
            |problem| {
                problems.add("owner", problem);
                None
            },
        )),
        cadence: None,
        kpi_id: match fields.text("kpi") {
            _ if !fields.has("kpi") => None,
            "" => view.kpi_id.map(|_| None),
            text => match text.parse::<i64>() {
                Ok(kpi) if Some(kpi) == view.kpi_id => None,
                Ok(kpi) => Some(Some(kpi)),
                Err(_) => {
                    problems.add("kpi", format!("{text:?} is not a KPI: choose one from the list"));
                    None
                }
            },
        },
        target_schedule: None,
        start_from_kpi: (fields.text("start_from_kpi") == "yes").then_some(true),
        reason: fields.optional("reason"),
    };
    let field_of = |path: &milepost_app::Path| {
        let field = match super::form::head(path) {
            "kind" | "comparator" => "kind",
            "start" => "start",
            "target" | "range" | "relative_change" | "delta" => "target",
            "unit" => "unit",
            "weight" => "weight",
            "owner_person_id" => "owner",
            "kpi_id" => "kpi",
            "start_from_kpi" => "start_from_kpi",
            "reason" => "reason",
            // The form says the share in its sentence ("in 95% of weeks").
            "title" | "required_share" => "title",
            _ => "",
        };
        Some(field.to_owned())
    };
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if problems.is_empty() {
        match app.key_results().update(caller, id, change).await {
            Ok(saved) => return Ok(see_other(&format!("/objectives/{}#key-result-{id}", saved.objective_id))),
            Err(error) => status = problems.refused(error, field_of)?,
        }
    } else if let Err(milepost_app::AppError::Invalid(errors)) =
        app.key_results().check_update(caller, id, change).await
    {
        // What the form could not read is marked; the app's dry run finds the rest.
        problems.extend(&errors, field_of);
    }
    let names = Names::load(&app, caller).await?;
    let kpis = super::objective_form::kpi_options(&app, caller).await?;
    Ok(page(status, &key_result_edit(&viewer, &view, &names, fields, problems, &kpis)))
}

//! `/kpis/new` and `/kpis/{id}/edit`: a KPI's definition: name, slug, description,
//! owner, unit, direction, target or good band, warning band, cadence, tier, tags, formula, drivers and
//! after how many red periods it lags. Only editors and admins define KPIs.

use super::form::{self, Fields, Form, Problems};
use super::objective_form::{Choice, choices, people_of};
use super::view::Names;
use super::{Layout, PageError, PageResult, Viewer, page, see_other};
use crate::extract::Id;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use milepost_app::kpi::{KpiPatch, KpiView, NewKpi};
use milepost_app::permission::{self, Action};
use milepost_app::{App, AppError, Path, Segment};
use milepost_core::KpiId;
use milepost_core::{Cadence, KpiDirection, KpiTier, Named};
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "kpi_form.html")]
struct KpiFormPage {
    layout: Layout,
    action: String,
    heading: String,
    submit: &'static str,
    version: Option<i64>,
    fields: Fields,
    problems: Problems,
    owners: Vec<Choice>,
    /// The owner picker: a search field in a large workspace.
    picker: super::owner::Picker,
    /// What its search field shows.
    owner_text: String,
    directions: Vec<Choice>,
    cadences: Vec<Choice>,
    tiers: Vec<Choice>,
}

fn named<T: Named>() -> Vec<(String, String)> {
    T::ALL.iter().map(|v| (v.as_str().to_owned(), v.as_str().replace('_', " "))).collect()
}

fn kpi_form(viewer: &Viewer, names: &Names, fields: Fields, problems: Problems) -> KpiFormPage {
    let mut owners = vec![(String::new(), "Nobody yet".to_owned())];
    owners.extend(people_of(names));
    KpiFormPage {
        layout: Layout::new(viewer, "kpis", "New KPI"),
        action: "/kpis/new".to_owned(),
        heading: "New KPI".to_owned(),
        submit: "Add the KPI",
        version: None,
        owners: choices(owners, fields.text("owner")),
        picker: super::owner::Picker::of(names, false),
        owner_text: super::owner::Picker::of(names, false).text(fields.text("owner")),
        directions: choices(named::<KpiDirection>(), fields.text("direction")),
        cadences: choices(named::<Cadence>(), fields.text("cadence")),
        tiers: choices(named::<KpiTier>(), fields.text("tier")),
        fields,
        problems,
    }
}

/// The form's values in the app's terms; a problem per field that cannot be read.
struct Definition {
    name: String,
    slug: Option<String>,
    description: Option<String>,
    owner: Option<i64>,
    unit: Option<String>,
    direction: KpiDirection,
    target: Option<f64>,
    range: Option<[f64; 2]>,
    warning_band: Option<f64>,
    cadence: Cadence,
    tier: KpiTier,
    tags: Vec<String>,
    lagging_after: Option<u32>,
    /// A formula over other KPIs' slugs; `None` when the field is empty.
    formula: Option<String>,
    /// The slugs of the KPIs that drive it.
    drivers: Vec<String>,
}

/// A comma-separated list of slugs or tags, as the form writes it.
fn list(text: &str) -> Vec<String> {
    text.split(',').map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned).collect()
}

fn one_of<T: Named>(fields: &Fields, name: &str, problems: &mut Problems) -> Option<T> {
    let text = fields.text(name);
    let found = T::parse(text);
    if found.is_none() {
        problems.add(name, format!("choose one of {}", T::names()));
    }
    found
}

fn definition(fields: &Fields, names: &Names, problems: &mut Problems) -> Option<Definition> {
    let direction = one_of::<KpiDirection>(fields, "direction", problems);
    let cadence = one_of::<Cadence>(fields, "cadence", problems);
    let tier = one_of::<KpiTier>(fields, "tier", problems);
    let low = fields.number("range_low", problems);
    let high = fields.number("range_high", problems);
    let range = match (low, high) {
        (Some(low), Some(high)) => Some([low, high]),
        (None, None) => None,
        (Some(_), None) => {
            problems.add("range_high", "give both ends of the range, or neither");
            None
        }
        (None, Some(_)) => {
            problems.add("range_low", "give both ends of the range, or neither");
            None
        }
    };
    let lagging_after = match fields.whole("lagging_after", problems) {
        None => None,
        Some(n) => match u32::try_from(n) {
            Ok(n) => Some(n),
            Err(_) => {
                problems.add("lagging_after", "must be a whole number from 1 to 52");
                None
            }
        },
    };
    let definition = Definition {
        name: fields.text("name").to_owned(),
        slug: fields.optional("slug"),
        description: fields.optional("description"),
        owner: super::owner::read_person(&names.people, fields.text("owner")).unwrap_or_else(|problem| {
            problems.add("owner", problem);
            None
        }),
        unit: fields.optional("unit"),
        direction: direction?,
        target: fields.number("target", problems),
        range,
        warning_band: fields.number("warning_band", problems),
        cadence: cadence?,
        tier: tier?,
        tags: list(fields.text("tags")),
        lagging_after,
        formula: fields.optional("formula"),
        drivers: list(fields.text("drivers")),
    };
    Some(definition)
}

fn kpi_field(path: &Path) -> Option<String> {
    let field = match path.segments() {
        [Segment::Field(range), Segment::Index(1), ..] if range == "range" => "range_high",
        _ => match form::head(path) {
            "owner_person_id" => "owner",
            "range" => "range_low",
            other => other,
        },
    };
    Some(field.to_owned())
}

/// The status and top message of an app error a form can show, or the error itself.
fn shown(error: AppError, problems: &mut Problems) -> Result<StatusCode, PageError> {
    match error {
        AppError::Invalid(errors) => {
            problems.extend(&errors, kpi_field);
            Ok(StatusCode::UNPROCESSABLE_ENTITY)
        }
        error @ AppError::Forbidden { .. } => {
            problems.add("", error.to_string());
            Ok(StatusCode::FORBIDDEN)
        }
        error @ (AppError::StaleVersion { .. } | AppError::Conflict { .. }) => {
            problems.add("", error.to_string());
            Ok(StatusCode::CONFLICT)
        }
        error => Err(error.into()),
    }
}

/// `GET /kpis/new`: the form for a new KPI.
pub async fn show_new_kpi(State(app): State<App>, viewer: Viewer) -> PageResult {
    let caller = &viewer.caller;
    permission::require(caller, Action::DefineKpi)?;
    let names = Names::load(&app, caller).await?;
    let mut pairs = HashMap::from([
        ("direction".to_owned(), KpiDirection::HigherIsBetter.as_str().to_owned()),
        ("cadence".to_owned(), Cadence::Monthly.as_str().to_owned()),
        ("tier".to_owned(), KpiTier::Kpi.as_str().to_owned()),
    ]);
    if let Some(person) = caller.person {
        pairs.insert("owner".to_owned(), person.to_string());
    }
    Ok(page(StatusCode::OK, &kpi_form(&viewer, &names, Fields::from(pairs), Problems::default())))
}

/// `POST /kpis/new`: defines the KPI.
pub async fn save_new_kpi(State(app): State<App>, viewer: Viewer, Form(fields): Form) -> PageResult {
    let caller = &viewer.caller;
    let names = Names::load(&app, caller).await?;
    let mut problems = Problems::default();
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if let Some(d) = definition(&fields, &names, &mut problems) {
        let new = NewKpi {
            slug: d.slug,
            name: d.name,
            description: d.description,
            owner_person_id: d.owner,
            unit: d.unit,
            direction: d.direction,
            target: d.target,
            range: d.range,
            warning_band: d.warning_band,
            cadence: d.cadence,
            tier: Some(d.tier),
            tags: d.tags,
            lagging_after: d.lagging_after,
            // The source has a page of its own (`/kpis/{id}/source`).
            source: None,
            formula: d.formula,
            drivers: d.drivers,
        };
        if problems.is_empty() {
            match app.kpis().create(caller, new).await {
                Ok(kpi) => return Ok(see_other(&format!("/kpis/{}", kpi.id))),
                Err(error) => status = shown(error, &mut problems)?,
            }
        } else if let Err(AppError::Invalid(errors)) = app.kpis().check_new(caller, new).await {
            // What the form could not read is marked; the app's dry run finds the rest.
            problems.extend(&errors, kpi_field);
        }
    }
    let names = Names::load(&app, caller).await?;
    Ok(page(status, &kpi_form(&viewer, &names, fields, problems)))
}

fn edit_form(viewer: &Viewer, kpi: &KpiView, names: &Names, fields: Fields, problems: Problems) -> KpiFormPage {
    KpiFormPage {
        layout: Layout::new(viewer, "kpis", format!("Edit {}", kpi.name)),
        action: format!("/kpis/{}/edit", kpi.id),
        heading: format!("Edit {}", kpi.name),
        submit: "Save the KPI",
        version: Some(kpi.version),
        ..kpi_form(viewer, names, fields, problems)
    }
}

fn number_text(value: Option<f64>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// `GET /kpis/{id}/edit`: a KPI's definition, filled in.
pub async fn show_edit_kpi(State(app): State<App>, viewer: Viewer, Id(id): Id<KpiId>) -> PageResult {
    let caller = &viewer.caller;
    let kpi = app.kpis().get(caller, id).await?;
    permission::require(caller, Action::DefineKpi)?;
    let names = Names::load(&app, caller).await?;
    let pairs = HashMap::from([
        ("name".to_owned(), kpi.name.clone()),
        ("slug".to_owned(), kpi.slug.clone()),
        ("description".to_owned(), kpi.description.clone()),
        ("owner".to_owned(), kpi.owner_person_id.map(|p| p.to_string()).unwrap_or_default()),
        ("unit".to_owned(), kpi.unit.clone().unwrap_or_default()),
        ("direction".to_owned(), kpi.direction.as_str().to_owned()),
        ("target".to_owned(), number_text(kpi.target)),
        ("range_low".to_owned(), number_text(kpi.range.map(|r| r[0]))),
        ("range_high".to_owned(), number_text(kpi.range.map(|r| r[1]))),
        ("warning_band".to_owned(), kpi.warning_band.to_string()),
        ("cadence".to_owned(), kpi.cadence.as_str().to_owned()),
        ("tier".to_owned(), kpi.tier.as_str().to_owned()),
        ("tags".to_owned(), kpi.tags.join(", ")),
        ("lagging_after".to_owned(), kpi.lagging_after.to_string()),
        ("formula".to_owned(), kpi.formula.clone().unwrap_or_default()),
        ("drivers".to_owned(), kpi.drivers.join(", ")),
    ]);
    Ok(page(StatusCode::OK, &edit_form(&viewer, &kpi, &names, Fields::from(pairs), Problems::default())))
}

/// `POST /kpis/{id}/edit`: changes the KPI, based on the version the form showed.
pub async fn save_kpi(State(app): State<App>, viewer: Viewer, Id(id): Id<KpiId>, Form(fields): Form) -> PageResult {
    let caller = &viewer.caller;
    let kpi = app.kpis().get(caller, id).await?;
    let names = Names::load(&app, caller).await?;
    let mut problems = Problems::default();
    let version = fields.whole("version", &mut problems).unwrap_or_default();
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if let Some(d) = definition(&fields, &names, &mut problems) {
        let change = KpiPatch {
            version,
            slug: d.slug,
            name: Some(d.name),
            description: Some(d.description.unwrap_or_default()),
            owner_person_id: Some(d.owner),
            unit: Some(d.unit),
            direction: Some(d.direction),
            target: Some(d.target),
            range: Some(d.range),
            warning_band: Some(d.warning_band.unwrap_or_default()),
            cadence: Some(d.cadence),
            tier: Some(d.tier),
            tags: Some(d.tags),
            lagging_after: d.lagging_after,
            source: None,
            formula: Some(d.formula),
            drivers: Some(d.drivers),
        };
        if problems.is_empty() {
            match app.kpis().update(caller, id, change).await {
                Ok(_) => return Ok(see_other(&format!("/kpis/{id}"))),
                Err(error) => status = shown(error, &mut problems)?,
            }
        } else if let Err(AppError::Invalid(errors)) = app.kpis().check_update(caller, id, change).await {
            // What the form could not read is marked; the app's dry run finds the rest.
            problems.extend(&errors, kpi_field);
        }
    }
    let names = Names::load(&app, caller).await?;
    Ok(page(status, &edit_form(&viewer, &kpi, &names, fields, problems)))
}

//! `/kpis/{id}/recover`: "Create an OKR to fix this" for a lagging KPI (SPEC §2: a
//! lagging KPI is the reason for a new OKR). The form shows the recovery objective as it
//! will be made — its owner (the KPI's), its cycle (to choose among the active ones),
//! its key result "Bring <KPI> from <current> to <target>" linked to the KPI — and
//! saving makes it through the app's one draft use case (`POST
//! /api/v1/kpis/{id}/draft-objective` does the same). A KPI that has its recovery
//! objective already sends the form to it.

use super::cycle::all_cycles;
use super::form::{Fields, Form, Problems};
use super::objective_form::{Choice, choices};
use super::view::{Names, value};
use super::{Layout, PageResult, Viewer, page, see_other};
use crate::extract::{Id, Query};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use milepost_app::kpi::DraftObjective;
use milepost_app::kpi::draft::RecoveryPlan;
use milepost_app::{App, AppError};
use milepost_core::{CycleStatus, KpiId};
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "kpi_recover.html")]
struct RecoverPage {
    layout: Layout,
    kpi_id: i64,
    kpi_name: String,
    /// The plan, when one can be made; otherwise why not, at the top.
    plan: Option<PlanLines>,
    cycles: Vec<Choice>,
    problems: Problems,
}

/// The plan in words.
struct PlanLines {
    objective: String,
    owner: String,
    key_result: String,
    from_to: String,
}

fn lines(plan: &RecoveryPlan, names: &Names) -> PlanLines {
    let unit = plan.unit.as_deref();
    PlanLines {
        objective: plan.objective_title.clone(),
        owner: names.person(Some(plan.owner_person_id)),
        key_result: plan.key_result_title.clone(),
        from_to: format!("{} → {}", value(Some(plan.start), unit), value(Some(plan.target), unit)),
    }
}

/// The form, for the cycle `cycle_id` (the default one when `None`).
async fn form(
    app: &App,
    viewer: &Viewer,
    id: KpiId,
    cycle_id: Option<i64>,
    mut problems: Problems,
) -> Result<(StatusCode, RecoverPage), AppError> {
    let caller = &viewer.caller;
    let kpi = app.kpis().get(caller, id).await?;
    let names = Names::load(app, caller).await?;
    let mut status = if problems.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let plan = match app.kpis().recovery_plan(caller, id, DraftObjective { cycle_id }).await {
        Ok(plan) => Some(plan),
        Err(error) => {
            status = problems.refused(error, |_| Some(String::new()))?;
            None
        }
    };
    let selected = plan.as_ref().map(|p| p.cycle_id.to_string()).unwrap_or_default();
    let cycles = all_cycles(app, caller)
        .await?
        .into_iter()
        .filter(|c| c.status == CycleStatus::Active)
        .map(|c| (c.id.to_string(), c.name));
    let page = RecoverPage {
        layout: Layout::new(viewer, "kpis", format!("Create an OKR to fix {}", kpi.name)),
        kpi_id: id.get(),
        kpi_name: kpi.name.clone(),
        plan: plan.as_ref().map(|p| lines(p, &names)),
        cycles: choices(cycles, &selected),
        problems,
    };
    Ok((status, page))
}

/// The cycle asked for: `?cycle_id=` or the form's field.
fn cycle_of(fields: &Fields, problems: &mut Problems) -> Option<i64> {
    fields.whole("cycle_id", problems)
}

/// `GET /kpis/{id}/recover`: the recovery objective as it will be made; a KPI with its
/// recovery objective already goes to it.
pub async fn show_recover(
    State(app): State<App>,
    viewer: Viewer,
    Id(id): Id<KpiId>,
    Query(query): Query<HashMap<String, String>>,
) -> PageResult {
    if let Some(existing) = app.kpis().work(&viewer.caller, id).await?.recovery_objective_id {
        return Ok(see_other(&format!("/objectives/{existing}")));
    }
    let mut problems = Problems::default();
    let cycle_id = cycle_of(&Fields::from(query), &mut problems);
    let (status, template) = form(&app, &viewer, id, cycle_id, problems).await?;
    Ok(page(status, &template))
}

/// `POST /kpis/{id}/recover`: makes the recovery objective (or finds the one made
/// before) and goes to it.
pub async fn save_recover(State(app): State<App>, viewer: Viewer, Id(id): Id<KpiId>, Form(fields): Form) -> PageResult {
    let mut problems = Problems::default();
    let cycle_id = cycle_of(&fields, &mut problems);
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if problems.is_empty() {
        match app.kpis().draft_recovery_objective(&viewer.caller, id, DraftObjective { cycle_id }).await {
            Ok(drafted) => return Ok(see_other(&format!("/objectives/{}", drafted.objective.id))),
            Err(error) => {
                status = problems.refused(error, |path| {
                    Some(if super::form::head(path) == "cycle_id" { "cycle_id" } else { "" }.to_owned())
                })?;
            }
        }
    }
    let (_, template) = form(&app, &viewer, id, cycle_id, problems).await?;
    Ok(page(status, &template))
}

/// `POST /kpis/{id}/measurements`: a value recorded by hand from the KPI page (its time
/// defaults to now; a day or an RFC 3339 time may be given), or rows pasted as
/// `measured_at,value` lines, all or nothing (the CSV rules of `milepost kpi import`).
/// Owners of the KPI, editors and admins; every problem is shown on the KPI page.
pub async fn record_measurements(
    State(app): State<App>,
    viewer: Viewer,
    Id(id): Id<KpiId>,
    Form(fields): Form,
) -> PageResult {
    use milepost_app::kpi::measurement::{MeasurementSource, NewMeasurement, parse_csv, parse_time};
    let caller = &viewer.caller;
    let mut problems = Problems::default();
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    let rows = fields.text("rows").trim();
    let outcome = if rows.is_empty() {
        let value = fields.number("value", &mut problems);
        if value.is_none() && !problems.has("value") {
            problems.add("value", "give the value measured, or paste rows below");
        }
        let measured_at = match fields.text("measured_at").trim() {
            "" => None,
            text => {
                let at = parse_time(text);
                if at.is_none() {
                    problems.add(
                        "measured_at",
                        format!("{text:?} is not a time: write 2026-11-16 or 2026-11-16T09:00:00Z"),
                    );
                }
                at
            }
        };
        match value {
            Some(value) if problems.is_empty() => app
                .kpis()
                .record(caller, id, NewMeasurement { value, measured_at }, MeasurementSource::Manual)
                .await
                .map(|_| 1),
            _ => Ok(0),
        }
    } else {
        match parse_csv(rows) {
            Ok(parsed) => {
                app.kpis().record_many(caller, id, parsed, MeasurementSource::Manual).await.map(|r| r.written)
            }
            Err(error) => Err(error),
        }
    };
    match outcome {
        Ok(count) if problems.is_empty() => return Ok(see_other(&format!("/kpis/{id}?recorded={count}#record"))),
        Ok(_) => {}
        // Pasted rows: every bad row said at once, at the box.
        Err(AppError::Invalid(errors)) if !rows.is_empty() => {
            problems.add("rows", errors.iter().map(|e| e.detail.as_str()).collect::<Vec<_>>().join("; "));
        }
        Err(error) => {
            status = problems.refused(error, |path| {
                Some(
                    match super::form::head(path) {
                        "value" if rows.is_empty() => "value",
                        "measured_at" if rows.is_empty() => "measured_at",
                        _ if !rows.is_empty() => "rows",
                        _ => "",
                    }
                    .to_owned(),
                )
            })?;
        }
    }
    super::kpi::kpi_page(&app, &viewer, id, super::kpi::RangeQuery::default(), fields, problems, status).await
}

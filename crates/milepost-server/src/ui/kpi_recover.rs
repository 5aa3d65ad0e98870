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

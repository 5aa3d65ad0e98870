//! `/`: the dashboard. My key results and which need a check-in, the company's
//! objectives against pace in the active cycle, the key results at risk, and the
//! health of the KPIs with the lagging ones.

use super::cycle::active_cycle;
use super::view::{KeyResultLine, Names, ObjectiveLine};
use super::{Layout, PageResult, Viewer, page};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use milepost_app::App;
use milepost_app::cycle::CycleView;
use milepost_app::key_result::KeyResultView;
use milepost_core::Status;

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    layout: Layout,
    cycle: Option<CycleView>,
    elapsed: String,
    mine: Vec<KeyResultLine>,
    due: usize,
    company: Vec<ObjectiveLine>,
    at_risk: Vec<KeyResultLine>,
    kpis: super::kpi::KpiSummary,
}

/// `GET /`: the dashboard.
pub async fn show_dashboard(State(app): State<App>, viewer: Viewer) -> PageResult {
    let caller = &viewer.caller;
    let layout = Layout::new(&viewer, "dashboard", "Dashboard");
    let names = Names::load(&app, caller).await?;
    let kpis = super::kpi::summary(&app, &viewer, &names).await?;
    let Some(cycle) = active_cycle(&app, caller).await? else {
        let template = DashboardPage {
            layout,
            cycle: None,
            elapsed: String::new(),
            mine: Vec::new(),
            due: 0,
            company: Vec::new(),
            at_risk: Vec::new(),
            kpis,
        };
        return Ok(page(StatusCode::OK, &template));
    };
    let now = app.now();
    // One evaluation of the cycle serves every list on the page: the objectives and
    // key results the caller may see, as the list calls filtered by cycle find them.
    let objectives = app.list_cycle_objectives(caller, cycle.id).await?;
    let mut key_results: Vec<&KeyResultView> = objectives.iter().flat_map(|o| &o.key_results).collect();
    key_results.sort_by_key(|k| k.id);
    let mut mine: Vec<KeyResultLine> = match caller.person {
        Some(person) => key_results
            .iter()
            .filter(|k| k.owner_person_id == Some(person))
            .map(|k| KeyResultLine::of(k, &names, now))
            .collect(),
        None => Vec::new(),
    };
    mine.sort_by_key(|line| !line.needs_check_in);
    let due = mine.iter().filter(|line| line.needs_check_in).count();
    // The company's objectives are those of the teams at the root of the team tree.
    let roots = names.team_order.iter().filter(|id| names.teams.get(id).is_some_and(|t| t.parent_team_id.is_none()));
    let company = roots
        .flat_map(|team| objectives.iter().filter(move |o| o.owner_team_id == Some(*team)))
        .map(|o| ObjectiveLine::of(o, &names))
        .collect();
    let at_risk = [Status::OffTrack, Status::AtRisk]
        .into_iter()
        .flat_map(|status| key_results.iter().filter(move |k| k.status == status))
        .map(|k| KeyResultLine::of(k, &names, now))
        .collect();
    let template = DashboardPage {
        layout,
        elapsed: super::view::percent(cycle.elapsed),
        cycle: Some(cycle),
        mine,
        due,
        company,
        at_risk,
        kpis,
    };
    Ok(page(StatusCode::OK, &template))
}

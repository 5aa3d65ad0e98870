//! `/`: the dashboard. My key results and which need a check-in, the company's
//! objectives against pace in the active cycle, the key results at risk, and the
//! health of the KPIs with the lagging ones.

use super::cycle::{active_cycle, all_key_results, all_objectives};
use super::view::{KeyResultLine, Names, ObjectiveLine};
use super::{Layout, PageResult, Viewer, page};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use milepost_app::App;
use milepost_app::cycle::CycleView;
use milepost_app::key_result::KeyResultQuery;
use milepost_app::objective::ObjectiveQuery;
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
    let mine = match caller.person {
        Some(person) => {
            let query =
                KeyResultQuery { cycle_id: Some(cycle.id), owner_person_id: Some(person), ..Default::default() };
            all_key_results(&app, caller, query).await?
        }
        None => Vec::new(),
    };
    let mut mine: Vec<KeyResultLine> = mine.iter().map(|k| KeyResultLine::of(k, &names, now)).collect();
    mine.sort_by_key(|line| !line.needs_check_in);
    let due = mine.iter().filter(|line| line.needs_check_in).count();
    // The company's objectives are those of the teams at the root of the team tree.
    let roots: Vec<i64> = names
        .team_order
        .iter()
        .copied()
        .filter(|id| names.teams.get(id).is_some_and(|t| t.parent_team_id.is_none()))
        .collect();
    let mut company = Vec::new();
    for team in roots {
        let query = ObjectiveQuery { cycle_id: Some(cycle.id), team_id: Some(team), ..Default::default() };
        let objectives = all_objectives(&app, caller, query).await?;
        company
            .extend(objectives.iter().filter(|o| o.owner_team_id == Some(team)).map(|o| ObjectiveLine::of(o, &names)));
    }
    let mut at_risk = Vec::new();
    for status in [Status::OffTrack, Status::AtRisk] {
        let query = KeyResultQuery { cycle_id: Some(cycle.id), status: Some(status), ..Default::default() };
        at_risk.extend(all_key_results(&app, caller, query).await?.iter().map(|k| KeyResultLine::of(k, &names, now)));
    }
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

//! `/`: the dashboard. My key results and which need a check-in, the company's
//! objectives against pace in the active cycle, the key results at risk, and the
//! health of the KPIs with the lagging ones. For admins, first, the active cycles whose
//! last day has passed: each asks to be reviewed and closed.

use super::cycle::{active_cycle, all_cycles};
use super::view::{KeyResultLine, Names, ObjectiveLine};
use super::{Layout, PageResult, Viewer, page};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use milepost_app::cycle::CycleView;
use milepost_app::key_result::KeyResultView;
use milepost_app::permission::{Action, allows};
use milepost_app::{App, AppError, Caller};
use milepost_core::{CycleStatus, Status};

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    layout: Layout,
    /// For admins: the active cycles that ended, to review and close.
    to_close: Vec<CycleView>,
    cycle: Option<CycleView>,
    elapsed: String,
    mine: Vec<KeyResultLine>,
    due: usize,
    company: Vec<ObjectiveLine>,
    at_risk: Vec<KeyResultLine>,
    kpis: super::kpi::KpiSummary,
}

/// The active cycles whose last day has passed (in UTC), for an admin to close; none
/// for anyone else, who cannot close them.
async fn cycles_to_close(app: &App, caller: &Caller) -> Result<Vec<CycleView>, AppError> {
    if !allows(caller, Action::Administer) {
        return Ok(Vec::new());
    }
    let today = app.now().to_zoned(jiff::tz::TimeZone::UTC).date();
    let mut ended: Vec<CycleView> = all_cycles(app, caller)
        .await?
        .into_iter()
        .filter(|c| c.status == CycleStatus::Active && !c.archived && c.end_date < today)
        .collect();
    ended.sort_by_key(|c| (c.end_date, c.id));
    Ok(ended)
}

/// `GET /`: the dashboard.
pub async fn show_dashboard(State(app): State<App>, viewer: Viewer) -> PageResult {
    let caller = &viewer.caller;
    let layout = Layout::new(&viewer, "dashboard", "Dashboard");
    let names = Names::load(&app, caller).await?;
    let to_close = cycles_to_close(&app, caller).await?;
    let kpis = super::kpi::summary(&app, &viewer, &names).await?;
    let Some(cycle) = active_cycle(&app, caller).await? else {
        let template = DashboardPage {
            layout,
            to_close,
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
    let objectives = app.objectives().list_in_cycle(caller, cycle.id).await?;
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
        to_close,
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

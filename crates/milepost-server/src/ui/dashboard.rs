//! `/`: the dashboard. My key results and which need a check-in; my team's objectives
//! and its people's against pace in the active cycle; the company's top objectives; the
//! key results at risk in my team and the teams under it (the company's for a person
//! without a team); and the health of the KPIs with the lagging ones. For admins,
//! first, the active cycles whose last day has passed: each asks to be reviewed and
//! closed. Every list but my own key results is capped, says its total and links to a
//! paged list of all of it, so the page stays small however large the company.

use super::cycle::{active_cycle, all_cycles};
use super::lists::{at_risk_key_results, company_objectives, see_all, team_objectives};
use super::team_tree::TeamTree;
use super::view::{KeyResultLine, Names, ObjectiveLine};
use super::{Layout, PageResult, Viewer, page};
use crate::extract::Query;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use milepost_app::as_of::AsOfQuery;
use milepost_app::cycle::CycleView;
use milepost_app::key_result::KeyResultView;
use milepost_app::permission::{Action, allows};
use milepost_app::{App, AppError, Caller};
use milepost_core::CycleStatus;

/// How many of the company's objectives the dashboard shows.
const COMPANY_CAP: usize = 10;
/// How many of my team's objectives the dashboard shows.
const TEAM_CAP: usize = 20;
/// How many key results at risk the dashboard shows.
const AT_RISK_CAP: usize = 20;

/// A capped list: the first lines, how many there are in all, and where to see them all.
struct Capped<T> {
    lines: Vec<T>,
    total: usize,
    see_all: String,
}

impl<T> Capped<T> {
    fn empty() -> Capped<T> {
        Capped { lines: Vec::new(), total: 0, see_all: String::new() }
    }

    fn of<S>(items: &[S], cap: usize, see_all: String, line: impl Fn(&S) -> T) -> Capped<T> {
        Capped { lines: items.iter().take(cap).map(line).collect(), total: items.len(), see_all }
    }

    /// Whether some are left out.
    fn capped(&self) -> bool {
        self.total > self.lines.len()
    }
}

/// My team, as the dashboard shows it.
struct MyTeam {
    id: i64,
    name: String,
}

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
    /// The team of the person logged in, if they have one.
    team: Option<MyTeam>,
    /// My team's objectives and its people's.
    team_objectives: Capped<ObjectiveLine>,
    company: Capped<ObjectiveLine>,
    /// The key results at risk in my team and the teams under it, or the company's.
    at_risk: Capped<KeyResultLine>,
    /// The company's whole list of key results at risk, behind a link.
    company_at_risk: String,
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
/// With `?as_of=` (a date or an instant), the dashboard as it stood then, under a
/// banner saying so.
pub async fn show_dashboard(State(app): State<App>, viewer: Viewer, Query(query): Query<AsOfQuery>) -> PageResult {
    let caller = &viewer.caller;
    let (as_of, time) = super::as_of::read(&app, &viewer, &query, "/").await?;
    let mut layout = Layout::new(&viewer, "dashboard", "Dashboard");
    layout.time = Some(time);
    let names = Names::load(&app, caller).await?;
    let tree = TeamTree::of(&names);
    let to_close = if as_of.is_some() { Vec::new() } else { cycles_to_close(&app, caller).await? };
    let kpis = super::kpi::summary(&app, &viewer, &names, as_of).await?;
    let team = caller
        .person
        .and_then(|person| names.people.get(&person))
        .and_then(|p| p.team_id)
        .filter(|team| tree.contains(*team))
        .map(|id| MyTeam { id, name: names.team(id) });
    let Some(cycle) = active_cycle(&app, caller).await? else {
        let template = DashboardPage {
            layout,
            to_close,
            cycle: None,
            elapsed: String::new(),
            mine: Vec::new(),
            due: 0,
            team,
            team_objectives: Capped::empty(),
            company: Capped::empty(),
            at_risk: Capped::empty(),
            company_at_risk: String::new(),
            kpis,
        };
        return Ok(page(StatusCode::OK, &template));
    };
    let now = as_of.map_or_else(|| app.now(), |a| a.at());
    // One evaluation of the cycle serves every list on the page: the objectives and
    // key results the caller may see, as the list calls filtered by cycle find them.
    let objectives = app.objectives().list_in_cycle_as_of(caller, cycle.id, as_of).await?;
    let mut mine: Vec<KeyResultLine> = match caller.person {
        Some(person) => {
            let mut key_results: Vec<&KeyResultView> =
                objectives.iter().flat_map(|o| &o.key_results).filter(|k| k.owner_person_id == Some(person)).collect();
            key_results.sort_by_key(|k| k.id);
            key_results.iter().map(|k| KeyResultLine::of(k, &names, now)).collect()
        }
        None => Vec::new(),
    };
    mine.sort_by_key(|line| !line.needs_check_in);
    let due = mine.iter().filter(|line| line.needs_check_in).count();
    let team_objectives = match &team {
        Some(team) => Capped::of(
            &team_objectives(&objectives, team.id, &names),
            TEAM_CAP,
            see_all("/objectives", &cycle, Some(team.id)),
            |o| ObjectiveLine::of(o, &names),
        ),
        None => Capped::empty(),
    };
    let company =
        Capped::of(&company_objectives(&objectives, &tree), COMPANY_CAP, see_all("/objectives", &cycle, None), |o| {
            ObjectiveLine::of(o, &names)
        });
    let teams = team.as_ref().map(|team| tree.subtree(team.id));
    let at_risk = Capped::of(
        &at_risk_key_results(&objectives, teams.as_ref(), &names),
        AT_RISK_CAP,
        see_all("/key-results/at-risk", &cycle, team.as_ref().map(|t| t.id)),
        |k| KeyResultLine::of(k, &names, now),
    );
    let company_at_risk = see_all("/key-results/at-risk", &cycle, None);
    let template = DashboardPage {
        layout,
        to_close,
        elapsed: super::view::percent(cycle.elapsed),
        cycle: Some(cycle),
        mine,
        due,
        team,
        team_objectives,
        company,
        company_at_risk,
        at_risk,
        kpis,
    };
    Ok(page(StatusCode::OK, &template))
}

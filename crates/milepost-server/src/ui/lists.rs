//! The lists the dashboard caps and their "see all" pages, paged: the company's
//! objectives (`/objectives`), a team's and its people's objectives
//! (`/objectives?team_id=…`), and the key results at risk or off track, worst first
//! (`/key-results/at-risk`, of the company or of a team and the teams under it). Every
//! list is a selection of what `list_in_cycle` gives the caller, so each shows exactly
//! what the caller may see.

use super::cycle::active_cycle;
use super::paging::{PER_PAGE, Pager, query};
use super::team_tree::{TeamTree, key_result_in, team_of};
use super::view::{KeyResultLine, Names, ObjectiveLine};
use super::{Layout, PageResult, Viewer, page};
use crate::extract::Query;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use milepost_app::cycle::CycleView;
use milepost_app::key_result::KeyResultView;
use milepost_app::objective::ObjectiveView;
use milepost_app::{App, AppError, Caller};
use milepost_core::{CycleId, Status};
use std::collections::HashSet;
use std::sync::Arc;

/// The objectives of the company: those of the teams at the root of the tree, root by
/// root in id order.
pub fn company_objectives<'a>(objectives: &'a [Arc<ObjectiveView>], tree: &TeamTree) -> Vec<&'a ObjectiveView> {
    tree.roots()
        .iter()
        .flat_map(|team| objectives.iter().map(Arc::as_ref).filter(move |o| o.owner_team_id == Some(*team)))
        .collect()
}

/// The objectives of `team`: those it owns, then those of its people (by name, then id).
pub fn team_objectives<'a>(objectives: &'a [Arc<ObjectiveView>], team: i64, names: &Names) -> Vec<&'a ObjectiveView> {
    let mut owned: Vec<&ObjectiveView> =
        objectives.iter().map(Arc::as_ref).filter(|o| o.owner_team_id == Some(team)).collect();
    let mut people: Vec<&ObjectiveView> = objectives
        .iter()
        .map(Arc::as_ref)
        .filter(|o| o.owner_team_id.is_none() && team_of(o, names) == Some(team))
        .collect();
    people.sort_by(|a, b| {
        let name = |o: &ObjectiveView| names.person(o.owner_person_id);
        name(a).cmp(&name(b)).then(a.id.get().cmp(&b.id.get()))
    });
    owned.extend(people);
    owned
}

/// The key results at risk, off track or stale (a missed check-in: nobody knows how it
/// stands), worst first: off track, then stale, then at risk, each the furthest behind
/// its pace first, then by id. In `teams` only, when given.
pub fn at_risk_key_results<'a>(
    objectives: &'a [Arc<ObjectiveView>],
    teams: Option<&HashSet<i64>>,
    names: &Names,
) -> Vec<&'a KeyResultView> {
    let mut out: Vec<&KeyResultView> = objectives
        .iter()
        .flat_map(|o| o.key_results.iter().map(move |k| (o, k)))
        .filter(|(_, k)| matches!(k.status, Status::OffTrack | Status::AtRisk | Status::Stale))
        .filter(|(o, k)| teams.is_none_or(|teams| key_result_in(k, o, teams, names)))
        .map(|(_, k)| k)
        .collect();
    out.sort_by(|a, b| {
        let behind = |k: &KeyResultView| k.expected_progress - k.progress;
        let rank = |k: &KeyResultView| match k.status {
            Status::OffTrack => 0,
            Status::Stale => 1,
            _ => 2,
        };
        rank(a).cmp(&rank(b)).then(behind(b).total_cmp(&behind(a))).then(a.id.get().cmp(&b.id.get()))
    });
    out
}

/// What the list pages take: the cycle (default: the active one), the team (default:
/// the company) and the page.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ListQuery {
    /// The cycle.
    #[serde(default, deserialize_with = "super::form::empty_as_none")]
    pub cycle_id: Option<i64>,
    /// The team.
    #[serde(default, deserialize_with = "super::form::empty_as_none")]
    pub team_id: Option<i64>,
    /// The page, from 1.
    #[serde(default, deserialize_with = "super::form::empty_as_none")]
    pub page: Option<u32>,
}

/// What a list page starts from: the cycle, its objectives, the names and the tree.
struct Listing {
    cycle: Option<CycleView>,
    objectives: Vec<Arc<ObjectiveView>>,
    names: Names,
    tree: TeamTree,
}

async fn listing(app: &App, caller: &Caller, query: &ListQuery) -> Result<Listing, AppError> {
    let names = Names::load(app, caller).await?;
    let tree = TeamTree::of(&names);
    if let Some(team) = query.team_id.filter(|t| !tree.contains(*t)) {
        return Err(AppError::NotFound { what: "team", id: team.to_string() });
    }
    let cycle = match query.cycle_id {
        Some(id) => Some(app.cycles().get(caller, CycleId(id)).await?),
        None => active_cycle(app, caller).await?,
    };
    let objectives = match &cycle {
        Some(cycle) => app.objectives().list_in_cycle_shared(caller, cycle.id).await?,
        None => Vec::new(),
    };
    Ok(Listing { cycle, objectives, names, tree })
}

/// The address of page `n` of the list at `path` with `query`'s cycle and team.
fn page_link(path: &str, query: &ListQuery, cycle: Option<&CycleView>, n: usize) -> String {
    let cycle = cycle.map(|c| c.id.to_string()).unwrap_or_default();
    let team = query.team_id.map(|t| t.to_string()).unwrap_or_default();
    format!("{path}{}", super::paging::query(&[("cycle_id", cycle), ("team_id", team), ("page", n.to_string())]))
}

#[derive(Template)]
#[template(path = "objective_list.html")]
struct ObjectiveListPage {
    layout: Layout,
    heading: String,
    cycle: Option<CycleView>,
    objectives: Vec<ObjectiveLine>,
    pager: Pager,
}

/// `GET /objectives`: the company's objectives in a cycle, or (`?team_id=`) a team's
/// and its people's, a page at a time.
pub async fn show_objectives(State(app): State<App>, viewer: Viewer, Query(query): Query<ListQuery>) -> PageResult {
    let Listing { cycle, objectives, names, tree } = listing(&app, &viewer.caller, &query).await?;
    let (selected, heading) = match query.team_id {
        Some(team) => (team_objectives(&objectives, team, &names), format!("Objectives of {}", names.team(team))),
        None => (company_objectives(&objectives, &tree), "Company objectives".to_owned()),
    };
    let pager =
        Pager::new(selected.len(), query.page, PER_PAGE, |n| page_link("/objectives", &query, cycle.as_ref(), n));
    let lines = selected[pager.range()].iter().map(|o| ObjectiveLine::of(o, &names)).collect();
    let template = ObjectiveListPage {
        layout: Layout::new(&viewer, "dashboard", heading.clone()),
        heading,
        cycle,
        objectives: lines,
        pager,
    };
    Ok(page(StatusCode::OK, &template))
}

#[derive(Template)]
#[template(path = "key_result_list.html")]
struct KeyResultListPage {
    layout: Layout,
    heading: String,
    cycle: Option<CycleView>,
    key_results: Vec<KeyResultLine>,
    pager: Pager,
}

/// `GET /key-results/at-risk`: the key results at risk or off track in a cycle, worst
/// first, of the company or (`?team_id=`) of a team and the teams under it, a page at a
/// time.
pub async fn show_at_risk_key_results(
    State(app): State<App>,
    viewer: Viewer,
    Query(query): Query<ListQuery>,
) -> PageResult {
    let Listing { cycle, objectives, names, tree } = listing(&app, &viewer.caller, &query).await?;
    let teams = query.team_id.map(|team| tree.subtree(team));
    let selected = at_risk_key_results(&objectives, teams.as_ref(), &names);
    let heading = match query.team_id {
        Some(team) => format!("Key results at risk in {} and the teams under it", names.team(team)),
        None => "Key results at risk in the company".to_owned(),
    };
    let pager = Pager::new(selected.len(), query.page, PER_PAGE, |n| {
        page_link("/key-results/at-risk", &query, cycle.as_ref(), n)
    });
    let now = app.now();
    let lines = selected[pager.range()].iter().map(|k| KeyResultLine::of(k, &names, now)).collect();
    let template = KeyResultListPage {
        layout: Layout::new(&viewer, "dashboard", heading.clone()),
        heading,
        cycle,
        key_results: lines,
        pager,
    };
    Ok(page(StatusCode::OK, &template))
}

/// The address of a "see all" list in `cycle`, for `team` when given.
pub fn see_all(path: &str, cycle: &CycleView, team: Option<i64>) -> String {
    let team = team.map(|t| t.to_string()).unwrap_or_default();
    format!("{path}{}", query(&[("cycle_id", cycle.id.to_string()), ("team_id", team)]))
}

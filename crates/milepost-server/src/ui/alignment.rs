//! `/alignment`: the alignment tree of a cycle, opened level by level. The first view
//! lists the teams at the root, each with a doughnut of the mean progress of its whole
//! subtree's objectives and how many are in each status; a team opens (a `<details>`
//! that fetches `/alignment/teams/{id}` with htmx, or without JavaScript a link to
//! `/alignment?team_id=…`) to its own objectives, its people's and the teams right
//! under it, each of those closed in turn. So a page never holds more than one level,
//! however many teams the company has. Filterable by team and by status with a plain GET
//! form, so the URL of a view can be shared. The rollups of every team come from one
//! pass over the cycle's objectives ([`TeamTree::rollups`]).

use super::cycle::{active_cycle, all_cycles};
use super::paging::query;
use super::team_tree::{Rollup, TeamTree};
use super::view::{Badge, Names, ObjectiveLine, doughnut};
use super::{Layout, PageResult, Viewer, page, see_other};
use crate::extract::{Id, Query};
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use milepost_app::cycle::CycleView;
use milepost_app::objective::ObjectiveView;
use milepost_app::{App, AppError, Caller};
use milepost_core::{CycleId, Named, Status, TeamId};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// A team, closed: its name, its subtree's rollup, and where it opens.
struct TeamNode {
    name: String,
    /// The doughnut of its subtree's mean progress.
    doughnut: String,
    /// "12 objectives, 5 on track or done".
    summary: String,
    /// How many of its subtree's objectives are in each status.
    counts: Vec<(Badge, usize)>,
    /// Its subtree's status: mean progress against pace.
    badge: Badge,
    /// "progress 45%, pace 52%: 7 points behind".
    pace: String,
    /// How far behind pace, for sorting (ahead is negative; nothing measured sorts last).
    behind: f64,
    /// The page of the tree opened at it, for a browser without JavaScript.
    link: String,
    /// The fragment of its level, fetched when it opens.
    fragment: String,
}

/// A person of an opened team, with the objectives they own.
struct PersonNode {
    name: String,
    doughnut: String,
    summary: String,
    objectives: Vec<ObjectiveLine>,
}

/// What an opened team shows: its own objectives, its people's, and the teams right
/// under it (closed).
struct TeamBody {
    name: String,
    objectives: Vec<ObjectiveLine>,
    people: Vec<PersonNode>,
    children: Vec<TeamNode>,
    /// Whether a status filter is on, for the sentence of an empty team.
    filtered: bool,
}

/// A team above the one opened, for the breadcrumb.
struct Crumb {
    name: String,
    link: String,
}

/// A choice of a filter.
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "alignment.html")]
struct AlignmentPage {
    layout: Layout,
    cycle_name: String,
    /// The teams above the opened one, the root first; empty at the root.
    crumbs: Vec<Crumb>,
    /// The teams listed closed: the roots (when no team is opened).
    roots: Vec<TeamNode>,
    /// The team opened by the team filter: its node and what it shows.
    opened: Option<(TeamNode, TeamBody)>,
    /// "the company" or the opened team's name.
    scope: String,
    /// The view of every team, with the same cycle and status.
    root_link: String,
    cycles: Vec<Choice>,
    teams: Vec<Choice>,
    statuses: Vec<Choice>,
    /// Whether the teams are ordered furthest behind pace first.
    sort_behind: bool,
    /// How many objectives the subtrees of the teams shown hold.
    shown: usize,
}

#[derive(Template)]
#[template(path = "alignment_team.html")]
struct AlignmentTeamFragment {
    body: TeamBody,
}

/// The filters of the tree.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct AlignmentQuery {
    /// The cycle (default: the active one).
    #[serde(default, deserialize_with = "super::form::empty_as_none")]
    pub cycle_id: Option<i64>,
    /// Only this team and the teams and people under it.
    #[serde(default, deserialize_with = "super::form::empty_as_none")]
    pub team_id: Option<i64>,
    /// Only objectives in this status.
    #[serde(default, deserialize_with = "super::form::empty_as_none_named")]
    pub status: Option<Status>,
    /// `behind`: teams furthest behind pace first; otherwise in the tree's order.
    #[serde(default, deserialize_with = "super::form::empty_as_none")]
    pub sort: Option<TeamSort>,
}

/// How the teams of a level are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TeamSort {
    /// The furthest behind pace first.
    Behind,
}

impl std::str::FromStr for TeamSort {
    type Err = String;
    fn from_str(text: &str) -> Result<TeamSort, String> {
        match text {
            "behind" => Ok(TeamSort::Behind),
            other => Err(format!("unknown sort {other:?}: expected behind")),
        }
    }
}

/// A rollup's progress against its pace in words.
fn pace_words(rollup: &Rollup) -> String {
    match (rollup.mean(), rollup.pace(), rollup.behind()) {
        (Some(mean), Some(pace), Some(behind)) => {
            let points = (behind * 100.0).round();
            let gap = if points >= 1.0 {
                format!("{points:.0} points behind")
            } else if points <= -1.0 {
                format!("{:.0} points ahead", -points)
            } else {
                "on pace".to_owned()
            };
            format!("progress {}, pace {}: {gap}", super::view::percent(mean), super::view::percent(pace))
        }
        _ => "nothing measured yet".to_owned(),
    }
}

/// The words of a rollup: "12 objectives, 5 on track or done".
fn summary(rollup: &Rollup) -> String {
    format!("{} objectives, {} on track or done", rollup.objectives, rollup.on_track_or_done())
}

/// What every view of the tree starts from: the cycle, its objectives (the status
/// filter applied), the names, the tree and every team's rollup.
struct Tree {
    cycle: Option<CycleView>,
    objectives: Vec<Arc<ObjectiveView>>,
    names: Names,
    tree: TeamTree,
    rollups: HashMap<i64, Rollup>,
    query: AlignmentQuery,
}

impl Tree {
    async fn load(app: &App, caller: &Caller, query: AlignmentQuery) -> Result<Tree, AppError> {
        let names = Names::load(app, caller).await?;
        let tree = TeamTree::of(&names);
        let cycle = match query.cycle_id {
            Some(id) => Some(app.cycles().get(caller, CycleId(id)).await?),
            None => active_cycle(app, caller).await?,
        };
        let mut objectives = match &cycle {
            // One evaluation of the cycle for the whole view, not one per page of 500.
            Some(cycle) => app.objectives().list_in_cycle_shared(caller, cycle.id).await?,
            None => Vec::new(),
        };
        objectives.retain(|o| query.status.is_none_or(|s| s == o.status));
        let rollups = tree.rollups(objectives.iter().map(Arc::as_ref), &names);
        Ok(Tree { cycle, objectives, names, tree, rollups, query })
    }

    /// The query string of a view of this cycle and status, opened at `team`.
    fn query_for(&self, team: Option<i64>) -> String {
        query(&[
            ("cycle_id", self.cycle.as_ref().map(|c| c.id.to_string()).unwrap_or_default()),
            ("team_id", team.map(|t| t.to_string()).unwrap_or_default()),
            ("status", self.query.status.map(|s| s.as_str().to_owned()).unwrap_or_default()),
            ("sort", self.sort_param()),
        ])
    }

    fn sort_param(&self) -> String {
        match self.query.sort {
            Some(TeamSort::Behind) => "behind".to_owned(),
            None => String::new(),
        }
    }

    /// `teams` closed, in the order the view asks for.
    fn nodes(&self, teams: &[i64]) -> Vec<TeamNode> {
        let mut nodes: Vec<TeamNode> = teams.iter().map(|t| self.node(*t)).collect();
        if self.query.sort == Some(TeamSort::Behind) {
            nodes.sort_by(|a, b| b.behind.total_cmp(&a.behind));
        }
        nodes
    }

    /// The rollup of `team`'s subtree; for a team outside the tree (archived), of what
    /// it shows itself.
    fn rollup(&self, team: i64) -> Rollup {
        match self.rollups.get(&team) {
            Some(rollup) => rollup.clone(),
            None if self.tree.contains(team) => Rollup::default(),
            None => Rollup::of(
                self.objectives
                    .iter()
                    .map(Arc::as_ref)
                    .filter(|o| super::team_tree::team_of(o, &self.names) == Some(team)),
            ),
        }
    }

    /// `team`, closed.
    fn node(&self, team: i64) -> TeamNode {
        let rollup = self.rollup(team);
        let fragment_query = query(&[
            ("cycle_id", self.cycle.as_ref().map(|c| c.id.to_string()).unwrap_or_default()),
            ("status", self.query.status.map(|s| s.as_str().to_owned()).unwrap_or_default()),
            ("sort", self.sort_param()),
        ]);
        TeamNode {
            name: self.names.team(team),
            doughnut: doughnut(rollup.mean()),
            summary: summary(&rollup),
            counts: rollup.status_counts(),
            badge: super::view::badge(rollup.status()),
            pace: pace_words(&rollup),
            behind: rollup.behind().unwrap_or(f64::NEG_INFINITY),
            link: format!("/alignment{}", self.query_for(Some(team))),
            fragment: format!("/alignment/teams/{team}{fragment_query}"),
        }
    }

    /// What `team` shows opened: one pass over the cycle's objectives for its own and
    /// its people's, and its child teams closed.
    fn body(&self, team: i64) -> TeamBody {
        let names = &self.names;
        let mut own = Vec::new();
        let mut by_person: HashMap<i64, Vec<&ObjectiveView>> = HashMap::new();
        for objective in &self.objectives {
            match (objective.owner_team_id, objective.owner_person_id) {
                (Some(owner), _) if owner == team => own.push(ObjectiveLine::of(objective, names)),
                (None, Some(person))
                    if names.people.get(&person).is_some_and(|p| p.team_id == Some(team) && !p.archived) =>
                {
                    by_person.entry(person).or_default().push(objective);
                }
                _ => {}
            }
        }
        let mut people: Vec<(String, i64, Vec<&ObjectiveView>)> =
            by_person.into_iter().map(|(person, owned)| (names.person(Some(person)), person, owned)).collect();
        people.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
        let people = people
            .into_iter()
            .map(|(name, _, owned)| {
                let rollup = Rollup::of(owned.iter().copied());
                PersonNode {
                    name,
                    doughnut: doughnut(rollup.mean()),
                    summary: summary(&rollup),
                    objectives: owned.iter().map(|o| ObjectiveLine::of(o, names)).collect(),
                }
            })
            .collect();
        TeamBody {
            name: names.team(team),
            objectives: own,
            people,
            children: self.nodes(self.tree.children(team)),
            filtered: self.query.status.is_some(),
        }
    }
}

/// Up to this many teams, the team filter offers every team; past it, only the teams
/// around the view, so that a company of 1,500 teams does not send 1,500 choices.
const EVERY_TEAM_OFFERED: usize = 100;

/// The teams the team filter offers, `None` for every team: in a large company, the
/// roots, the opened team with the teams above and right under it, and the viewer's
/// own team with the teams above it. Every other team is a few levels' opening away.
fn offered_teams(view: &Tree, opened: Option<i64>, person: Option<i64>) -> Option<HashSet<i64>> {
    if view.names.teams.len() <= EVERY_TEAM_OFFERED {
        return None;
    }
    let mut offered: HashSet<i64> = view.tree.roots().iter().copied().collect();
    let own = person.and_then(|p| view.names.people.get(&p)).and_then(|p| p.team_id);
    for team in opened.into_iter().chain(own) {
        offered.insert(team);
        offered.extend(view.tree.ancestors(team));
    }
    if let Some(team) = opened {
        offered.extend(view.tree.children(team));
    }
    Some(offered)
}

/// `GET /alignment`: the teams at the root, or (`?team_id=`) one team opened.
pub async fn show_alignment(State(app): State<App>, viewer: Viewer, Query(query): Query<AlignmentQuery>) -> PageResult {
    let caller = &viewer.caller;
    let cycles = all_cycles(&app, caller).await?;
    let team_id = query.team_id;
    let status = query.status;
    let view = Tree::load(&app, caller, query).await?;
    let names = &view.names;
    let (crumbs, roots, opened, scope, shown) = match team_id {
        Some(team) if names.teams.contains_key(&team) => {
            let crumbs = view
                .tree
                .ancestors(team)
                .into_iter()
                .map(|a| Crumb { name: names.team(a), link: format!("/alignment{}", view.query_for(Some(a))) })
                .collect();
            let shown = view.rollup(team).objectives;
            (crumbs, Vec::new(), Some((view.node(team), view.body(team))), names.team(team), shown)
        }
        Some(team) => return Err(AppError::NotFound { what: "team", id: team.to_string() }.into()),
        None => {
            let roots: Vec<TeamNode> = view.nodes(view.tree.roots());
            let shown = view.tree.roots().iter().map(|t| view.rollup(*t).objectives).sum();
            (Vec::new(), roots, None, "the company".to_owned(), shown)
        }
    };
    let selected_cycle = view.cycle.as_ref().map(|c| c.id.to_string()).unwrap_or_default();
    let mut team_choices =
        vec![Choice { value: String::new(), label: "Every team".to_owned(), selected: team_id.is_none() }];
    let offered = offered_teams(&view, team_id, viewer.caller.person);
    team_choices.extend(
        names
            .team_order
            .iter()
            .filter_map(|id| names.teams.get(id))
            .filter(|t| !t.archived && offered.as_ref().is_none_or(|o| o.contains(&t.id.get())))
            .map(|t| Choice { value: t.id.to_string(), label: t.name.clone(), selected: team_id == Some(t.id.get()) }),
    );
    let mut statuses =
        vec![Choice { value: String::new(), label: "Any status".to_owned(), selected: status.is_none() }];
    statuses.extend(Status::ALL.iter().map(|s| Choice {
        value: s.as_str().to_owned(),
        label: super::view::badge(*s).word.to_owned(),
        selected: status == Some(*s),
    }));
    let template = AlignmentPage {
        layout: Layout::new(&viewer, "alignment", "Alignment"),
        cycle_name: view.cycle.as_ref().map(|c| c.name.clone()).unwrap_or_default(),
        crumbs,
        roots,
        opened,
        scope,
        root_link: format!("/alignment{}", view.query_for(None)),
        cycles: cycles
            .iter()
            .map(|c| Choice {
                value: c.id.to_string(),
                label: c.name.clone(),
                selected: c.id.to_string() == selected_cycle,
            })
            .collect(),
        teams: team_choices,
        statuses,
        sort_behind: view.query.sort == Some(TeamSort::Behind),
        shown,
    };
    Ok(page(StatusCode::OK, &template))
}

/// `GET /alignment/teams/{id}`: what a team of the tree shows opened, as a fragment for
/// htmx to put inside its node. A request that is not htmx's (a link followed, a
/// bookmark) is sent to the page of the tree opened at the team.
pub async fn show_alignment_team(
    State(app): State<App>,
    viewer: Viewer,
    Id(team): Id<TeamId>,
    headers: HeaderMap,
    Query(query): Query<AlignmentQuery>,
) -> PageResult {
    let team = team.get();
    let view = Tree::load(&app, &viewer.caller, AlignmentQuery { team_id: None, ..query }).await?;
    if !view.names.teams.contains_key(&team) {
        return Err(AppError::NotFound { what: "team", id: team.to_string() }.into());
    }
    if !headers.contains_key("hx-request") {
        return Ok(see_other(&format!("/alignment{}", view.query_for(Some(team)))));
    }
    Ok(page(StatusCode::OK, &AlignmentTeamFragment { body: view.body(team) }))
}

//! `/alignment`: the alignment tree of a cycle. Company → teams → people, each node a
//! collapsible `<details>` with a doughnut of the mean progress of the objectives it
//! owns, and those objectives with their bars; filterable by team and by status with a
//! plain GET form, so the URL of a view can be shared.

use super::cycle::{active_cycle, all_cycles};
use super::view::{Names, ObjectiveLine, doughnut};
use super::{Layout, PageResult, Viewer, page};
use crate::extract::Query;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use milepost_app::App;
use milepost_app::objective::ObjectiveView;
use milepost_core::CycleId;
use milepost_core::{Named, Status};
use std::collections::HashMap;

/// One step of walking the tree: open a node (a team or a person), or close one.
enum Step {
    Open { name: String, kind: &'static str, doughnut: String, summary: String, objectives: Vec<ObjectiveLine> },
    Close,
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
    steps: Vec<Step>,
    cycles: Vec<Choice>,
    teams: Vec<Choice>,
    statuses: Vec<Choice>,
    shown: usize,
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
}

/// The node for a set of objectives: a doughnut of their mean progress (as the app
/// computed each; unweighted, for the eye only) and a summary in words.
fn node(name: String, kind: &'static str, objectives: &[&ObjectiveView], names: &Names) -> Step {
    let measured: Vec<f64> = objectives.iter().filter_map(|o| o.progress).collect();
    let mean = (!measured.is_empty()).then(|| measured.iter().sum::<f64>() / measured.len() as f64);
    let on_track = objectives.iter().filter(|o| matches!(o.status, Status::OnTrack | Status::Done)).count();
    Step::Open {
        name,
        kind,
        doughnut: doughnut(mean),
        summary: format!("{} objectives, {on_track} on track or done", objectives.len()),
        objectives: objectives.iter().map(|o| ObjectiveLine::of(o, names)).collect(),
    }
}

/// `GET /alignment`: the tree.
pub async fn show_alignment(State(app): State<App>, viewer: Viewer, Query(query): Query<AlignmentQuery>) -> PageResult {
    let caller = &viewer.caller;
    let names = Names::load(&app, caller).await?;
    let cycles = all_cycles(&app, caller).await?;
    let cycle = match query.cycle_id {
        Some(id) => Some(app.cycles().get(caller, CycleId(id)).await?),
        None => active_cycle(&app, caller).await?,
    };
    let objectives = match &cycle {
        // One evaluation of the cycle for the whole tree, not one per page of 500.
        Some(cycle) => app.objectives().list_in_cycle(caller, cycle.id).await?,
        None => Vec::new(),
    };
    let objectives: Vec<&ObjectiveView> =
        objectives.iter().filter(|o| query.status.is_none_or(|s| s == o.status)).collect();
    let mut children: HashMap<Option<i64>, Vec<i64>> = HashMap::new();
    for id in names.team_order.iter() {
        if let Some(team) = names.teams.get(id).filter(|t| !t.archived) {
            children.entry(team.parent_team_id).or_default().push(*id);
        }
    }
    let roots = match query.team_id {
        Some(team) if names.teams.contains_key(&team) => vec![team],
        Some(team) => return Err(milepost_app::AppError::NotFound { what: "team", id: team.to_string() }.into()),
        None => children.get(&None).cloned().unwrap_or_default(),
    };
    let mut steps = Vec::new();
    let mut shown = 0;
    // Depth first, with an explicit stack: (team, whether it is being closed).
    let mut stack: Vec<(i64, bool)> = roots.iter().rev().map(|t| (*t, false)).collect();
    while let Some((team, closing)) = stack.pop() {
        if closing {
            steps.push(Step::Close);
            continue;
        }
        let owned: Vec<&ObjectiveView> = objectives.iter().copied().filter(|o| o.owner_team_id == Some(team)).collect();
        shown += owned.len();
        steps.push(node(names.team(team), "team", &owned, &names));
        let mut people: Vec<_> = names.people.values().filter(|p| p.team_id == Some(team) && !p.archived).collect();
        people.sort_by(|a, b| a.name.cmp(&b.name));
        for person in people {
            let owned: Vec<&ObjectiveView> =
                objectives.iter().copied().filter(|o| o.owner_person_id == Some(person.id.get())).collect();
            if owned.is_empty() {
                continue;
            }
            shown += owned.len();
            steps.push(node(person.name.clone(), "person", &owned, &names));
            steps.push(Step::Close);
        }
        stack.push((team, true));
        for child in children.get(&Some(team)).into_iter().flatten().rev() {
            stack.push((*child, false));
        }
    }
    let selected_cycle = cycle.as_ref().map(|c| c.id.to_string()).unwrap_or_default();
    let mut team_choices =
        vec![Choice { value: String::new(), label: "Every team".to_owned(), selected: query.team_id.is_none() }];
    team_choices.extend(names.team_order.iter().filter_map(|id| names.teams.get(id)).filter(|t| !t.archived).map(
        |t| Choice { value: t.id.to_string(), label: t.name.clone(), selected: query.team_id == Some(t.id.get()) },
    ));
    let mut statuses =
        vec![Choice { value: String::new(), label: "Any status".to_owned(), selected: query.status.is_none() }];
    statuses.extend(Status::ALL.iter().map(|s| Choice {
        value: s.as_str().to_owned(),
        label: super::view::badge(*s).word.to_owned(),
        selected: query.status == Some(*s),
    }));
    let template = AlignmentPage {
        layout: Layout::new(&viewer, "alignment", "Alignment"),
        cycle_name: cycle.as_ref().map(|c| c.name.clone()).unwrap_or_default(),
        steps,
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
        shown,
    };
    Ok(page(StatusCode::OK, &template))
}

//! `/cycles/{id}/carry`: carrying a closed cycle's unfinished objectives over. The form
//! shows the carry's preview (`app.carries().preview`): the objectives grouped by team,
//! each checked, with its key results (those below full progress checked), the start
//! each copy would take and how it would align; where the alignment must be asked, a
//! choice of parent among the target cycle's objectives. Posting it carries what is
//! checked (`app.carries().carry`) and comes back to the page, which then lists the
//! copies with links to them.

use super::cycle::all_cycles;
use super::form::{Fields, Form, Problems};
use super::view::{Names, percent};
use super::{Layout, PageResult, Viewer, page, see_other};
use crate::extract::{Id, Query};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use milepost_app::carry::{AlignedBy, CarriedObjective, CarryOutcome, CarryOverride, CarryRequest, CarryScope};
use milepost_app::cycle::CycleView;
use milepost_app::{App, Caller, Path};
use milepost_core::{CycleId, CycleStatus};
use std::collections::BTreeMap;

/// The page's query: the cycle to carry into, and how many were just carried.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct CarryPageQuery {
    /// The target cycle (default: the next one by start date).
    #[serde(default, deserialize_with = "super::form::empty_as_none")]
    pub target_cycle_id: Option<i64>,
    /// How many objectives the last post carried.
    #[serde(default, deserialize_with = "super::form::empty_as_none")]
    pub carried: Option<usize>,
}

/// A key result line of the form.
struct KeyResultRow {
    id: i64,
    title: String,
    progress: String,
    start: String,
    checked: bool,
    copy: Option<i64>,
}

/// An objective of the form.
struct ObjectiveRow {
    id: i64,
    title: String,
    owner: String,
    score: String,
    checked: bool,
    /// Its copy, once carried.
    copy: Option<i64>,
    key_results: Vec<KeyResultRow>,
    skipped: Vec<String>,
    /// How its copy aligns, in words.
    aligned: String,
    /// Whether a parent must be chosen.
    asks: bool,
    parent: Option<i64>,
}

/// The objectives of one team.
struct Group {
    team: String,
    objectives: Vec<ObjectiveRow>,
}

#[derive(Template)]
#[template(path = "carry.html")]
struct CarryPage {
    layout: Layout,
    cycle: CycleView,
    /// The cycles it may be carried into: (id, name, chosen).
    targets: Vec<(i64, String, bool)>,
    target: i64,
    target_name: String,
    groups: Vec<Group>,
    /// The target cycle's objectives a copy may align to: (id, title).
    parents: Vec<(i64, String)>,
    /// How many objectives are still to carry (not carried yet).
    open: usize,
    carried: Option<usize>,
    problems: Problems,
}

/// `GET /cycles/{id}/carry`: the form.
pub async fn show_carry(
    State(app): State<App>,
    viewer: Viewer,
    Id(id): Id<CycleId>,
    Query(query): Query<CarryPageQuery>,
) -> PageResult {
    let request = CarryRequest {
        target_cycle_id: query.target_cycle_id,
        scope: CarryScope::AllUnfinished,
        overrides: Vec::new(),
    };
    let preview = app.carries().preview(&viewer.caller, id, request).await?;
    let template = form(&app, &viewer, id, preview, None, query.carried, Problems::default()).await?;
    Ok(page(StatusCode::OK, &template))
}

/// `POST /cycles/{id}/carry`: carries what is checked, then shows the page again with
/// the copies.
pub async fn save_carry(State(app): State<App>, viewer: Viewer, Id(id): Id<CycleId>, Form(fields): Form) -> PageResult {
    let caller = &viewer.caller;
    let mut problems = Problems::default();
    let target = fields.whole("target_cycle_id", &mut problems);
    let request = CarryRequest { target_cycle_id: target, scope: CarryScope::AllUnfinished, overrides: Vec::new() };
    let preview = app.carries().preview(caller, id, request).await?;
    let mut chosen = Vec::new();
    let mut overrides = Vec::new();
    for objective in preview.objectives.iter().filter(|o| o.copy_objective_id.is_none()) {
        let origin = objective.origin_objective_id;
        if !fields.has(&format!("objective.{origin}")) {
            continue;
        }
        chosen.push(origin);
        let key_result_ids = objective
            .key_results
            .iter()
            .map(|k| k.origin_key_result_id)
            .filter(|k| fields.has(&format!("key_result.{k}")))
            .collect();
        let parent_objective_id = fields.whole(&format!("parent.{origin}"), &mut problems);
        overrides.push(CarryOverride {
            objective_id: origin,
            key_result_ids: Some(key_result_ids),
            parent_objective_id,
        });
    }
    if chosen.is_empty() && problems.is_empty() {
        problems.add("", "Nothing was carried: check at least one objective.");
    }
    let code = if problems.is_empty() {
        let carried = chosen.len();
        let order: Vec<i64> = overrides.iter().map(|o| o.objective_id).collect();
        let request = CarryRequest {
            target_cycle_id: Some(preview.target_cycle_id),
            scope: CarryScope::ObjectiveIds(chosen),
            overrides,
        };
        match app.carries().carry(caller, id, request).await {
            Ok(done) => {
                return Ok(see_other(&format!(
                    "/cycles/{id}/carry?target_cycle_id={}&carried={carried}",
                    done.target_cycle_id
                )));
            }
            Err(error) => problems.refused(error, |path| Some(field_of(path, &order)))?,
        }
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let template = form(&app, &viewer, id, preview, Some(&fields), None, problems).await?;
    Ok(page(code, &template))
}

/// The form field of a carry's JSON pointer: a chosen parent (`parent.ID`), or the top.
fn field_of(path: &Path, order: &[i64]) -> String {
    let pointer = path.pointer();
    let steps: Vec<&str> = pointer.trim_start_matches('/').split('/').collect();
    match steps.as_slice() {
        ["overrides", index, "parent_objective_id"] => {
            index.parse::<usize>().ok().and_then(|i| order.get(i)).map_or_else(String::new, |id| format!("parent.{id}"))
        }
        _ => String::new(),
    }
}

/// How a copy aligns, in words.
fn aligned(objective: &CarriedObjective, titles: &BTreeMap<i64, String>) -> String {
    let parent = |id: Option<i64>| match id {
        Some(id) => titles.get(&id).cloned().unwrap_or_else(|| format!("objective {id}")),
        None => "its parent's copy".to_owned(),
    };
    let alignment = &objective.alignment;
    match alignment.by {
        AlignedBy::Unaligned => "Not aligned, as its origin.".to_owned(),
        AlignedBy::Given => format!("Aligns to {}.", parent(alignment.parent_objective_id)),
        AlignedBy::CarriedParent => {
            format!("Aligns to the copy of its parent: {}.", parent(alignment.parent_objective_id))
        }
        AlignedBy::OriginalParent => {
            format!("Aligns to its parent, still open: {}.", parent(alignment.parent_objective_id))
        }
        AlignedBy::Asks => "Its parent stays in the closed cycle: choose a parent for the copy.".to_owned(),
    }
}

async fn form(
    app: &App,
    viewer: &Viewer,
    id: CycleId,
    preview: CarryOutcome,
    posted: Option<&Fields>,
    carried: Option<usize>,
    problems: Problems,
) -> Result<CarryPage, milepost_app::AppError> {
    let caller: &Caller = &viewer.caller;
    let cycle = app.cycles().get(caller, id).await?;
    let names = Names::load(app, caller).await?;
    let cycles = all_cycles(app, caller).await?;
    let target = preview.target_cycle_id;
    let targets = cycles
        .iter()
        .filter(|c| c.status != CycleStatus::Closed && c.id != id && !c.archived)
        .map(|c| (c.id.get(), c.name.clone(), c.id.get() == target))
        .collect();
    let target_name = cycles.iter().find(|c| c.id.get() == target).map_or_else(String::new, |c| c.name.clone());
    let in_target = app.objectives().list_in_cycle_shared(caller, CycleId(target)).await?;
    let parents: Vec<(i64, String)> = in_target.iter().map(|o| (o.id.get(), o.title.clone())).collect();
    let mut titles: BTreeMap<i64, String> = parents.iter().cloned().collect();
    titles
        .extend(app.objectives().list_in_cycle_shared(caller, id).await?.iter().map(|o| (o.id.get(), o.title.clone())));
    let mut groups: BTreeMap<String, Vec<ObjectiveRow>> = BTreeMap::new();
    let mut open = 0;
    for objective in &preview.objectives {
        let origin = objective.origin_objective_id;
        let checked = posted.is_none_or(|f| f.has(&format!("objective.{origin}")));
        open += usize::from(objective.copy_objective_id.is_none());
        let key_results = objective
            .key_results
            .iter()
            .map(|k| KeyResultRow {
                id: k.origin_key_result_id,
                title: k.title.clone(),
                progress: percent(k.progress),
                start: k.start.map_or_else(|| "—".to_owned(), |s| format!("{}", (s * 1000.0).round() / 1000.0)),
                checked: posted.map_or(k.selected, |f| f.has(&format!("key_result.{}", k.origin_key_result_id))),
                copy: k.copy_key_result_id,
            })
            .collect();
        let team = match (objective.owner_team_id, objective.owner_person_id) {
            (Some(team), _) => Some(team),
            (None, Some(person)) => names.people.get(&person).and_then(|p| p.team_id),
            (None, None) => None,
        };
        let team = team.map_or_else(|| "No team".to_owned(), |t| names.team(t));
        let parent = posted.and_then(|f| f.text(&format!("parent.{origin}")).parse::<i64>().ok());
        groups.entry(team).or_default().push(ObjectiveRow {
            id: origin,
            title: objective.title.clone(),
            owner: names.owner(objective.owner_person_id, objective.owner_team_id),
            score: objective.score.map_or_else(|| "—".to_owned(), |s| format!("{:.1}", s.value)),
            checked,
            copy: objective.copy_objective_id,
            key_results,
            skipped: objective.skipped_key_results.iter().map(|s| format!("{}: {}", s.title, s.reason)).collect(),
            aligned: aligned(objective, &titles),
            asks: objective.alignment.by == AlignedBy::Asks && objective.copy_objective_id.is_none(),
            parent,
        });
    }
    Ok(CarryPage {
        layout: Layout::new(viewer, "cycles", format!("Carry over from {}", cycle.name)),
        cycle,
        targets,
        target,
        target_name,
        groups: groups.into_iter().map(|(team, objectives)| Group { team, objectives }).collect(),
        parents,
        open,
        carried,
        problems,
    })
}

impl ObjectiveRow {
    /// Whether `id` is the parent chosen for its copy.
    fn chose(&self, id: &i64) -> bool {
        self.parent == Some(*id)
    }
}

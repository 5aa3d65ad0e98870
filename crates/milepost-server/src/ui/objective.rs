//! `/objectives/{id}`: one objective. Its key results with progress bars, kind,
//! start → current → target, status and confidence; a burn-up chart per key result
//! with the pace line (drawn by uPlot from data in the page; without JavaScript the
//! check-in table says the same); the check-in history with notes and blockers; its
//! initiatives; the objective it aligns to and those aligned to it.

use super::cycle::all_objectives;
use super::view::{KeyResultLine, Names, ObjectiveLine, day};
use super::{Layout, PageResult, Viewer, page};
use crate::extract::Id;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use milepost_app::initiative::InitiativeQuery;
use milepost_app::key_result::KeyResultView;
use milepost_app::objective::ObjectiveQuery;
use milepost_app::{App, AppError, ListParams};
use milepost_core::KeyResultKind;
use serde::Serialize;
use std::collections::BTreeMap;

/// One check-in as the history shows it.
struct CheckInLine {
    at: String,
    value: String,
    confidence: String,
    note: String,
    blockers: String,
    author: String,
}

/// An initiative as the page shows it.
struct InitiativeLine {
    id: i64,
    title: String,
    status: &'static str,
    owner: String,
    due: String,
    link: Option<String>,
}

/// A key result with everything the page shows about it.
struct KeyResultBlock {
    line: KeyResultLine,
    chart: String,
    history: Vec<CheckInLine>,
}

#[derive(Template)]
#[template(path = "objective.html")]
struct ObjectivePage {
    layout: Layout,
    objective: ObjectiveLine,
    description: String,
    cycle_id: i64,
    cycle_name: String,
    visibility: &'static str,
    added_after_start: bool,
    key_results: Vec<KeyResultBlock>,
    initiatives: Vec<InitiativeLine>,
    parent: Option<ObjectiveLine>,
    children: Vec<ObjectiveLine>,
    editable: bool,
}

/// The data of one burn-up chart, for `static/milepost.js`: times in unix seconds,
/// the checked-in values and the pace line, each `null` where it has no point.
#[derive(Serialize)]
struct Chart {
    times: Vec<i64>,
    values: Vec<Option<f64>>,
    pace: Vec<Option<f64>>,
    unit: String,
    label: String,
}

fn midnight(date: jiff::civil::Date) -> i64 {
    date.to_zoned(jiff::tz::TimeZone::UTC).map_or(0, |z| z.timestamp().as_second())
}

/// The burn-up chart of a key result: its check-ins over the cycle and the pace
/// line from its start to its target (through its target schedule, when it has one).
fn chart(
    key_result: &KeyResultView,
    check_ins: &[milepost_app::check_in::CheckInView],
    cycle: &milepost_app::cycle::CycleView,
) -> String {
    let mut points: BTreeMap<i64, (Option<f64>, Option<f64>)> = BTreeMap::new();
    for check_in in check_ins {
        points.entry(check_in.checked_in_at.as_second()).or_default().0 = Some(check_in.value);
    }
    let start = midnight(cycle.start_date);
    let end = midnight(cycle.end_date.tomorrow().unwrap_or(cycle.end_date));
    let pace_ends = match key_result.kind {
        KeyResultKind::Increase | KeyResultKind::Decrease => key_result.start.zip(key_result.target),
        KeyResultKind::Milestone => Some((0.0, 1.0)),
        KeyResultKind::Maintain => key_result.target.map(|t| (t, t)),
        KeyResultKind::Range => key_result.range.map(|[low, high]| ((low + high) / 2.0, (low + high) / 2.0)),
    };
    if let Some((from, to)) = pace_ends {
        points.entry(start).or_default().1 = Some(from);
        for point in key_result.target_schedule.iter().flatten() {
            points.entry(midnight(point.date)).or_default().1 = Some(point.value);
        }
        points.entry(end).or_default().1 = Some(to);
    }
    let label = match key_result.kind {
        KeyResultKind::Maintain => "threshold",
        KeyResultKind::Range => "middle of the band",
        _ => "pace",
    };
    let chart = Chart {
        times: points.keys().copied().collect(),
        values: points.values().map(|p| p.0).collect(),
        pace: points.values().map(|p| p.1).collect(),
        unit: key_result.unit.clone().unwrap_or_default(),
        label: label.to_owned(),
    };
    serde_json::to_string(&chart).unwrap_or_else(|_| "{}".to_owned())
}

/// `GET /objectives/{id}`: the objective page.
pub async fn show_objective(State(app): State<App>, viewer: Viewer, Id(id): Id) -> PageResult {
    let caller = &viewer.caller;
    let objective = app.get_objective(caller, id).await?;
    let cycle = app.get_cycle(caller, objective.cycle_id).await?;
    let names = Names::load(&app, caller).await?;
    let now = app.now();
    let mut key_results = Vec::new();
    let mut initiatives = BTreeMap::new();
    for key_result in &objective.key_results {
        let mut check_ins = Vec::new();
        let mut after = None;
        loop {
            let params = ListParams { limit: Some(500), after };
            let page = app.list_check_ins(caller, key_result.id, params).await?;
            check_ins.extend(page.items);
            match page.next_cursor {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        let query = InitiativeQuery { key_result_id: Some(key_result.id), limit: Some(500), ..Default::default() };
        for initiative in app.list_initiatives(caller, query).await?.items {
            initiatives.entry(initiative.id).or_insert(initiative);
        }
        let unit = key_result.unit.as_deref();
        let history = check_ins
            .iter()
            .rev()
            .map(|c| CheckInLine {
                at: day(c.checked_in_at),
                value: match key_result.kind {
                    KeyResultKind::Milestone => super::view::percent(c.value),
                    _ => super::view::value(Some(c.value), unit),
                },
                confidence: c.confidence.map_or_else(|| "–".to_owned(), |c| format!("{c}/10")),
                note: c.note.clone(),
                blockers: c.blockers.clone(),
                author: names.person(c.author_person_id),
            })
            .collect();
        key_results.push(KeyResultBlock {
            line: KeyResultLine::of(key_result, &names, now),
            chart: chart(key_result, &check_ins, &cycle),
            history,
        });
    }
    let parent = match objective.parent_objective_id {
        Some(parent) => match app.get_objective(caller, parent).await {
            Ok(parent) => Some(ObjectiveLine::of(&parent, &names)),
            Err(AppError::NotFound { .. }) => None,
            Err(error) => return Err(error.into()),
        },
        None => None,
    };
    let query = ObjectiveQuery { parent_objective_id: Some(id), ..Default::default() };
    let children = all_objectives(&app, caller, query).await?.iter().map(|o| ObjectiveLine::of(o, &names)).collect();
    let initiatives = initiatives
        .into_values()
        .map(|i| InitiativeLine {
            id: i.id,
            title: i.title,
            status: match i.status {
                milepost_app::initiative::InitiativeStatus::Planned => "○ Planned",
                milepost_app::initiative::InitiativeStatus::Active => "▶ Active",
                milepost_app::initiative::InitiativeStatus::Done => "✓ Done",
                milepost_app::initiative::InitiativeStatus::Dropped => "✕ Dropped",
            },
            owner: names.person(i.owner_person_id),
            due: i.due_date.map_or_else(|| "–".to_owned(), |d| d.to_string()),
            link: i.link.filter(|l| l.starts_with("https://") || l.starts_with("http://")),
        })
        .collect();
    let editable = milepost_app::permission::allows(
        caller,
        milepost_app::permission::Action::EditOkr { owner: objective.owner_person_id },
    );
    let template = ObjectivePage {
        layout: Layout::new(&viewer, "", objective.title.clone()),
        objective: ObjectiveLine::of(&objective, &names),
        description: objective.description.clone(),
        cycle_id: cycle.id,
        cycle_name: cycle.name.clone(),
        visibility: match objective.visibility {
            milepost_core::Visibility::Workspace => "Everyone in the workspace",
            milepost_core::Visibility::Team => "Its team only",
        },
        added_after_start: objective.added_after_start,
        key_results,
        initiatives,
        parent,
        children,
        editable,
    };
    Ok(page(StatusCode::OK, &template))
}

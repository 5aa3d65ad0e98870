//! `/objectives/{id}`: one objective. Its key results with progress bars, kind,
//! start → current → target, status and confidence; a burn-up chart per key result
//! with the pace line and, where there is a forecast, its cone from the latest check-in
//! to the cycle's end (drawn by uPlot from data in the page; without JavaScript the
//! check-in table and the forecast's sentence say the same); the check-in history with
//! notes and blockers; its initiatives; the objective it aligns to and those aligned to it.

use super::cycle::all_objectives;
use super::view::{KeyResultLine, Names, ObjectiveLine, day};
use super::{Layout, PageResult, Viewer, page};
use crate::extract::Id;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use milepost_app::comment::CommentSubject;
use milepost_app::key_result::{ForecastView, KeyResultView};
use milepost_app::objective::ObjectiveQuery;
use milepost_app::{App, AppError};
use milepost_core::KeyResultKind;
use milepost_core::{CycleId, ObjectiveId};
use serde::Serialize;
use std::collections::BTreeMap;

/// One check-in as the history shows it.
struct CheckInLine {
    /// Its comments, as HTML.
    comments: String,
    /// How many comments it has.
    comment_count: usize,
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
    /// Its version, for the archive button.
    version: i64,
    chart: String,
    /// The forecast in words, or why there is none yet (not for milestones, which have
    /// none, nor outside a running cycle).
    forecast: Option<String>,
    /// Whether the chart draws a forecast's cone.
    cone: bool,
    history: Vec<CheckInLine>,
    /// The key result it was carried from: its check-ins before the carry-over are there.
    carried_from: Option<i64>,
    /// Every move of its start or target after the cycle began: when, what, who, why.
    goal_moves: Vec<GoalMove>,
    /// Its comments, as HTML.
    comments: String,
}

/// One moved start or target, for people.
struct GoalMove {
    day: String,
    /// "target 94% → 95%".
    what: String,
    who: String,
    reason: String,
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
    /// Whether its progress rolls up the objectives aligned to it.
    rollup_children: bool,
    /// Its version, for the roll-up switch and the archive button.
    version: i64,
    key_results: Vec<KeyResultBlock>,
    initiatives: Vec<InitiativeLine>,
    parent: Option<ObjectiveLine>,
    children: Vec<ObjectiveLine>,
    editable: bool,
    /// Whether it is archived.
    archived: bool,
    /// The objective it was carried from: (id, title, cycle name).
    carried_from: Option<(i64, String)>,
    /// Its copies in later cycles: (id, cycle name).
    carried_to: Vec<(i64, String)>,
    /// Its retrospective note, once its cycle has ended or closed.
    retrospective: Option<super::review::RetrospectivePanel>,
    /// What a key result's error budget is read over, for its caption.
    budget_window: Option<&'static str>,
    /// The objective's own comments, as HTML.
    comments: String,
}

/// The data of one burn-up chart, for `static/milepost.js`: times in unix seconds,
/// the checked-in values and the pace line, each `null` where it has no point; and
/// where there is a forecast, its cone: the forecast line and the interval's edges from
/// the latest check-in (where all three start at its value) to the cycle's end.
#[derive(Serialize)]
struct Chart {
    times: Vec<i64>,
    values: Vec<Option<f64>>,
    pace: Vec<Option<f64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    forecast: Option<Cone>,
    unit: String,
    label: String,
}

/// A forecast's cone, one entry per time of the chart (`null` where it has no point).
#[derive(Serialize)]
struct Cone {
    value: Vec<Option<f64>>,
    low: Vec<Option<f64>>,
    high: Vec<Option<f64>>,
}

/// Points of one time on a burn-up chart.
#[derive(Default)]
struct ChartPoint {
    value: Option<f64>,
    pace: Option<f64>,
    /// The forecast line and the interval's low and high edges.
    cone: Option<(f64, f64, f64)>,
}

/// A probability in words, with the number beside it.
fn likelihood(probability: f64) -> String {
    let words = match probability {
        p if p >= 0.9 => "very likely",
        p if p >= 0.6 => "likely",
        p if p > 0.4 => "about as likely as not",
        p if p > 0.1 => "unlikely",
        _ => "very unlikely",
    };
    format!("{words} ({})", super::view::percent(probability))
}

/// The forecast as a sentence: "Forecast for the cycle's end: 50.1 (80% between 43.6 and
/// 56.7); likely (75%) to reach the target."
fn forecast_sentence(key_result: &KeyResultView, forecast: &ForecastView) -> String {
    let unit = key_result.unit.as_deref();
    let shown = |v: f64| super::view::value(Some(v), unit);
    let goal = match key_result.kind {
        KeyResultKind::Maintain => "to hold the threshold at the end",
        KeyResultKind::Range => "to end inside the band",
        _ => "to reach the target",
    };
    // An unlikely target can still be a near miss, which the status counts as on or
    // nearly on track: the sentence says how far it would get, so the two agree.
    let near_miss = forecast_progress(key_result.kind, key_result.start, key_result.target, forecast.value)
        .filter(|progress| forecast.probability < 0.5 && (0.7..1.0).contains(progress))
        .map(|progress| format!(", though it would end {} of the way there", super::view::percent(progress)))
        .unwrap_or_default();
    format!(
        "Forecast for the cycle's end: {} (80% between {} and {}), from {} points; {} {goal}{near_miss}.",
        shown(forecast.value),
        shown(forecast.low),
        shown(forecast.high),
        forecast.points,
        likelihood(forecast.probability),
    )
}

/// How far from its start to its target an increase or decrease would get if it ended
/// at `value`: 0.97 for 69.76 on the way from 61 to 70.
fn forecast_progress(kind: KeyResultKind, start: Option<f64>, target: Option<f64>, value: f64) -> Option<f64> {
    match (kind, start, target) {
        (KeyResultKind::Increase | KeyResultKind::Decrease, Some(start), Some(target)) if target != start => {
            Some((value - start) / (target - start))
        }
        _ => None,
    }
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
    let mut points: BTreeMap<i64, ChartPoint> = BTreeMap::new();
    for check_in in check_ins {
        points.entry(check_in.checked_in_at.as_second()).or_default().value = Some(check_in.value);
    }
    // The cone starts at the latest check-in (the one with the latest time; of several at
    // one time, the last listed) and opens to the interval at the cycle's end.
    let latest = check_ins.iter().max_by_key(|c| c.checked_in_at).map(|c| (c.checked_in_at.as_second(), c.value));
    if let (Some(forecast), Some((at, value))) = (key_result.forecast, latest) {
        points.entry(at).or_default().cone = Some((value, value, value));
        points.entry(forecast.at.as_second()).or_default().cone = Some((forecast.value, forecast.low, forecast.high));
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
        // A key result added after the cycle began is paced from the day it was added
        // (a target schedule keeps its own dates).
        let paced_from = match &key_result.target_schedule {
            Some(_) => start,
            None => start.max(key_result.created_at.as_second()),
        };
        points.entry(paced_from).or_default().pace = Some(from);
        for point in key_result.target_schedule.iter().flatten() {
            points.entry(midnight(point.date)).or_default().pace = Some(point.value);
        }
        points.entry(end).or_default().pace = Some(to);
    }
    let label = match key_result.kind {
        KeyResultKind::Maintain => "threshold",
        KeyResultKind::Range => "middle of the band",
        _ => "pace",
    };
    let chart = Chart {
        times: points.keys().copied().collect(),
        values: points.values().map(|p| p.value).collect(),
        pace: points.values().map(|p| p.pace).collect(),
        forecast: key_result.forecast.map(|_| Cone {
            value: points.values().map(|p| p.cone.map(|c| c.0)).collect(),
            low: points.values().map(|p| p.cone.map(|c| c.1)).collect(),
            high: points.values().map(|p| p.cone.map(|c| c.2)).collect(),
        }),
        unit: key_result.unit.clone().unwrap_or_default(),
        label: label.to_owned(),
    };
    serde_json::to_string(&chart).unwrap_or_else(|_| "{}".to_owned())
}

/// `GET /objectives/{id}`: the objective page.
pub async fn show_objective(
    State(app): State<App>,
    viewer: Viewer,
    Id(id): Id<ObjectiveId>,
    crate::extract::Query(query): crate::extract::Query<milepost_app::as_of::AsOfQuery>,
) -> PageResult {
    let caller = &viewer.caller;
    let (as_of, time) = super::as_of::read(&app, &viewer, &query, &format!("/objectives/{}", id.get())).await?;
    let objective = app.objectives().get_as_of(caller, id, &query).await?;
    let cycle = app.cycles().get(caller, CycleId(objective.cycle_id)).await?;
    let names = Names::load(&app, caller).await?;
    let now = as_of.map_or_else(|| app.now(), |a| a.at());
    let mut key_results = Vec::new();
    // Every key result's check-ins, the initiatives under them and their moved goals, in
    // one read each.
    let mut all_check_ins = app.check_ins().of_objective(caller, id).await?;
    let initiatives = app.initiatives().of_objective(caller, id).await?;
    let mut all_goal_changes = app.check_ins().goal_changes_of_objective(caller, id).await?;
    let threads = super::comments::Threads::of_objective(&app, &viewer, id).await?;
    for key_result in &objective.key_results {
        let mut check_ins = all_check_ins.remove(&key_result.id.get()).unwrap_or_default();
        if let Some(as_of) = as_of {
            check_ins.retain(|c| as_of.counts(c.created_at, c.checked_in_at));
        }
        let unit = key_result.unit.as_deref();
        let history = check_ins
            .iter()
            .rev()
            .map(|c| CheckInLine {
                comments: threads.render(CommentSubject::CheckIn, c.id.get()),
                comment_count: threads.count(CommentSubject::CheckIn, c.id.get()),
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
        let goal_moves = all_goal_changes
            .remove(&key_result.id.get())
            .unwrap_or_default()
            .into_iter()
            .filter(|change| as_of.is_none_or(|a| change.changed_at <= a.at()))
            .map(|change| GoalMove {
                day: day(change.changed_at),
                what: format!(
                    "{} {} → {}",
                    match change.field.as_str() {
                        "range_low" => "low end",
                        "range_high" => "high end",
                        other => other,
                    },
                    super::view::value(change.old_value, unit),
                    super::view::value(change.new_value, unit)
                ),
                who: match change.author_person_id {
                    Some(_) => names.person(change.author_person_id),
                    None => "an API token or the operator".to_owned(),
                },
                reason: change.reason,
            })
            .collect();
        key_results.push(KeyResultBlock {
            comments: threads.render(CommentSubject::KeyResult, key_result.id.get()),
            version: key_result.version,
            goal_moves,
            line: KeyResultLine::of(key_result, &names, now),
            chart: chart(key_result, &check_ins, &cycle),
            forecast: match &key_result.forecast {
                Some(forecast) => Some(forecast_sentence(key_result, forecast)),
                None if key_result.kind != KeyResultKind::Milestone
                    && cycle.status == milepost_core::CycleStatus::Active =>
                {
                    Some(
                        "No forecast yet: it needs three check-ins in the cycle; until then status follows pace."
                            .to_owned(),
                    )
                }
                None => None,
            },
            cone: key_result.forecast.is_some(),
            history,
            carried_from: key_result.carried_from_key_result_id,
        });
    }
    let parent = match objective.parent_objective_id {
        Some(parent) => match app.objectives().get(caller, ObjectiveId(parent)).await {
            Ok(parent) => Some(ObjectiveLine::of(&parent, &names)),
            Err(AppError::NotFound { .. }) => None,
            Err(error) => return Err(error.into()),
        },
        None => None,
    };
    let query = ObjectiveQuery { parent_objective_id: Some(id.get()), ..Default::default() };
    let children = all_objectives(&app, caller, query).await?.iter().map(|o| ObjectiveLine::of(o, &names)).collect();
    let initiatives = initiatives
        .into_iter()
        .map(|i| InitiativeLine {
            id: i.id.get(),
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
    let carried_from = match objective.carried_from_objective_id {
        Some(origin) => match app.objectives().get(caller, ObjectiveId(origin)).await {
            Ok(origin) => Some((origin.id.get(), origin.title)),
            Err(AppError::NotFound { .. }) => None,
            Err(error) => return Err(error.into()),
        },
        None => None,
    };
    let mut carried_to = Vec::new();
    for copy in &objective.carried_to {
        let cycle = app.cycles().get(caller, CycleId(copy.cycle_id)).await?;
        carried_to.push((copy.objective_id, cycle.name));
    }
    let editable = milepost_app::permission::allows(
        caller,
        milepost_app::permission::Action::EditOkr { owner: objective.owner_person_id },
    );
    let retrospective = super::review::retrospective_panel(&app, caller, &objective, &cycle, &names).await?;
    let template = ObjectivePage {
        comments: threads.render(CommentSubject::Objective, id.get()),
        budget_window: Some("over the cycle"),
        layout: Layout { time: Some(time), ..Layout::new(&viewer, "", objective.title.clone()) },
        objective: ObjectiveLine::of(&objective, &names),
        description: objective.description.clone(),
        cycle_id: cycle.id.get(),
        cycle_name: cycle.name.clone(),
        visibility: match objective.visibility {
            milepost_core::Visibility::Workspace => "Everyone in the workspace",
            milepost_core::Visibility::Team => "Its team only",
        },
        added_after_start: objective.added_after_start,
        rollup_children: objective.rollup_children,
        version: objective.version,
        key_results,
        initiatives,
        parent,
        children,
        editable,
        archived: objective.archived,
        carried_from,
        carried_to,
        retrospective,
    };
    Ok(page(StatusCode::OK, &template))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_forecast_says_how_far_an_increase_or_decrease_would_get() {
        let near = forecast_progress(KeyResultKind::Increase, Some(61.0), Some(70.0), 69.76);
        assert!(near.is_some_and(|p| (p - 0.9733).abs() < 1e-3), "{near:?}");
        let down = forecast_progress(KeyResultKind::Decrease, Some(8.0), Some(2.0), 3.5);
        assert!(down.is_some_and(|p| (p - 0.75).abs() < 1e-9), "{down:?}");
        assert_eq!(forecast_progress(KeyResultKind::Maintain, Some(1.0), Some(2.0), 1.5), None);
        assert_eq!(forecast_progress(KeyResultKind::Increase, Some(5.0), Some(5.0), 6.0), None);
        assert_eq!(forecast_progress(KeyResultKind::Increase, None, Some(5.0), 6.0), None);
    }
}

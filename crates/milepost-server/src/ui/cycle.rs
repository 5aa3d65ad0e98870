//! `/cycles` (a timeline of the cycles, each with how many objectives it has and its
//! first few, the company's first) and `/cycles/{id}` (one cycle's objectives, 50 a
//! page, and, once it is closed, its review: scores with their colours, committed
//! against aspirational outcomes counted over the whole cycle, and the confidence
//! calibration beside the forecast's). Also the list walks other pages share.

use super::paging::{PER_PAGE, Pager};
use super::team_tree::TeamTree;
use super::view::{KeyResultLine, Names, ObjectiveLine, percent};
use super::{Layout, PageResult, Viewer, page};
use crate::extract::{Id, Query};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use milepost_app::calibration::CalibrationView;
use milepost_app::cycle::{CycleClosingView, CycleQuery, CycleTransitionView, CycleView};
use milepost_app::forecast_eval::ForecastEvaluation;
use milepost_app::objective::{ObjectiveQuery, ObjectiveView};
use milepost_app::{App, AppError, Caller};
use milepost_core::CycleId;
use milepost_core::{Commitment, CycleStatus, Named};
use std::sync::Arc;

/// Every cycle of the workspace, in id order.
pub async fn all_cycles(app: &App, caller: &Caller) -> Result<Vec<CycleView>, AppError> {
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let page = app.cycles().list(caller, CycleQuery { limit: Some(500), after, ..Default::default() }).await?;
        out.extend(page.items);
        match page.next_cursor {
            Some(next) => after = Some(next),
            None => return Ok(out),
        }
    }
}

/// The active cycle the pages show by default, of the several that may be active at
/// once (a year and its quarters): one around today before one that is not (that ended
/// and awaits closing, or was started early), then the shortest (a quarter rather than
/// the year around it); `None` when no cycle is active.
pub async fn active_cycle(app: &App, caller: &Caller) -> Result<Option<CycleView>, AppError> {
    let query = CycleQuery { status: Some(CycleStatus::Active), limit: Some(500), ..Default::default() };
    let cycles = app.cycles().list(caller, query).await?.items;
    let today = app.now().to_zoned(jiff::tz::TimeZone::UTC).date();
    Ok(cycles.into_iter().min_by_key(|c| {
        let around_today = c.start_date <= today && today <= c.end_date;
        (!around_today, c.end_date.since(c.start_date).map_or(i32::MAX, |s| s.get_days()), c.id)
    }))
}

/// Every objective the query finds, walking its pages.
pub async fn all_objectives(app: &App, caller: &Caller, query: ObjectiveQuery) -> Result<Vec<ObjectiveView>, AppError> {
    let mut out = Vec::new();
    let mut query = ObjectiveQuery { limit: Some(500), ..query };
    loop {
        let page = app.objectives().list(caller, query.clone()).await?;
        out.extend(page.items);
        match page.next_cursor {
            Some(next) => query.after = Some(next),
            None => return Ok(out),
        }
    }
}

/// A cycle on the timeline.
struct TimelineCycle {
    cycle: CycleView,
    status: &'static str,
    /// Where its bar starts and how wide it is, in percent of the timeline.
    x: String,
    width: String,
    /// Its first few objectives, the company's first.
    objectives: Vec<ObjectiveLine>,
    /// How many objectives it has.
    total: usize,
}

/// How many objectives of each cycle the timeline shows.
const TIMELINE_CAP: usize = 5;

#[derive(Template)]
#[template(path = "cycles.html")]
struct CyclesPage {
    layout: Layout,
    cycles: Vec<TimelineCycle>,
    today: Option<String>,
    /// Whether the viewer plans cycles (editors and admins): the page links to the forms.
    plans: bool,
}

/// Whether `viewer` may create and change cycles.
fn plans_cycles(viewer: &Viewer) -> bool {
    milepost_app::permission::allows(&viewer.caller, milepost_app::permission::Action::PlanCycles)
}

fn status_word(status: CycleStatus) -> &'static str {
    match status {
        CycleStatus::Planning => "Planning",
        CycleStatus::Active => "Active",
        CycleStatus::Closed => "Closed",
    }
}

/// `GET /cycles`: the timeline of cycles and their objectives.
pub async fn show_cycles(State(app): State<App>, viewer: Viewer) -> PageResult {
    let caller = &viewer.caller;
    let names = Names::load(&app, caller).await?;
    let mut cycles = all_cycles(&app, caller).await?;
    cycles.sort_by_key(|c| (c.start_date, c.end_date));
    let first = cycles.iter().map(|c| c.start_date).min();
    let last = cycles.iter().map(|c| c.end_date).max();
    let span = |from: jiff::civil::Date, to: jiff::civil::Date| to.since(from).map_or(0, |s| s.get_days());
    let (timeline, today) = match (first, last) {
        (Some(first), Some(last)) => {
            let total = f64::from(span(first, last).max(1));
            let now = app.now().to_zoned(jiff::tz::TimeZone::UTC).date();
            let today =
                (first..=last).contains(&now).then(|| format!("{:.2}", f64::from(span(first, now)) / total * 100.0));
            let mut timeline = Vec::new();
            let tree = TeamTree::of(&names);
            for cycle in cycles {
                let mut objectives = app.objectives().list_in_cycle_shared(caller, cycle.id).await?;
                // The company's objectives (of the teams at the root) first, then by id.
                objectives.sort_by_key(|o| (!o.owner_team_id.is_some_and(|t| tree.is_root(t)), o.id.get()));
                timeline.push(TimelineCycle {
                    x: format!("{:.2}", f64::from(span(first, cycle.start_date)) / total * 100.0),
                    width: format!("{:.2}", f64::from(span(cycle.start_date, cycle.end_date).max(1)) / total * 100.0),
                    status: status_word(cycle.status),
                    objectives: objectives.iter().take(TIMELINE_CAP).map(|o| ObjectiveLine::of(o, &names)).collect(),
                    total: objectives.len(),
                    cycle,
                });
            }
            (timeline, today)
        }
        _ => (Vec::new(), None),
    };
    let template = CyclesPage {
        plans: plans_cycles(&viewer),
        layout: Layout::new(&viewer, "cycles", "Cycles"),
        cycles: timeline,
        today,
    };
    Ok(page(StatusCode::OK, &template))
}

/// How one kind of commitment fared at close.
struct Outcome {
    commitment: &'static str,
    rule: String,
    succeeded: usize,
    total: usize,
}

/// One row of the calibration table: the workspace, a team or a person.
struct CalibrationLine {
    who: String,
    /// The Brier score, two decimals.
    brier: String,
    check_ins: u64,
    /// The forecast's Brier score on the same check-ins, two decimals, and how many had
    /// a forecast; "—" and 0 when none had.
    forecast: String,
    forecasts: u64,
}

/// A closed cycle's calibration, for people.
struct Calibration {
    key_results: u64,
    succeeded: u64,
    /// The workspace first, then each team, then each person; empty when no check-in
    /// gave a confidence.
    lines: Vec<CalibrationLine>,
}

fn calibration(view: &CalibrationView, names: &Names) -> Calibration {
    let line = |who: String, brier: f64, check_ins: u64, forecast: Option<(f64, u64)>| CalibrationLine {
        who,
        brier: format!("{brier:.2}"),
        check_ins,
        forecast: forecast.map_or_else(|| "—".to_owned(), |(b, _)| format!("{b:.2}")),
        forecasts: forecast.map_or(0, |(_, n)| n),
    };
    let by_forecast = &view.forecast;
    let mut lines = Vec::new();
    if let Some(all) = view.workspace {
        let forecast = by_forecast.workspace.map(|f| (f.brier, f.forecasts));
        lines.push(line("Everyone".to_owned(), all.brier, all.check_ins, forecast));
    }
    lines.extend(view.teams.iter().map(|t| {
        let forecast = by_forecast.teams.iter().find(|f| f.team_id == t.team_id).map(|f| (f.brier, f.forecasts));
        line(format!("{} (team)", names.team(t.team_id)), t.brier, t.check_ins, forecast)
    }));
    lines.extend(view.people.iter().map(|p| {
        let forecast = by_forecast.people.iter().find(|f| f.person_id == p.person_id).map(|f| (f.brier, f.forecasts));
        line(names.person(Some(p.person_id)), p.brier, p.check_ins, forecast)
    }));
    Calibration { key_results: view.key_results, succeeded: view.succeeded, lines }
}

/// One change of the cycle's status, for people.
struct TransitionLine {
    /// The day, `YYYY-MM-DD`.
    day: String,
    /// Who changed it.
    who: String,
    /// What happened, in words: "Reopened (closed → active)".
    what: String,
    /// Why, when a reason was given.
    reason: String,
}

fn transition_line(t: &CycleTransitionView, names: &Names) -> TransitionLine {
    let what = match (t.from_status, t.to_status) {
        (CycleStatus::Closed, to) => format!("Reopened (closed → {})", to.as_str()),
        (_, CycleStatus::Closed) => "Closed".to_owned(),
        (_, CycleStatus::Active) => "Started".to_owned(),
        (from, to) => format!("Moved from {} to {}", from.as_str(), to.as_str()),
    };
    let who = match (t.actor_person_id, t.actor_token_id) {
        (Some(person), _) => names.person(Some(person)),
        (None, Some(token)) => format!("API token {token}"),
        (None, None) => "the operator".to_owned(),
    };
    TransitionLine {
        day: t.at.to_zoned(jiff::tz::TimeZone::UTC).date().to_string(),
        who,
        what,
        reason: t.reason.clone(),
    }
}

/// One closing of the cycle, for people: when, by whom, under which thresholds, what it
/// froze, and its reopening.
struct ClosingLine {
    day: String,
    who: String,
    early: bool,
    thresholds: String,
    committed: String,
    aspirational: String,
    colours: String,
    mean: String,
    /// "Reopened on 2026-10-02 by Ada: “a KPI was wrong”", or empty while it stands.
    reopened: String,
}

fn closing_line(c: &CycleClosingView, names: &Names) -> ClosingLine {
    let who = match (c.actor_person_id, c.actor_token_id) {
        (Some(person), _) => names.person(Some(person)),
        (None, Some(token)) => format!("API token {token}"),
        (None, None) => "the operator".to_owned(),
    };
    let day = |at: jiff::Timestamp| at.to_zoned(jiff::tz::TimeZone::UTC).date().to_string();
    let t = &c.thresholds;
    let s = &c.summary;
    ClosingLine {
        day: day(c.closed_at),
        who,
        early: c.early,
        thresholds: format!(
            "yellow from {:.1}, green from {:.1}; committed succeeds at {:.1}, aspirational at {:.1}",
            t.yellow_from, t.green_from, t.committed_success, t.aspirational_success
        ),
        committed: format!("{} of {}", s.committed.succeeded, s.committed.total),
        aspirational: format!("{} of {}", s.aspirational.succeeded, s.aspirational.total),
        colours: format!("{} green, {} yellow, {} red", s.green, s.yellow, s.red),
        mean: s.mean_score.map_or_else(|| "–".to_owned(), |m| format!("{m:.2}")),
        reopened: match c.reopened_at {
            Some(at) => format!(
                "Reopened on {} by {}: “{}”",
                day(at),
                names.person(c.reopened_by_person_id),
                c.reopen_reason.as_deref().unwrap_or_default()
            ),
            None => String::new(),
        },
    }
}

/// One predictor's line of the forecast evaluation: its Brier score and decomposition.
struct EvaluationLine {
    who: &'static str,
    judged: u64,
    brier: String,
    reliability: String,
    resolution: String,
    uncertainty: String,
}

/// A closed cycle replayed week by week (issue 18): the forecast, pace alone and the
/// owners' confidence scored against what happened.
struct ForecastReview {
    lines: Vec<EvaluationLine>,
    /// "62% of 40 forecasts", or empty without any forecast.
    coverage: String,
}

fn forecast_review(e: &ForecastEvaluation) -> ForecastReview {
    let number = |x: f64| format!("{x:.3}");
    let lines = [("Forecast", &e.forecast), ("Pace alone", &e.pace), ("Owners' confidence", &e.confidence)]
        .into_iter()
        .filter_map(|(who, d)| {
            d.as_ref().map(|d| EvaluationLine {
                who,
                judged: d.count,
                brier: number(d.brier),
                reliability: number(d.reliability),
                resolution: number(d.resolution),
                uncertainty: number(d.uncertainty),
            })
        })
        .collect();
    let coverage = e.coverage.map_or_else(String::new, |c| format!("{} of {} forecasts", percent(c), e.forecasts));
    ForecastReview { lines, coverage }
}

#[derive(Template)]
#[template(path = "cycle.html")]
struct CyclePage {
    layout: Layout,
    cycle: CycleView,
    status: &'static str,
    elapsed: String,
    closed: bool,
    /// The objectives of this page, with their key results.
    objectives: Vec<(ObjectiveLine, Vec<KeyResultLine>)>,
    pager: Pager,
    outcomes: Vec<Outcome>,
    calibration: Option<Calibration>,
    /// The forecast evaluation of a closed cycle.
    review: Option<ForecastReview>,
    /// Every change of its status, oldest first (a reopening with its reason).
    history: Vec<TransitionLine>,
    /// Whether it was ever reopened after being closed.
    reopened: bool,
    /// Whether the viewer plans cycles: the page links to its form.
    plans: bool,
    /// Whether the viewer is an admin: a closed cycle's page links to its reopening,
    /// an open one to its close.
    administers: bool,
    /// Each time the cycle was closed, oldest first.
    closings: Vec<ClosingLine>,
    /// Whether the viewer may carry objectives over: a closed cycle's page links to it.
    carries: bool,
}

/// What the cycle page takes: the page of its objectives.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct CyclePageQuery {
    /// The page, from 1.
    #[serde(default, deserialize_with = "super::form::empty_as_none")]
    pub page: Option<u32>,
}

/// `GET /cycles/{id}`: one cycle, its objectives a page at a time, and its review once
/// it is closed.
pub async fn show_cycle(
    State(app): State<App>,
    viewer: Viewer,
    Id(id): Id<CycleId>,
    Query(query): Query<CyclePageQuery>,
) -> PageResult {
    let caller = &viewer.caller;
    let cycle = app.cycles().get(caller, id).await?;
    let names = Names::load(&app, caller).await?;
    let now = app.now();
    // One evaluation of the cycle for the whole page, not one per page of 500.
    let objectives = app.objectives().list_in_cycle_shared(caller, id).await?;
    let closed = cycle.status == CycleStatus::Closed;
    let transitions = app.cycles().transitions(caller, id).await?;
    let reopened = transitions.iter().any(|t| t.from_status == CycleStatus::Closed);
    let closings = app.cycles().closings(caller, id).await?;
    let history = transitions.iter().map(|t| transition_line(t, &names)).collect();
    let mut outcomes = Vec::new();
    let mut calibrated = None;
    let mut review = None;
    if closed {
        calibrated = Some(calibration(&app.cycles().calibration(caller, id).await?, &names));
        review = Some(forecast_review(&app.cycles().evaluate_forecasts(caller, Some(id)).await?));
        // The rules the standing closing graded by (the workspace's, for a cycle closed
        // before closings froze scores).
        let thresholds = match closings.iter().rev().find(|c| c.reopened_at.is_none()) {
            Some(closing) => closing.thresholds,
            None => app.workspaces().scoring(caller).await?,
        };
        for (commitment, word, rule) in [
            (Commitment::Committed, "Committed", format!("succeeds at a score of {:.1}", thresholds.committed_success)),
            (
                Commitment::Aspirational,
                "Aspirational",
                format!("succeeds at {:.1} or more", thresholds.aspirational_success),
            ),
        ] {
            let graded: Vec<&ObjectiveView> =
                objectives.iter().map(Arc::as_ref).filter(|o| o.commitment == commitment).collect();
            let succeeded = graded.iter().filter(|o| o.score.and_then(|s| s.succeeded) == Some(true)).count();
            outcomes.push(Outcome { commitment: word, rule, succeeded, total: graded.len() });
        }
    }
    let pager = Pager::new(objectives.len(), query.page, PER_PAGE, |n| format!("/cycles/{id}?page={n}"));
    let objectives = objectives[pager.range()]
        .iter()
        .map(|o| {
            let lines = o.key_results.iter().map(|k| KeyResultLine::of(k, &names, now)).collect();
            (ObjectiveLine::of(o, &names), lines)
        })
        .collect();
    let template = CyclePage {
        layout: Layout::new(&viewer, "cycles", cycle.name.clone()),
        status: status_word(cycle.status),
        elapsed: percent(cycle.elapsed),
        closed,
        objectives,
        pager,
        outcomes,
        calibration: calibrated,
        review,
        history,
        reopened,
        plans: plans_cycles(&viewer),
        administers: milepost_app::permission::allows(caller, milepost_app::permission::Action::Administer),
        closings: closings.iter().map(|c| closing_line(c, &names)).collect(),
        carries: milepost_app::permission::allows(
            caller,
            milepost_app::permission::Action::EditOkr { owner: caller.person },
        ),
        cycle,
    };
    Ok(page(StatusCode::OK, &template))
}

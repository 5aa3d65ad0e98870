//! `/kpis` (the KPI board: health in words, icons and colours, the latest value against
//! the target, the trend, a sparkline, and the lagging list) and `/kpis/{id}` (a chart
//! of the KPI's series with its target and warning band, over any time range,
//! downsampled by the server). Both read `app.kpis().board` and `app.kpis().series`, the
//! functions behind `/api/v1/kpis/board` and `/api/v1/kpis/{id}/series`.

use super::view::{Badge, Names, day, value};
use super::{Layout, PageResult, Viewer, page};
use crate::extract::{Id, Query};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use milepost_app::kpi::{KpiBoardEntry, KpiView, SeriesQuery};
use milepost_app::{App, AppError, FieldError};
use milepost_core::KpiId;
use milepost_core::Named as _;
use milepost_core::{KpiDirection, KpiHealth, KpiTrend};
use serde::Serialize;
use std::fmt::Write;

/// The badge of a KPI's health.
pub fn health_badge(health: KpiHealth) -> Badge {
    match health {
        KpiHealth::Green => Badge { word: "On target", icon: "✓", class: "status-on_track" },
        KpiHealth::Amber => Badge { word: "In the warning band", icon: "!", class: "status-at_risk" },
        KpiHealth::Red => Badge { word: "Off target", icon: "✕", class: "status-off_track" },
        KpiHealth::NoData => Badge { word: "No data", icon: "?", class: "status-stale" },
    }
}

fn trend_word(trend: KpiTrend) -> &'static str {
    match trend {
        KpiTrend::Improving => "↗ improving",
        KpiTrend::Steady => "→ steady",
        KpiTrend::Worsening => "↘ worsening",
        KpiTrend::Unknown => "· not known yet",
    }
}

/// What a KPI aims at, in words: `≥ 99.9%`, `≤ 2 h`, `2% – 3%`.
fn goal(kpi: &KpiView) -> String {
    let unit = kpi.unit.as_deref();
    match (kpi.direction, kpi.target, kpi.range) {
        (KpiDirection::WithinRange, _, Some([low, high])) => {
            format!("{} – {}", value(Some(low), unit), value(Some(high), unit))
        }
        (KpiDirection::LowerIsBetter, target, _) => format!("≤ {}", value(target, unit)),
        (_, target, _) => format!("≥ {}", value(target, unit)),
    }
}

/// A sparkline as inline SVG: the line of the values, scaled to its own range.
fn sparkline(values: &[f64], health: KpiHealth) -> String {
    if values.len() < 2 {
        return String::new();
    }
    let low = values.iter().copied().fold(f64::INFINITY, f64::min);
    let high = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let span = if high > low { high - low } else { 1.0 };
    let step = 100.0 / (values.len() - 1) as f64;
    let mut points = String::new();
    for (index, v) in values.iter().enumerate() {
        let _ = write!(points, "{:.1},{:.1} ", index as f64 * step, 18.0 - (v - low) / span * 16.0);
    }
    format!(
        r#"<svg class="sparkline {}" viewBox="0 0 100 20" preserveAspectRatio="none" role="img" aria-label="The last {} periods"><polyline fill="none" stroke="currentColor" stroke-width="1.5" vector-effect="non-scaling-stroke" points="{}"/></svg>"#,
        health_badge(health).class,
        values.len(),
        points.trim_end()
    )
}

/// One KPI as a line of the board.
pub struct KpiLine {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Who owns it.
    pub owner: String,
    /// Its health.
    pub badge: Badge,
    /// Its latest value, with unit.
    pub last: String,
    /// What it aims at.
    pub goal: String,
    /// Where it is heading, in words.
    pub trend: &'static str,
    /// Whether it is lagging.
    pub lagging: bool,
    /// Whether it is off target while an active objective works on it.
    pub recovering: bool,
    /// Its active recovery objective, when it is recovering and the viewer may see it
    /// (filled by [`with_recovery_links`]; the badge links to the KPI's list of the
    /// work on it otherwise).
    pub recovery_id: Option<i64>,
    /// Whether the viewer is offered "Create an OKR to fix this": lagging, not being
    /// worked on, and the viewer may create an objective for the KPI's owner.
    pub may_recover: bool,
    /// Its sparkline, as SVG.
    pub sparkline: String,
    /// With a target: its error budget over the quarter, in a few words (issue 20).
    pub budget: Option<String>,
}

fn lines<'a>(
    entries: impl IntoIterator<Item = &'a KpiBoardEntry>,
    names: &Names,
    caller: &milepost_app::Caller,
) -> Vec<KpiLine> {
    entries
        .into_iter()
        .map(|entry| {
            let kpi = &entry.kpi;
            let values: Vec<f64> = entry.sparkline.iter().map(|p| p.value).collect();
            KpiLine {
                id: kpi.id.get(),
                name: kpi.name.clone(),
                owner: names.person(kpi.owner_person_id),
                badge: health_badge(kpi.state.health),
                last: value(kpi.state.last_value, kpi.unit.as_deref()),
                goal: goal(kpi),
                trend: trend_word(kpi.state.trend),
                lagging: kpi.state.lagging,
                recovering: kpi.state.recovering,
                recovery_id: None,
                may_recover: kpi.state.lagging
                    && !kpi.state.recovering
                    && milepost_app::permission::allows(
                        caller,
                        milepost_app::permission::Action::EditOkr { owner: kpi.owner_person_id },
                    ),
                sparkline: sparkline(&values, kpi.state.health),
                budget: kpi
                    .state
                    .error_budget
                    .as_ref()
                    .map(|b| super::error_budget::BudgetLine::of(b, kpi.cadence).summary),
            }
        })
        .collect()
}

/// Fills the recovery objectives of the recovering KPIs among `lines`, so that their
/// "Recovering" badge links to the objective: for short lists (the lagging ones).
async fn with_recovery_links(
    app: &App,
    caller: &milepost_app::Caller,
    mut lines: Vec<KpiLine>,
) -> Result<Vec<KpiLine>, AppError> {
    for line in lines.iter_mut().filter(|l| l.recovering) {
        line.recovery_id = app.kpis().work(caller, KpiId(line.id)).await?.recovery_objective_id;
    }
    Ok(lines)
}

/// The KPI part of the dashboard: how many KPIs are in each health, and the lagging ones.
pub struct KpiSummary {
    /// (badge, count) per health, in the order green, amber, red, no data.
    pub counts: Vec<(Badge, usize)>,
    /// The first lagging KPIs, in the board's order (at most [`LAGGING_CAP`]).
    pub lagging: Vec<KpiLine>,
    /// How many KPIs are lagging in all.
    pub lagging_total: usize,
}

/// How many lagging KPIs the dashboard shows; the board shows them all.
pub const LAGGING_CAP: usize = 10;

/// The dashboard's KPI summary, from the board.
pub async fn summary(
    app: &App,
    viewer: &Viewer,
    names: &Names,
    as_of: Option<milepost_app::as_of::AsOf>,
) -> Result<KpiSummary, AppError> {
    let board = app.kpis().board_as_of(&viewer.caller, as_of).await?;
    let counts = [KpiHealth::Green, KpiHealth::Amber, KpiHealth::Red, KpiHealth::NoData]
        .iter()
        .map(|h| (health_badge(*h), board.items.iter().filter(|e| e.kpi.state.health == *h).count()))
        .collect();
    // Lines (with their sparklines) only for the lagging KPIs shown.
    let lagging_entries = board.items.iter().filter(|e| e.kpi.state.lagging);
    let lagging_total = lagging_entries.clone().count();
    let lagging = lines(lagging_entries.take(LAGGING_CAP), names, &viewer.caller);
    let lagging = with_recovery_links(app, &viewer.caller, lagging).await?;
    Ok(KpiSummary { counts, lagging, lagging_total })
}

#[derive(Template)]
#[template(path = "kpis.html")]
struct KpiBoardPage {
    layout: Layout,
    as_of: String,
    kpis: Vec<KpiLine>,
    lagging: Vec<KpiLine>,
    may_define: bool,
}

/// Whether the viewer may define KPIs (and so sees the links to the KPI forms).
fn may_define(viewer: &Viewer) -> bool {
    milepost_app::permission::allows(&viewer.caller, milepost_app::permission::Action::DefineKpi)
}

/// `GET /kpis`: the KPI board; with `?as_of=`, as it stood then.
pub async fn show_kpis(
    State(app): State<App>,
    viewer: Viewer,
    crate::extract::Query(query): crate::extract::Query<milepost_app::as_of::AsOfQuery>,
) -> PageResult {
    let (as_of, time) = super::as_of::read(&app, &viewer, &query, "/kpis").await?;
    let board = app.kpis().board_as_of(&viewer.caller, as_of).await?;
    let mut layout = Layout::new(&viewer, "kpis", "KPIs");
    layout.time = Some(time);
    let names = Names::load(&app, &viewer.caller).await?;
    let kpis = lines(&board.items, &names, &viewer.caller);
    let lagging = lines(board.items.iter().filter(|e| e.kpi.state.lagging), &names, &viewer.caller);
    let lagging = with_recovery_links(&app, &viewer.caller, lagging).await?;
    let template = KpiBoardPage { layout, as_of: day(board.as_of), kpis, lagging, may_define: may_define(&viewer) };
    Ok(page(StatusCode::OK, &template))
}

/// The range of the KPI page: days, as a date input sends them.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct RangeQuery {
    /// From this day.
    #[serde(default, deserialize_with = "super::form::empty_as_none")]
    pub from: Option<jiff::civil::Date>,
    /// Up to this day, inclusive.
    #[serde(default, deserialize_with = "super::form::empty_as_none")]
    pub to: Option<jiff::civil::Date>,
    /// How many values the last "record" saved, to say so.
    #[serde(default, deserialize_with = "super::form::empty_as_none")]
    pub recorded: Option<u64>,
}

/// The data of the KPI chart, for `static/milepost.js`.
#[derive(Serialize)]
struct Chart {
    times: Vec<i64>,
    values: Vec<Option<f64>>,
    /// What the values are, for the legend: a KPI's are measurements.
    values_label: &'static str,
    pace: Vec<Option<f64>>,
    unit: String,
    label: String,
    lines: Vec<Line>,
}

#[derive(Serialize)]
struct Line {
    label: &'static str,
    value: f64,
}

#[derive(Template)]
#[template(path = "kpi.html")]
struct KpiPage {
    layout: Layout,
    may_define: bool,
    kpi: KpiView,
    badge: Badge,
    goal: String,
    band: String,
    last: String,
    trend: &'static str,
    owner: String,
    chart: String,
    from: String,
    to: String,
    points: usize,
    measurements: u64,
    downsampled: bool,
    /// The objectives working on it, each with the key results it feeds.
    work: Vec<WorkLine>,
    /// Its active recovery objective.
    recovery: Option<i64>,
    /// Whether "Create an OKR to fix this" is offered: lagging, no recovery objective
    /// yet, and the viewer may create one for the KPI's owner.
    may_recover: bool,
    /// Whether the viewer may record its values (its owner, editors, admins).
    may_record: bool,
    /// What the record form shows: what was typed, and its problems.
    fields: super::form::Fields,
    problems: super::form::Problems,
    /// How many values were just recorded.
    recorded: Option<u64>,
    /// Its pull source, for the "Source" section.
    source_summary: super::kpi_source::SourceSummary,
    /// With a target: its error budget over the current quarter (issue 20).
    budget: Option<super::error_budget::BudgetLine>,
    /// What the budget is read over, for its caption.
    budget_window: Option<&'static str>,
    /// Its driver tree, when it has drivers (`kpi_tree.html`).
    tree: Option<Vec<super::kpi_tree::TreeLine>>,
}

/// An objective working on a KPI, as the KPI page lists it.
struct WorkLine {
    objective: super::view::ObjectiveLine,
    cycle: String,
    recovery: bool,
    key_results: Vec<super::view::KeyResultLine>,
}

fn midnight(date: jiff::civil::Date) -> Option<jiff::Timestamp> {
    date.to_zoned(jiff::tz::TimeZone::UTC).ok().map(|z| z.timestamp())
}

/// `GET /kpis/{id}?from=YYYY-MM-DD&to=YYYY-MM-DD`: one KPI's chart over a range.
pub async fn show_kpi(
    State(app): State<App>,
    viewer: Viewer,
    Id(id): Id<KpiId>,
    Query(range): Query<RangeQuery>,
) -> PageResult {
    kpi_page(&app, &viewer, id, range, super::form::Fields::default(), super::form::Problems::default(), StatusCode::OK)
        .await
}

/// The KPI page with `status`, its record form showing `fields` and `problems`.
pub(super) async fn kpi_page(
    app: &App,
    viewer: &Viewer,
    id: KpiId,
    range: RangeQuery,
    fields: super::form::Fields,
    problems: super::form::Problems,
    status: StatusCode,
) -> PageResult {
    let (app, viewer) = (app.clone(), viewer);
    let caller = &viewer.caller;
    let kpi = app.kpis().get(caller, id).await?;
    if let (Some(from), Some(to)) = (range.from, range.to)
        && from > to
    {
        return Err(
            AppError::Invalid(vec![FieldError::parameter("from", "the range must start before it ends")]).into()
        );
    }
    let query = SeriesQuery {
        from: range.from.and_then(midnight),
        // Up to the end of the last day: the series includes its `to`.
        to: range
            .to
            .and_then(|d| d.tomorrow().ok())
            .and_then(midnight)
            .and_then(|t| t.checked_sub(jiff::SignedDuration::from_millis(1)).ok()),
        max_points: Some(400),
    };
    let series = app.kpis().series(caller, id, query).await?;
    let names = Names::load(&app, caller).await?;
    let unit = kpi.unit.as_deref();
    let band = kpi.warning_band;
    let lines = match (kpi.direction, kpi.target, kpi.range) {
        (KpiDirection::WithinRange, _, Some([low, high])) => vec![
            Line { label: "range low", value: low },
            Line { label: "range high", value: high },
            Line { label: "warning edge", value: low - band },
            Line { label: "warning edge", value: high + band },
        ],
        (KpiDirection::LowerIsBetter, Some(target), _) => {
            vec![Line { label: "target", value: target }, Line { label: "warning edge", value: target + band }]
        }
        (_, Some(target), _) => {
            vec![Line { label: "target", value: target }, Line { label: "warning edge", value: target - band }]
        }
        _ => Vec::new(),
    };
    let chart = Chart {
        times: series.points.iter().map(|p| p.at.as_second()).collect(),
        values: series.points.iter().map(|p| Some(p.value)).collect(),
        values_label: "measurements",
        pace: Vec::new(),
        unit: kpi.unit.clone().unwrap_or_default(),
        label: String::new(),
        lines,
    };
    let work = app.kpis().work(caller, id).await?;
    let now = app.now();
    let mut cycles: std::collections::HashMap<i64, String> = std::collections::HashMap::new();
    let mut work_lines = Vec::new();
    for item in &work.objectives {
        let cycle_id = item.objective.cycle_id;
        if let std::collections::hash_map::Entry::Vacant(entry) = cycles.entry(cycle_id) {
            entry.insert(app.cycles().get(caller, milepost_core::CycleId(cycle_id)).await?.name);
        }
        work_lines.push(WorkLine {
            objective: super::view::ObjectiveLine::of(&item.objective, &names),
            cycle: cycles.get(&cycle_id).cloned().unwrap_or_default(),
            recovery: item.recovery,
            key_results: item
                .objective
                .key_results
                .iter()
                .map(|k| super::view::KeyResultLine::of(k, &names, now))
                .collect(),
        });
    }
    let may_recover = kpi.state.lagging
        && work.recovery_objective_id.is_none()
        && milepost_app::permission::allows(
            caller,
            milepost_app::permission::Action::EditOkr { owner: kpi.owner_person_id },
        );
    let may_record = milepost_app::permission::allows(
        caller,
        milepost_app::permission::Action::RecordMeasurement { owner: kpi.owner_person_id },
    );
    // A formula KPI is computed from its inputs: nobody records its values.
    let may_record = may_record && kpi.formula.is_none();
    let tree = super::kpi_tree::lines(&app.kpis().tree(caller, id).await?);
    let template = KpiPage {
        source_summary: super::kpi_source::SourceSummary::of(&kpi, may_define(viewer)),
        budget: kpi.state.error_budget.as_ref().map(|b| super::error_budget::BudgetLine::of(b, kpi.cadence)),
        budget_window: Some("this quarter, every period required"),
        tree,
        may_record,
        fields,
        problems,
        recorded: range.recorded,
        work: work_lines,
        recovery: work.recovery_objective_id,
        may_recover,
        may_define: may_define(viewer),
        layout: Layout::new(viewer, "kpis", kpi.name.clone()),
        badge: health_badge(kpi.state.health),
        goal: goal(&kpi),
        band: value(Some(band), unit),
        last: value(kpi.state.last_value, unit),
        trend: trend_word(kpi.state.trend),
        owner: names.person(kpi.owner_person_id),
        chart: serde_json::to_string(&chart).unwrap_or_else(|_| "{}".to_owned()),
        from: day(series.from),
        to: day(series.to),
        points: series.points.len(),
        measurements: series.measurements,
        downsampled: series.downsampled,
        kpi,
    };
    Ok(page(status, &template))
}

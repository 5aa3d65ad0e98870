//! What a KPI's numbers say: its state now (health, trend, lagging, latest value, by
//! the rules of `milepost_core::health`), its series over a time range downsampled on
//! the server, and the board of every KPI with sparkline data.
//!
//! Corrections: a KPI may hold several rows for one time; the last recorded one is the
//! value, everywhere here.

use super::{KpiView, board_rows, cadence_of, goal_of, lagging_after_of, not_found, view};
use crate::Caller;
use crate::error::AppError;
use crate::kpi::Kpis;
use crate::time::from_ms;
use jiff::{SignedDuration, Timestamp};
use milepost_core::KpiId;
use milepost_core::health::latest_per_time;
use milepost_core::health::{Point, TREND_PERIODS, period_values};
use milepost_core::{KpiHealth, KpiTrend, is_lagging, kpi_health, kpi_trend};
use milepost_store::{KpiRow, MeasurementRow, Tx};
use serde::{Deserialize, Serialize};

/// How many periods a board sparkline covers.
pub const SPARKLINE_PERIODS: usize = 24;
/// The most points a series answer holds.
pub const SERIES_MAX_POINTS: u32 = 10_000;
/// Points in a series answer when the request names no number.
pub const SERIES_DEFAULT_POINTS: u32 = 500;

/// A KPI's state now.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct KpiState {
    /// green, amber, red or no_data.
    pub health: KpiHealth,
    /// improving, steady, worsening or unknown, over the last four periods.
    pub trend: KpiTrend,
    /// Red now and in each of its last `lagging_after` complete calendar periods (days,
    /// ISO weeks, months or quarters in UTC); a current period without a value yet
    /// neither clears nor hides it, and two silent periods make it `no_data` instead.
    pub lagging: bool,
    /// Off target while an active objective works on it (a key result linked to it in
    /// an active cycle): the fix is under way.
    pub recovering: bool,
    /// The latest value.
    pub last_value: Option<f64>,
    /// The time the latest value measures.
    pub last_measured_at: Option<Timestamp>,
    /// With a target: the error budget over the current calendar quarter (UTC), read
    /// like an SLO (issue 20): slices of its cadence, each meeting the target when its
    /// last value does, every slice required. `null` without a target.
    pub error_budget: Option<milepost_core::ErrorBudget>,
}

impl Default for KpiState {
    fn default() -> Self {
        KpiState {
            health: KpiHealth::NoData,
            trend: KpiTrend::Unknown,
            lagging: false,
            recovering: false,
            last_value: None,
            last_measured_at: None,
            error_budget: None,
        }
    }
}

/// One point of a sparkline: the last value of a period.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SparkPoint {
    /// The end of the period.
    pub at: Timestamp,
    /// Its last value.
    pub value: f64,
}

/// One KPI on the board.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct KpiBoardEntry {
    /// The KPI, with its state.
    pub kpi: KpiView,
    /// The last value of each of its last 24 periods that has one, oldest first.
    pub sparkline: Vec<SparkPoint>,
}

/// Every KPI (tier `kpi`, not archived) with health, last value, trend, lagging flag and
/// sparkline data.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct KpiBoard {
    /// The time the board was computed for.
    pub as_of: Timestamp,
    /// The KPIs in id order.
    pub items: Vec<KpiBoardEntry>,
    /// The ids of the lagging ones.
    pub lagging: Vec<i64>,
}

/// The range and resolution of a series.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SeriesQuery {
    /// From this time (default: a year before `to`).
    pub from: Option<Timestamp>,
    /// Up to this time (default: now).
    pub to: Option<Timestamp>,
    /// At most this many points, 1–10000 (default 500).
    #[param(minimum = 1, maximum = 10000)]
    pub max_points: Option<u32>,
}

/// One point of a series: a measurement, or a bucket of them when downsampled.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SeriesPoint {
    /// The measurement's time, or the start of the bucket.
    pub at: Timestamp,
    /// The value, or the bucket's last value.
    pub value: f64,
    /// The bucket's lowest value.
    pub min: f64,
    /// The bucket's highest value.
    pub max: f64,
    /// The bucket's mean.
    pub mean: f64,
    /// How many measurements the point stands for.
    pub count: u64,
}

/// A KPI's values over a time range.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct KpiSeries {
    /// The KPI.
    pub kpi_id: i64,
    /// From.
    pub from: Timestamp,
    /// To.
    pub to: Timestamp,
    /// Whether points are buckets (equal spans of time between `from` and `to`, each
    /// with min, max, mean and last value) rather than single measurements.
    pub downsampled: bool,
    /// Measurements in the range (after corrections), before downsampling.
    pub measurements: u64,
    /// The points, oldest first.
    pub points: Vec<SeriesPoint>,
}

fn points(rows: &[(i64, f64)]) -> Vec<Point> {
    rows.iter().map(|(at, value)| (from_ms(*at), *value)).collect()
}

/// Reads what the rules need for `row` at `now`: the last `periods` periods of values
/// (one per time), and the latest measurement at or before `now`.
async fn recent(
    tx: &mut Tx,
    row: &KpiRow,
    now: Timestamp,
    periods: usize,
    past: Option<&[MeasurementRow]>,
) -> Result<(Vec<Point>, Option<Point>), AppError> {
    let period = cadence_of(row).period();
    let span = SignedDuration::from_secs(period.as_secs().saturating_mul(i64::try_from(periods).unwrap_or(i64::MAX)));
    let from = now.checked_sub(span).unwrap_or(Timestamp::MIN);
    let rows = values_between(tx, row, past, from.as_millisecond(), now.as_millisecond()).await?;
    let series = points(&latest_per_time(rows));
    let latest = match series.last() {
        Some(point) => Some(*point),
        None => latest_at(tx, row, past, now.as_millisecond()).await?,
    };
    Ok((series, latest))
}

/// A KPI's (measured_at, value) rows with `from <= measured_at <= to`, in time order and
/// for one time in the order recorded: from the database, or from `past` (the rows that
/// count as of a past instant, in that order).
async fn values_between(
    tx: &mut Tx,
    row: &KpiRow,
    past: Option<&[MeasurementRow]>,
    from: i64,
    to: i64,
) -> Result<Vec<(i64, f64)>, AppError> {
    Ok(match past {
        Some(rows) => {
            rows.iter().filter(|m| (from..=to).contains(&m.measured_at)).map(|m| (m.measured_at, m.value)).collect()
        }
        None => tx.measurement_values(milepost_core::WorkspaceId(row.workspace_id), row.id, from, to).await?,
    })
}

/// The latest measurement at or before `at`: the last measured time, and for it the
/// last recorded row; from the database, or from `past`.
async fn latest_at(
    tx: &mut Tx,
    row: &KpiRow,
    past: Option<&[MeasurementRow]>,
    at: i64,
) -> Result<Option<Point>, AppError> {
    Ok(match past {
        Some(rows) => rows.iter().rfind(|m| m.measured_at <= at).map(|m| (from_ms(m.measured_at), m.value)),
        None => tx
            .latest_measurement(milepost_core::WorkspaceId(row.workspace_id), row.id, at)
            .await?
            .map(|m| (from_ms(m.measured_at), m.value)),
    })
}

fn state_of(row: &KpiRow, series: &[Point], latest: Option<Point>, now: Timestamp) -> KpiState {
    let cadence = cadence_of(row);
    let (health, trend, lagging) = match goal_of(row) {
        Some(goal) => (
            kpi_health(&goal, cadence, latest, now),
            kpi_trend(&goal, cadence, series, now),
            is_lagging(&goal, cadence, series, lagging_after_of(row), now),
        ),
        None => (KpiHealth::NoData, KpiTrend::Unknown, false),
    };
    KpiState {
        health,
        trend,
        lagging,
        recovering: false,
        last_value: latest.map(|p| p.1),
        last_measured_at: latest.map(|p| p.0),
        error_budget: None,
    }
}

/// The error budget of `row` at `now`, over the current calendar quarter
/// ([`milepost_core::error_budget::kpi_window`]); `None` without a target.
async fn quarter_budget(
    tx: &mut Tx,
    row: &KpiRow,
    now: Timestamp,
    past: Option<&[MeasurementRow]>,
) -> Result<Option<milepost_core::ErrorBudget>, AppError> {
    let Some(goal) = goal_of(row) else { return Ok(None) };
    let (starts_at, ends_at) = milepost_core::error_budget::kpi_window(now);
    // The value standing at the quarter's start counts for its first slice.
    let before = latest_at(tx, row, past, starts_at.as_millisecond() - 1).await?;
    let rows = values_between(tx, row, past, starts_at.as_millisecond(), now.as_millisecond()).await?;
    let values: Vec<Point> = before.into_iter().chain(points(&latest_per_time(rows))).collect();
    Ok(milepost_core::error_budget(milepost_core::error_budget::BudgetInput {
        measure: goal.measure(),
        cadence: cadence_of(row),
        starts_at,
        ends_at,
        values: &values,
        required: milepost_core::RequiredShare::ALL,
        now,
    }))
}

fn needed_periods(row: &KpiRow) -> usize {
    let lagging = usize::try_from(lagging_after_of(row)).unwrap_or(usize::MAX);
    // Lagging looks at the last complete calendar periods, behind the current one: two
    // more nominal periods cover the current one and months longer than 30 days.
    TREND_PERIODS.max(lagging.saturating_add(2)).max(2)
}

/// Whether an off-target KPI is being worked on by an active objective.
async fn recovering(tx: &mut Tx, row: &KpiRow, state: &KpiState, now: Timestamp) -> Result<bool, AppError> {
    if !matches!(state.health, KpiHealth::Red | KpiHealth::Amber) {
        return Ok(false);
    }
    let day = now.to_zoned(jiff::tz::TimeZone::UTC).date().to_string();
    Ok(tx.kpi_is_worked_on(milepost_core::WorkspaceId(row.workspace_id), row.id, &day).await?)
}

/// The state of `row` at `now`.
pub(crate) async fn state(tx: &mut Tx, row: &KpiRow, now: Timestamp) -> Result<KpiState, AppError> {
    let (series, latest) = recent(tx, row, now, needed_periods(row), None).await?;
    let mut state = state_of(row, &series, latest, now);
    state.recovering = recovering(tx, row, &state, now).await?;
    state.error_budget = quarter_budget(tx, row, now, None).await?;
    Ok(state)
}

/// Downsamples `rows` (one per time, in time order) between `from` and `to` to at most
/// `max_points`: the measurements themselves when there are few enough, otherwise
/// equal buckets of time with their min, max, mean and last value.
pub fn downsample(rows: &[(i64, f64)], from: i64, to: i64, max_points: u32) -> (bool, Vec<SeriesPoint>) {
    let single = |(at, value): &(i64, f64)| SeriesPoint {
        at: from_ms(*at),
        value: *value,
        min: *value,
        max: *value,
        mean: *value,
        count: 1,
    };
    let max_points = usize::try_from(max_points.max(1)).unwrap_or(usize::MAX);
    if rows.len() <= max_points {
        return (false, rows.iter().map(single).collect());
    }
    let buckets = i64::try_from(max_points).unwrap_or(i64::MAX);
    let width = ((to - from) / buckets + 1).max(1);
    let mut out: Vec<SeriesPoint> = Vec::with_capacity(max_points);
    let mut current: Option<(i64, f64, f64, f64, f64, u64)> = None;
    let flush = |out: &mut Vec<SeriesPoint>, bucket: (i64, f64, f64, f64, f64, u64)| {
        let (index, last, min, max, sum, count) = bucket;
        out.push(SeriesPoint {
            at: from_ms(from + index * width),
            value: last,
            min,
            max,
            mean: sum / count as f64,
            count,
        });
    };
    for (at, value) in rows {
        let index = (at - from) / width;
        current = match current {
            Some((i, _, min, max, sum, count)) if i == index => {
                Some((i, *value, min.min(*value), max.max(*value), sum + value, count + 1))
            }
            Some(done) => {
                flush(&mut out, done);
                Some((index, *value, *value, *value, *value, 1))
            }
            None => Some((index, *value, *value, *value, *value, 1)),
        };
    }
    if let Some(done) = current {
        flush(&mut out, done);
    }
    (true, out)
}

impl Kpis<'_> {
    /// A KPI's series from `from` to `to`, downsampled on the server to at most
    /// `max_points` (see [`downsample`]).
    pub async fn series(self, caller: &Caller, id: KpiId, query: SeriesQuery) -> Result<KpiSeries, AppError> {
        let id = id.get();
        let max_points = query.max_points.unwrap_or(SERIES_DEFAULT_POINTS);
        if !(1..=SERIES_MAX_POINTS).contains(&max_points) {
            return Err(AppError::Invalid(vec![crate::FieldError::parameter(
                "max_points",
                format!("must be from 1 to {SERIES_MAX_POINTS}"),
            )]));
        }
        let to = query.to.unwrap_or_else(|| self.app.now());
        let from = query.from.unwrap_or_else(|| to.checked_sub(SignedDuration::from_hours(24 * 365)).unwrap_or(to));
        if from > to {
            return Err(AppError::Invalid(vec![crate::FieldError::parameter("from", "must not be after `to`")]));
        }
        let mut tx = self.app.store().read().await?;
        let row = tx.kpi(caller.workspace, id).await?.ok_or_else(|| not_found(id))?;
        let rows = latest_per_time(
            tx.measurement_values(caller.workspace, row.id, from.as_millisecond(), to.as_millisecond()).await?,
        );
        let (downsampled, points) = downsample(&rows, from.as_millisecond(), to.as_millisecond(), max_points);
        Ok(KpiSeries { kpi_id: id, from, to, downsampled, measurements: rows.len() as u64, points })
    }

    /// The board: every KPI of tier `kpi` that is not archived, with its state and the
    /// last value of each of its last 24 periods.
    pub async fn board(self, caller: &Caller) -> Result<KpiBoard, AppError> {
        let board = self.board_shared(caller).await?;
        Ok(KpiBoard::clone(&board))
    }

    /// [`Kpis::board`], shared with the read model rather than copied.
    pub async fn board_shared(self, caller: &Caller) -> Result<std::sync::Arc<KpiBoard>, AppError> {
        self.board_as_of(caller, None).await
    }

    /// [`Kpis::board_shared`], or the board as it stood at `as_of` (checked by
    /// `app.workspaces().as_of`): the KPIs that existed then, from the measurements
    /// that count then, judged at that instant. KPI definitions (targets, thresholds,
    /// archived or not) are today's. As of a past instant each KPI's measurements are
    /// read whole from its rows, once per request.
    pub async fn board_as_of(
        self,
        caller: &Caller,
        as_of: Option<crate::as_of::AsOf>,
    ) -> Result<std::sync::Arc<KpiBoard>, AppError> {
        let now = as_of.map_or_else(|| self.app.now(), |a| a.at());
        let mut tx = self.app.store().read().await?;
        // The same for everyone in the workspace: kept in the read model until the next
        // write there, or for a minute.
        let generation = tx.generation(caller.workspace).await?;
        let model = self.app.read_model();
        if as_of.is_none()
            && let Some(board) = model.derived::<KpiBoard>(caller.workspace, "kpi board", generation, now)
        {
            return Ok(board);
        }
        let mut rows = board_rows(&mut tx, caller).await?;
        if as_of.is_some() {
            rows.retain(|row| row.created_at <= now.as_millisecond());
        }
        let mut items = Vec::with_capacity(rows.len());
        let mut lagging = Vec::new();
        for row in rows {
            let past = match as_of {
                Some(as_of) => Some(measurements_as_of(&mut tx, &row, as_of).await?),
                None => None,
            };
            let past = past.as_deref();
            let periods = needed_periods(&row).max(SPARKLINE_PERIODS);
            let (series, latest) = recent(&mut tx, &row, now, periods, past).await?;
            let mut state = state_of(&row, &series, latest, now);
            state.recovering = recovering(&mut tx, &row, &state, now).await?;
            state.error_budget = quarter_budget(&mut tx, &row, now, past).await?;
            let period = cadence_of(&row).period();
            let sparkline = period_values(&series, cadence_of(&row), now, SPARKLINE_PERIODS)
                .into_iter()
                .enumerate()
                .rev()
                .filter_map(|(age, value)| {
                    let back = SignedDuration::from_secs(period.as_secs() * i64::try_from(age).unwrap_or(0));
                    Some(SparkPoint { at: now.checked_sub(back).ok()?, value: value? })
                })
                .collect();
            if state.lagging {
                lagging.push(row.id);
            }
            items.push(KpiBoardEntry { kpi: view(row, state), sparkline });
        }
        let board = std::sync::Arc::new(KpiBoard { as_of: now, items, lagging });
        if as_of.is_none() {
            model.keep_derived(caller.workspace, "kpi board", generation, now, std::sync::Arc::clone(&board));
        }
        Ok(board)
    }
}

/// A KPI's measurements that count as of a past instant (recorded by then or, as known
/// now, measured by then), in time order and, for one time, in the order recorded.
async fn measurements_as_of(
    tx: &mut Tx,
    row: &KpiRow,
    as_of: crate::as_of::AsOf,
) -> Result<Vec<MeasurementRow>, AppError> {
    let at = as_of.at().as_millisecond();
    let late = as_of.known() == crate::as_of::Known::Now;
    let mut rows: Vec<MeasurementRow> = tx
        .list_measurements(milepost_core::WorkspaceId(row.workspace_id), row.id)
        .await?
        .into_iter()
        .filter(|m| m.measured_at <= at && (m.recorded_at <= at || late))
        .collect();
    rows.sort_by_key(|m| (m.measured_at, m.id));
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn few_points_come_back_as_they_are() {
        let (downsampled, points) = downsample(&[(0, 1.0), (10, 2.0)], 0, 100, 5);
        assert!(!downsampled);
        assert_eq!(points.len(), 2);
        assert_eq!(points[1].value, 2.0);
    }

    #[test]
    fn many_points_become_buckets_with_min_max_mean_and_last() {
        let rows: Vec<(i64, f64)> = (0..100).map(|i| (i, i as f64)).collect();
        let (downsampled, points) = downsample(&rows, 0, 99, 10);
        assert!(downsampled);
        assert!(points.len() <= 10, "{}", points.len());
        assert_eq!(points.iter().map(|p| p.count).sum::<u64>(), 100);
        let first = points[0];
        assert_eq!((first.min, first.max, first.value), (0.0, 9.0, 9.0));
        assert!((first.mean - 4.5).abs() < 1e-9);
    }
}

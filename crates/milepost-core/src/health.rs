//! KPI health, trend and lagging (SPEC §4): three documented functions over a KPI's
//! [`KpiGoal`] and its measurements, so the board, the KPI page, the API and the CLI
//! can never disagree.
//!
//! The rules:
//!
//! - **Health** ([`kpi_health`]) at the latest value: `green` on target (at or above it
//!   when higher is better, at or below it when lower is better, inside the range when
//!   within a range), `amber` when it misses by at most the warning band, `red` beyond
//!   that. With no measurement at all, or none in the last two periods of the KPI's
//!   cadence, the health is `no_data`: silence is never a stale green.
//! - **Trend** ([`kpi_trend`]): the least-squares slope of the last value of each of the
//!   last [`TREND_PERIODS`] periods, projected over those periods. `improving` or
//!   `worsening` (direction-aware: for a range, towards or away from the band) when that
//!   change exceeds half the warning band (1% of the target without a band), `steady`
//!   otherwise, `unknown` with fewer than two periods that have a value.
//! - **Lagging** ([`is_lagging`]): red in each of the last `n` *complete* calendar
//!   periods of the cadence ([`period_start`]: days, ISO weeks from Monday, months and
//!   quarters, in UTC), and red now. A period's value is its last measurement; a complete
//!   period without one breaks the run. The current period is not complete: while it
//!   has no measurement it neither clears nor hides lagging (the latest value, from the
//!   last complete period, is red); a value in it that is not red clears it at once.
//!   Silence wins over red: a KPI whose latest value is older than two periods is
//!   `no_data`, never lagging.

use crate::kpi::{Cadence, KpiDirection};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// How many periods the trend looks back over.
pub const TREND_PERIODS: usize = 4;

/// How many periods without a measurement make a KPI `no_data`.
pub const NO_DATA_AFTER_PERIODS: i64 = 2;

/// What a KPI aims at, with the band in which a miss is only amber.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KpiGoal {
    aim: Aim,
    band: f64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Aim {
    AtLeast(f64),
    AtMost(f64),
    Between(f64, f64),
}

/// Why a KPI goal cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum GoalError {
    /// Higher or lower is better, but no target.
    #[error("a KPI whose {0} needs a target")]
    MissingTarget(&'static str),
    /// Within a range, but no range (or the range is backwards).
    #[error("a KPI within a range needs a range [low, high] with low below high")]
    BadRange,
    /// A number that is not finite.
    #[error("targets, ranges and warning bands must be finite numbers")]
    NotFinite,
    /// A negative warning band.
    #[error("the warning band must be zero or more")]
    NegativeBand,
}

impl KpiGoal {
    /// A goal from a KPI's direction, target, range and warning band. Higher and lower
    /// is better need a target; within a range needs `range` with low < high.
    pub fn try_new(
        direction: KpiDirection,
        target: Option<f64>,
        range: Option<(f64, f64)>,
        band: f64,
    ) -> Result<KpiGoal, GoalError> {
        if !band.is_finite() || target.is_some_and(|t| !t.is_finite()) {
            return Err(GoalError::NotFinite);
        }
        if band < 0.0 {
            return Err(GoalError::NegativeBand);
        }
        let aim = match direction {
            KpiDirection::HigherIsBetter => Aim::AtLeast(target.ok_or(GoalError::MissingTarget("higher is better"))?),
            KpiDirection::LowerIsBetter => Aim::AtMost(target.ok_or(GoalError::MissingTarget("lower is better"))?),
            KpiDirection::WithinRange => match range {
                Some((low, high)) if !low.is_finite() || !high.is_finite() => return Err(GoalError::NotFinite),
                Some((low, high)) if low < high => Aim::Between(low, high),
                _ => return Err(GoalError::BadRange),
            },
        };
        Ok(KpiGoal { aim, band })
    }

    /// The goal as a key result's condition, for its error budget
    /// ([`crate::error_budget`]): at or above, at or below, or inside the range. The
    /// warning band does not count: amber misses the target.
    pub fn measure(&self) -> crate::key_result::Measure {
        use crate::key_result::{Comparator, Measure};
        match self.aim {
            Aim::AtLeast(threshold) => Measure::Maintain { threshold, comparator: Comparator::AtLeast },
            Aim::AtMost(threshold) => Measure::Maintain { threshold, comparator: Comparator::AtMost },
            Aim::Between(low, high) => Measure::Range { low, high },
        }
    }

    /// How far `value` misses the goal: 0 on target, positive otherwise.
    pub fn miss(&self, value: f64) -> f64 {
        match self.aim {
            Aim::AtLeast(target) => (target - value).max(0.0),
            Aim::AtMost(target) => (value - target).max(0.0),
            Aim::Between(low, high) => (low - value).max(value - high).max(0.0),
        }
    }

    /// The value a recovery aims at: the target, or the nearer end of the range.
    pub fn aim_for(&self, value: f64) -> f64 {
        match self.aim {
            Aim::AtLeast(target) | Aim::AtMost(target) => target,
            Aim::Between(low, high) => {
                if value < low {
                    low
                } else if value > high {
                    high
                } else {
                    value
                }
            }
        }
    }

    /// The health of one value, ignoring its age.
    pub fn health_of(&self, value: f64) -> KpiHealth {
        let miss = self.miss(value);
        if miss <= 0.0 {
            KpiHealth::Green
        } else if miss <= self.band {
            KpiHealth::Amber
        } else {
            KpiHealth::Red
        }
    }

    /// The size of a meaningful change: half the warning band or, without a band, 1%
    /// of the target's (or range's) magnitude.
    fn scale(&self) -> f64 {
        if self.band > 0.0 {
            return self.band / 2.0;
        }
        let magnitude = match self.aim {
            Aim::AtLeast(target) | Aim::AtMost(target) => target.abs(),
            Aim::Between(low, high) => low.abs().max(high.abs()),
        };
        if magnitude > 0.0 { magnitude * 0.01 } else { f64::EPSILON }
    }
}

/// A KPI's health (SPEC §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum KpiHealth {
    /// On target.
    Green,
    /// Off target, but inside the warning band.
    Amber,
    /// Outside the warning band.
    Red,
    /// No measurement, or none for two periods of its cadence.
    NoData,
}

/// Which way a KPI is heading over its last periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum KpiTrend {
    /// Moving towards the goal (or further past it).
    Improving,
    /// Not moving by more than half its warning band (1% of its target without one).
    Steady,
    /// Moving away from the goal.
    Worsening,
    /// Fewer than two periods with a value.
    Unknown,
}

/// One measurement as the rules see it: the time it measures and its value. Callers
/// pass a series sorted by time with one value per time (the latest correction).
pub type Point = (Timestamp, f64);

/// The health of a KPI at `now` from its latest measurement (see the module rules).
/// `latest` is the last measurement at or before `now`, if any.
pub fn kpi_health(goal: &KpiGoal, cadence: Cadence, latest: Option<Point>, now: Timestamp) -> KpiHealth {
    let Some((at, value)) = latest else {
        return KpiHealth::NoData;
    };
    let silence = SignedDuration::from_secs(cadence.period().as_secs() * NO_DATA_AFTER_PERIODS);
    if now.duration_since(at) >= silence {
        return KpiHealth::NoData;
    }
    goal.health_of(value)
}

/// The last value of each of the `count` periods ending at `now`, newest first; `None`
/// for a period without a measurement. `series` is sorted by time.
pub fn period_values(series: &[Point], cadence: Cadence, now: Timestamp, count: usize) -> Vec<Option<f64>> {
    let period = cadence.period().as_millis();
    let now_ms = i128::from(now.as_millisecond());
    let mut values = vec![None; count];
    for (at, value) in series.iter().rev() {
        let age = now_ms - i128::from(at.as_millisecond());
        if age < 0 {
            continue;
        }
        let Ok(index) = usize::try_from(age / period) else { break };
        if index >= count {
            break;
        }
        // Newest first through a sorted series: the first value seen is the period's last.
        if values[index].is_none() {
            values[index] = Some(*value);
        }
    }
    values
}

/// The trend over the last [`TREND_PERIODS`] periods (see the module rules).
pub fn kpi_trend(goal: &KpiGoal, cadence: Cadence, series: &[Point], now: Timestamp) -> KpiTrend {
    let values = period_values(series, cadence, now, TREND_PERIODS);
    // x counts periods forward in time: the oldest period is 0.
    let points: Vec<(f64, f64)> =
        values.iter().enumerate().filter_map(|(age, v)| v.map(|v| ((TREND_PERIODS - 1 - age) as f64, v))).collect();
    if points.len() < 2 {
        return KpiTrend::Unknown;
    }
    let n = points.len() as f64;
    let mean_x = points.iter().map(|p| p.0).sum::<f64>() / n;
    let mean_y = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mean_x).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mean_x) * (p.1 - mean_y)).sum();
    let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
    let first = points.iter().map(|p| p.0).fold(f64::INFINITY, f64::min);
    let last = points.iter().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max);
    let change = slope * (last - first);
    if !change.is_finite() || change.abs() <= goal.scale() {
        return KpiTrend::Steady;
    }
    let good = match goal.aim {
        Aim::AtLeast(_) => change > 0.0,
        Aim::AtMost(_) => change < 0.0,
        Aim::Between(low, high) => {
            // Towards the band from the side the fit starts on.
            let start = mean_y - slope * (mean_x - first);
            let end = start + change;
            let miss = |v: f64| (low - v).max(v - high).max(0.0);
            miss(end) < miss(start)
                || (miss(start) == 0.0 && miss(end) == 0.0 && {
                    let middle = (low + high) / 2.0;
                    (end - middle).abs() < (start - middle).abs()
                })
        }
    };
    if good { KpiTrend::Improving } else { KpiTrend::Worsening }
}

/// The first day of the calendar period of `cadence` that holds `day`: the day itself,
/// the Monday of its ISO week, the first of its month, the first of its quarter.
fn first_day(cadence: Cadence, day: Date) -> Date {
    match cadence {
        Cadence::Daily => day,
        Cadence::Weekly => day.checked_sub(i64::from(day.weekday().to_monday_zero_offset()).days()).unwrap_or(day),
        Cadence::Monthly => day.first_of_month(),
        Cadence::Quarterly => {
            let month = (day.month() - 1) / 3 * 3 + 1;
            Date::new(day.year(), month, 1).unwrap_or(day.first_of_month())
        }
    }
}

/// The first day of the period before the one that starts on `first`.
fn previous_first_day(cadence: Cadence, first: Date) -> Date {
    let back = match cadence {
        Cadence::Daily => 1.day(),
        Cadence::Weekly => 1.week(),
        Cadence::Monthly => 1.month(),
        Cadence::Quarterly => 3.months(),
    };
    first.checked_sub(back).unwrap_or(first)
}

fn midnight(day: Date) -> Timestamp {
    day.to_zoned(TimeZone::UTC).map_or(Timestamp::MIN, |zoned| zoned.timestamp())
}

/// When the calendar period of `cadence` that holds `at` began, in UTC: midnight of the
/// day, of the Monday of the ISO week, of the first of the month or of the quarter.
pub fn period_start(cadence: Cadence, at: Timestamp) -> Timestamp {
    midnight(first_day(cadence, at.to_zoned(TimeZone::UTC).date()))
}

/// The last value of each of the `count` complete calendar periods before the one that
/// holds `now`, newest first; `None` for a period without a measurement. `series` is
/// sorted by time.
pub fn complete_period_values(series: &[Point], cadence: Cadence, now: Timestamp, count: usize) -> Vec<Option<f64>> {
    let mut first = first_day(cadence, now.to_zoned(TimeZone::UTC).date());
    let mut values = Vec::with_capacity(count.min(1024));
    for _ in 0..count {
        let end = midnight(first);
        first = previous_first_day(cadence, first);
        let start = midnight(first);
        // The last point before `end`, if it is inside the period.
        let before_end = series.partition_point(|(at, _)| *at < end);
        let value = before_end.checked_sub(1).map(|i| series[i]).filter(|(at, _)| *at >= start).map(|(_, v)| v);
        values.push(value);
    }
    values
}

/// Whether a KPI is lagging at `now`: red now, and red in each of its last `n` complete
/// calendar periods (see the module rules). `n` of 0 is treated as 1.
pub fn is_lagging(goal: &KpiGoal, cadence: Cadence, series: &[Point], n: u32, now: Timestamp) -> bool {
    let latest = series.iter().rev().find(|(at, _)| *at <= now).copied();
    if kpi_health(goal, cadence, latest, now) != KpiHealth::Red {
        return false;
    }
    let count = usize::try_from(n.max(1)).unwrap_or(usize::MAX);
    complete_period_values(series, cadence, now, count)
        .iter()
        .all(|value| value.is_some_and(|v| goal.health_of(v) == KpiHealth::Red))
}

/// Keeps one value per time (unix milliseconds): the last recorded, so that a
/// correction replaces the value it corrects. Rows come in time, then record, order.
pub fn latest_per_time(rows: Vec<(i64, f64)>) -> Vec<(i64, f64)> {
    let mut out: Vec<(i64, f64)> = Vec::with_capacity(rows.len());
    for (at, value) in rows {
        match out.last_mut() {
            Some(last) if last.0 == at => last.1 = value,
            _ => out.push((at, value)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn corrections_keep_the_last_recorded_value() {
        assert_eq!(latest_per_time(vec![(1, 1.0), (2, 2.0), (2, 2.5), (3, 3.0)]), vec![(1, 1.0), (2, 2.5), (3, 3.0)]);
    }

    fn now() -> Timestamp {
        "2026-11-16T00:00:00Z".parse().unwrap()
    }

    fn days_ago(days: f64) -> Timestamp {
        now().checked_sub(SignedDuration::from_secs_f64(days * 86_400.0)).unwrap()
    }

    fn uptime() -> KpiGoal {
        KpiGoal::try_new(KpiDirection::HigherIsBetter, Some(99.9), None, 0.1).unwrap()
    }

    fn latency() -> KpiGoal {
        KpiGoal::try_new(KpiDirection::LowerIsBetter, Some(800.0), None, 150.0).unwrap()
    }

    fn churn() -> KpiGoal {
        KpiGoal::try_new(KpiDirection::WithinRange, None, Some((2.0, 3.0)), 0.3).unwrap()
    }

    #[test]
    fn goals_need_what_their_direction_needs() {
        assert_eq!(
            KpiGoal::try_new(KpiDirection::HigherIsBetter, None, None, 0.0),
            Err(GoalError::MissingTarget("higher is better"))
        );
        assert_eq!(KpiGoal::try_new(KpiDirection::WithinRange, Some(3.0), None, 0.0), Err(GoalError::BadRange));
        assert_eq!(KpiGoal::try_new(KpiDirection::WithinRange, None, Some((3.0, 2.0)), 0.0), Err(GoalError::BadRange));
        assert_eq!(KpiGoal::try_new(KpiDirection::LowerIsBetter, Some(1.0), None, -1.0), Err(GoalError::NegativeBand));
        assert_eq!(KpiGoal::try_new(KpiDirection::LowerIsBetter, Some(f64::NAN), None, 1.0), Err(GoalError::NotFinite));
    }

    #[test]
    fn health_is_green_on_target_amber_in_the_band_red_beyond() {
        let latest = |v| Some((days_ago(0.5), v));
        assert_eq!(kpi_health(&uptime(), Cadence::Daily, latest(99.95), now()), KpiHealth::Green);
        assert_eq!(kpi_health(&uptime(), Cadence::Daily, latest(99.9), now()), KpiHealth::Green);
        assert_eq!(kpi_health(&uptime(), Cadence::Daily, latest(99.85), now()), KpiHealth::Amber);
        assert_eq!(kpi_health(&uptime(), Cadence::Daily, latest(99.7), now()), KpiHealth::Red);
        assert_eq!(kpi_health(&latency(), Cadence::Daily, latest(700.0), now()), KpiHealth::Green);
        assert_eq!(kpi_health(&latency(), Cadence::Daily, latest(900.0), now()), KpiHealth::Amber);
        assert_eq!(kpi_health(&latency(), Cadence::Daily, latest(951.0), now()), KpiHealth::Red);
        assert_eq!(kpi_health(&churn(), Cadence::Daily, latest(2.5), now()), KpiHealth::Green);
        assert_eq!(kpi_health(&churn(), Cadence::Daily, latest(1.8), now()), KpiHealth::Amber);
        assert_eq!(kpi_health(&churn(), Cadence::Daily, latest(3.2), now()), KpiHealth::Amber);
        assert_eq!(kpi_health(&churn(), Cadence::Daily, latest(3.5), now()), KpiHealth::Red);
    }

    #[test]
    fn two_silent_periods_are_no_data_never_a_stale_green() {
        assert_eq!(kpi_health(&uptime(), Cadence::Daily, None, now()), KpiHealth::NoData);
        assert_eq!(kpi_health(&uptime(), Cadence::Daily, Some((days_ago(1.9), 100.0)), now()), KpiHealth::Green);
        assert_eq!(kpi_health(&uptime(), Cadence::Daily, Some((days_ago(2.0), 100.0)), now()), KpiHealth::NoData);
        assert_eq!(kpi_health(&uptime(), Cadence::Weekly, Some((days_ago(13.0), 100.0)), now()), KpiHealth::Green);
        assert_eq!(kpi_health(&uptime(), Cadence::Weekly, Some((days_ago(15.0), 100.0)), now()), KpiHealth::NoData);
    }

    #[test]
    fn lagging_needs_n_red_periods_in_a_row() {
        let red_then_green = [(days_ago(2.5), 99.0), (days_ago(1.5), 99.0), (days_ago(0.5), 99.95)];
        assert!(!is_lagging(&uptime(), Cadence::Daily, &red_then_green, 2, now()));
        let two_red = [(days_ago(2.5), 99.95), (days_ago(1.5), 99.0), (days_ago(0.5), 99.0)];
        assert!(is_lagging(&uptime(), Cadence::Daily, &two_red, 2, now()));
        assert!(!is_lagging(&uptime(), Cadence::Daily, &two_red, 3, now()), "only two red periods");
        let gap = [(days_ago(2.5), 99.0), (days_ago(0.5), 99.0)];
        assert!(!is_lagging(&uptime(), Cadence::Daily, &gap, 2, now()), "a period without a value breaks the run");
        // A red value last week then a green one in the same period: the period's last value counts.
        let recovered_within = [(days_ago(1.5), 99.0), (days_ago(0.9), 99.0), (days_ago(0.2), 99.95)];
        assert!(!is_lagging(&uptime(), Cadence::Daily, &recovered_within, 2, now()));
        let weekly = [(days_ago(10.0), 50.0), (days_ago(3.0), 50.0)];
        assert!(is_lagging(
            &latency(),
            Cadence::Weekly,
            &[(days_ago(10.0), 1000.0), (days_ago(3.0), 1000.0)],
            2,
            now()
        ));
        assert!(!is_lagging(&latency(), Cadence::Weekly, &weekly, 2, now()));
    }

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn periods_are_calendar_days_weeks_months_and_quarters_in_utc() {
        let wednesday = at("2026-11-18T15:30:00Z");
        assert_eq!(period_start(Cadence::Daily, wednesday), at("2026-11-18T00:00:00Z"));
        assert_eq!(period_start(Cadence::Weekly, wednesday), at("2026-11-16T00:00:00Z"), "ISO weeks start on Monday");
        assert_eq!(period_start(Cadence::Monthly, wednesday), at("2026-11-01T00:00:00Z"));
        assert_eq!(period_start(Cadence::Quarterly, wednesday), at("2026-10-01T00:00:00Z"));
        assert_eq!(period_start(Cadence::Weekly, at("2026-11-16T00:00:00Z")), at("2026-11-16T00:00:00Z"));
        assert_eq!(period_start(Cadence::Quarterly, at("2027-03-31T23:59:59Z")), at("2027-01-01T00:00:00Z"));
        let series = [
            (at("2026-09-30T12:00:00Z"), 1.0),
            (at("2026-10-02T00:00:00Z"), 2.0),
            (at("2026-10-31T23:59:59Z"), 3.0),
            (at("2026-11-10T00:00:00Z"), 4.0),
        ];
        // November is not complete yet: October, then September.
        assert_eq!(complete_period_values(&series, Cadence::Monthly, wednesday, 3), vec![Some(3.0), Some(1.0), None]);
        assert_eq!(complete_period_values(&series, Cadence::Quarterly, wednesday, 2), vec![Some(1.0), None]);
    }

    #[test]
    fn an_empty_current_period_neither_clears_nor_hides_lagging() {
        // Red for the whole of October and November; December has no value yet.
        let monthly = [(at("2026-10-20T00:00:00Z"), 1000.0), (at("2026-11-25T00:00:00Z"), 1000.0)];
        for now in ["2026-12-01T00:00:00Z", "2026-12-03T10:00:00Z", "2026-12-20T23:00:00Z"] {
            assert!(is_lagging(&latency(), Cadence::Monthly, &monthly, 2, at(now)), "{now}");
        }
        // Two silent periods: no data wins over red.
        assert!(!is_lagging(&latency(), Cadence::Monthly, &monthly, 2, at("2027-01-25T00:00:00Z")));
        // A red value in the current period keeps it lagging; a green one clears it.
        let mut red_now = monthly.to_vec();
        red_now.push((at("2026-12-02T00:00:00Z"), 990.0));
        assert!(is_lagging(&latency(), Cadence::Monthly, &red_now, 2, at("2026-12-03T00:00:00Z")));
        let mut green_now = monthly.to_vec();
        green_now.push((at("2026-12-02T00:00:00Z"), 50.0));
        assert!(!is_lagging(&latency(), Cadence::Monthly, &green_now, 2, at("2026-12-03T00:00:00Z")));
        // Weekly, measured on Fridays: red the last two whole weeks, Monday of the third.
        let weekly = [(at("2026-11-06T09:00:00Z"), 1000.0), (at("2026-11-13T09:00:00Z"), 1000.0)];
        assert!(is_lagging(&latency(), Cadence::Weekly, &weekly, 2, at("2026-11-16T08:00:00Z")));
        assert!(is_lagging(&latency(), Cadence::Weekly, &weekly, 2, at("2026-11-20T08:00:00Z")));
    }

    #[test]
    fn silent_kpis_do_not_lag() {
        let old_red = [(days_ago(4.5), 99.0), (days_ago(3.5), 99.0), (days_ago(2.5), 99.0)];
        assert!(!is_lagging(&uptime(), Cadence::Daily, &old_red, 2, now()));
    }

    #[test]
    fn trend_is_direction_aware() {
        let rising = [(days_ago(3.5), 99.0), (days_ago(2.5), 99.5), (days_ago(1.5), 100.0), (days_ago(0.5), 100.5)];
        assert_eq!(kpi_trend(&uptime(), Cadence::Daily, &rising, now()), KpiTrend::Improving);
        let slower = [(days_ago(2.5), 700.0), (days_ago(0.5), 900.0)];
        assert_eq!(kpi_trend(&latency(), Cadence::Daily, &slower, now()), KpiTrend::Worsening);
        let flat = [(days_ago(1.5), 99.9), (days_ago(0.5), 99.91)];
        assert_eq!(kpi_trend(&uptime(), Cadence::Daily, &flat, now()), KpiTrend::Steady);
        assert_eq!(kpi_trend(&uptime(), Cadence::Daily, &flat[1..], now()), KpiTrend::Unknown);
        let into_band = [(days_ago(1.5), 4.0), (days_ago(0.5), 3.0)];
        assert_eq!(kpi_trend(&churn(), Cadence::Daily, &into_band, now()), KpiTrend::Improving);
        let out_of_band = [(days_ago(1.5), 2.5), (days_ago(0.5), 1.0)];
        assert_eq!(kpi_trend(&churn(), Cadence::Daily, &out_of_band, now()), KpiTrend::Worsening);
    }

    #[test]
    fn period_values_take_each_periods_last_value() {
        let series = [(days_ago(1.8), 1.0), (days_ago(1.2), 2.0), (days_ago(0.3), 3.0), (days_ago(-1.0), 9.0)];
        assert_eq!(period_values(&series, Cadence::Daily, now(), 3), vec![Some(3.0), Some(2.0), None]);
    }

    fn goals() -> impl Strategy<Value = KpiGoal> {
        prop_oneof![
            (-1e6..1e6f64, 0.0..1e3f64).prop_map(|(t, b)| KpiGoal::try_new(
                KpiDirection::HigherIsBetter,
                Some(t),
                None,
                b
            )
            .unwrap()),
            (-1e6..1e6f64, 0.0..1e3f64).prop_map(|(t, b)| KpiGoal::try_new(
                KpiDirection::LowerIsBetter,
                Some(t),
                None,
                b
            )
            .unwrap()),
            (-1e6..1e6f64, 0.001..1e3f64, 0.0..1e3f64).prop_map(|(low, width, b)| {
                KpiGoal::try_new(KpiDirection::WithinRange, None, Some((low, low + width)), b).unwrap()
            }),
        ]
    }

    proptest! {
        #[test]
        fn a_value_on_the_aim_is_green(goal in goals(), value in -1e6..1e6f64) {
            prop_assert_eq!(goal.health_of(goal.aim_for(value)), KpiHealth::Green);
        }

        #[test]
        fn health_worsens_with_the_miss(goal in goals(), a in -2e6..2e6f64, b in -2e6..2e6f64) {
            let rank = |h: KpiHealth| match h { KpiHealth::Green => 0, KpiHealth::Amber => 1, _ => 2 };
            let (near, far) = if goal.miss(a) <= goal.miss(b) { (a, b) } else { (b, a) };
            prop_assert!(rank(goal.health_of(near)) <= rank(goal.health_of(far)));
        }

        #[test]
        fn no_measurement_for_two_periods_is_never_green(
            goal in goals(), value in -2e6..2e6f64, extra_hours in 0i64..10_000
        ) {
            for cadence in [Cadence::Daily, Cadence::Weekly, Cadence::Monthly, Cadence::Quarterly] {
                let age = SignedDuration::from_secs(cadence.period().as_secs() * 2 + extra_hours * 3600);
                let at = now().checked_sub(age).unwrap();
                prop_assert_eq!(kpi_health(&goal, cadence, Some((at, value)), now()), KpiHealth::NoData);
                prop_assert!(!is_lagging(&goal, cadence, &[(at, value)], 2, now()));
            }
        }

        #[test]
        fn an_empty_current_period_does_not_change_the_verdict(
            goal in goals(),
            values in prop::collection::vec((0i64..90 * 24, -2e6..2e6f64), 0..24),
            n in 1u32..4,
            cadence_index in 0usize..4,
            later in 0.0..1.0f64,
        ) {
            // Measurements in the 90 days before the current period began; `now` is the
            // period's first instant or any later instant of it.
            let cadence = [Cadence::Daily, Cadence::Weekly, Cadence::Monthly, Cadence::Quarterly][cadence_index];
            let now = at("2026-11-18T15:30:00Z");
            let start = period_start(cadence, now);
            let mut series: Vec<Point> = values
                .iter()
                .map(|(hours, v)| (start.checked_sub(SignedDuration::from_hours(*hours + 1)).unwrap(), *v))
                .collect();
            series.sort_by_key(|p| p.0);
            series.dedup_by_key(|p| p.0);
            let length = now.duration_since(start).as_secs_f64();
            let then = start.checked_add(SignedDuration::from_secs_f64(length * later)).unwrap();
            let latest = series.last().copied();
            if kpi_health(&goal, cadence, latest, now) != KpiHealth::NoData {
                prop_assert_eq!(
                    is_lagging(&goal, cadence, &series, n, start),
                    is_lagging(&goal, cadence, &series, n, then)
                );
            }
            // And when it lags, each of the last n complete periods ended red.
            if is_lagging(&goal, cadence, &series, n, then) {
                let complete = complete_period_values(&series, cadence, then, n as usize);
                prop_assert!(complete.iter().all(|v| v.is_some_and(|v| goal.health_of(v) == KpiHealth::Red)));
                // A longer run asked for can only be harder to meet.
                prop_assert!(n == 1 || is_lagging(&goal, cadence, &series, n - 1, then));
            }
        }

        #[test]
        fn lagging_implies_red_now(
            goal in goals(), values in prop::collection::vec(-2e6..2e6f64, 0..12), n in 1u32..4
        ) {
            let series: Vec<Point> =
                values.iter().enumerate().map(|(i, v)| (days_ago((values.len() - i) as f64 - 0.5), *v)).collect();
            if is_lagging(&goal, Cadence::Daily, &series, n, now()) {
                let latest = series.last().copied();
                prop_assert_eq!(kpi_health(&goal, Cadence::Daily, latest, now()), KpiHealth::Red);
                prop_assert!(series.len() >= n as usize);
            }
        }
    }
}

//! The forecast of a key result (SPEC §4): where its value will stand at the cycle's end,
//! an interval around that, and the probability of reaching the target.
//!
//! # The model: the rates the key result has shown, continued from where it stands
//!
//! Every pair of points in the value history (check-ins, and a linked KPI's measurements)
//! shows a rate at which the value moved: `(later − earlier) / (time between them)`. The
//! forecast continues from the **latest value** at each of these rates until the cycle
//! ends, which gives one candidate end value per pair. Each candidate is weighted by the
//! time between its two points, because a rate seen over six weeks tells more than a rate
//! seen over two days (this is Sen's slope estimator, weighted by the time between the
//! points, as hydrology and climate trends use it).
//!
//! - the **point forecast** is the weighted median of the candidates;
//! - the **interval** runs from their weighted 10th to their weighted 90th percentile
//!   ([`INTERVAL`], 80%);
//! - the **probability** of reaching the target is the weighted share of candidates that
//!   end on the good side: at or above the target of an increase, at or below that of a
//!   decrease, on the good side of a maintain threshold, inside a range's band. A
//!   milestone has no forecast: it is done or not.
//!
//! With fewer than [`MIN_POINTS`] points, or all of them at one instant, there is no
//! forecast and the status falls back to pace.
//!
//! # Why not ordinary least squares with a t interval
//!
//! Least squares fits the trend well, but its interval's width comes from the scatter of
//! the points around the line, and so depends on the latest value too. Checking in a
//! better number then can *lower* the probability: a jump above a line already heading
//! past the target widens the interval, and the probability falls from 1 towards ½. For
//! any forecast of the form *centre + width × a fixed distribution*, the probability
//! never falls as the latest value improves, whatever the target, only if the width does
//! not depend on the latest value at all; with three points nothing else is left to
//! measure a scatter with. Candidates from pairs keep that promise by construction: each
//! candidate moves the right way when the latest value does, so a better check-in never
//! lowers the probability (a property test below checks it). They are also robust: one
//! mistyped check-in moves the median little, where it tilts a least-squares line.
//!
//! Weights are whole milliseconds, so the quantiles and the probability are exact sums and
//! no rounding can break the promises above. At most [`MAX_POINTS`] points are used (a
//! KPI measured every minute would otherwise make millions of pairs): longer histories
//! are thinned to every k-th point, counted back from the latest, which is always kept.

use crate::key_result::Measure;
use jiff::Timestamp;

/// The share of candidate end values the interval holds: 80%, from the 10th to the 90th
/// weighted percentile.
pub const INTERVAL: f64 = 0.8;

/// The fewest points a forecast is made from (SPEC §4: fewer fall back to pace).
pub const MIN_POINTS: usize = 3;

/// The most points a forecast uses; longer histories are thinned.
pub const MAX_POINTS: usize = 120;

const MILLISECONDS_PER_DAY: f64 = 86_400_000.0;

/// Where a key result's value is heading by the end of its cycle.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Forecast {
    /// The point forecast: the value expected at the cycle's end.
    pub value: f64,
    /// The low end of the 80% interval.
    pub low: f64,
    /// The high end of the 80% interval.
    pub high: f64,
    /// The probability, 0–1, of ending on the good side of the target (inside the band
    /// of a range key result).
    pub probability: f64,
    /// The progress the point forecast would mean, unclamped, for increase and decrease
    /// key results (1.0 is the target); `None` for maintain and range.
    pub progress: Option<f64>,
    /// How many points of the history the forecast used.
    pub points: usize,
    /// The instant forecast: the cycle's end.
    pub at: Timestamp,
}

/// The forecast of a key result measured by `measure` at `end` (the cycle's end), from
/// its value history inside the cycle: `(when, value)` in any order; of points at one
/// instant, the last one given counts as the latest. Points after `end` are ignored.
///
/// `None` for a milestone, with fewer than [`MIN_POINTS`] points, or when the points
/// do not span any time.
pub fn forecast(measure: &Measure, history: &[(Timestamp, f64)], end: Timestamp) -> Option<Forecast> {
    if matches!(measure, Measure::Milestone) {
        return None;
    }
    let mut points: Vec<(i64, f64)> = history
        .iter()
        .filter(|(at, value)| *at <= end && value.is_finite())
        .map(|(at, value)| (at.as_millisecond(), *value))
        .collect();
    // A stable sort keeps the given order among points at one instant.
    points.sort_by_key(|point| point.0);
    let points = thin(points);
    if points.len() < MIN_POINTS {
        return None;
    }
    let &(latest_at, latest) = points.last()?;
    let horizon_days = (end.as_millisecond() - latest_at) as f64 / MILLISECONDS_PER_DAY;
    let mut candidates: Vec<(f64, u128)> = Vec::with_capacity(points.len() * (points.len() - 1) / 2);
    for (i, &(earlier_at, earlier)) in points.iter().enumerate() {
        for &(later_at, later) in &points[i + 1..] {
            let gap = later_at - earlier_at;
            if gap <= 0 {
                continue;
            }
            let rate = (later - earlier) / (gap as f64 / MILLISECONDS_PER_DAY);
            let value = latest + rate * horizon_days;
            if value.is_finite() {
                candidates.push((value, u128::from(gap.unsigned_abs())));
            }
        }
    }
    let total: u128 = candidates.iter().map(|c| c.1).sum();
    if total == 0 {
        return None;
    }
    candidates.sort_by(|a, b| a.0.total_cmp(&b.0));
    let good: u128 = candidates.iter().filter(|c| measure.meets(c.0)).map(|c| c.1).sum();
    let value = quantile(&candidates, total, 5)?;
    Some(Forecast {
        value,
        low: quantile(&candidates, total, 1)?,
        high: quantile(&candidates, total, 9)?,
        probability: (good as f64 / total as f64).clamp(0.0, 1.0),
        progress: match measure {
            Measure::Increase { .. } | Measure::Decrease { .. } => measure.progress_at(value).map(|p| p.raw()),
            _ => None,
        },
        points: points.len(),
        at: end,
    })
}

/// Every k-th point counted back from the latest, so that at most [`MAX_POINTS`] remain.
fn thin(points: Vec<(i64, f64)>) -> Vec<(i64, f64)> {
    if points.len() <= MAX_POINTS {
        return points;
    }
    let step = points.len().div_ceil(MAX_POINTS);
    let mut kept: Vec<(i64, f64)> = points.iter().rev().step_by(step).copied().collect();
    kept.reverse();
    kept
}

/// The weighted quantile at `tenths`/10 of candidates sorted by value: the first whose
/// cumulative weight reaches that share of the total. Exact in integers.
fn quantile(sorted: &[(f64, u128)], total: u128, tenths: u128) -> Option<f64> {
    let mut cumulative = 0u128;
    for &(value, weight) in sorted {
        cumulative += weight;
        if cumulative * 10 >= tenths * total {
            return Some(value);
        }
    }
    sorted.last().map(|c| c.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key_result::{Comparator, KeyResultKind, MeasureSpec};
    use jiff::SignedDuration;
    use proptest::prelude::*;

    fn day(n: i64) -> Timestamp {
        Timestamp::UNIX_EPOCH.saturating_add(SignedDuration::from_hours(24 * n)).unwrap()
    }

    fn measure(kind: KeyResultKind, start: f64, target: f64) -> Measure {
        Measure::try_new(MeasureSpec {
            kind: Some(kind),
            start: Some(start),
            target: Some(target),
            ..Default::default()
        })
        .unwrap()
    }

    fn increase() -> Measure {
        measure(KeyResultKind::Increase, 0.0, 100.0)
    }

    fn weekly(values: &[f64]) -> Vec<(Timestamp, f64)> {
        values.iter().enumerate().map(|(i, v)| (day(7 * i as i64), *v)).collect()
    }

    #[test]
    fn fewer_than_three_points_fall_back_to_pace() {
        assert_eq!(forecast(&increase(), &[], day(90)), None);
        assert_eq!(forecast(&increase(), &weekly(&[10.0, 20.0]), day(90)), None);
        assert!(forecast(&increase(), &weekly(&[10.0, 20.0, 30.0]), day(90)).is_some());
    }

    #[test]
    fn a_milestone_has_no_forecast() {
        let milestone = Measure::try_new(MeasureSpec { kind: Some(KeyResultKind::Milestone), ..Default::default() });
        assert_eq!(forecast(&milestone.unwrap(), &weekly(&[0.0, 0.0, 1.0, 1.0]), day(90)), None);
    }

    #[test]
    fn points_at_one_instant_show_no_trend() {
        let same = [(day(3), 10.0), (day(3), 20.0), (day(3), 15.0)];
        assert_eq!(forecast(&increase(), &same, day(90)), None);
    }

    #[test]
    fn a_steady_line_forecasts_its_extension_with_certainty() {
        // 10 a week from 0: at day 91 (13 weeks) it stands at 130.
        let f = forecast(&increase(), &weekly(&[0.0, 10.0, 20.0, 30.0]), day(91)).unwrap();
        assert!((f.value - 130.0).abs() < 1e-9, "{f:?}");
        assert_eq!((f.low, f.high), (f.value, f.value), "no scatter, no spread");
        assert_eq!(f.probability, 1.0);
        assert_eq!(f.points, 4);
        assert_eq!(f.at, day(91));
        assert!((f.progress.unwrap() - 1.3).abs() < 1e-9);
        // Half the speed ends at 65: certainly short.
        let slow = forecast(&increase(), &weekly(&[0.0, 5.0, 10.0, 15.0]), day(91)).unwrap();
        assert_eq!(slow.probability, 0.0);
    }

    #[test]
    fn a_noisy_climb_gets_a_spread_and_an_honest_probability() {
        let values = [0.0, 12.0, 17.0, 31.0, 38.0, 52.0];
        let f = forecast(&increase(), &weekly(&values), day(91)).unwrap();
        assert!(f.low < f.value && f.value < f.high, "{f:?}");
        assert!(f.probability > 0.0 && f.probability < 1.0, "{f:?}");
        // The same history against a target far above it is hopeless, far below it certain.
        let far = forecast(&measure(KeyResultKind::Increase, 0.0, 500.0), &weekly(&values), day(91)).unwrap();
        let near = forecast(&measure(KeyResultKind::Increase, 0.0, 20.0), &weekly(&values), day(91)).unwrap();
        assert_eq!((far.probability, near.probability), (0.0, 1.0));
    }

    #[test]
    fn a_decrease_counts_the_way_down() {
        let down = measure(KeyResultKind::Decrease, 8.0, 2.0);
        let f = forecast(&down, &weekly(&[8.0, 7.0, 6.0]), day(91)).unwrap();
        // One a week from 6 at day 14 for eleven more weeks: −5, well past the target of 2.
        assert!((f.value - -5.0).abs() < 1e-9);
        assert_eq!(f.probability, 1.0);
        let stuck = forecast(&down, &weekly(&[8.0, 8.0, 8.0]), day(91)).unwrap();
        assert_eq!(stuck.probability, 0.0);
    }

    #[test]
    fn a_value_already_past_the_target_is_forecast_from_there() {
        let f = forecast(&increase(), &weekly(&[90.0, 110.0, 120.0]), day(91)).unwrap();
        assert!(f.value > 120.0 && f.probability == 1.0, "{f:?}");
        // Falling back from above the target: the trend says it will not hold.
        let falling = forecast(&increase(), &weekly(&[140.0, 120.0, 105.0]), day(91)).unwrap();
        assert_eq!(falling.probability, 0.0);
    }

    #[test]
    fn a_range_counts_the_chance_of_ending_in_the_band() {
        let band = Measure::try_new(MeasureSpec {
            kind: Some(KeyResultKind::Range),
            range: Some((40.0, 60.0)),
            ..Default::default()
        })
        .unwrap();
        let flat = forecast(&band, &weekly(&[50.0, 49.0, 51.0, 50.0]), day(91)).unwrap();
        let drifting = forecast(&band, &weekly(&[50.0, 54.0, 58.0, 62.0]), day(91)).unwrap();
        assert!(flat.probability >= 0.8 && drifting.probability == 0.0, "{flat:?} {drifting:?}");
        assert_eq!(flat.progress, None);
        let at_most = Measure::try_new(MeasureSpec {
            kind: Some(KeyResultKind::Maintain),
            target: Some(55.0),
            comparator: Some(Comparator::AtMost),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(forecast(&at_most, &weekly(&[50.0, 54.0, 58.0, 62.0]), day(91)).unwrap().probability, 0.0);
    }

    #[test]
    fn a_long_history_is_thinned_keeping_the_latest_point() {
        let history: Vec<(Timestamp, f64)> =
            (0..1000).map(|i| (Timestamp::from_second(i * 3600).unwrap(), i as f64)).collect();
        let f = forecast(&increase(), &history, Timestamp::from_second(1100 * 3600).unwrap()).unwrap();
        assert!(f.points <= MAX_POINTS && f.points >= MAX_POINTS / 2, "{}", f.points);
        assert!((f.value - 1100.0).abs() < 1e-6, "the latest point, 999, plus 101 hours: {f:?}");
    }

    #[test]
    fn points_after_the_end_and_out_of_order_are_handled() {
        let mut history = weekly(&[0.0, 10.0, 20.0]);
        history.reverse();
        history.push((day(200), 1000.0));
        let f = forecast(&increase(), &history, day(91)).unwrap();
        assert_eq!(f.points, 3);
        assert!((f.value - 130.0).abs() < 1e-9);
    }

    fn kinds() -> impl Strategy<Value = Measure> {
        prop_oneof![
            (-1000.0f64..1000.0, 1.0f64..1000.0).prop_map(|(s, d)| measure(KeyResultKind::Increase, s, s + d)),
            (-1000.0f64..1000.0, 1.0f64..1000.0).prop_map(|(s, d)| measure(KeyResultKind::Decrease, s, s - d)),
            (-1000.0f64..1000.0, any::<bool>()).prop_map(|(t, up)| Measure::Maintain {
                threshold: t,
                comparator: if up { Comparator::AtLeast } else { Comparator::AtMost },
            }),
            (-1000.0f64..1000.0, 1.0f64..500.0).prop_map(|(low, width)| Measure::Range { low, high: low + width }),
        ]
    }

    /// Points at whole hours in a quarter, some sharing an instant, values anywhere.
    fn histories() -> impl Strategy<Value = Vec<(Timestamp, f64)>> {
        prop::collection::vec((0i64..24 * 80, -2000.0f64..2000.0), 0..40).prop_map(|points| {
            points.into_iter().map(|(hour, value)| (Timestamp::from_second(hour * 3600).unwrap(), value)).collect()
        })
    }

    /// The sign of a change for the better: +1 where higher is better, −1 where lower is.
    fn good_direction(measure: &Measure) -> Option<f64> {
        match measure {
            Measure::Increase { .. } | Measure::Maintain { comparator: Comparator::AtLeast, .. } => Some(1.0),
            Measure::Decrease { .. } | Measure::Maintain { comparator: Comparator::AtMost, .. } => Some(-1.0),
            _ => None,
        }
    }

    proptest! {
        #[test]
        fn forecasts_are_sane(measure in kinds(), history in histories()) {
            let end = day(92);
            match forecast(&measure, &history, end) {
                None => {
                    let instants: std::collections::HashSet<_> = history.iter().map(|p| p.0).collect();
                    prop_assert!(history.len() < MIN_POINTS || instants.len() < 2);
                }
                Some(f) => {
                    prop_assert!((0.0..=1.0).contains(&f.probability), "{f:?}");
                    prop_assert!(f.low <= f.value && f.value <= f.high, "{f:?}");
                    prop_assert!(f.value.is_finite() && f.low.is_finite() && f.high.is_finite());
                    prop_assert!(f.points >= MIN_POINTS && f.points <= history.len());
                }
            }
        }

        #[test]
        fn a_better_latest_value_never_lowers_the_probability(
            measure in kinds(),
            history in histories(),
            raise in 0.0f64..500.0,
        ) {
            let Some(sign) = good_direction(&measure) else { return Ok(()) };
            let end = day(92);
            let Some(before) = forecast(&measure, &history, end) else { return Ok(()) };
            // The latest point is the last given among those at the latest instant.
            let latest_at = history.iter().map(|p| p.0).max().unwrap();
            let index = history.iter().rposition(|p| p.0 == latest_at).unwrap();
            let mut better = history.clone();
            better[index].1 += sign * raise;
            let after = forecast(&measure, &better, end).unwrap();
            prop_assert!(after.probability >= before.probability, "{before:?} then {after:?}");
            prop_assert!(sign * after.value >= sign * before.value, "{before:?} then {after:?}");
        }

        #[test]
        fn a_perfect_line_forecasts_its_own_extension(
            start in -1000.0f64..1000.0,
            per_day in -50.0f64..50.0,
            days in prop::collection::btree_set(0i64..80, 3..20),
        ) {
            let line = |d: i64| start + per_day * d as f64;
            let history: Vec<(Timestamp, f64)> = days.iter().map(|&d| (day(d), line(d))).collect();
            let f = forecast(&increase(), &history, day(92)).unwrap();
            let tolerance = 1e-6 * (1.0 + line(92).abs());
            prop_assert!((f.value - line(92)).abs() < tolerance, "{f:?} vs {}", line(92));
            prop_assert!(f.high - f.low < tolerance, "{f:?}");
        }
    }
}

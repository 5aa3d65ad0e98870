//! The forecast of a key result (SPEC §4): where its value will stand at the cycle's end,
//! an interval around that, and the probability of reaching the target.
//!
//! # The model: a random walk with a drift, continued from where it stands
//!
//! The value is taken to move like a random walk with a drift: a trend per day, plus
//! noise whose variance grows with the time elapsed. Then:
//!
//! - the **trend** is Sen's slope: the median of the rates `(later − earlier) / days`
//!   between every pair of points, each weighted by the time between them (a rate seen
//!   over six weeks tells more than one seen over two days). It is robust: one mistyped
//!   check-in moves it little;
//! - the **point forecast** continues from the **latest value** at that trend until the
//!   cycle ends: `latest + trend × h`, with `h` the days left;
//! - the **spread** counts two uncertainties: the walk's noise over the days left (`σ²
//!   h`) and the trend's own (`σ² h² / span`, the variance of a drift estimated over the
//!   `span` of days the history covers, carried `h` days); so it is `σ √(h + h²/span)`;
//! - the noise `σ²` per day is estimated from the steps between the points *before the
//!   latest*, around their own mean rate (each step's squared residual divided by its
//!   length), pooled with a prior worth [`PRIOR_WEIGHT`] steps: a walk whose standard
//!   deviation over the cycle is [`PRIOR_NOISE`] of the distance from start to target
//!   (of a range's width; a tenth of the values around a maintain threshold);
//! - the predictive distribution is Student's t with the pooled degrees of freedom
//!   (the prior's plus the residual steps'), centred on the point forecast, scaled by
//!   the spread. The **interval** is its 10th to 90th percentile ([`INTERVAL`], 80%); the
//!   **probability** is its mass on the good side of the target (at or above an
//!   increase's, at or below a decrease's, on the good side of a maintain threshold,
//!   inside a range's band), kept within [`MIN_PROBABILITY`] of 0 and 1: a forecast from
//!   a handful of points is never certain. A milestone has no forecast.
//!
//! With fewer than [`MIN_POINTS`] points, or all of them at one instant, there is no
//! forecast and the status falls back to pace.
//!
//! # Why the noise leaves the latest point out
//!
//! For any forecast of the form *centre + width × a fixed distribution*, the
//! probability never falls as the latest value improves, whatever the target, only if
//! the width does not depend on the latest value. Measured with the latest point, a
//! jump above a line already heading past the target would widen the interval and the
//! probability would fall towards ½: checking in a better number would make the key
//! result look worse. So the noise is measured on the history before the latest point
//! (the prior carries it while that history is short), and the centre moves the right
//! way with the latest value (it enters both the latest value and, through the pairs
//! that end on it, the median rate): a better check-in never lowers the probability (a
//! property test below checks it).
//!
//! # Why not the spread of the pairs' rates (the model before issue 18)
//!
//! The forecast used to take the spread of the candidates `latest + rate × h` over all
//! pairs as its interval and their weighted share past the target as the probability.
//! On a fixture of synthetic key results with known truth (`forecast_fixture`) its 80%
//! intervals held the end value only 35% of the time, over half its probabilities were
//! exactly 0 or 1, and pace alone beat it: the pairs' rates say how the trend wavered,
//! not how far the value can still move by chance in the weeks left, nor how unsure a
//! trend from three points is.
//!
//! At most [`MAX_POINTS`] points are used (a KPI measured every minute would otherwise
//! make millions of pairs): longer histories are thinned to every k-th point, counted
//! back from the latest, which is always kept.

use crate::key_result::{Comparator, Measure};
use crate::stats::{student_t_cdf, student_t_quantile};
use jiff::Timestamp;

/// The least probability a forecast gives, and one minus the most: a forecast from a
/// handful of points is never certain.
pub const MIN_PROBABILITY: f64 = 0.01;

/// The prior noise of a key result: over the whole cycle, a random walk whose standard
/// deviation is a fifth of the distance from start to target.
pub const PRIOR_NOISE: f64 = 0.4;

/// How many observed steps the prior noise is worth.
pub const PRIOR_WEIGHT: f64 = 4.0;

/// The share of the predictive distribution the interval holds: 80%, from its 10th to its 90th
/// percentile.
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
    let &(first_at, _) = points.first()?;
    let &(latest_at, latest) = points.last()?;
    let days = |from: i64, to: i64| (to - from) as f64 / MILLISECONDS_PER_DAY;
    let span = days(first_at, latest_at);
    if span <= 0.0 {
        return None;
    }
    let horizon = days(latest_at, end.as_millisecond());
    let rate = sen_slope(&points)?;
    let value = latest + rate * horizon;
    // The spread: the random walk's noise per day, from the history before the latest
    // point pooled with the prior, over the time left, plus the trend's own uncertainty.
    let (variance, freedom) = noise_per_day(measure, &points[..points.len() - 1], days(first_at, end.as_millisecond()));
    let width = (variance * (horizon + horizon * horizon / span)).sqrt();
    if !value.is_finite() || !width.is_finite() {
        return None;
    }
    let spread = if width > 0.0 { width * student_t_quantile(0.5 + INTERVAL / 2.0, freedom) } else { 0.0 };
    // P(X ≤ x) of the predictive distribution.
    let below = |x: f64| {
        if width > 0.0 { student_t_cdf((x - value) / width, freedom) } else { f64::from(u8::from(value <= x)) }
    };
    let probability =
        match *measure {
            Measure::Increase { target, .. }
            | Measure::Maintain { threshold: target, comparator: Comparator::AtLeast } => 1.0 - below(target),
            Measure::Decrease { target, .. }
            | Measure::Maintain { threshold: target, comparator: Comparator::AtMost } => below(target),
            Measure::Range { low, high } => below(high) - below(low),
            Measure::Milestone => return None,
        };
    Some(Forecast {
        value,
        low: value - spread,
        high: value + spread,
        probability: probability.clamp(MIN_PROBABILITY, 1.0 - MIN_PROBABILITY),
        progress: match measure {
            Measure::Increase { .. } | Measure::Decrease { .. } => measure.progress_at(value).map(|p| p.raw()),
            _ => None,
        },
        points: points.len(),
        at: end,
    })
}

/// The trend: the median of the rates between every pair of points, each weighted by
/// the time between them (Sen's slope, weighted). Exact in integers up to the median.
fn sen_slope(points: &[(i64, f64)]) -> Option<f64> {
    let mut rates: Vec<(f64, u128)> = Vec::with_capacity(points.len() * (points.len() - 1) / 2);
    for (i, &(earlier_at, earlier)) in points.iter().enumerate() {
        for &(later_at, later) in &points[i + 1..] {
            let gap = later_at - earlier_at;
            if gap <= 0 {
                continue;
            }
            let rate = (later - earlier) / (gap as f64 / MILLISECONDS_PER_DAY);
            if rate.is_finite() {
                rates.push((rate, u128::from(gap.unsigned_abs())));
            }
        }
    }
    let total: u128 = rates.iter().map(|c| c.1).sum();
    if total == 0 {
        return None;
    }
    rates.sort_by(|a, b| a.0.total_cmp(&b.0));
    quantile(&rates, total, 5)
}

/// The random walk's variance per day and its degrees of freedom: the prior
/// ([`PRIOR_NOISE`] of the measure's scale over `cycle_days`, worth [`PRIOR_WEIGHT`]
/// observations) pooled with the squared residuals of the steps between `earlier` points
/// (all but the latest) around their own mean rate, each step scaled by its length.
fn noise_per_day(measure: &Measure, earlier: &[(i64, f64)], cycle_days: f64) -> (f64, f64) {
    let prior = (PRIOR_NOISE * scale_of(measure, earlier)).powi(2) / cycle_days.max(1.0);
    let (Some(&(first_at, first)), Some(&(last_at, last))) = (earlier.first(), earlier.last()) else {
        return (prior, PRIOR_WEIGHT);
    };
    let span = (last_at - first_at) as f64 / MILLISECONDS_PER_DAY;
    let mut squares = 0.0;
    let mut steps = 0usize;
    if span > 0.0 {
        let mean_rate = (last - first) / span;
        for pair in earlier.windows(2) {
            let gap = (pair[1].0 - pair[0].0) as f64 / MILLISECONDS_PER_DAY;
            if gap > 0.0 {
                let residual = pair[1].1 - pair[0].1 - mean_rate * gap;
                squares += residual * residual / gap;
                steps += 1;
            }
        }
    }
    // One degree of freedom went to the mean rate.
    let freedom = steps.saturating_sub(1) as f64;
    let variance = (PRIOR_WEIGHT * prior + squares) / (PRIOR_WEIGHT + freedom);
    (if variance.is_finite() { variance } else { prior }, PRIOR_WEIGHT + freedom)
}

/// The size of a move that matters for `measure`: the distance from start to target,
/// a range's width, or a tenth of the largest value seen around a maintain threshold.
fn scale_of(measure: &Measure, earlier: &[(i64, f64)]) -> f64 {
    let scale = match *measure {
        Measure::Increase { start, target } | Measure::Decrease { start, target } => (target - start).abs(),
        Measure::Range { low, high } => high - low,
        Measure::Maintain { threshold, .. } => 0.1 * earlier.iter().map(|p| p.1.abs()).fold(threshold.abs(), f64::max),
        Measure::Milestone => 1.0,
    };
    if scale.is_finite() && scale > 0.0 { scale } else { 1.0 }
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

/// The weighted quantile at `tenths`/10 of rates sorted by value: the first whose
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
    fn a_steady_line_forecasts_its_extension_but_not_with_certainty() {
        // 10 a week from 0: at day 91 (13 weeks) it stands at 130.
        let f = forecast(&increase(), &weekly(&[0.0, 10.0, 20.0, 30.0]), day(91)).unwrap();
        assert!((f.value - 130.0).abs() < 1e-9, "{f:?}");
        // Three weeks of a steady line do not make ten more certain: the interval is
        // symmetric around the extension, and the probability is likely, not 1.
        assert!(f.low < 100.0 && f.high > 160.0 && (f.high + f.low - 260.0).abs() < 1e-6, "{f:?}");
        assert!(f.probability > 0.6 && f.probability < 1.0 - MIN_PROBABILITY + 1e-12, "{f:?}");
        assert_eq!(f.points, 4);
        assert_eq!(f.at, day(91));
        assert!((f.progress.unwrap() - 1.3).abs() < 1e-9);
        // Half the speed ends at 65: more likely short than not.
        let slow = forecast(&increase(), &weekly(&[0.0, 5.0, 10.0, 15.0]), day(91)).unwrap();
        assert!(slow.probability < 0.35 && slow.probability > 0.0, "{slow:?}");
        // The longer the steady line, the surer the forecast.
        let long = forecast(&increase(), &weekly(&[0.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0]), day(91)).unwrap();
        assert!(long.probability > f.probability && long.high - long.low < f.high - f.low, "{long:?}");
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
        assert!(far.probability < 0.1 && near.probability > 0.9, "{far:?} {near:?}");
        assert!(far.probability >= MIN_PROBABILITY && near.probability <= 1.0 - MIN_PROBABILITY);
    }

    #[test]
    fn a_decrease_counts_the_way_down() {
        let down = measure(KeyResultKind::Decrease, 8.0, 2.0);
        let f = forecast(&down, &weekly(&[8.0, 7.0, 6.0]), day(91)).unwrap();
        // One a week from 6 at day 14 for eleven more weeks: −5, well past the target of 2.
        assert!((f.value - -5.0).abs() < 1e-9);
        assert!(f.probability > 0.8, "{f:?}");
        let stuck = forecast(&down, &weekly(&[8.0, 8.0, 8.0]), day(91)).unwrap();
        assert!(stuck.probability < 0.2, "{stuck:?}");
    }

    #[test]
    fn a_value_already_past_the_target_is_forecast_from_there() {
        let f = forecast(&increase(), &weekly(&[90.0, 110.0, 120.0]), day(91)).unwrap();
        assert!(f.value > 120.0 && f.probability > 0.9, "{f:?}");
        // Falling back from above the target: the trend says it will not hold.
        let falling = forecast(&increase(), &weekly(&[140.0, 120.0, 105.0]), day(91)).unwrap();
        assert!(falling.probability < 0.1, "{falling:?}");
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
        // Flat in the middle of the band, but ten weeks ahead from four points: about
        // even; drifting out of it at 4 a week: hopeless, though never certainly so.
        assert!(flat.probability >= 0.4 && drifting.probability == MIN_PROBABILITY, "{flat:?} {drifting:?}");
        assert!((flat.value - 50.0).abs() < 1e-9 && flat.low < 40.0 && flat.high > 60.0, "{flat:?}");
        assert_eq!(flat.progress, None);
        let at_most = Measure::try_new(MeasureSpec {
            kind: Some(KeyResultKind::Maintain),
            target: Some(55.0),
            comparator: Some(Comparator::AtMost),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(
            forecast(&at_most, &weekly(&[50.0, 54.0, 58.0, 62.0]), day(91)).unwrap().probability,
            MIN_PROBABILITY
        );
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
                    prop_assert!((MIN_PROBABILITY..=1.0 - MIN_PROBABILITY).contains(&f.probability), "{f:?}");
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
            // The interval is centred on it; its width is the prior's noise, not the
            // line's (which has none), so it is never a point.
            prop_assert!(((f.high - f.value) - (f.value - f.low)).abs() < tolerance, "{f:?}");
            prop_assert!(f.high > f.low, "{f:?}");
        }
    }
}

//! A formula KPI's value in each period of its own cadence (docs/kpis.md): each input's
//! last value in the period (its latest correction), put through the formula. The
//! value is stamped at the start of the period, so a period holds one value and a
//! recomputation after a correction is a correction of that value.

use super::{EvalError, Formula};
use crate::health::{Point, period_start};
use crate::kpi::Cadence;
use jiff::{SignedDuration, Timestamp};
use std::collections::{BTreeMap, BTreeSet};

/// When the period after the one that starts at `start` begins.
pub fn next_period_start(cadence: Cadence, start: Timestamp) -> Timestamp {
    // A period and a half from a period's start always lands in the next period:
    // months are 28–31 days against a nominal 30, quarters 90–92 against 91.
    let step = SignedDuration::from_secs(cadence.period().as_secs() * 3 / 2);
    start.checked_add(step).map_or(Timestamp::MAX, |later| period_start(cadence, later))
}

/// The last value of `series` (sorted by time, one value per time) in the period that
/// starts at `start`.
pub fn last_in_period(series: &[Point], cadence: Cadence, start: Timestamp) -> Option<f64> {
    let end = next_period_start(cadence, start);
    let before_end = series.partition_point(|(at, _)| *at < end);
    before_end.checked_sub(1).map(|i| series[i]).filter(|(at, _)| *at >= start).map(|(_, value)| value)
}

/// The formula's value in the period that starts at `start`, from each input's last
/// value in it; an input without one leaves the period without a value.
pub fn value_in_period(
    formula: &Formula,
    cadence: Cadence,
    start: Timestamp,
    inputs: &BTreeMap<String, Vec<Point>>,
) -> Result<f64, EvalError> {
    formula.evaluate(&|slug| last_in_period(inputs.get(slug).map_or(&[][..], Vec::as_slice), cadence, start))
}

/// The starts of the periods of `cadence` that hold any of `times`, in order.
pub fn periods_of(cadence: Cadence, times: impl IntoIterator<Item = Timestamp>) -> Vec<Timestamp> {
    times.into_iter().map(|at| period_start(cadence, at)).collect::<BTreeSet<_>>().into_iter().collect()
}

/// The formula's whole history from its inputs' series: a value (or why there is none)
/// for every period in which any input has a value.
pub fn history(
    formula: &Formula,
    cadence: Cadence,
    inputs: &BTreeMap<String, Vec<Point>>,
) -> Vec<(Timestamp, Result<f64, EvalError>)> {
    let times = inputs.values().flatten().map(|(at, _)| *at);
    periods_of(cadence, times)
        .into_iter()
        .map(|start| (start, value_in_period(formula, cadence, start, inputs)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(day: i64) -> Timestamp {
        Timestamp::from_second(1_767_225_600 + day * 86_400 + 3_600).unwrap()
    }

    #[test]
    fn next_periods_follow_the_calendar() {
        let jan = "2026-01-01T00:00:00Z".parse::<Timestamp>().unwrap();
        let feb = "2026-02-01T00:00:00Z".parse::<Timestamp>().unwrap();
        let mar = "2026-03-01T00:00:00Z".parse::<Timestamp>().unwrap();
        assert_eq!(next_period_start(Cadence::Monthly, jan), feb);
        assert_eq!(next_period_start(Cadence::Monthly, feb), mar);
        let apr = "2026-04-01T00:00:00Z".parse::<Timestamp>().unwrap();
        assert_eq!(next_period_start(Cadence::Quarterly, jan), apr);
        let monday = "2026-01-05T00:00:00Z".parse::<Timestamp>().unwrap();
        assert_eq!(next_period_start(Cadence::Weekly, period_start(Cadence::Weekly, jan)), monday);
    }

    #[test]
    fn each_period_takes_each_inputs_last_value_in_it() {
        let formula = Formula::parse("orders * aov").unwrap();
        let mut inputs = BTreeMap::new();
        // Weekly orders, one average order value a month.
        inputs.insert("orders".to_owned(), vec![(at(1), 10.0), (at(8), 20.0), (at(33), 30.0)]);
        inputs.insert("aov".to_owned(), vec![(at(20), 5.0), (at(40), 6.0)]);
        let history = history(&formula, Cadence::Monthly, &inputs);
        assert_eq!(history.len(), 2);
        assert_eq!(history[0].1, Ok(100.0), "January: the last orders (20) times 5");
        assert_eq!(history[1].1, Ok(180.0));
        inputs.insert("aov".to_owned(), vec![(at(20), 5.0)]);
        let history = super::history(&formula, Cadence::Monthly, &inputs);
        assert_eq!(history[1].1, Err(EvalError::Missing("aov".into())), "February has no order value");
    }

    /// Applies a correction as the store does: the latest recorded row for a time wins.
    fn correct(series: &mut Vec<Point>, point: Point) {
        match series.binary_search_by_key(&point.0, |p| p.0) {
            Ok(index) => series[index].1 = point.1,
            Err(index) => series.insert(index, point),
        }
    }

    fn series() -> impl Strategy<Value = Vec<Point>> {
        prop::collection::btree_map(0i64..120, -50i32..50, 0..30)
            .prop_map(|m| m.into_iter().map(|(day, v)| (at(day), f64::from(v))).collect())
    }

    proptest! {
        #[test]
        fn recomputing_the_corrected_periods_equals_computing_from_scratch(
            a in series(),
            b in series(),
            corrections in prop::collection::vec((any::<bool>(), 0i64..120, -50i32..50), 1..6),
            cadence in prop::sample::select(vec![Cadence::Daily, Cadence::Weekly, Cadence::Monthly, Cadence::Quarterly]),
        ) {
            let formula = Formula::parse("a * 2 + a / b - b").unwrap();
            let mut inputs = BTreeMap::from([("a".to_owned(), a), ("b".to_owned(), b)]);
            let mut kept: BTreeMap<Timestamp, Result<f64, EvalError>> =
                history(&formula, cadence, &inputs).into_iter().collect();
            for (first, day, value) in corrections {
                let slug = if first { "a" } else { "b" };
                let point = (at(day), f64::from(value));
                correct(inputs.get_mut(slug).unwrap(), point);
                // Only the periods the corrected rows fall in are computed again.
                for start in periods_of(cadence, [point.0]) {
                    kept.insert(start, value_in_period(&formula, cadence, start, &inputs));
                }
            }
            let fresh: BTreeMap<Timestamp, Result<f64, EvalError>> =
                history(&formula, cadence, &inputs).into_iter().collect();
            prop_assert_eq!(kept, fresh);
        }
    }
}

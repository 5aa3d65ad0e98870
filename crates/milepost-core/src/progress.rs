//! Progress and its rollup: the weighted mean of key results (and, where an objective
//! asks for it, of aligned child objectives).

use serde::Serialize;
use thiserror::Error;

/// How far a key result has come from its start towards its target. 0.0 is the start,
/// 1.0 the target; the raw value is kept so over-achievement stays visible, and
/// [`Progress::clamped`] is what scoring and rollups use.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize)]
#[serde(transparent)]
pub struct Progress(f64);

impl Progress {
    /// No progress at all.
    pub const ZERO: Progress = Progress(0.0);
    /// The target reached.
    pub const DONE: Progress = Progress(1.0);

    /// Wraps a raw progress value. A value that is not finite becomes zero, so a NaN
    /// can never travel into a rollup.
    pub fn new(raw: f64) -> Progress {
        if raw.is_finite() { Progress(raw) } else { Progress(0.0) }
    }

    /// The raw value, unclamped: 1.3 means 130% of the way.
    pub fn raw(self) -> f64 {
        self.0
    }

    /// The value clamped to [0, 1], for scoring and rollups.
    pub fn clamped(self) -> f64 {
        self.0.clamp(0.0, 1.0)
    }
}

/// A relative weight in a rollup: finite and greater than zero.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize)]
#[serde(transparent)]
pub struct Weight(f64);

/// A weight that is zero, negative or not a number.
#[derive(Debug, Clone, Copy, PartialEq, Error)]
#[error("weight must be a number greater than 0 and at most 1000 (got {0})")]
pub struct WeightError(pub f64);

impl Weight {
    /// The weight every key result has unless told otherwise.
    pub const ONE: Weight = Weight(1.0);

    /// Checks that `value` is a usable weight: finite, above zero, at most 1000.
    pub fn try_new(value: f64) -> Result<Weight, WeightError> {
        if value.is_finite() && value > 0.0 && value <= 1000.0 { Ok(Weight(value)) } else { Err(WeightError(value)) }
    }

    /// The number.
    pub fn get(self) -> f64 {
        self.0
    }
}

/// The weighted mean of clamped progress; `None` when there is nothing to roll up.
/// Over-achievement on one item never hides a shortfall on another, because each item
/// is clamped before it is averaged.
pub fn rollup(items: impl IntoIterator<Item = (Weight, Progress)>) -> Option<Progress> {
    let (sum, total) = items.into_iter().fold((0.0, 0.0), |(sum, total), (weight, progress)| {
        (sum + weight.get() * progress.clamped(), total + weight.get())
    });
    (total > 0.0).then(|| Progress::new((sum / total).clamp(0.0, 1.0)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rollup_is_a_weighted_mean_of_clamped_progress() {
        let two = Weight::try_new(2.0).unwrap();
        let got = rollup([(two, Progress::new(1.0)), (Weight::ONE, Progress::new(0.4))]).unwrap();
        assert!((got.raw() - 0.8).abs() < 1e-12);
        // 150% on one key result does not make up for 0% on another.
        let got = rollup([(Weight::ONE, Progress::new(1.5)), (Weight::ONE, Progress::ZERO)]).unwrap();
        assert!((got.raw() - 0.5).abs() < 1e-12);
        assert_eq!(rollup([]), None);
    }

    #[test]
    fn weights_must_be_positive_and_finite() {
        assert!(Weight::try_new(0.0).is_err());
        assert!(Weight::try_new(-1.0).is_err());
        assert!(Weight::try_new(f64::NAN).is_err());
        assert!(Weight::try_new(f64::INFINITY).is_err());
        assert!(Weight::try_new(0.5).is_ok());
    }

    #[test]
    fn progress_never_holds_a_nan() {
        assert_eq!(Progress::new(f64::NAN).raw(), 0.0);
        assert_eq!(Progress::new(f64::INFINITY).raw(), 0.0);
    }

    proptest! {
        #[test]
        fn rollup_of_equal_progress_is_that_progress(
            p in 0.0f64..=1.0,
            weights in prop::collection::vec(0.001f64..1000.0, 1..12),
        ) {
            let items = weights.iter().map(|w| (Weight::try_new(*w).unwrap(), Progress::new(p)));
            let got = rollup(items).unwrap().raw();
            prop_assert!((got - p).abs() < 1e-9, "rollup {got} != {p}");
        }

        #[test]
        fn rollup_lies_between_the_smallest_and_largest_item(
            items in prop::collection::vec((0.001f64..1000.0, -2.0f64..3.0), 1..12),
        ) {
            let got = rollup(items.iter().map(|(w, p)| (Weight::try_new(*w).unwrap(), Progress::new(*p))))
                .unwrap()
                .raw();
            let low = items.iter().map(|(_, p)| p.clamp(0.0, 1.0)).fold(f64::INFINITY, f64::min);
            let high = items.iter().map(|(_, p)| p.clamp(0.0, 1.0)).fold(f64::NEG_INFINITY, f64::max);
            prop_assert!(got >= low - 1e-9 && got <= high + 1e-9);
        }

        #[test]
        fn raising_one_item_never_lowers_the_rollup(
            items in prop::collection::vec((0.001f64..1000.0, 0.0f64..1.0), 1..12),
            index in any::<prop::sample::Index>(),
            bump in 0.0f64..1.0,
        ) {
            let to_items = |items: &[(f64, f64)]| {
                items.iter().map(|(w, p)| (Weight::try_new(*w).unwrap(), Progress::new(*p))).collect::<Vec<_>>()
            };
            let before = rollup(to_items(&items)).unwrap().raw();
            let mut raised = items.clone();
            let i = index.index(raised.len());
            raised[i].1 += bump;
            let after = rollup(to_items(&raised)).unwrap().raw();
            prop_assert!(after >= before - 1e-12);
        }
    }
}

//! Confidence calibration (SPEC §4): once a cycle is closed, how well the confidence
//! people gave in their check-ins matched what then happened, as a Brier score.
//!
//! A confidence `c` (0–10) states the probability `c / 10` that its key result
//! succeeds, and a key result succeeds when its score at close reaches its objective's
//! success mark (1.0 committed, 0.7 aspirational: [`Score::succeeded`]). Every
//! check-in with a confidence counts once. The Brier score of a set of such statements
//! is the mean of `(p − outcome)²`, with outcome 1 for success and 0 otherwise: 0 is
//! perfect, 0.25 is what always saying 5 earns, and 1 is always sure and always wrong.
//!
//! The forecast is judged the same way (SPEC §4, "and the same for the forecast"): at
//! each such check-in, the probability of reaching the target that the forecast gave
//! from the history known then is a [`ForecastJudgement`], summed up by the same
//! [`Brier`] accumulator, so that "my confidence" and "the numbers' forecast" can be
//! compared on the same check-ins.

use crate::check_in::Confidence;
use crate::objective::Commitment;
use crate::score::Score;

/// Whether a key result succeeded: its score at close reaches the success mark of its
/// objective's commitment.
pub fn key_result_succeeded(score: Score, commitment: Commitment) -> bool {
    score.succeeded(commitment)
}

/// One confidence given during a cycle, and whether its key result succeeded at close.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Judgement {
    /// The confidence given, 0–10.
    pub confidence: Confidence,
    /// Whether the key result then succeeded.
    pub succeeded: bool,
}

impl Judgement {
    /// `(c − 10 · outcome)²`, a whole number from 0 to 100: the squared error in
    /// hundredths, so that sums stay exact and do not depend on their order.
    fn squared_error_hundredths(self) -> u64 {
        let outcome = if self.succeeded { Confidence::MAX } else { 0 };
        let miss = u64::from(self.confidence.get().abs_diff(outcome));
        miss * miss
    }

    /// `(c / 10 − outcome)²`, from 0 to 1.
    pub fn squared_error(self) -> f64 {
        self.squared_error_hundredths() as f64 / 100.0
    }
}

/// The forecast's probability of reaching the target at one check-in, and whether the
/// key result then succeeded.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ForecastJudgement {
    /// The probability, 0–1.
    probability: f64,
    /// Whether the key result then succeeded.
    succeeded: bool,
}

impl ForecastJudgement {
    /// A judgement of `probability` (0–1, as a forecast gives it); `None` for a
    /// probability that is not a number from 0 to 1.
    pub fn new(probability: f64, succeeded: bool) -> Option<ForecastJudgement> {
        (0.0..=1.0).contains(&probability).then_some(ForecastJudgement { probability, succeeded })
    }

    /// The probability judged, 0–1.
    pub fn probability(self) -> f64 {
        self.probability
    }

    /// Whether the key result succeeded.
    pub fn succeeded(self) -> bool {
        self.succeeded
    }

    /// `(10 · p − 10 · outcome)²`, from 0 to 100: the squared error in hundredths, like
    /// [`Judgement`]'s.
    fn squared_error_hundredths(self) -> f64 {
        let outcome = if self.succeeded { 1.0 } else { 0.0 };
        let miss = 10.0 * (self.probability - outcome);
        miss * miss
    }

    /// `(p − outcome)²`, from 0 to 1.
    pub fn squared_error(self) -> f64 {
        self.squared_error_hundredths() / 100.0
    }
}

/// A Brier score being summed up: the judgements seen and their squared errors.
///
/// The squared errors are summed in hundredths. Those of confidences are whole numbers,
/// which a double adds up exactly (in any order) far beyond any cycle's check-ins; those
/// of forecasts are not, and their sum may differ in its last bits with the order.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Brier {
    /// The sum of the squared errors, in hundredths.
    hundredths: f64,
    /// How many judgements.
    count: u64,
}

impl Brier {
    /// Counts one more confidence.
    pub fn add(&mut self, judgement: Judgement) {
        self.hundredths += judgement.squared_error_hundredths() as f64;
        self.count += 1;
    }

    /// Counts one more forecast.
    pub fn add_forecast(&mut self, judgement: ForecastJudgement) {
        self.hundredths += judgement.squared_error_hundredths();
        self.count += 1;
    }

    /// The score of both sets of judgements together.
    pub fn merge(self, other: Brier) -> Brier {
        Brier { hundredths: self.hundredths + other.hundredths, count: self.count + other.count }
    }

    /// How many judgements were counted.
    pub fn count(self) -> u64 {
        self.count
    }

    /// The mean squared error from 0 (perfect) to 1, or `None` when nothing was judged.
    pub fn score(self) -> Option<f64> {
        (self.count > 0).then(|| self.hundredths / (100.0 * self.count as f64))
    }
}

impl FromIterator<Judgement> for Brier {
    fn from_iter<I: IntoIterator<Item = Judgement>>(judgements: I) -> Brier {
        let mut brier = Brier::default();
        for judgement in judgements {
            brier.add(judgement);
        }
        brier
    }
}

impl FromIterator<ForecastJudgement> for Brier {
    fn from_iter<I: IntoIterator<Item = ForecastJudgement>>(judgements: I) -> Brier {
        let mut brier = Brier::default();
        for judgement in judgements {
            brier.add_forecast(judgement);
        }
        brier
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn judgement(confidence: i64, succeeded: bool) -> Judgement {
        Judgement { confidence: Confidence::try_new(confidence).unwrap(), succeeded }
    }

    fn judgements() -> impl Strategy<Value = Vec<Judgement>> {
        prop::collection::vec((0i64..=10, any::<bool>()).prop_map(|(c, s)| judgement(c, s)), 0..50)
    }

    #[test]
    fn nothing_judged_has_no_score() {
        assert_eq!(Brier::default().score(), None);
        assert_eq!(Brier::default().count(), 0);
    }

    #[test]
    fn known_scores() {
        // 8 on a success: (0.8 − 1)² = 0.04; 3 on a failure: 0.09; mean 0.065.
        let brier: Brier = [judgement(8, true), judgement(3, false)].into_iter().collect();
        assert_eq!(brier.count(), 2);
        assert!((brier.score().unwrap() - 0.065).abs() < 1e-12);
        // Always 5 earns a quarter, whatever happens.
        let hedged: Brier = [judgement(5, true), judgement(5, false)].into_iter().collect();
        assert_eq!(hedged.score(), Some(0.25));
        // Sure and wrong every time is the worst there is.
        let wrong: Brier = [judgement(10, false), judgement(0, true)].into_iter().collect();
        assert_eq!(wrong.score(), Some(1.0));
    }

    fn forecast(probability: f64, succeeded: bool) -> ForecastJudgement {
        ForecastJudgement::new(probability, succeeded).unwrap()
    }

    #[test]
    fn known_forecast_scores() {
        // 0.75 on a success: 0.0625; 0.25 on a failure: 0.0625; 1 on a failure: 1.
        let brier: Brier = [forecast(0.75, true), forecast(0.25, false), forecast(1.0, false)].into_iter().collect();
        assert_eq!(brier.count(), 3);
        assert!((brier.score().unwrap() - (0.0625 + 0.0625 + 1.0) / 3.0).abs() < 1e-12);
        // A forecast of c / 10 scores exactly like the confidence c.
        for c in 0..=10 {
            for succeeded in [false, true] {
                let said = forecast(c as f64 / 10.0, succeeded).squared_error();
                assert!((said - judgement(c, succeeded).squared_error()).abs() < 1e-12, "{c} {succeeded}");
            }
        }
    }

    #[test]
    fn a_forecast_is_a_probability() {
        assert_eq!(ForecastJudgement::new(-0.01, true), None);
        assert_eq!(ForecastJudgement::new(1.01, true), None);
        assert_eq!(ForecastJudgement::new(f64::NAN, false), None);
        assert_eq!(forecast(0.5, true).probability(), 0.5);
        assert!(forecast(0.5, true).succeeded());
    }

    #[test]
    fn success_is_the_commitments_mark() {
        let score = |tenths: f64| Score::from_progress(crate::progress::Progress::new(tenths));
        assert!(key_result_succeeded(score(1.0), Commitment::Committed));
        assert!(!key_result_succeeded(score(0.9), Commitment::Committed));
        assert!(key_result_succeeded(score(0.7), Commitment::Aspirational));
        assert!(!key_result_succeeded(score(0.6), Commitment::Aspirational));
    }

    proptest! {
        #[test]
        fn a_brier_score_is_between_zero_and_one(all in judgements()) {
            let brier: Brier = all.iter().copied().collect();
            prop_assert_eq!(brier.count(), all.len() as u64);
            if let Some(score) = brier.score() {
                prop_assert!((0.0..=1.0).contains(&score), "{score}");
            }
        }

        #[test]
        fn perfect_confidence_scores_zero(outcomes in prop::collection::vec(any::<bool>(), 1..50)) {
            let brier: Brier = outcomes.iter().map(|&s| judgement(if s { 10 } else { 0 }, s)).collect();
            prop_assert_eq!(brier.score(), Some(0.0));
        }

        #[test]
        fn the_score_is_the_mean_squared_error(all in judgements()) {
            prop_assume!(!all.is_empty());
            let brier: Brier = all.iter().copied().collect();
            let mean = all
                .iter()
                .map(|j| (j.confidence.as_probability() - if j.succeeded { 1.0 } else { 0.0 }).powi(2))
                .sum::<f64>()
                / all.len() as f64;
            prop_assert!((brier.score().unwrap() - mean).abs() < 1e-9);
        }

        #[test]
        fn merging_equals_counting_together_in_any_order(a in judgements(), b in judgements()) {
            let left: Brier = a.iter().copied().collect();
            let right: Brier = b.iter().copied().collect();
            let together: Brier = a.iter().chain(&b).copied().collect();
            prop_assert_eq!(left.merge(right), together);
            prop_assert_eq!(right.merge(left), together);
        }

        #[test]
        fn a_forecast_brier_score_is_the_mean_squared_error(
            all in prop::collection::vec((0.0f64..=1.0, any::<bool>()), 1..50),
        ) {
            let brier: Brier = all.iter().map(|&(p, s)| forecast(p, s)).collect();
            let mean = all.iter().map(|&(p, s)| (p - if s { 1.0 } else { 0.0 }).powi(2)).sum::<f64>() / all.len() as f64;
            prop_assert_eq!(brier.count(), all.len() as u64);
            let score = brier.score().unwrap();
            prop_assert!((score - mean).abs() < 1e-9 && (0.0..=1.0).contains(&score), "{score} {mean}");
        }

        #[test]
        fn moving_confidence_towards_the_outcome_never_hurts(c in 0i64..10, succeeded in any::<bool>()) {
            // One step closer to what happened lowers the squared error.
            let (far, near) = if succeeded { (c, c + 1) } else { (c + 1, c) };
            prop_assert!(judgement(near, succeeded).squared_error() < judgement(far, succeeded).squared_error());
        }
    }
}

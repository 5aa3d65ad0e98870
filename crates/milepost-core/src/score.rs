//! Scores at cycle close: progress clamped to [0, 1] and rounded to one decimal, with
//! the traffic-light colour and the success rule of committed and aspirational OKRs.
//! The bands and the success scores are a workspace's [`Thresholds`] (SPEC §4's by
//! default), kept with the scores a closing freezes.

use crate::objective::Commitment;
use crate::progress::Progress;
use serde::{Deserialize, Serialize};

/// A grade from 0.0 to 1.0 in steps of 0.1, stored as tenths so it compares exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Score(u8);

/// The colour band of a score (SPEC §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ScoreColour {
    /// 0.0–0.3: missed.
    Red,
    /// 0.4–0.6: progress, but short.
    Yellow,
    /// 0.7–1.0: delivered.
    Green,
}

impl Score {
    /// Grades a progress: clamp to [0, 1], round to the nearest tenth.
    pub fn from_progress(progress: Progress) -> Score {
        let tenths = (progress.clamped() * 10.0).round();
        // The clamp keeps tenths within 0..=10, so the cast cannot truncate.
        Score(tenths as u8)
    }

    /// The score as a number, 0.0–1.0.
    pub fn value(self) -> f64 {
        f64::from(self.0) / 10.0
    }

    /// Red, yellow or green, by SPEC §4's bands.
    pub fn colour(self) -> ScoreColour {
        self.colour_under(&Thresholds::default())
    }

    /// Whether this score counts as success for an OKR of the given commitment, by
    /// SPEC §4's rules: committed needs 1.0, aspirational 0.7 or more.
    pub fn succeeded(self, commitment: Commitment) -> bool {
        self.succeeded_under(commitment, &Thresholds::default())
    }

    /// Red, yellow or green under a workspace's bands.
    pub fn colour_under(self, thresholds: &Thresholds) -> ScoreColour {
        if self.0 >= thresholds.green_from {
            ScoreColour::Green
        } else if self.0 >= thresholds.yellow_from {
            ScoreColour::Yellow
        } else {
            ScoreColour::Red
        }
    }

    /// Whether this score counts as success for an OKR of the given commitment under a
    /// workspace's success scores.
    pub fn succeeded_under(self, commitment: Commitment, thresholds: &Thresholds) -> bool {
        match commitment {
            Commitment::Committed => self.0 >= thresholds.committed_success,
            Commitment::Aspirational => self.0 >= thresholds.aspirational_success,
        }
    }

    /// The score of a number already graded (a frozen score read back): `None` when it
    /// is not a tenth between 0 and 1.
    pub fn from_value(value: f64) -> Option<Score> {
        let tenths = value * 10.0;
        let rounded = tenths.round();
        // Checked to be a whole number within 0..=10, so the cast cannot truncate.
        ((0.0..=10.0).contains(&rounded) && (tenths - rounded).abs() < 1e-6).then_some(Score(rounded as u8))
    }

    /// The score in tenths, 0–10.
    pub fn tenths(self) -> u8 {
        self.0
    }
}

/// How a workspace grades: the colour bands and the success scores, in tenths of a
/// score (0–10). SPEC §4's defaults: red below 0.4, yellow below 0.7, green from 0.7;
/// a committed OKR succeeds at 1.0, an aspirational one at 0.7.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    yellow_from: u8,
    green_from: u8,
    committed_success: u8,
    aspirational_success: u8,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds { yellow_from: 4, green_from: 7, committed_success: 10, aspirational_success: 7 }
    }
}

/// Which threshold is wrong, and why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ThresholdsError {
    /// A threshold is not a tenth between 0.1 and 1.0.
    #[error("must be a score between 0.1 and 1.0 in steps of 0.1, not {value}")]
    NotATenth {
        /// Which: `yellow_from`, `green_from`, `committed_success` or `aspirational_success`.
        field: &'static str,
        /// The number given.
        value: f64,
    },
    /// Yellow starts above green.
    #[error("yellow must start below green ({yellow} is not below {green})")]
    BandsOutOfOrder {
        /// Where yellow starts.
        yellow: f64,
        /// Where green starts.
        green: f64,
    },
}

impl ThresholdsError {
    /// The field at fault.
    pub fn field(&self) -> &'static str {
        match self {
            ThresholdsError::NotATenth { field, .. } => field,
            ThresholdsError::BandsOutOfOrder { .. } => "yellow_from",
        }
    }
}

impl Thresholds {
    /// Thresholds from scores (`0.4`, `0.7`, `1.0`, `0.7`): each a tenth from 0.1 to
    /// 1.0, and yellow starting below green.
    pub fn try_new(
        yellow_from: f64,
        green_from: f64,
        committed_success: f64,
        aspirational_success: f64,
    ) -> Result<Thresholds, ThresholdsError> {
        let tenth = |field: &'static str, value: f64| match Score::from_value(value) {
            Some(score) if score.0 >= 1 => Ok(score.0),
            _ => Err(ThresholdsError::NotATenth { field, value }),
        };
        let thresholds = Thresholds {
            yellow_from: tenth("yellow_from", yellow_from)?,
            green_from: tenth("green_from", green_from)?,
            committed_success: tenth("committed_success", committed_success)?,
            aspirational_success: tenth("aspirational_success", aspirational_success)?,
        };
        if thresholds.yellow_from >= thresholds.green_from {
            return Err(ThresholdsError::BandsOutOfOrder { yellow: yellow_from, green: green_from });
        }
        Ok(thresholds)
    }

    /// Thresholds as stored, in tenths; `None` when they break the rules of [`Thresholds::try_new`].
    pub fn from_tenths(
        yellow_from: i64,
        green_from: i64,
        committed_success: i64,
        aspirational_success: i64,
    ) -> Option<Thresholds> {
        let tenth = |t: i64| u8::try_from(t).ok().filter(|t| (1..=10).contains(t));
        let thresholds = Thresholds {
            yellow_from: tenth(yellow_from)?,
            green_from: tenth(green_from)?,
            committed_success: tenth(committed_success)?,
            aspirational_success: tenth(aspirational_success)?,
        };
        (thresholds.yellow_from < thresholds.green_from).then_some(thresholds)
    }

    /// The score from which a score is yellow.
    pub fn yellow_from(&self) -> f64 {
        f64::from(self.yellow_from) / 10.0
    }

    /// The score from which a score is green.
    pub fn green_from(&self) -> f64 {
        f64::from(self.green_from) / 10.0
    }

    /// The score a committed OKR needs to succeed.
    pub fn committed_success(&self) -> f64 {
        f64::from(self.committed_success) / 10.0
    }

    /// The score an aspirational OKR needs to succeed.
    pub fn aspirational_success(&self) -> f64 {
        f64::from(self.aspirational_success) / 10.0
    }

    /// The success score of an OKR of that commitment.
    pub fn success(&self, commitment: Commitment) -> f64 {
        match commitment {
            Commitment::Committed => self.committed_success(),
            Commitment::Aspirational => self.aspirational_success(),
        }
    }

    /// The four thresholds in tenths, as stored: yellow from, green from, committed
    /// success, aspirational success.
    pub fn tenths(&self) -> [i64; 4] {
        [self.yellow_from, self.green_from, self.committed_success, self.aspirational_success].map(i64::from)
    }
}

impl Serialize for Score {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(self.value())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn score(p: f64) -> Score {
        Score::from_progress(Progress::new(p))
    }

    #[test]
    fn scores_round_to_one_decimal_and_clamp() {
        assert_eq!(score(0.34).value(), 0.3);
        assert_eq!(score(0.35).value(), 0.4);
        assert_eq!(score(1.7).value(), 1.0);
        assert_eq!(score(-0.5).value(), 0.0);
    }

    #[test]
    fn colours_follow_the_bands() {
        assert_eq!(score(0.3).colour(), ScoreColour::Red);
        assert_eq!(score(0.4).colour(), ScoreColour::Yellow);
        assert_eq!(score(0.6).colour(), ScoreColour::Yellow);
        assert_eq!(score(0.7).colour(), ScoreColour::Green);
        assert_eq!(score(1.0).colour(), ScoreColour::Green);
    }

    #[test]
    fn committed_and_aspirational_are_graded_by_their_own_rules() {
        assert!(!score(0.9).succeeded(Commitment::Committed));
        assert!(score(1.0).succeeded(Commitment::Committed));
        assert!(score(0.7).succeeded(Commitment::Aspirational));
        assert!(!score(0.6).succeeded(Commitment::Aspirational));
    }

    #[test]
    fn thresholds_move_the_bands_and_the_success_scores() {
        let strict = Thresholds::try_new(0.5, 0.8, 0.9, 0.6).unwrap();
        assert_eq!(score(0.4).colour_under(&strict), ScoreColour::Red);
        assert_eq!(score(0.7).colour_under(&strict), ScoreColour::Yellow);
        assert_eq!(score(0.8).colour_under(&strict), ScoreColour::Green);
        assert!(score(0.9).succeeded_under(Commitment::Committed, &strict));
        assert!(score(0.6).succeeded_under(Commitment::Aspirational, &strict));
        assert!(!score(0.5).succeeded_under(Commitment::Aspirational, &strict));
        assert_eq!(Thresholds::from_tenths(5, 8, 9, 6), Some(strict));
        assert_eq!(strict.tenths(), [5, 8, 9, 6]);
    }

    #[test]
    fn thresholds_refuse_what_is_not_a_tenth_or_out_of_order() {
        assert_eq!(Thresholds::try_new(0.45, 0.7, 1.0, 0.7).unwrap_err().field(), "yellow_from");
        assert_eq!(Thresholds::try_new(0.4, 1.1, 1.0, 0.7).unwrap_err().field(), "green_from");
        assert_eq!(Thresholds::try_new(0.4, 0.7, 0.0, 0.7).unwrap_err().field(), "committed_success");
        assert_eq!(Thresholds::try_new(0.4, 0.7, 1.0, f64::NAN).unwrap_err().field(), "aspirational_success");
        assert!(matches!(Thresholds::try_new(0.7, 0.7, 1.0, 0.7), Err(ThresholdsError::BandsOutOfOrder { .. })));
        assert_eq!(Thresholds::from_tenths(7, 4, 10, 7), None);
        assert_eq!(Thresholds::from_tenths(4, 7, 11, 7), None);
        assert_eq!(Score::from_value(0.7).map(Score::tenths), Some(7));
        assert_eq!(Score::from_value(0.75), None);
    }

    proptest! {
        #[test]
        fn score_is_within_a_twentieth_of_clamped_progress(p in -5.0f64..5.0) {
            let s = score(p).value();
            prop_assert!((0.0..=1.0).contains(&s));
            prop_assert!((s - p.clamp(0.0, 1.0)).abs() <= 0.05 + 1e-9);
        }

        #[test]
        fn score_is_monotone_in_progress(a in -1.0f64..2.0, b in -1.0f64..2.0) {
            let (low, high) = if a <= b { (a, b) } else { (b, a) };
            prop_assert!(score(low) <= score(high));
        }
    }
}

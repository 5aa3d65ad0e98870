//! Scores at cycle close: progress clamped to [0, 1] and rounded to one decimal, with
//! the traffic-light colour and the success rule of committed and aspirational OKRs.

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

    /// Red, yellow or green.
    pub fn colour(self) -> ScoreColour {
        match self.0 {
            0..=3 => ScoreColour::Red,
            4..=6 => ScoreColour::Yellow,
            _ => ScoreColour::Green,
        }
    }

    /// Whether this score counts as success for an OKR of the given commitment:
    /// committed needs 1.0, aspirational 0.7 or more.
    pub fn succeeded(self, commitment: Commitment) -> bool {
        match commitment {
            Commitment::Committed => self.0 >= 10,
            Commitment::Aspirational => self.0 >= 7,
        }
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

//! Check-ins: the owner's confidence that a key result will be reached.

use serde::Serialize;
use thiserror::Error;

/// Confidence 0–10 that the key result will be reached by the end of the cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Confidence(u8);

/// A confidence outside 0–10.
#[derive(Debug, Clone, Copy, PartialEq, Error)]
#[error("confidence must be a whole number from 0 to 10 (got {0})")]
pub struct ConfidenceError(pub f64);

impl Confidence {
    /// The highest confidence.
    pub const MAX: u8 = 10;

    /// Checks that `value` is a whole number from 0 to 10.
    pub fn try_new(value: i64) -> Result<Confidence, ConfidenceError> {
        if (0..=i64::from(Self::MAX)).contains(&value) {
            Ok(Confidence(u8::try_from(value).map_err(|_| ConfidenceError(value as f64))?))
        } else {
            Err(ConfidenceError(value as f64))
        }
    }

    /// The number, 0–10.
    pub fn get(self) -> u8 {
        self.0
    }

    /// Confidence as a probability, 0.0–1.0 (for calibration against outcomes).
    pub fn as_probability(self) -> f64 {
        f64::from(self.0) / f64::from(Self::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confidence_is_zero_to_ten() {
        assert_eq!(Confidence::try_new(0).unwrap().get(), 0);
        assert_eq!(Confidence::try_new(10).unwrap().as_probability(), 1.0);
        assert!(Confidence::try_new(11).is_err());
        assert!(Confidence::try_new(-1).is_err());
    }
}

//! How good a set of probability forecasts was, once the outcomes are known: the Brier
//! score, its Murphy decomposition and a reliability table (issue 18).
//!
//! The Brier score of forecasts `fᵢ` of outcomes `oᵢ` (1 happened, 0 not) is the mean
//! of `(fᵢ − oᵢ)²`. Murphy (1973) splits it, over forecasts grouped into bins `k` of
//! `nₖ` forecasts with mean forecast `f̄ₖ` and observed frequency `ōₖ` (`ō` overall):
//!
//! - **reliability** `Σ nₖ (f̄ₖ − ōₖ)² / N`: how far what was said in a bin is from what
//!   happened there; 0 is perfectly calibrated (lower is better);
//! - **resolution** `Σ nₖ (ōₖ − ō)² / N`: how much the outcomes differ between bins,
//!   that is how well the forecasts sort successes from failures (higher is better);
//! - **uncertainty** `ō (1 − ō)`: how hard the outcomes were to guess at all; always
//!   saying `ō` scores exactly this.
//!
//! With forecasts that vary inside a bin, `reliability − resolution + uncertainty` is
//! not the Brier score exactly; the difference is the **within-bin** term of Stephenson,
//! Coelho and Jolliffe (2008), `Σᵢ (fᵢ − f̄ₖ)² / N − 2 Σᵢ (oᵢ − ōₖ)(fᵢ − f̄ₖ) / N`,
//! reported beside the others, so that
//! `brier = reliability − resolution + uncertainty + within_bin` holds exactly (up to
//! rounding). Where every forecast of a bin is the same number (confidences in tenths)
//! the within-bin term is zero and the classic decomposition is exact.

use crate::stats::normal_cdf;
use serde::Serialize;

/// How far ahead of or behind pace (in progress, 0–1) moves [`pace_probability`] by one
/// standard deviation: 0.15, so that the pace rule's at-risk gap (0.10) says about 25%
/// and its off-track gap (0.25) about 5%.
pub const PACE_SPREAD: f64 = 0.15;

/// **Pace alone** as a probability, the baseline a forecast must beat: `Φ((progress −
/// expected) / PACE_SPREAD)`. Exactly on pace says ½; ahead says more, behind less,
/// never exactly 0 or 1 (the pace rule of SPEC §4, softened).
pub fn pace_probability(progress: f64, expected: f64) -> f64 {
    normal_cdf((progress - expected) / PACE_SPREAD).clamp(0.0, 1.0)
}

/// How many bins the reliability table has: one around each tenth, `[0, 0.05)`,
/// `[0.05, 0.15)`, …, `[0.95, 1]`, so that a confidence (a whole number of tenths) is
/// alone in its bin with the others of the same value.
pub const BINS: usize = 11;

/// One row of a reliability table: the forecasts that fell in one bin.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ReliabilityBin {
    /// The bin's lower edge (inclusive).
    pub low: f64,
    /// The bin's upper edge (exclusive, but the last bin holds 1).
    pub high: f64,
    /// How many forecasts fell in it.
    pub count: u64,
    /// Their mean probability.
    pub mean_forecast: f64,
    /// The share of them whose outcome happened.
    pub observed: f64,
}

/// The Brier score of a set of forecasts and its decomposition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BrierDecomposition {
    /// How many forecasts.
    pub count: u64,
    /// The mean of `(f − o)²`, 0 (perfect) to 1.
    pub brier: f64,
    /// Calibration error, `Σ nₖ (f̄ₖ − ōₖ)² / N` (lower is better).
    pub reliability: f64,
    /// Discrimination, `Σ nₖ (ōₖ − ō)² / N` (higher is better).
    pub resolution: f64,
    /// `ō (1 − ō)`: the score of always forecasting the base rate.
    pub uncertainty: f64,
    /// The within-bin term that makes the identity exact for binned forecasts.
    pub within_bin: f64,
    /// The share of outcomes that happened, `ō`.
    pub base_rate: f64,
    /// The reliability table; bins with no forecast are left out.
    pub table: Vec<ReliabilityBin>,
}

/// The bin of a probability: the nearest tenth.
pub fn bin_of(probability: f64) -> usize {
    ((probability * 10.0).round().max(0.0) as usize).min(BINS - 1)
}

/// The Brier score of `forecasts` (probability 0–1, whether it happened) and its
/// decomposition over [`BINS`] bins; `None` when there is none or a probability is not
/// a number from 0 to 1.
pub fn decompose(forecasts: &[(f64, bool)]) -> Option<BrierDecomposition> {
    if forecasts.is_empty() || forecasts.iter().any(|(p, _)| !(0.0..=1.0).contains(p)) {
        return None;
    }
    let n = forecasts.len() as f64;
    let outcome = |happened: bool| if happened { 1.0 } else { 0.0 };
    let brier = forecasts.iter().map(|&(p, o)| (p - outcome(o)).powi(2)).sum::<f64>() / n;
    let base_rate = forecasts.iter().map(|&(_, o)| outcome(o)).sum::<f64>() / n;
    let mut counts = [0u64; BINS];
    let mut sum_f = [0.0f64; BINS];
    let mut sum_o = [0.0f64; BINS];
    for &(p, o) in forecasts {
        let k = bin_of(p);
        counts[k] += 1;
        sum_f[k] += p;
        sum_o[k] += outcome(o);
    }
    let mean = |sum: f64, count: u64| if count == 0 { 0.0 } else { sum / count as f64 };
    let mut reliability = 0.0;
    let mut resolution = 0.0;
    let mut table = Vec::new();
    for k in 0..BINS {
        if counts[k] == 0 {
            continue;
        }
        let (f, o) = (mean(sum_f[k], counts[k]), mean(sum_o[k], counts[k]));
        reliability += counts[k] as f64 * (f - o).powi(2);
        resolution += counts[k] as f64 * (o - base_rate).powi(2);
        table.push(ReliabilityBin {
            low: ((k as f64 - 0.5) / 10.0).max(0.0),
            high: ((k as f64 + 0.5) / 10.0).min(1.0),
            count: counts[k],
            mean_forecast: f,
            observed: o,
        });
    }
    let within_bin = forecasts
        .iter()
        .map(|&(p, o)| {
            let k = bin_of(p);
            let (f, ob) = (mean(sum_f[k], counts[k]), mean(sum_o[k], counts[k]));
            (p - f).powi(2) - 2.0 * (outcome(o) - ob) * (p - f)
        })
        .sum::<f64>()
        / n;
    Some(BrierDecomposition {
        count: forecasts.len() as u64,
        brier,
        reliability: reliability / n,
        resolution: resolution / n,
        uncertainty: base_rate * (1.0 - base_rate),
        within_bin,
        base_rate,
        table,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn nothing_or_no_probability_has_no_score() {
        assert_eq!(decompose(&[]), None);
        assert_eq!(decompose(&[(1.5, true)]), None);
        assert_eq!(decompose(&[(f64::NAN, true)]), None);
    }

    #[test]
    fn a_known_decomposition() {
        // 0.8 twice (one hit), 0.2 twice (no hit): the bins of 0.8 and 0.2.
        let d = decompose(&[(0.8, true), (0.8, false), (0.2, false), (0.2, false)]).unwrap();
        assert!((d.brier - (0.04 + 0.64 + 0.04 + 0.04) / 4.0).abs() < 1e-12);
        assert!((d.base_rate - 0.25).abs() < 1e-12);
        assert!((d.uncertainty - 0.1875).abs() < 1e-12);
        // Bin 8: said 0.8, saw 0.5; bin 2: said 0.2, saw 0.
        assert!((d.reliability - (2.0 * 0.09 + 2.0 * 0.04) / 4.0).abs() < 1e-12);
        assert!((d.resolution - (2.0 * 0.0625 + 2.0 * 0.0625) / 4.0).abs() < 1e-12);
        assert!(d.within_bin.abs() < 1e-12);
        assert_eq!(d.table.len(), 2);
        assert_eq!((d.table[0].count, d.table[1].count), (2, 2));
        assert_eq!(bin_of(1.0), BINS - 1);
        assert_eq!(bin_of(0.0), 0);
    }

    proptest! {
        #[test]
        fn the_parts_add_up_to_the_brier_score(
            all in prop::collection::vec((0.0f64..=1.0, any::<bool>()), 1..200),
        ) {
            let d = decompose(&all).unwrap();
            let sum = d.reliability - d.resolution + d.uncertainty + d.within_bin;
            prop_assert!((sum - d.brier).abs() < 1e-9, "{d:?}");
            prop_assert!((0.0..=1.0).contains(&d.brier));
            prop_assert!(d.reliability >= 0.0 && d.resolution >= 0.0 && d.uncertainty <= 0.25 + 1e-12);
            prop_assert_eq!(d.table.iter().map(|b| b.count).sum::<u64>(), all.len() as u64);
        }

        #[test]
        fn forecasts_at_bin_values_decompose_exactly(
            all in prop::collection::vec((0u8..=10, any::<bool>()), 1..200),
        ) {
            // Confidences in tenths: each bin holds one value, and the classic three
            // terms add up to the score with nothing within bins.
            let all: Vec<(f64, bool)> = all.iter().map(|&(c, o)| (f64::from(c) / 10.0, o)).collect();
            let d = decompose(&all).unwrap();
            prop_assert!(d.within_bin.abs() < 1e-9, "{d:?}");
            prop_assert!((d.reliability - d.resolution + d.uncertainty - d.brier).abs() < 1e-9);
        }
    }
}

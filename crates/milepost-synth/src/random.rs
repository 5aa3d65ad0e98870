//! Randomness from the seed alone. Every part of the organisation draws from its own
//! stream (`stream(seed, PART, index)`), so one part can be generated again on its own
//! (a key result's check-ins when its row is built, and again when they are written)
//! and the same seed always gives the same organisation, however it is batched.

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

/// The streams: one per part of the organisation.
pub(crate) mod part {
    pub(crate) const TEAMS: u64 = 1;
    pub(crate) const PEOPLE: u64 = 2;
    pub(crate) const KPIS: u64 = 3;
    pub(crate) const OBJECTIVES: u64 = 4;
    pub(crate) const KEY_RESULT: u64 = 5;
    pub(crate) const CHECK_INS: u64 = 6;
    pub(crate) const INITIATIVES: u64 = 7;
}

/// SplitMix64: a fast, well-mixed 64-bit hash step.
pub(crate) fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// A generator for part `part`, item `index`, of the organisation made from `seed`.
pub(crate) fn stream(seed: u64, part: u64, index: u64) -> StdRng {
    StdRng::seed_from_u64(mix(mix(mix(seed) ^ part) ^ index))
}

/// A uniform number in [0, 1) from a hash of the three values, without a generator:
/// for the daily noise of KPI series, read far more often than anything else.
pub(crate) fn unit(seed: u64, a: u64, b: u64) -> f64 {
    (mix(mix(mix(seed) ^ a) ^ b) >> 11) as f64 / (1_u64 << 53) as f64
}

/// A roughly normal number (mean 0, deviation 1) from a hash: the sum of four
/// uniforms, rescaled.
pub(crate) fn normal_at(seed: u64, a: u64, b: u64) -> f64 {
    let sum: f64 = (0..4).map(|i| unit(seed, a, b.wrapping_mul(4).wrapping_add(i))).sum();
    (sum - 2.0) * (3.0_f64).sqrt()
}

/// A normal number (mean 0, deviation 1), by Box–Muller.
pub(crate) fn normal(rng: &mut StdRng) -> f64 {
    let u1: f64 = rng.random::<f64>().max(f64::MIN_POSITIVE);
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// A uniform number in `low..high`.
pub(crate) fn between(rng: &mut StdRng, low: f64, high: f64) -> f64 {
    low + (high - low) * rng.random::<f64>()
}

/// One of `items`, uniformly.
pub(crate) fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// An index drawn with the given weights (not all zero).
pub(crate) fn weighted(rng: &mut StdRng, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().sum();
    let mut left = rng.random::<f64>() * total;
    for (index, weight) in weights.iter().enumerate() {
        if left < *weight {
            return index;
        }
        left -= weight;
    }
    weights.len().saturating_sub(1)
}

/// `value` rounded to `decimals` places.
pub(crate) fn round(value: f64, decimals: i32) -> f64 {
    let scale = 10_f64.powi(decimals);
    (value * scale).round() / scale
}

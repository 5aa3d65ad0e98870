//! KPIs and their daily measurements: about one KPI for every ten people, each
//! measured every day for up to three years (newer KPIs for less), recorded by the
//! nightly job a quarter of an hour after the day ends. Most are healthy with the odd
//! amber day; a few have been red for weeks (lagging); a few stopped reporting (no data).
//!
//! A measurement's value is a pure function of the KPI and the day, so the key results a
//! KPI feeds can read the same numbers when their check-ins are made.

use crate::random::{between, normal_at, part, pick, round, stream, unit};
use crate::words::{AREAS, METRICS, TAGS};
use milepost_core::{Cadence, KpiDirection, KpiTier, Slug};
use rand::RngExt;
use std::collections::HashSet;

/// One day in milliseconds.
pub(crate) const DAY: i64 = 86_400_000;
/// How many days of history a KPI has at most.
pub(crate) const HISTORY_DAYS: i64 = 1_095;
/// How many KPIs for every person.
pub(crate) const KPIS_PER_PERSON: f64 = 0.1;

/// A KPI to write, with what its series does.
#[derive(Debug, Clone)]
pub(crate) struct Kpi {
    pub(crate) id: i64,
    /// Its place among the organisation's KPIs: what its randomness is drawn by.
    pub(crate) index: u64,
    pub(crate) slug: String,
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) owner: usize,
    pub(crate) unit: Option<&'static str>,
    pub(crate) direction: KpiDirection,
    pub(crate) target: Option<f64>,
    pub(crate) range: Option<(f64, f64)>,
    pub(crate) band: f64,
    pub(crate) cadence: Cadence,
    pub(crate) tier: KpiTier,
    pub(crate) tags: String,
    pub(crate) lagging_after: i64,
    pub(crate) decimals: i32,
    /// First and last measured day (days since 1970-01-01), both included.
    pub(crate) first_day: i64,
    pub(crate) last_day: i64,
    /// The level at the first and at the last day of the history.
    level_from: f64,
    level_to: f64,
    /// Relative deviation of the daily noise, and of the weekly swing.
    noise: f64,
    weekly: f64,
    /// From this day on, the value sits at `red_level` (lagging).
    red_from: Option<i64>,
    red_level: f64,
    /// The first id of its measurements.
    pub(crate) first_measurement_id: i64,
}

impl Kpi {
    /// How many measurements it has.
    pub(crate) fn measurements(&self) -> i64 {
        (self.last_day - self.first_day + 1).max(0)
    }

    /// When it was defined (unix ms): the day before its first measurement.
    pub(crate) fn created_at(&self) -> i64 {
        (self.first_day - 1) * DAY + 10 * 3_600_000
    }

    /// Whether it has values every day of `from..=to`.
    pub(crate) fn covers(&self, from: i64, to: i64) -> bool {
        self.first_day <= from && self.last_day >= to
    }

    /// Its value on `day`.
    pub(crate) fn value(&self, seed: u64, day: i64) -> f64 {
        let noise = normal_at(seed, self.index, day as u64);
        let raw = match self.red_from {
            Some(from) if day >= from => self.red_level * (1.0 + noise * 0.004),
            _ => {
                let span = (self.last_day - self.first_day).max(1) as f64;
                let t = ((day - self.first_day) as f64 / span).clamp(0.0, 1.0);
                let level = self.level_from + (self.level_to - self.level_from) * t;
                let swing = self.weekly * (std::f64::consts::TAU * (day.rem_euclid(7) as f64) / 7.0).sin();
                level * (1.0 + swing + noise * self.noise)
            }
        };
        let value = round(raw.max(0.0), self.decimals);
        if self.unit == Some("%") && self.level_to <= 100.0 { value.min(100.0) } else { value }
    }
}

/// When the nightly job recorded the value of `day` (unix ms).
pub(crate) fn recorded_at(seed: u64, kpi_index: u64, day: i64) -> i64 {
    (day + 1) * DAY + 15 * 60_000 + (unit(seed, kpi_index, day as u64 ^ 0x5EED) * 600_000.0) as i64
}

/// The last day whose value was recorded by `now_ms`.
pub(crate) fn last_recorded_day(seed: u64, kpi_index: u64, today: i64, now_ms: i64) -> i64 {
    let yesterday = today - 1;
    if recorded_at(seed, kpi_index, yesterday) <= now_ms { yesterday } else { yesterday - 1 }
}

/// Plans the KPIs of an organisation whose people are `owners`, on `today` (days since
/// 1970-01-01), ids from `first_id`, measurement ids from `first_measurement_id`.
pub(crate) fn plan(
    seed: u64,
    people: usize,
    owners: &[usize],
    today: i64,
    now_ms: i64,
    first_id: i64,
    first_measurement_id: i64,
) -> Vec<Kpi> {
    let count = ((people as f64 * KPIS_PER_PERSON).round() as usize).max(1);
    let mut used = HashSet::new();
    let mut kpis = Vec::with_capacity(count);
    let mut next_measurement = first_measurement_id;
    for index in 0..count {
        let id = first_id + index as i64;
        let mut rng = stream(seed, part::KPIS, index as u64);
        let metric = pick(&mut rng, METRICS);
        let area = *pick(&mut rng, AREAS);
        let base_name = format!("{} ({area})", capitalise(metric.name));
        let mut name = base_name.clone();
        let base_slug = Slug::from_title(&base_name).map_or_else(|| "kpi".to_owned(), |s| s.as_str().to_owned());
        let mut slug = base_slug.clone();
        let mut n = 2;
        while used.contains(&slug) {
            slug = format!("{base_slug}-{n}");
            name = format!("{base_name} {n}");
            n += 1;
        }
        used.insert(slug.clone());
        let level = round(between(&mut rng, metric.level.0, metric.level.1), metric.decimals).max(1.0);
        let direction = if rng.random_bool(0.12) {
            KpiDirection::WithinRange
        } else if metric.lower_is_better {
            KpiDirection::LowerIsBetter
        } else {
            KpiDirection::HigherIsBetter
        };
        let (target, range, band, level_from, level_to) = match direction {
            KpiDirection::HigherIsBetter => {
                let target = round(level / 1.03, metric.decimals);
                (Some(target), None, target * 0.05, level * between(&mut rng, 0.6, 0.85), level)
            }
            KpiDirection::LowerIsBetter => {
                let target = round(level * 1.03, metric.decimals);
                (Some(target), None, target * 0.05, level * between(&mut rng, 1.2, 1.6), level)
            }
            KpiDirection::WithinRange => {
                let low = round(level * 0.9, metric.decimals);
                let high = round(level * 1.1, metric.decimals).max(low + 10_f64.powi(-metric.decimals));
                (None, Some((low, high)), level * 0.04, level, level)
            }
        };
        let band = round(band, metric.decimals.max(1));
        let last_recorded = last_recorded_day(seed, index as u64, today, now_ms);
        let first_day = if rng.random_bool(0.15) { today - rng.random_range(60..=365) } else { today - HISTORY_DAYS };
        let last_day = if rng.random_bool(0.03) { today - rng.random_range(20..=60) } else { last_recorded };
        let red_from = rng.random_bool(0.08).then(|| today - 75);
        let red_level = match direction {
            KpiDirection::HigherIsBetter => target.unwrap_or(level) - band * between(&mut rng, 1.6, 3.0),
            KpiDirection::LowerIsBetter => target.unwrap_or(level) + band * between(&mut rng, 1.6, 3.0),
            KpiDirection::WithinRange => range.map_or(level, |r| r.1) + band * between(&mut rng, 1.6, 3.0),
        }
        .max(0.0);
        let cadence = match rng.random_range(0..10) {
            0..=6 => Cadence::Daily,
            7 | 8 => Cadence::Weekly,
            _ => Cadence::Monthly,
        };
        let tier = if rng.random_bool(0.15) { KpiTier::Metric } else { KpiTier::Kpi };
        let tags = {
            let first = *pick(&mut rng, TAGS);
            let second = *pick(&mut rng, TAGS);
            if first == second { format!("[\"{first}\"]") } else { format!("[\"{first}\",\"{second}\"]") }
        };
        let kpi = Kpi {
            id,
            index: index as u64,
            slug,
            name,
            description: format!("How {area} is doing on {}, measured every day by the data pipeline.", metric.name),
            owner: owners[rng.random_range(0..owners.len())],
            unit: metric.unit,
            direction,
            target,
            range,
            band,
            cadence,
            tier,
            tags,
            lagging_after: if rng.random_bool(0.9) { 2 } else { 3 },
            decimals: metric.decimals,
            first_day,
            last_day,
            level_from,
            level_to,
            noise: between(&mut rng, 0.004, 0.015),
            weekly: between(&mut rng, 0.0, 0.02),
            red_from,
            red_level,
            first_measurement_id: next_measurement,
        };
        next_measurement += kpi.measurements();
        kpis.push(kpi);
    }
    kpis
}

/// `text` with its first letter in upper case.
pub(crate) fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

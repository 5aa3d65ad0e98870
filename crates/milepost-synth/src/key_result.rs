//! Key results of every kind the domain has: increase and decrease (stated from–to or
//! relatively, a few with a back-loaded target schedule), maintain on either side of
//! a threshold, range, milestone, and a few fed by a KPI; each with a fate drawn up
//! front (how far it gets, how steadily, whether its owner falls silent) that its
//! check-ins then play out.

use crate::kpi::{DAY, Kpi, capitalise};
use crate::random::{between, mix, part, pick, round, stream, weighted};
use crate::words::{DELIVERABLES, METRICS, MILESTONE_VERBS};
use milepost_core::key_result::SchedulePoint;
use milepost_core::{Cadence, Comparator, KeyResultKind, KpiDirection};
use rand::RngExt;
use rand::rngs::StdRng;

/// What a key result measures, in the shape its check-ins need.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Measure {
    /// Increase or decrease from `start` to `target`.
    Linear { start: f64, target: f64 },
    /// 0 until done, 1 when done.
    Milestone,
    /// Stay on the good side of `threshold`.
    Maintain { threshold: f64, at_least: bool },
    /// Stay inside the band.
    Range { low: f64, high: f64 },
}

/// How a key result's quarter goes.
#[derive(Debug, Clone)]
pub(crate) struct Fate {
    /// The progress reached at the cycle's end (over 1: overachieved).
    pub(crate) outcome: f64,
    /// How the progress bends over the cycle: below 1 early, above 1 late.
    pub(crate) shape: f64,
    /// The share of check-ins on the good side (maintain, range).
    pub(crate) good_share: f64,
    /// High confidence on a value that does not move.
    pub(crate) diverging: bool,
    /// When a milestone is done, as a share of the cycle.
    pub(crate) done_at: f64,
    /// When its owner stopped checking in (unix ms), if they did.
    pub(crate) silent_from: Option<i64>,
    /// The owner's check-in weekday (0 is Monday) and minute of the day.
    pub(crate) weekday: i64,
    pub(crate) minute_of_day: i64,
}

/// A key result to write.
#[derive(Debug, Clone)]
pub(crate) struct KeyResult {
    pub(crate) id: i64,
    /// Its place among the organisation's key results: what its randomness is drawn by.
    pub(crate) index: u64,
    pub(crate) objective_id: i64,
    pub(crate) cycle: usize,
    pub(crate) title: String,
    pub(crate) kind: KeyResultKind,
    pub(crate) metric: Option<String>,
    pub(crate) unit: Option<&'static str>,
    pub(crate) measure: Measure,
    pub(crate) comparator: Option<Comparator>,
    pub(crate) relative_change: Option<f64>,
    pub(crate) target_value: Option<f64>,
    pub(crate) weight: f64,
    pub(crate) owner: usize,
    pub(crate) cadence: Cadence,
    pub(crate) kpi: Option<usize>,
    pub(crate) target_schedule: Option<String>,
    pub(crate) added_after_start: bool,
    pub(crate) created_at: i64,
    pub(crate) decimals: i32,
    /// What a milestone delivers.
    pub(crate) deliverable: Option<&'static str>,
    pub(crate) fate: Fate,
    /// Filled from its check-ins once planned.
    pub(crate) first_check_in_id: i64,
    pub(crate) check_ins: i64,
    pub(crate) current_value: Option<f64>,
    pub(crate) updated_at: i64,
}

/// What a new key result is made for.
pub(crate) struct Slot<'a> {
    pub(crate) seed: u64,
    pub(crate) id: i64,
    pub(crate) index: u64,
    pub(crate) objective_id: i64,
    pub(crate) cycle: usize,
    pub(crate) cycle_start_day: i64,
    pub(crate) cycle_days: i64,
    pub(crate) cycle_active: bool,
    pub(crate) now_ms: i64,
    pub(crate) owner: usize,
    pub(crate) area: &'a str,
    pub(crate) aspirational: bool,
    pub(crate) added_after_start: bool,
    pub(crate) created_at: i64,
    /// What the objective's key results so far measure or deliver.
    pub(crate) taken: &'a [String],
    /// KPIs with values all through the cycle, to link a few key results to.
    pub(crate) kpis: &'a [Kpi],
    pub(crate) linkable: &'a [usize],
}

/// A number as a person writes it in a sentence: thousands separated, with its unit.
pub(crate) fn written(value: f64, unit: Option<&str>, decimals: i32) -> String {
    let decimals = usize::try_from(decimals.max(0)).unwrap_or(0);
    let text = format!("{:.*}", decimals, value.abs());
    let (whole, fraction) = text.split_once('.').map_or((text.as_str(), None), |(w, f)| (w, Some(f)));
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    if let Some(fraction) = fraction {
        grouped.push('.');
        grouped.push_str(fraction);
    }
    let sign = if value < 0.0 { "-" } else { "" };
    match unit {
        Some("%") => format!("{sign}{grouped}%"),
        Some("$") => format!("{sign}${grouped}"),
        Some(unit @ ("h" | "ms")) => format!("{sign}{grouped}{unit}"),
        Some(unit) => format!("{sign}{grouped} {unit}"),
        None => format!("{sign}{grouped}"),
    }
}

/// A metric the objective's other key results do not measure yet (two key results of
/// one objective measuring the same thing is what the linter warns about).
fn fresh_metric(rng: &mut StdRng, taken: &[String]) -> &'static crate::words::Metric {
    let mut metric = pick(rng, METRICS);
    for _ in 0..8 {
        if !taken.iter().any(|t| t == metric.name) {
            break;
        }
        metric = pick(rng, METRICS);
    }
    metric
}

fn fate(rng: &mut StdRng, slot: &Slot<'_>) -> Fate {
    let outcome = match rng.random::<f64>() {
        u if u < 0.3 => between(rng, 1.0, 1.15),
        u if u < 0.65 => between(rng, 0.7, 1.0),
        u if u < 0.9 => between(rng, 0.35, 0.7),
        _ => between(rng, 0.0, 0.35),
    } * if slot.aspirational { 0.85 } else { 1.0 };
    let good_share = if rng.random_bool(0.7) { between(rng, 0.85, 1.0) } else { between(rng, 0.5, 0.85) };
    let silent_from =
        (slot.cycle_active && rng.random_bool(0.07)).then(|| slot.now_ms - rng.random_range(15..=30) * DAY);
    let habit = mix(slot.seed ^ mix(slot.owner as u64));
    Fate {
        outcome,
        shape: between(rng, 0.7, 1.6),
        good_share,
        diverging: rng.random_bool(0.03),
        done_at: between(rng, 0.4, 0.95),
        silent_from,
        weekday: (habit % 5) as i64,
        minute_of_day: 9 * 60 + ((habit >> 8) % 480) as i64,
    }
}

/// Makes the key result for `slot`.
pub(crate) fn make(slot: &Slot<'_>) -> KeyResult {
    let mut rng = stream(slot.seed, part::KEY_RESULT, slot.index);
    let fate = fate(&mut rng, slot);
    let weight = match rng.random_range(0..20) {
        0..=16 => 1.0,
        17 | 18 => 2.0,
        _ => 0.5,
    };
    let mut key_result = KeyResult {
        id: slot.id,
        index: slot.index,
        objective_id: slot.objective_id,
        cycle: slot.cycle,
        title: String::new(),
        kind: KeyResultKind::Milestone,
        metric: None,
        unit: None,
        measure: Measure::Milestone,
        comparator: None,
        relative_change: None,
        target_value: None,
        weight,
        owner: slot.owner,
        cadence: Cadence::Weekly,
        kpi: None,
        target_schedule: None,
        added_after_start: slot.added_after_start,
        created_at: slot.created_at,
        decimals: 0,
        deliverable: None,
        fate,
        first_check_in_id: 0,
        check_ins: 0,
        current_value: None,
        updated_at: slot.created_at,
    };
    if !slot.linkable.is_empty() && rng.random_bool(0.045) {
        let mut kpi = *pick(&mut rng, slot.linkable);
        for _ in 0..8 {
            if !slot.taken.iter().any(|t| *t == slot.kpis[kpi].name) {
                break;
            }
            kpi = *pick(&mut rng, slot.linkable);
        }
        fed_by(&mut rng, &mut key_result, slot, kpi);
        return key_result;
    }
    match weighted(&mut rng, &[0.40, 0.18, 0.12, 0.08, 0.22]) {
        0 | 1 => linear(&mut rng, &mut key_result, slot),
        2 => maintain(&mut rng, &mut key_result, slot),
        3 => {
            let metric = fresh_metric(&mut rng, slot.taken);
            let middle = between(&mut rng, metric.level.0, metric.level.1);
            let low = round(middle * 0.9, metric.decimals);
            let high = round(middle * 1.1, metric.decimals).max(low + 10_f64.powi(-metric.decimals));
            key_result.title = format!(
                "Keep {} for {} between {} and {}",
                metric.name,
                slot.area,
                written(low, metric.unit, metric.decimals),
                written(high, metric.unit, metric.decimals)
            );
            key_result.kind = KeyResultKind::Range;
            key_result.metric = Some(metric.name.to_owned());
            key_result.unit = metric.unit;
            key_result.decimals = metric.decimals;
            key_result.measure = Measure::Range { low, high };
        }
        _ => {
            let mut deliverable = *pick(&mut rng, DELIVERABLES);
            for _ in 0..8 {
                if !slot.taken.iter().any(|t| t == deliverable) {
                    break;
                }
                deliverable = *pick(&mut rng, DELIVERABLES);
            }
            key_result.title = format!("{} {deliverable}", pick(&mut rng, MILESTONE_VERBS));
            key_result.deliverable = Some(deliverable);
        }
    }
    key_result
}

fn linear(rng: &mut StdRng, key_result: &mut KeyResult, slot: &Slot<'_>) {
    let metric = fresh_metric(rng, slot.taken);
    let up = !metric.lower_is_better;
    let decimals = metric.decimals;
    let start = round(between(rng, metric.level.0, metric.level.1), decimals).max(1.0);
    let bounded = metric.unit == Some("%") && metric.level.1 <= 100.0;
    let relative = rng.random_bool(0.25) && !bounded;
    let (target, relative_change) = if relative {
        let change = *pick(rng, &[0.1, 0.15, 0.2, 0.25, 0.3, 0.5]);
        (if up { start * (1.0 + change) } else { start * (1.0 - change) }, Some(change))
    } else {
        let target = if up && bounded {
            start + (100.0 - start) * between(rng, 0.15, 0.5)
        } else if up {
            start * (1.0 + between(rng, 0.15, 0.6))
        } else {
            start * (1.0 - between(rng, 0.15, 0.5))
        };
        let mut target = round(target, decimals);
        if target == start {
            target = start + if up { 1.0 } else { -1.0 } * 10_f64.powi(-decimals);
        }
        (target, None)
    };
    let name = format!("{} for {}", metric.name, slot.area);
    key_result.title = match (relative_change, up) {
        (Some(change), true) => format!("Grow {name} by {}%", round(change * 100.0, 0)),
        (Some(change), false) => format!("Cut {name} by {}%", round(change * 100.0, 0)),
        (None, true) => {
            format!(
                "Increase {name} from {} to {}",
                written(start, metric.unit, decimals),
                written(target, metric.unit, decimals)
            )
        }
        (None, false) => {
            format!(
                "Reduce {name} from {} to {}",
                written(start, metric.unit, decimals),
                written(target, metric.unit, decimals)
            )
        }
    };
    key_result.kind = if up { KeyResultKind::Increase } else { KeyResultKind::Decrease };
    key_result.metric = Some(metric.name.to_owned());
    key_result.unit = metric.unit;
    key_result.decimals = decimals;
    key_result.measure = Measure::Linear { start, target };
    key_result.target_value = Some(target);
    key_result.relative_change = relative_change;
    if up && relative_change.is_none() && rng.random_bool(0.06) {
        // Back-loaded: a quarter of the way at the cycle's midpoint.
        let day = slot.cycle_start_day + slot.cycle_days / 2;
        let date =
            jiff::Timestamp::from_millisecond(day * DAY).map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date()).ok();
        let points =
            date.map(|date| vec![SchedulePoint { date, value: round(start + (target - start) * 0.25, decimals) }]);
        key_result.target_schedule = points.and_then(|p| serde_json::to_string(&p).ok());
    }
}

fn maintain(rng: &mut StdRng, key_result: &mut KeyResult, slot: &Slot<'_>) {
    let uptime_taken = slot.taken.iter().any(|t| t == "uptime");
    let (metric, unit, threshold, decimals, at_least) = if rng.random_bool(0.5) && !uptime_taken {
        let threshold = *pick(rng, &[99.5, 99.9, 99.95]);
        ("uptime".to_owned(), Some("%"), threshold, 2, true)
    } else {
        let metric = fresh_metric(rng, slot.taken);
        let threshold = round(between(rng, metric.level.0, metric.level.1), metric.decimals);
        (metric.name.to_owned(), metric.unit, threshold, metric.decimals, !metric.lower_is_better)
    };
    let side = if at_least { "at or above" } else { "at or below" };
    key_result.title = format!("Keep {metric} of {} {side} {}", slot.area, written(threshold, unit, decimals));
    key_result.kind = KeyResultKind::Maintain;
    key_result.metric = Some(metric);
    key_result.unit = unit;
    key_result.decimals = decimals;
    key_result.measure = Measure::Maintain { threshold, at_least };
    key_result.target_value = Some(threshold);
    key_result.comparator = Some(if at_least { Comparator::AtLeast } else { Comparator::AtMost });
}

/// A key result whose value comes from KPI `index`: its start is the KPI's value when
/// the cycle starts (the baseline rule), its cadence daily.
fn fed_by(rng: &mut StdRng, key_result: &mut KeyResult, slot: &Slot<'_>, index: usize) {
    let kpi = &slot.kpis[index];
    let decimals = kpi.decimals;
    let baseline = kpi.value(slot.seed, slot.cycle_start_day);
    key_result.kpi = Some(index);
    key_result.cadence = Cadence::Daily;
    key_result.metric = Some(kpi.name.clone());
    key_result.unit = kpi.unit;
    key_result.decimals = decimals;
    let name = capitalise(&kpi.name);
    match (kpi.direction, kpi.target, kpi.range) {
        (KpiDirection::WithinRange, _, Some((low, high))) => {
            key_result.kind = KeyResultKind::Range;
            key_result.measure = Measure::Range { low, high };
            key_result.title = format!(
                "Keep {name} between {} and {}",
                written(low, kpi.unit, decimals),
                written(high, kpi.unit, decimals)
            );
        }
        (direction, Some(threshold), _) if rng.random_bool(0.4) => {
            let at_least = direction == KpiDirection::HigherIsBetter;
            let side = if at_least { "at or above" } else { "at or below" };
            key_result.kind = KeyResultKind::Maintain;
            key_result.measure = Measure::Maintain { threshold, at_least };
            key_result.target_value = Some(threshold);
            key_result.comparator = Some(if at_least { Comparator::AtLeast } else { Comparator::AtMost });
            key_result.title = format!("Keep {name} {side} {}", written(threshold, kpi.unit, decimals));
        }
        (direction, _, _) => {
            let up = direction != KpiDirection::LowerIsBetter;
            let step = 10_f64.powi(-decimals);
            let start = baseline;
            let mut target =
                round(if up { start * between(rng, 1.05, 1.2) } else { start * between(rng, 0.8, 0.95) }, decimals);
            if (up && target <= start) || (!up && target >= start) {
                target = if up { start + step } else { start - step };
            }
            key_result.kind = if up { KeyResultKind::Increase } else { KeyResultKind::Decrease };
            key_result.measure = Measure::Linear { start, target };
            key_result.target_value = Some(target);
            let verb = if up { "Increase" } else { "Reduce" };
            key_result.title = format!(
                "{verb} {name} from {} to {}",
                written(start, kpi.unit, decimals),
                written(target, kpi.unit, decimals)
            );
        }
    }
}

impl KeyResult {
    /// What it measures or delivers, to keep its objective's other key results apart.
    pub(crate) fn subject(&self) -> Option<String> {
        self.metric.clone().or_else(|| self.deliverable.map(str::to_owned))
    }

    /// The start stored on the row: the baseline of an increase or decrease.
    pub(crate) fn start_value(&self) -> Option<f64> {
        match self.measure {
            Measure::Linear { start, .. } => Some(start),
            _ => None,
        }
    }

    /// The band stored on the row, for a range.
    pub(crate) fn range(&self) -> Option<(f64, f64)> {
        match self.measure {
            Measure::Range { low, high } => Some((low, high)),
            _ => None,
        }
    }
}

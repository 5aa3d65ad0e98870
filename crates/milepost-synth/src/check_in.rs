//! A key result's check-ins, as its owner would have made them: once a week on their
//! own weekday and hour (a week skipped now and then, and a few owners who fell silent
//! weeks ago, so their key results show as stale), with a value that moves towards the
//! key result's fated outcome and a confidence that follows it; or, for a key result
//! a KPI feeds, one check-in (source `kpi`) for each day's measurement, as the app writes
//! them when the measurements arrive.
//!
//! The check-ins of a key result depend on nothing but the seed and the key result, so
//! they are made twice: once when its row is built (its current value, version and
//! time of change follow from them) and once when they are written.

use crate::key_result::{KeyResult, Measure};
use crate::kpi::{DAY, Kpi, recorded_at};
use crate::okr::Cycle;
use crate::org::Person;
use crate::random::{between, normal, part, pick, round, stream};
use crate::words::{BLOCKERS, NOTES};
use milepost_core::CycleStatus;
use milepost_store::CheckInRow;
use rand::RngExt;

/// What check-ins are made against.
pub(crate) struct Context<'a> {
    pub(crate) seed: u64,
    pub(crate) workspace_id: i64,
    pub(crate) now_ms: i64,
    pub(crate) cycles: &'a [Cycle],
    pub(crate) kpis: &'a [Kpi],
    pub(crate) people: &'a [Person],
}

/// The weekday of a day counted from 1970-01-01 (a Thursday): 0 is Monday.
fn weekday(day: i64) -> i64 {
    (day + 3).rem_euclid(7)
}

/// The check-ins of `key_result`, oldest first, ids from its first check-in id.
pub(crate) fn check_ins(context: &Context<'_>, key_result: &KeyResult) -> Vec<CheckInRow> {
    let cycle = &context.cycles[key_result.cycle];
    let mut rows = match key_result.kpi {
        Some(kpi) => fed_by_kpi(context, key_result, cycle, &context.kpis[kpi]),
        None => weekly(context, key_result, cycle),
    };
    for (offset, row) in rows.iter_mut().enumerate() {
        row.id = key_result.first_check_in_id + offset as i64;
    }
    rows
}

fn fed_by_kpi(context: &Context<'_>, key_result: &KeyResult, cycle: &Cycle, kpi: &Kpi) -> Vec<CheckInRow> {
    let from = cycle.start_day.max(key_result.created_at.div_euclid(DAY) + 1);
    let to = cycle.end_day.min(kpi.last_day);
    let note = format!("From KPI {} ({})", kpi.name, kpi.slug);
    (from.max(kpi.first_day)..=to)
        .filter_map(|day| {
            let created_at = recorded_at(context.seed, kpi.index, day);
            // A closed cycle's key results take no more check-ins.
            let open = cycle.status != CycleStatus::Closed || created_at < cycle.closed_at;
            (created_at <= context.now_ms && open).then(|| CheckInRow {
                id: 0,
                workspace_id: context.workspace_id,
                key_result_id: key_result.id,
                value: kpi.value(context.seed, day),
                confidence: None,
                note: note.clone(),
                blockers: String::new(),
                author_person_id: None,
                source: "kpi".to_owned(),
                checked_in_at: day * DAY,
                created_at,
            })
        })
        .collect()
}

fn weekly(context: &Context<'_>, key_result: &KeyResult, cycle: &Cycle) -> Vec<CheckInRow> {
    let mut rng = stream(context.seed, part::CHECK_INS, key_result.index);
    let fate = &key_result.fate;
    let author = context.people[key_result.owner].id;
    let tracked = key_result.created_at.max(cycle.start_ms);
    let mut day = (tracked + 2 * DAY).div_euclid(DAY);
    while weekday(day) != fate.weekday {
        day += 1;
    }
    let span = (cycle.end_ms - cycle.start_ms).max(1) as f64;
    let mut rows = Vec::with_capacity(14);
    let mut progress_before = 0.0_f64;
    loop {
        let at = day * DAY + fate.minute_of_day * 60_000;
        day += 7;
        if at >= cycle.end_ms || at > context.now_ms || fate.silent_from.is_some_and(|silent| at >= silent) {
            break;
        }
        if rng.random_bool(0.05) {
            continue;
        }
        let share = ((at - cycle.start_ms) as f64 / span).clamp(0.0, 1.0);
        let (value, progress) = value_at(&mut rng, key_result, share, progress_before);
        progress_before = progress;
        let confidence = if rng.random_bool(0.03) {
            None
        } else if fate.diverging {
            Some(9)
        } else {
            let expected = match key_result.measure {
                Measure::Maintain { .. } | Measure::Range { .. } => 3.0 + 7.0 * fate.good_share,
                _ => 2.0 + 8.0 * fate.outcome.min(1.0),
            };
            let mood = 7.0 * (1.0 - share) + expected * share + normal(&mut rng) * 0.8;
            Some(mood.round().clamp(0.0, 10.0) as i64)
        };
        let note = if rng.random_bool(0.3) { (*pick(&mut rng, NOTES)).to_owned() } else { String::new() };
        let blockers = if confidence.is_some_and(|c| c <= 5) && rng.random_bool(0.35) {
            (*pick(&mut rng, BLOCKERS)).to_owned()
        } else {
            String::new()
        };
        rows.push(CheckInRow {
            id: 0,
            workspace_id: context.workspace_id,
            key_result_id: key_result.id,
            value,
            confidence,
            note,
            blockers,
            author_person_id: Some(author),
            source: "manual".to_owned(),
            checked_in_at: at,
            created_at: at,
        });
    }
    rows
}

/// The value at `share` of the cycle, and the progress it stands for.
fn value_at(rng: &mut rand::rngs::StdRng, key_result: &KeyResult, share: f64, before: f64) -> (f64, f64) {
    let fate = &key_result.fate;
    let decimals = key_result.decimals;
    match key_result.measure {
        Measure::Linear { start, target } => {
            let progress = if fate.diverging {
                0.0
            } else {
                let drawn = fate.outcome * share.powf(fate.shape) + normal(rng) * 0.03;
                drawn.max(before - 0.02).max(-0.05)
            };
            let mut value = round(start + progress * (target - start), decimals);
            if key_result.unit == Some("%") && start <= 100.0 && target <= 100.0 {
                value = value.clamp(0.0, 100.0);
            }
            (value.max(0.0), progress)
        }
        Measure::Milestone => {
            let value = if fate.outcome >= 1.0 && share >= fate.done_at {
                1.0
            } else {
                ((fate.outcome.min(0.99) * share * 4.0).floor() / 4.0).max(before).min(0.75)
            };
            (value, value)
        }
        Measure::Maintain { threshold, at_least } => {
            let margin = (threshold.abs() * 0.01).max(10_f64.powi(-decimals));
            let sign = if at_least { 1.0 } else { -1.0 };
            let good = rng.random_bool(fate.good_share);
            let distance = if good { between(rng, 0.1, 1.5) } else { -between(rng, 0.2, 1.0) };
            (round(threshold + sign * distance * margin, decimals.max(1)), before)
        }
        Measure::Range { low, high } => {
            let width = high - low;
            let value = if rng.random_bool(fate.good_share) {
                between(rng, low, high)
            } else if rng.random_bool(0.5) {
                low - width * between(rng, 0.05, 0.3)
            } else {
                high + width * between(rng, 0.05, 0.3)
            };
            (round(value, decimals.max(1)), before)
        }
    }
}

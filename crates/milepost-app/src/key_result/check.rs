//! Checks of key result input, shared by adding a key result alone, adding one with
//! its objective, and changing one: every problem is noted with its place, and what
//! passes becomes the row to store.

use super::NewKeyResult;
use super::interpretation::{Baseline, Given, Interpretation, Numbers, interpret};
use crate::Caller;
use crate::error::{AppError, Path, Problems};
use milepost_core::key_result::SchedulePoint;
use milepost_core::{Cadence, CyclePeriod, Measure, TargetSchedule, Title, Weight};
use milepost_store::{KeyResultFields, Tx};

use super::interpretation::SHORT_TEXT;

pub(super) fn short_text(problems: &mut Problems, pointer: impl Into<Path>, text: Option<&str>) -> Option<String> {
    let text = text?.trim();
    if text.is_empty() {
        return None;
    }
    if text.chars().count() > SHORT_TEXT {
        problems.push(pointer, format!("must be at most {SHORT_TEXT} characters"));
        return None;
    }
    Some(text.to_owned())
}

/// The parts of a key result that decide its measure, checked together.
pub(super) use super::interpretation::Definition;

/// Checks the interpretation's numbers into a definition (the shared pure
/// [`super::interpretation::definition`]), noting each problem at its field under `prefix`.
pub(super) fn check_definition(problems: &mut Problems, prefix: &Path, reading: &Interpretation) -> Option<Definition> {
    match super::interpretation::definition(reading) {
        Ok(definition) => Some(definition),
        Err(found) => {
            for problem in found {
                problems.push(prefix.clone().field(problem.field), problem.detail);
            }
            None
        }
    }
}

pub(super) fn check_schedule(
    problems: &mut Problems,
    prefix: &Path,
    points: Option<Vec<SchedulePoint>>,
    measure: Option<&Measure>,
    period: &CyclePeriod,
) -> Option<String> {
    let points = points?;
    if !matches!(measure, Some(Measure::Increase { .. } | Measure::Decrease { .. }) | None) {
        problems.push(
            prefix.clone().field("target_schedule"),
            "only increase and decrease key results take a target schedule",
        );
        return None;
    }
    let schedule = problems.check(prefix.clone().field("target_schedule"), TargetSchedule::try_new(points, period))?;
    serde_json::to_string(schedule.points()).ok()
}

pub(super) async fn check_kpi(
    tx: &mut Tx,
    caller: &Caller,
    problems: &mut Problems,
    pointer: impl Into<Path>,
    kpi: Option<i64>,
) -> Result<(), AppError> {
    if let Some(kpi) = kpi
        && !tx.exists("kpis", caller.workspace, kpi).await?
    {
        problems.push(pointer, format!("there is no KPI {kpi} in this workspace"));
    }
    Ok(())
}

pub(super) async fn check_person(
    tx: &mut Tx,
    caller: &Caller,
    problems: &mut Problems,
    pointer: impl Into<Path>,
    person: Option<i64>,
) -> Result<(), AppError> {
    if let Some(person) = person
        && !tx.exists("people", caller.workspace, person).await?
    {
        problems.push(pointer, format!("there is no person {person} in this workspace"));
    }
    Ok(())
}

/// The start a key result gives, or, when it asks for it (`start_from_kpi`), its linked
/// KPI's latest measurement: the KPI's current value. Problems at `start_from_kpi`: no
/// KPI linked, a start given as well, or no measurement yet.
pub(crate) async fn start_from_kpi(
    tx: &mut Tx,
    caller: &Caller,
    problems: &mut Problems,
    prefix: &Path,
    asked: Option<bool>,
    start: Option<f64>,
    kpi: Option<i64>,
) -> Result<Option<f64>, AppError> {
    if asked != Some(true) {
        return Ok(start);
    }
    let pointer = prefix.clone().field("start_from_kpi");
    let Some(kpi) = kpi else {
        problems.push(pointer, "link a KPI (kpi_id) to take the start from it");
        return Ok(start);
    };
    if start.is_some() {
        problems.push(pointer, "give a start or take it from the KPI, not both");
        return Ok(start);
    }
    // A KPI that does not exist is said once, at `kpi_id`.
    if !tx.exists("kpis", caller.workspace, kpi).await? {
        return Ok(None);
    }
    match tx.latest_measurement(caller.workspace, kpi, i64::MAX).await? {
        Some(latest) => Ok(Some(latest.value)),
        None => {
            problems.push(pointer, format!("KPI {kpi} has no measurement yet to start from: give a start"));
            Ok(None)
        }
    }
}

/// [`interpret`]s a key result, looking up its linked KPI's value at the cycle's start
/// only when an increase or decrease needs it for a start.
pub(super) async fn interpret_in(
    tx: &mut Tx,
    caller: &Caller,
    sentence: Option<&str>,
    given: &Given,
    current: Option<&Numbers>,
    kpi: Option<i64>,
    period: &CyclePeriod,
) -> Result<Interpretation, AppError> {
    let first = interpret(sentence, given, current, Baseline::NotLinked);
    let Some(kpi) = kpi.filter(|_| first.wants_baseline) else { return Ok(first) };
    let starts_at = period.starts_at().as_millisecond();
    let measurements = tx.list_measurements(caller.workspace, kpi).await?;
    let before = measurements.iter().filter(|m| m.measured_at <= starts_at).max_by_key(|m| m.measured_at);
    let first_measured = measurements.iter().min_by_key(|m| m.measured_at);
    let value = before.or(first_measured).map(|m| m.value);
    Ok(interpret(sentence, given, current, Baseline::Linked(value)))
}

/// Notes an interpretation's problems under `prefix`; whether there were none.
pub(super) fn note_problems(problems: &mut Problems, prefix: &Path, reading: &Interpretation) -> bool {
    for problem in &reading.problems {
        problems.push(prefix.clone().field(problem.field), &problem.detail);
    }
    reading.problems.is_empty()
}

/// Whether the sentence could not be read at all (too long): its title is refused once.
pub(super) fn unreadable(reading: &Interpretation) -> bool {
    reading.problems.iter().any(|p| p.field == "title")
}

/// Checks a new key result of `objective` and makes the row to insert; problems are
/// noted under `prefix` (`""`, or `/key_results/2` inside an objective). Its title is
/// interpreted ([`interpret`]) with the fields given beside it.
pub(crate) async fn check_new(
    tx: &mut Tx,
    caller: &Caller,
    problems: &mut Problems,
    prefix: &Path,
    objective: (i64, Option<i64>),
    period: &CyclePeriod,
    new: NewKeyResult,
) -> Result<Option<KeyResultFields>, AppError> {
    let (objective_id, objective_owner) = objective;
    let start = start_from_kpi(tx, caller, problems, prefix, new.start_from_kpi, new.start, new.kpi_id).await?;
    let given = Given {
        kind: new.kind,
        metric: new.metric.clone().map(Some),
        unit: new.unit.clone().map(Some),
        start,
        target: new.target,
        range: new.range,
        comparator: new.comparator,
        relative_change: new.relative_change,
        delta: new.delta,
        required_share: new.required_share.map(Some),
    };
    let reading = interpret_in(tx, caller, Some(&new.title), &given, None, new.kpi_id, period).await?;
    let read = note_problems(problems, prefix, &reading);
    let title = if unreadable(&reading) {
        None
    } else {
        problems.check(prefix.clone().field("title"), Title::parse(&new.title))
    };
    let metric = short_text(problems, prefix.clone().field("metric"), reading.numbers.metric.as_deref());
    let unit = short_text(problems, prefix.clone().field("unit"), reading.numbers.unit.as_deref());
    let weight = match new.weight {
        Some(w) => problems.check(prefix.clone().field("weight"), Weight::try_new(w)),
        None => Some(Weight::ONE),
    };
    let definition = if read { check_definition(problems, prefix, &reading) } else { None };
    let schedule =
        check_schedule(problems, prefix, new.target_schedule, definition.as_ref().map(|d| &d.measure), period);
    let owner = new.owner_person_id.or(objective_owner);
    check_kpi(tx, caller, problems, prefix.clone().field("kpi_id"), new.kpi_id).await?;
    check_person(tx, caller, problems, prefix.clone().field("owner_person_id"), new.owner_person_id).await?;
    let (Some(title), Some(weight), Some(definition)) = (title, weight, definition) else {
        return Ok(None);
    };
    Ok(Some(fields_of(
        objective_id,
        title.into_string(),
        metric,
        unit,
        &definition,
        weight,
        owner,
        new.cadence,
        new.kpi_id,
        schedule,
    )))
}

#[expect(clippy::too_many_arguments, reason = "assembles one row from checked parts")]
pub(super) fn fields_of(
    objective_id: i64,
    title: String,
    metric: Option<String>,
    unit: Option<String>,
    definition: &Definition,
    weight: Weight,
    owner: Option<i64>,
    cadence: Option<Cadence>,
    kpi_id: Option<i64>,
    target_schedule: Option<String>,
) -> KeyResultFields {
    let (range_low, range_high) = match definition.measure {
        Measure::Range { low, high } => (Some(low), Some(high)),
        _ => (None, None),
    };
    let comparator = match definition.measure {
        Measure::Maintain { comparator, .. } => Some(comparator),
        _ => None,
    };
    KeyResultFields {
        objective_id,
        title,
        kind: definition.measure.kind(),
        metric,
        unit,
        start_value: match definition.measure {
            Measure::Increase { start, .. } | Measure::Decrease { start, .. } => Some(start),
            _ => None,
        },
        target_value: match definition.measure {
            Measure::Milestone | Measure::Range { .. } => None,
            m => m.target(),
        },
        range_low,
        range_high,
        comparator,
        relative_change: definition.relative_change,
        required_share: definition.required_share,
        weight: weight.get(),
        owner_person_id: owner,
        cadence: cadence.unwrap_or(Cadence::Weekly),
        kpi_id,
        target_schedule,
    }
}

//! Key results: what is measured and how progress follows from a value (SPEC §3–§4).
//!
//! A [`Measure`] is the validated shape of a key result. It is built once, at the edge,
//! by [`Measure::try_new`]; a measure whose start equals its target, or an increase
//! whose target lies below its start, cannot exist, so progress never divides by zero.

use crate::cycle::{CyclePeriod, midnight, share_between};
use crate::progress::Progress;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The kinds of key result (SPEC §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum KeyResultKind {
    /// Move a number up from a start to a target.
    Increase,
    /// Move a number down from a start to a target.
    Decrease,
    /// Keep a number at or above (or below) a threshold, scored like an SLO.
    Maintain,
    /// Keep a number inside a band.
    Range,
    /// Finish something: 0 until done, 1 when done (or the share of weighted steps done).
    Milestone,
}

/// Which side of a maintain threshold is good.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub enum Comparator {
    /// At or above the threshold.
    #[serde(rename = ">=")]
    AtLeast,
    /// At or below the threshold.
    #[serde(rename = "<=")]
    AtMost,
}

/// What a key result's definition says, before validation: the fields a person or a
/// parsed sentence gives.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct MeasureSpec {
    /// The kind; required.
    pub kind: Option<KeyResultKind>,
    /// The baseline.
    pub start: Option<f64>,
    /// The absolute target, or the threshold of a maintain key result.
    pub target: Option<f64>,
    /// The band of a range key result.
    pub range: Option<(f64, f64)>,
    /// The side of a maintain threshold that is good (`>=` when not given).
    pub comparator: Option<Comparator>,
    /// A change relative to the start, as a fraction: 0.2 is 20% more.
    pub relative_change: Option<f64>,
    /// An absolute change from the start.
    pub delta: Option<f64>,
}

/// Why a key result's definition was refused; each names the field at fault.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum MeasureError {
    /// A field that this kind needs was not given.
    #[error("a {kind} key result needs {what}")]
    Missing {
        /// The field at fault.
        field: &'static str,
        /// The kind being defined.
        kind: &'static str,
        /// What is needed, in words.
        what: &'static str,
    },
    /// A number that is infinite or not a number.
    #[error("must be a finite number")]
    NotFinite {
        /// The field at fault.
        field: &'static str,
    },
    /// The start equals the target: there is nowhere to go.
    #[error("start and target are both {value}: a key result must move from its start to a different target")]
    StartEqualsTarget {
        /// The value of both.
        value: f64,
    },
    /// The target lies on the wrong side of the start for the kind.
    #[error("{} {kind} needs a target {side} its start (start {start}, target {target})", if kind.starts_with(|c: char| "aeiou".contains(c)) { "an" } else { "a" })]
    WrongDirection {
        /// `increase` or `decrease`.
        kind: &'static str,
        /// `above` or `below`.
        side: &'static str,
        /// The start given.
        start: f64,
        /// The target given or derived.
        target: f64,
    },
    /// A band whose low end is not below its high end.
    #[error("the low end of a range must be below its high end (got {low} to {high})")]
    EmptyRange {
        /// The low end given.
        low: f64,
        /// The high end given.
        high: f64,
    },
    /// More than one way of stating the target.
    #[error("give one of target, relative_change and delta, not several")]
    TargetGivenTwice,
}

impl MeasureError {
    /// The name of the field at fault, for pointing at it in an error response.
    pub fn field(&self) -> &'static str {
        match self {
            MeasureError::Missing { field, .. } | MeasureError::NotFinite { field } => field,
            MeasureError::StartEqualsTarget { .. } | MeasureError::WrongDirection { .. } => "target",
            MeasureError::EmptyRange { .. } => "range",
            MeasureError::TargetGivenTwice => "target",
        }
    }
}

/// A validated key result definition.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Measure {
    /// Move up from `start` to `target` (`target > start`).
    Increase {
        /// The baseline.
        start: f64,
        /// Where the cycle should end.
        target: f64,
    },
    /// Move down from `start` to `target` (`target < start`).
    Decrease {
        /// The baseline.
        start: f64,
        /// Where the cycle should end.
        target: f64,
    },
    /// Keep the value on the good side of `threshold`.
    Maintain {
        /// The line not to cross.
        threshold: f64,
        /// Which side is good.
        comparator: Comparator,
    },
    /// Keep the value within `low..=high`.
    Range {
        /// The lowest good value.
        low: f64,
        /// The highest good value.
        high: f64,
    },
    /// Finish something.
    Milestone,
}

fn finite(field: &'static str, value: Option<f64>) -> Result<Option<f64>, MeasureError> {
    match value {
        Some(v) if !v.is_finite() => Err(MeasureError::NotFinite { field }),
        other => Ok(other),
    }
}

impl Measure {
    /// Validates a definition. Relative and absolute changes are applied to the start in
    /// the kind's direction ("reduce by 30%" and "reduce by -30%" both mean 70% of the
    /// start), so the stored target is always absolute.
    pub fn try_new(spec: MeasureSpec) -> Result<Measure, MeasureError> {
        let start = finite("start", spec.start)?;
        let target = finite("target", spec.target)?;
        let relative = finite("relative_change", spec.relative_change)?;
        let delta = finite("delta", spec.delta)?;
        if let Some((low, high)) = spec.range {
            finite("range", Some(low))?;
            finite("range", Some(high))?;
        }
        let kind = spec.kind.ok_or(MeasureError::Missing {
            field: "kind",
            kind: "new",
            what: "a kind: increase, decrease, maintain, range or milestone",
        })?;
        match kind {
            KeyResultKind::Increase | KeyResultKind::Decrease => {
                let up = kind == KeyResultKind::Increase;
                let name = if up { "increase" } else { "decrease" };
                let start = start.ok_or(MeasureError::Missing {
                    field: "start",
                    kind: name,
                    what: "a start (the value at the beginning of the cycle)",
                })?;
                let sign = if up { 1.0 } else { -1.0 };
                let target = match (target, relative, delta) {
                    (Some(t), None, None) => t,
                    (None, Some(r), None) => start * (1.0 + sign * r.abs()),
                    (None, None, Some(d)) => start + sign * d.abs(),
                    (None, None, None) => {
                        return Err(MeasureError::Missing {
                            field: "target",
                            kind: name,
                            what: "a target, a relative_change or a delta",
                        });
                    }
                    _ => return Err(MeasureError::TargetGivenTwice),
                };
                if !target.is_finite() {
                    return Err(MeasureError::NotFinite { field: "target" });
                }
                if target == start {
                    return Err(MeasureError::StartEqualsTarget { value: start });
                }
                if up != (target > start) {
                    return Err(MeasureError::WrongDirection {
                        kind: name,
                        side: if up { "above" } else { "below" },
                        start,
                        target,
                    });
                }
                Ok(if up { Measure::Increase { start, target } } else { Measure::Decrease { start, target } })
            }
            KeyResultKind::Maintain => {
                let threshold = target.ok_or(MeasureError::Missing {
                    field: "target",
                    kind: "maintain",
                    what: "a target (the threshold to stay on the good side of)",
                })?;
                Ok(Measure::Maintain { threshold, comparator: spec.comparator.unwrap_or(Comparator::AtLeast) })
            }
            KeyResultKind::Range => {
                let (low, high) = spec.range.ok_or(MeasureError::Missing {
                    field: "range",
                    kind: "range",
                    what: "a range [low, high]",
                })?;
                if low >= high {
                    return Err(MeasureError::EmptyRange { low, high });
                }
                Ok(Measure::Range { low, high })
            }
            KeyResultKind::Milestone => Ok(Measure::Milestone),
        }
    }

    /// The kind.
    pub fn kind(&self) -> KeyResultKind {
        match self {
            Measure::Increase { .. } => KeyResultKind::Increase,
            Measure::Decrease { .. } => KeyResultKind::Decrease,
            Measure::Maintain { .. } => KeyResultKind::Maintain,
            Measure::Range { .. } => KeyResultKind::Range,
            Measure::Milestone => KeyResultKind::Milestone,
        }
    }

    /// The start, for increase and decrease; 0 for a milestone.
    pub fn start(&self) -> Option<f64> {
        match self {
            Measure::Increase { start, .. } | Measure::Decrease { start, .. } => Some(*start),
            Measure::Milestone => Some(0.0),
            _ => None,
        }
    }

    /// The target (or threshold); 1 for a milestone.
    pub fn target(&self) -> Option<f64> {
        match self {
            Measure::Increase { target, .. } | Measure::Decrease { target, .. } => Some(*target),
            Measure::Maintain { threshold, .. } => Some(*threshold),
            Measure::Milestone => Some(1.0),
            Measure::Range { .. } => None,
        }
    }

    /// Whether a value is on the good side, for maintain and range key results.
    /// Increase, decrease and milestone key results meet their goal at the target.
    pub fn meets(&self, value: f64) -> bool {
        match *self {
            Measure::Maintain { threshold, comparator: Comparator::AtLeast } => value >= threshold,
            Measure::Maintain { threshold, comparator: Comparator::AtMost } => value <= threshold,
            Measure::Range { low, high } => (low..=high).contains(&value),
            Measure::Increase { target, .. } => value >= target,
            Measure::Decrease { target, .. } => value <= target,
            Measure::Milestone => value >= 1.0,
        }
    }

    /// Progress at a value, for the kinds whose progress follows from one value:
    /// `(current − start) / (target − start)` for increase and decrease, unclamped;
    /// the share of steps done (0–1) for a milestone. `None` for maintain and range,
    /// whose progress comes from the whole history ([`Measure::progress`]).
    pub fn progress_at(&self, value: f64) -> Option<Progress> {
        match *self {
            Measure::Increase { start, target } | Measure::Decrease { start, target } => {
                Some(Progress::new((value - start) / (target - start)))
            }
            Measure::Milestone => Some(Progress::new(value.clamp(0.0, 1.0))),
            Measure::Maintain { .. } | Measure::Range { .. } => None,
        }
    }

    /// Progress of a key result: from its current value for increase, decrease and
    /// milestone (no value yet is the start); for maintain and range, the share of the
    /// cycle's observations that met the goal, like an SLO's good events over all
    /// events (no observation yet is no progress).
    pub fn progress(&self, current: Option<f64>, observations: &[f64]) -> Progress {
        match self.progress_at(current.or(self.start()).unwrap_or(0.0)) {
            Some(progress) => progress,
            None if observations.is_empty() => Progress::ZERO,
            None => {
                let good = observations.iter().filter(|v| self.meets(**v)).count();
                Progress::new(good as f64 / observations.len() as f64)
            }
        }
    }

    /// Progress expected at `now` (SPEC §4 "expected progress"): the elapsed share of
    /// the cycle, or for increase and decrease with a target schedule, the progress of
    /// the planned value. Maintain and range key results are expected to hold all the
    /// time, so their expectation is 1 once the cycle has begun.
    pub fn expected_progress(&self, period: &CyclePeriod, schedule: Option<&TargetSchedule>, now: Timestamp) -> f64 {
        self.expected_progress_since(period, schedule, period.starts_at(), now)
    }

    /// [`Measure::expected_progress`] for a key result tracked only from `since` (added
    /// after its cycle began): its pace runs from `since` to the cycle's end, so on the
    /// day it is added nothing is expected of it yet. A `since` before the cycle's start
    /// is the cycle's start. A target schedule is an explicit plan and keeps its dates.
    pub fn expected_progress_since(
        &self,
        period: &CyclePeriod,
        schedule: Option<&TargetSchedule>,
        since: Timestamp,
        now: Timestamp,
    ) -> f64 {
        let elapsed = crate::cycle::share_between(since.max(period.starts_at()), period.ends_at(), now);
        match (self, schedule) {
            (Measure::Maintain { .. } | Measure::Range { .. }, _) => {
                if now >= period.starts_at() {
                    1.0
                } else {
                    0.0
                }
            }
            (Measure::Increase { start, target } | Measure::Decrease { start, target }, Some(schedule)) => {
                let planned = schedule.planned_value(period, *start, *target, now);
                self.progress_at(planned).map_or(elapsed, |p| p.clamped())
            }
            _ => elapsed,
        }
    }
}

/// Planned values by date, for goals that do not move linearly (seasonal, back-loaded).
/// Points are sorted by date, at most one per day, inside the cycle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetSchedule {
    points: Vec<SchedulePoint>,
}

/// One planned value on a day.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct SchedulePoint {
    /// The day the value is planned for.
    pub date: Date,
    /// The planned value on that day.
    pub value: f64,
}

/// Why a target schedule was refused.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ScheduleError {
    /// Two points on the same day or out of order.
    #[error("schedule dates must be in increasing order, one point a day ({0} comes after {1})")]
    OutOfOrder(Date, Date),
    /// A point outside the cycle.
    #[error("schedule date {0} is outside the cycle ({1} to {2})")]
    OutsideCycle(Date, Date, Date),
    /// A value that is not a finite number.
    #[error("schedule value on {0} must be a finite number")]
    NotFinite(Date),
    /// A schedule without points.
    #[error("a schedule needs at least one point")]
    Empty,
}

impl TargetSchedule {
    /// Checks the points against the cycle they plan.
    pub fn try_new(points: Vec<SchedulePoint>, period: &CyclePeriod) -> Result<TargetSchedule, ScheduleError> {
        if points.is_empty() {
            return Err(ScheduleError::Empty);
        }
        for pair in points.windows(2) {
            if pair[1].date <= pair[0].date {
                return Err(ScheduleError::OutOfOrder(pair[1].date, pair[0].date));
            }
        }
        for point in &points {
            if !point.value.is_finite() {
                return Err(ScheduleError::NotFinite(point.date));
            }
            if point.date < period.start() || point.date > period.end() {
                return Err(ScheduleError::OutsideCycle(point.date, period.start(), period.end()));
            }
        }
        Ok(TargetSchedule { points })
    }

    /// The points, in date order.
    pub fn points(&self) -> &[SchedulePoint] {
        &self.points
    }

    /// The value planned at `now`: straight lines from the start at the cycle's first
    /// instant, through each point (reached at the end of its day), to the target at
    /// the cycle's end.
    pub fn planned_value(&self, period: &CyclePeriod, start: f64, target: f64, now: Timestamp) -> f64 {
        let mut knots = Vec::with_capacity(self.points.len() + 2);
        knots.push((period.starts_at(), start));
        for point in &self.points {
            knots.push((midnight(point.date.tomorrow().unwrap_or(point.date)), point.value));
        }
        knots.push((period.ends_at(), target));
        if now <= knots[0].0 {
            return start;
        }
        for pair in knots.windows(2) {
            let ((from, a), (to, b)) = (pair[0], pair[1]);
            if now <= to {
                return a + (b - a) * share_between(from, to, now);
            }
        }
        target
    }
}

#[cfg(test)]
mod tests;

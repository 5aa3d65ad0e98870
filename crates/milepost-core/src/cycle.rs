//! Cycles: a named period with calendar dates, and the elapsed share that linear pace
//! is measured against.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Where a cycle is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CycleStatus {
    /// Objectives are being drafted.
    Planning,
    /// The cycle is running: check-ins happen.
    Active,
    /// The cycle is over and graded.
    Closed,
}

/// A cycle's dates could not make a period.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("a cycle must end on or after the day it starts (starts {start}, ends {end})")]
pub struct CyclePeriodError {
    /// The first day given.
    pub start: Date,
    /// The last day given.
    pub end: Date,
}

/// The days a cycle covers, both inclusive, read in UTC: it starts at the first
/// midnight of `start` and ends at the midnight after `end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CyclePeriod {
    start: Date,
    end: Date,
}

impl CyclePeriod {
    /// A period from `start` to `end` inclusive; `end` before `start` is an error.
    pub fn try_new(start: Date, end: Date) -> Result<CyclePeriod, CyclePeriodError> {
        if end < start {
            return Err(CyclePeriodError { start, end });
        }
        Ok(CyclePeriod { start, end })
    }

    /// A period of a single day.
    pub fn day(day: Date) -> CyclePeriod {
        CyclePeriod { start: day, end: day }
    }

    /// The first day.
    pub fn start(&self) -> Date {
        self.start
    }

    /// The last day.
    pub fn end(&self) -> Date {
        self.end
    }

    /// The instant the cycle starts.
    pub fn starts_at(&self) -> Timestamp {
        midnight(self.start)
    }

    /// The instant the cycle ends (the midnight after its last day).
    pub fn ends_at(&self) -> Timestamp {
        midnight(self.end.tomorrow().unwrap_or(self.end))
    }

    /// The share of the cycle elapsed at `now`, 0.0 before it starts, 1.0 after it ends.
    pub fn elapsed_share(&self, now: Timestamp) -> f64 {
        share_between(self.starts_at(), self.ends_at(), now)
    }

    /// Whether `now` falls inside the period.
    pub fn contains(&self, now: Timestamp) -> bool {
        self.starts_at() <= now && now < self.ends_at()
    }
}

/// The instant a calendar day starts, in UTC.
pub fn midnight(day: Date) -> Timestamp {
    day.to_zoned(TimeZone::UTC).map(|zoned| zoned.timestamp()).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// Where `now` lies between `from` and `to`, as a share clamped to [0, 1].
pub(crate) fn share_between(from: Timestamp, to: Timestamp, now: Timestamp) -> f64 {
    let total = (to.as_millisecond() - from.as_millisecond()) as f64;
    if total <= 0.0 {
        return if now >= to { 1.0 } else { 0.0 };
    }
    let done = (now.as_millisecond() - from.as_millisecond()) as f64;
    (done / total).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn quarter() -> CyclePeriod {
        CyclePeriod::try_new(date(2026, 10, 1), date(2026, 12, 31)).unwrap()
    }

    #[test]
    fn a_cycle_cannot_end_before_it_starts() {
        assert!(CyclePeriod::try_new(date(2026, 10, 2), date(2026, 10, 1)).is_err());
        assert!(CyclePeriod::try_new(date(2026, 10, 1), date(2026, 10, 1)).is_ok());
    }

    #[test]
    fn elapsed_share_runs_from_zero_to_one() {
        let q = quarter();
        assert_eq!(q.elapsed_share(midnight(date(2026, 9, 1))), 0.0);
        assert_eq!(q.elapsed_share(q.starts_at()), 0.0);
        assert_eq!(q.elapsed_share(q.ends_at()), 1.0);
        assert_eq!(q.elapsed_share(midnight(date(2027, 3, 1))), 1.0);
        // 46 of 92 days: exactly half.
        assert!((q.elapsed_share(midnight(date(2026, 11, 16))) - 0.5).abs() < 1e-9);
    }

    #[test]
    fn the_last_day_belongs_to_the_cycle() {
        let q = quarter();
        assert!(q.contains(midnight(date(2026, 12, 31))));
        assert!(!q.contains(midnight(date(2027, 1, 1))));
    }
}

//! Cycles: a named period with calendar dates, its kind (a quarter, a half, a year or
//! any custom span) and the elapsed share that linear pace is measured against.

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

/// How long a cycle is meant to be. A quarter, a half and a year are whole calendar
/// months (3, 6 and 12) from the first day of a month to the last day of a month, so a
/// fiscal year that starts in February has quarters too; a custom cycle is any span.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CycleKind {
    /// Three whole months: `2027-01-01` to `2027-03-31`.
    Quarter,
    /// Six whole months.
    Half,
    /// Twelve whole months.
    Year,
    /// Any span of days.
    Custom,
}

impl CycleKind {
    /// How many whole months a cycle of this kind spans; `None` for a custom one.
    pub fn months(self) -> Option<i8> {
        match self {
            CycleKind::Quarter => Some(3),
            CycleKind::Half => Some(6),
            CycleKind::Year => Some(12),
            CycleKind::Custom => None,
        }
    }

    /// The kind whose shape `period` has: a quarter, half or year of whole months, or
    /// custom.
    pub fn of(period: CyclePeriod) -> CycleKind {
        [CycleKind::Quarter, CycleKind::Half, CycleKind::Year]
            .into_iter()
            .find(|kind| kind.check(period).is_ok())
            .unwrap_or(CycleKind::Custom)
    }

    /// `Ok` when `period` has this kind's shape, or what is wrong with it.
    pub fn check(self, period: CyclePeriod) -> Result<(), CycleKindError> {
        let Some(months) = self.months() else { return Ok(()) };
        let start = period.start();
        if start.day() != 1 {
            return Err(CycleKindError::Start { kind: self, start });
        }
        let expected = start
            .checked_add(jiff::Span::new().months(i64::from(months)))
            .and_then(|next| next.yesterday())
            .unwrap_or(start);
        if period.end() != expected {
            return Err(CycleKindError::End { kind: self, end: period.end(), expected });
        }
        Ok(())
    }
}

/// A cycle's dates do not have the shape of its kind.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CycleKindError {
    /// It does not start on the first day of a month.
    #[error("a {kind} starts on the first day of a month, not on {start} (or make it a custom cycle)", kind = .kind.word())]
    Start {
        /// The kind.
        kind: CycleKind,
        /// The first day given.
        start: Date,
    },
    /// It does not end on the last day of its last month.
    #[error("a {kind} is {months} whole months: starting then, it ends on {expected}, not {end} (or make it a custom cycle)", kind = .kind.word(), months = .kind.months().unwrap_or_default())]
    End {
        /// The kind.
        kind: CycleKind,
        /// The last day given.
        end: Date,
        /// The last day of its last month.
        expected: Date,
    },
}

impl CycleKind {
    /// The kind in a sentence: `quarter`, `half-year`, `year`, `custom cycle`.
    pub fn word(self) -> &'static str {
        match self {
            CycleKind::Quarter => "quarter",
            CycleKind::Half => "half-year",
            CycleKind::Year => "year",
            CycleKind::Custom => "custom cycle",
        }
    }
}

/// The quarter a new cycle is offered as, after the cycle that ends last on `last_end`
/// (or, with no cycle yet, the calendar quarter around `today`): its display name and
/// period. It starts the day after `last_end` when that is the first of a month (so
/// fiscal quarters follow on), else on the first calendar quarter day after it.
pub fn next_quarter(last_end: Option<Date>, today: Date) -> (String, CyclePeriod) {
    let quarter_start = |day: Date| {
        let month = (day.month() - 1) / 3 * 3 + 1;
        jiff::civil::date(day.year(), month, 1)
    };
    let start = match last_end.and_then(|end| end.tomorrow().ok()) {
        Some(next) if next.day() == 1 => next,
        Some(next) => {
            let start = quarter_start(next);
            start.checked_add(jiff::Span::new().months(3)).unwrap_or(start)
        }
        None => quarter_start(today),
    };
    let end = start.checked_add(jiff::Span::new().months(3)).and_then(|d| d.yesterday()).unwrap_or(start);
    let period = CyclePeriod { start, end };
    let name = if (start.month() - 1) % 3 == 0 {
        format!("{} Q{}", start.year(), (start.month() - 1) / 3 + 1)
    } else {
        format!("{} to {}", start.strftime("%b %Y"), end.strftime("%b %Y"))
    };
    (name, period)
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
    fn a_kind_checks_the_shape_of_the_dates() {
        let period = |s, e| CyclePeriod::try_new(s, e).unwrap();
        assert_eq!(CycleKind::Quarter.check(quarter()), Ok(()));
        assert_eq!(CycleKind::of(quarter()), CycleKind::Quarter);
        // A fiscal quarter, February to April, is a quarter too.
        assert_eq!(CycleKind::of(period(date(2027, 2, 1), date(2027, 4, 30))), CycleKind::Quarter);
        assert_eq!(CycleKind::of(period(date(2027, 1, 1), date(2027, 6, 30))), CycleKind::Half);
        assert_eq!(CycleKind::of(period(date(2027, 1, 1), date(2027, 12, 31))), CycleKind::Year);
        assert_eq!(CycleKind::of(period(date(2027, 1, 1), date(2027, 3, 30))), CycleKind::Custom);
        let Err(CycleKindError::End { expected, .. }) =
            CycleKind::Quarter.check(period(date(2027, 1, 1), date(2027, 4, 15)))
        else {
            panic!("two weeks too long")
        };
        assert_eq!(expected, date(2027, 3, 31));
        assert!(matches!(
            CycleKind::Year.check(period(date(2027, 1, 2), date(2027, 12, 31))),
            Err(CycleKindError::Start { .. })
        ));
        assert_eq!(CycleKind::Custom.check(period(date(2027, 1, 2), date(2027, 1, 9))), Ok(()));
    }

    #[test]
    fn the_next_quarter_follows_the_last_cycle() {
        let (name, period) = next_quarter(Some(date(2026, 12, 31)), date(2026, 11, 16));
        assert_eq!((name.as_str(), period.start(), period.end()), ("2027 Q1", date(2027, 1, 1), date(2027, 3, 31)));
        // After a year, the quarter that starts the next.
        let (name, _) = next_quarter(Some(date(2027, 12, 31)), date(2026, 11, 16));
        assert_eq!(name, "2028 Q1");
        // A fiscal quarter follows on from the day after.
        let (name, period) = next_quarter(Some(date(2027, 1, 31)), date(2026, 11, 16));
        assert_eq!((name.as_str(), period.end()), ("Feb 2027 to Apr 2027", date(2027, 4, 30)));
        // A custom cycle ending mid-month: the next calendar quarter.
        let (name, _) = next_quarter(Some(date(2027, 2, 14)), date(2026, 11, 16));
        assert_eq!(name, "2027 Q2");
        // No cycle yet: the quarter around today.
        let (name, period) = next_quarter(None, date(2026, 11, 16));
        assert_eq!((name.as_str(), period.start()), ("2026 Q4", date(2026, 10, 1)));
    }

    #[test]
    fn the_last_day_belongs_to_the_cycle() {
        let q = quarter();
        assert!(q.contains(midnight(date(2026, 12, 31))));
        assert!(!q.contains(midnight(date(2027, 1, 1))));
    }
}

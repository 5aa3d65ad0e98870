//! Moving the demo's files from their day ([`crate::files::ANCHOR`]) to today, so that
//! the demo always shows a closed previous quarter and a current one around today, as a
//! company that has used Milepost for two quarters sees it.
//!
//! Two moves, each by whole units, so that nothing the story says changes:
//!
//! - **The OKRs move by whole quarters.** The files' current quarter becomes the
//!   calendar quarter around today, their previous one the quarter before; every time
//!   of the OKR history (check-ins, initiative due dates) keeps its number of days from
//!   its quarter's start, so a key result is as far along the same day of a quarter.
//!   Check-ins that would then lie after now are left out (a check-in reports what
//!   was): early in a quarter, the current quarter has fewer of them.
//! - **The KPIs move by whole days**, so that their year of history ends yesterday,
//!   as a KPI measured every day does. (Whole weeks would keep each measurement's day
//!   of the week, but leave up to six days without data, and a daily KPI that has not
//!   been measured for two days has no health.)

use crate::files::ANCHOR;
use jiff::civil::Date;
use jiff::{SignedDuration, Span, Timestamp};

/// A calendar quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quarter {
    /// Its first day.
    pub start: Date,
    /// Its last day.
    pub end: Date,
}

impl Quarter {
    /// The quarter `day` is in.
    pub fn containing(day: Date) -> Quarter {
        let back = Span::new().months((day.month() - 1) % 3);
        let start = day.first_of_month().saturating_sub(back);
        let end = start.saturating_add(Span::new().months(3)).saturating_sub(Span::new().days(1));
        Quarter { start, end }
    }

    /// The quarter before this one.
    pub fn previous(self) -> Quarter {
        Quarter::containing(self.start.saturating_sub(Span::new().days(1)))
    }

    /// Its slug, `2026-q4`.
    pub fn slug(self) -> String {
        format!("{}-q{}", self.start.year(), (self.start.month() - 1) / 3 + 1)
    }

    /// Its name, `2026 Q4`.
    pub fn name(self) -> String {
        format!("{} Q{}", self.start.year(), (self.start.month() - 1) / 3 + 1)
    }

    /// How the OKR files name it in their `cycle:` line and folder, `2026-Q4`.
    pub fn file_name(self) -> String {
        self.slug().to_uppercase()
    }
}

/// How far the demo's files move to be loaded on `today`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shift {
    /// The quarter around today: the files' current quarter moves here.
    pub current: Quarter,
    /// The quarter before it, closed.
    pub previous: Quarter,
    /// What every OKR time moves by: whole days, from the files' current quarter's
    /// start to today's.
    okrs: SignedDuration,
    /// What every KPI measurement moves by: whole days.
    kpis: SignedDuration,
}

/// Whole days from `from` to `to`, as a duration.
fn days_between(from: Date, to: Date) -> i64 {
    from.duration_until(to).as_hours().div_euclid(24)
}

impl Shift {
    /// The move that puts the files' current quarter around `today`.
    pub fn to(today: Date) -> Shift {
        let current = Quarter::containing(today);
        let okr_days = days_between(Quarter::containing(ANCHOR).start, current.start);
        let kpi_days = days_between(ANCHOR, today);
        Shift {
            current,
            previous: current.previous(),
            okrs: SignedDuration::from_hours(24 * okr_days),
            kpis: SignedDuration::from_hours(24 * kpi_days),
        }
    }

    /// An OKR time (a check-in) moved.
    pub fn okr_time(&self, at: Timestamp) -> Timestamp {
        at.saturating_add(self.okrs).unwrap_or(at)
    }

    /// An OKR day (an initiative's due date) moved.
    pub fn okr_day(&self, day: Date) -> Date {
        day.saturating_add(self.okrs)
    }

    /// A KPI measurement's time moved.
    pub fn kpi_time(&self, at: Timestamp) -> Timestamp {
        at.saturating_add(self.kpis).unwrap_or(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn on_the_files_own_day_nothing_moves() {
        let shift = Shift::to(ANCHOR);
        let at: Timestamp = "2026-11-13T15:07:00Z".parse().unwrap();
        assert_eq!((shift.okr_time(at), shift.kpi_time(at)), (at, at));
        assert_eq!((shift.previous.file_name(), shift.current.file_name()), ("2026-Q3".into(), "2026-Q4".into()));
    }

    #[test]
    fn the_current_quarter_is_always_the_one_around_today() {
        for today in [date(2027, 2, 10), date(2026, 7, 1), date(2028, 3, 31), date(2025, 1, 1), date(2026, 12, 31)] {
            let shift = Shift::to(today);
            assert!(shift.current.start <= today && today <= shift.current.end, "{today}");
            assert_eq!(shift.previous.end.saturating_add(Span::new().days(1)), shift.current.start);
            // A check-in on the files' 40th day of their quarter is on the 40th day of today's.
            let fortieth: Timestamp = "2026-11-10T15:00:00Z".parse().unwrap();
            let moved = shift.okr_time(fortieth).to_zoned(jiff::tz::TimeZone::UTC).date();
            assert_eq!(days_between(shift.current.start, moved), 40, "{today}");
            // A KPI's last measurement, the day before the files' day, lands the day before today.
            let last: Timestamp = "2026-12-06T23:00:00Z".parse().unwrap();
            let moved = shift.kpi_time(last).to_zoned(jiff::tz::TimeZone::UTC).date();
            assert_eq!(days_between(moved, today), 1, "{today}: {moved}");
        }
        assert_eq!(Shift::to(date(2027, 2, 10)).previous.slug(), "2026-q4");
    }
}

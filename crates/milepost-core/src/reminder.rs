//! When a workspace's weekly check-in reminder is due, and which key results it names.
//!
//! A workspace holds its check-in on one weekday at one hour in its time zone. The
//! reminder of a week is due from that hour on, unless the workspace's quiet hours hold
//! it: then it waits for the first hour after them. It is sent at most
//! [`SEND_WINDOW`] after its time, so a server that was down for days does not send
//! last week's reminder. Pure: the time is an argument.

use crate::Cadence;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

/// How long after its time a reminder is still sent.
pub const SEND_WINDOW: SignedDuration = SignedDuration::from_hours(24);

/// Hours of the day, in the workspace's time zone, in which no reminder is sent: from
/// `start` up to (not including) `end`, across midnight when `start` is after `end`
/// (20 to 8 is 20:00–08:00).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    start: u8,
    end: u8,
}

impl QuietHours {
    /// Quiet hours from `start` to `end`, each 0–23, not the same hour (that would be
    /// none or the whole day).
    pub fn try_new(start: i64, end: i64) -> Result<QuietHours, String> {
        let hour = |h: i64| u8::try_from(h).ok().filter(|h| *h < 24);
        match (hour(start), hour(end)) {
            (None, _) => Err(format!("{start} is not an hour: give 0 to 23")),
            (_, None) => Err(format!("{end} is not an hour: give 0 to 23")),
            (Some(s), Some(e)) if s == e => {
                Err("quiet hours must end at another hour than they start, such as 20 to 8".to_owned())
            }
            (Some(start), Some(end)) => Ok(QuietHours { start, end }),
        }
    }

    /// The first quiet hour.
    pub fn start(self) -> u8 {
        self.start
    }

    /// The first hour after the quiet hours.
    pub fn end(self) -> u8 {
        self.end
    }

    /// Whether `hour` (0–23) is quiet.
    pub fn contains(self, hour: i8) -> bool {
        let Ok(hour) = u8::try_from(hour) else { return false };
        if self.start < self.end {
            self.start <= hour && hour < self.end
        } else {
            hour >= self.start || hour < self.end
        }
    }
}

/// A workspace's weekly check-in, as reminders need it.
#[derive(Debug, Clone)]
pub struct CheckInSchedule {
    /// The workspace's time zone.
    pub zone: TimeZone,
    /// The check-in's weekday, 1 = Monday … 7 = Sunday.
    pub weekday: i8,
    /// The check-in's hour there, 0–23.
    pub hour: i8,
    /// Its quiet hours, if any.
    pub quiet: Option<QuietHours>,
}

/// One week's reminder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReminderSlot {
    /// The local date of the check-in day: the week's reminder is known by it.
    pub period: Date,
    /// When it is sent: the check-in hour, or the first hour after the quiet hours.
    pub send_at: Timestamp,
}

impl CheckInSchedule {
    /// When the reminder of the check-in day `date` is sent.
    pub fn send_time(&self, date: Date) -> Option<Timestamp> {
        let mut at = date.at(self.hour, 0, 0, 0).to_zoned(self.zone.clone()).ok()?;
        // At most a day of quiet hours (they are never all 24).
        for _ in 0..24 {
            match self.quiet {
                Some(quiet) if quiet.contains(at.hour()) => {
                    // To the start of the next hour: the check-in hour is whole, and so
                    // is every step.
                    at = at.checked_add(SignedDuration::from_hours(1)).ok()?;
                }
                _ => break,
            }
        }
        Some(at.timestamp())
    }

    /// The reminder due at `now`, if one is: the latest check-in day's, from its send
    /// time on and for [`SEND_WINDOW`] after it.
    pub fn due(&self, now: Timestamp) -> Option<ReminderSlot> {
        let today = now.to_zoned(self.zone.clone()).date();
        let back = i64::from((today.weekday().to_monday_one_offset() - self.weekday).rem_euclid(7));
        for days in [back, back + 7] {
            let period = today.checked_sub(jiff::Span::new().days(days)).ok()?;
            let send_at = self.send_time(period)?;
            if send_at <= now {
                let until = send_at.checked_add(SEND_WINDOW).ok()?;
                return (now < until).then_some(ReminderSlot { period, send_at });
            }
        }
        None
    }
}

/// Whether a key result with this cadence, last checked in at `last`, is due for a
/// check-in at `now`: it never was, or its last check-in is at least one period old,
/// less a day (so a weekly key result checked in on last week's check-in day, a few
/// hours later than today's reminder, is still named).
pub fn check_in_wanted(last: Option<Timestamp>, cadence: Cadence, now: Timestamp) -> bool {
    let Some(last) = last else { return true };
    let period = cadence.period().saturating_sub(SignedDuration::from_hours(24));
    last.saturating_add(period).is_ok_and(|due| due <= now)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paris(quiet: Option<QuietHours>) -> CheckInSchedule {
        CheckInSchedule { zone: TimeZone::get("Europe/Paris").unwrap(), weekday: 1, hour: 9, quiet }
    }

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn the_reminder_is_due_at_the_local_check_in_hour_not_before() {
        let schedule = paris(None);
        // Monday 2026-11-16, 09:00 in Paris is 08:00 UTC.
        assert_eq!(schedule.due(at("2026-11-16T07:59:59Z")), None);
        let slot = schedule.due(at("2026-11-16T08:00:00Z")).unwrap();
        assert_eq!(slot.period, jiff::civil::date(2026, 11, 16));
        assert_eq!(slot.send_at, at("2026-11-16T08:00:00Z"));
        assert_eq!(schedule.due(at("2026-11-17T07:59:00Z")).map(|s| s.period), Some(slot.period));
        assert_eq!(schedule.due(at("2026-11-17T08:00:00Z")), None, "a day later it is no longer sent");
    }

    #[test]
    fn quiet_hours_defer_to_the_first_hour_after_them() {
        let schedule = CheckInSchedule { hour: 21, ..paris(Some(QuietHours::try_new(20, 8).unwrap())) };
        assert_eq!(schedule.due(at("2026-11-16T20:00:00Z")), None, "21:00 in Paris is quiet");
        let slot = schedule.due(at("2026-11-17T07:00:00Z")).unwrap();
        assert_eq!(slot.period, jiff::civil::date(2026, 11, 16));
        assert_eq!(slot.send_at, at("2026-11-17T07:00:00Z"), "08:00 on Tuesday in Paris");
    }

    #[test]
    fn quiet_hours_read_across_midnight() {
        let quiet = QuietHours::try_new(20, 8).unwrap();
        assert!(quiet.contains(20) && quiet.contains(23) && quiet.contains(0) && quiet.contains(7));
        assert!(!quiet.contains(8) && !quiet.contains(19));
        let day = QuietHours::try_new(12, 14).unwrap();
        assert!(day.contains(12) && day.contains(13) && !day.contains(14) && !day.contains(11));
        assert!(QuietHours::try_new(8, 8).is_err());
        assert!(QuietHours::try_new(24, 8).is_err());
        assert!(QuietHours::try_new(-1, 8).is_err());
    }

    #[test]
    fn a_key_result_is_wanted_when_its_period_has_nearly_passed() {
        let now = at("2026-11-16T08:00:00Z");
        assert!(check_in_wanted(None, Cadence::Weekly, now));
        assert!(check_in_wanted(Some(at("2026-11-09T10:00:00Z")), Cadence::Weekly, now));
        assert!(!check_in_wanted(Some(at("2026-11-14T10:00:00Z")), Cadence::Weekly, now));
        assert!(!check_in_wanted(Some(at("2026-11-01T10:00:00Z")), Cadence::Monthly, now));
        assert!(check_in_wanted(Some(at("2026-10-16T10:00:00Z")), Cadence::Monthly, now));
    }
}

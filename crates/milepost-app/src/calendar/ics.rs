//! An iCalendar (RFC 5545) document, written by hand: CRLF line ends, lines folded at
//! 75 octets, text escaped (`\`, `;`, `,`, newlines), a UID and a DTSTAMP on every
//! event, and a VTIMEZONE for every TZID used, built from the time zone database's
//! transitions. Pure: the time is an argument.

use jiff::civil::Date;
use jiff::tz::{Offset, TimeZone};
use jiff::{SignedDuration, Timestamp};

/// An iCalendar document being written.
#[derive(Debug, Default)]
pub struct Ics {
    out: String,
}

/// Escapes a TEXT value.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A date as `YYYYMMDD`.
pub fn date(day: Date) -> String {
    format!("{:04}{:02}{:02}", day.year(), day.month(), day.day())
}

/// An instant in UTC as `YYYYMMDDTHHMMSSZ`.
pub fn utc(at: Timestamp) -> String {
    at.strftime("%Y%m%dT%H%M%SZ").to_string()
}

fn offset(offset: Offset) -> String {
    let seconds = offset.seconds();
    let sign = if seconds < 0 { '-' } else { '+' };
    let seconds = seconds.unsigned_abs();
    format!("{sign}{:02}{:02}", seconds / 3600, (seconds % 3600) / 60)
}

impl Ics {
    /// Writes one content line, folded at 75 octets (never inside a character).
    pub fn line(&mut self, text: &str) {
        let mut rest = text;
        let mut limit = 75;
        loop {
            if rest.len() <= limit {
                self.out.push_str(rest);
                self.out.push_str("\r\n");
                return;
            }
            let mut cut = limit;
            while !rest.is_char_boundary(cut) {
                cut -= 1;
            }
            self.out.push_str(&rest[..cut]);
            self.out.push_str("\r\n ");
            rest = &rest[cut..];
            // A continuation line begins with the space, which counts.
            limit = 74;
        }
    }

    /// Writes `NAME:value` with the value escaped as TEXT.
    pub fn text(&mut self, name: &str, value: &str) {
        self.line(&format!("{name}:{}", escape(value)));
    }

    /// Writes the VTIMEZONE of `zone` for the years around `from` … `to`: one
    /// STANDARD or DAYLIGHT part per transition, after one for the offset in force at
    /// `from`.
    pub fn time_zone(&mut self, zone: &TimeZone, name: &str, from: Timestamp, to: Timestamp) {
        self.line("BEGIN:VTIMEZONE");
        self.text("TZID", name);
        let first = zone.to_offset(from);
        let local = |at: Timestamp, o: Offset| at.to_zoned(TimeZone::fixed(o)).strftime("%Y%m%dT%H%M%S").to_string();
        self.line("BEGIN:STANDARD");
        self.line(&format!("DTSTART:{}", local(from, first)));
        self.line(&format!("TZOFFSETFROM:{}", offset(first)));
        self.line(&format!("TZOFFSETTO:{}", offset(first)));
        self.line("END:STANDARD");
        for transition in zone.following(from).take_while(|t| t.timestamp() <= to) {
            let before =
                zone.to_offset(transition.timestamp().saturating_sub(SignedDuration::from_secs(1)).unwrap_or(from));
            let part = if transition.dst().is_dst() { "DAYLIGHT" } else { "STANDARD" };
            self.line(&format!("BEGIN:{part}"));
            self.line(&format!("DTSTART:{}", local(transition.timestamp(), before)));
            self.line(&format!("TZOFFSETFROM:{}", offset(before)));
            self.line(&format!("TZOFFSETTO:{}", offset(transition.offset())));
            if !transition.abbreviation().is_empty() {
                self.text("TZNAME", transition.abbreviation());
            }
            self.line(&format!("END:{part}"));
        }
        self.line("END:VTIMEZONE");
    }

    /// The document.
    pub fn finish(self) -> String {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
    }

    #[test]
    fn long_lines_fold_at_75_octets_between_characters() {
        let mut ics = Ics::default();
        ics.line(&format!("SUMMARY:{}", "é".repeat(100)));
        let out = ics.finish();
        for line in out.split("\r\n") {
            assert!(line.len() <= 75, "{line:?} is {} octets", line.len());
        }
        let unfolded = out.replace("\r\n ", "");
        assert_eq!(unfolded, format!("SUMMARY:{}\r\n", "é".repeat(100)));
    }
}

//! Conversions between stored instants and days and the domain's time types.

use jiff::Timestamp;
use jiff::civil::Date;

/// A stored unix-millisecond instant as a timestamp.
pub fn from_ms(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// Reads a stored `YYYY-MM-DD` day.
pub fn parse_day(text: &str) -> Result<Date, String> {
    text.parse::<Date>().map_err(|_| format!("{text:?} is not a date: write it as YYYY-MM-DD, for example 2026-10-01"))
}

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

/// A stored cycle's period. Its dates were read as dates by the store, and a cycle
/// that ends before it starts cannot be written; should one be edited in by hand, it
/// reads as its first day.
pub(crate) fn period_of(row: &milepost_store::CycleRow) -> milepost_core::CyclePeriod {
    milepost_core::CyclePeriod::try_new(row.start_date, row.end_date)
        .unwrap_or(milepost_core::CyclePeriod::day(row.start_date))
}

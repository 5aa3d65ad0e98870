//! How the records are read from sqlx rows, in one place: every column by its name, and
//! every stored name (a kind, a cadence, a status) and date parsed once into its domain
//! type. A value that cannot be read is an error naming the table, the row's id and the
//! column, never a default: a corrupted row must be seen, not silently scored as zero.

use milepost_core::Named;
use sqlx::{ColumnIndex, Decode, Row, Type};

/// Reads a stored name as its domain value.
pub(crate) fn named<'r, R, T>(row: &'r R, table: &str, column: &str) -> Result<T, sqlx::Error>
where
    R: Row,
    T: Named,
    String: Decode<'r, R::Database> + Type<R::Database>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    for<'a> &'a str: ColumnIndex<R>,
{
    let text: String = row.try_get(column)?;
    T::parse(&text).ok_or_else(|| corrupt(row, table, column, &text, &format!("one of {}", T::names())))
}

/// Reads a stored name that may be missing (NULL) as its domain value.
pub(crate) fn named_or_none<'r, R, T>(row: &'r R, table: &str, column: &str) -> Result<Option<T>, sqlx::Error>
where
    R: Row,
    T: Named,
    Option<String>: Decode<'r, R::Database> + Type<R::Database>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    for<'a> &'a str: ColumnIndex<R>,
{
    let text: Option<String> = row.try_get(column)?;
    text.map(|text| {
        T::parse(&text).ok_or_else(|| corrupt(row, table, column, &text, &format!("one of {}", T::names())))
    })
    .transpose()
}

/// Reads a calendar date stored as `YYYY-MM-DD`.
pub(crate) fn date<'r, R>(row: &'r R, table: &str, column: &str) -> Result<jiff::civil::Date, sqlx::Error>
where
    R: Row,
    String: Decode<'r, R::Database> + Type<R::Database>,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    for<'a> &'a str: ColumnIndex<R>,
{
    let text: String = row.try_get(column)?;
    text.parse().map_err(|_| corrupt(row, table, column, &text, "a date written YYYY-MM-DD"))
}

/// The error for a stored value that is not what its column must hold.
fn corrupt<'r, R>(row: &'r R, table: &str, column: &str, value: &str, expected: &str) -> sqlx::Error
where
    R: Row,
    i64: Decode<'r, R::Database> + Type<R::Database>,
    for<'a> &'a str: ColumnIndex<R>,
{
    let id = row.try_get::<i64, _>("id").map_or_else(|_| "?".to_owned(), |id| id.to_string());
    sqlx::Error::ColumnDecode {
        index: format!("{table}.{column} of row {id}"),
        source: format!("{value:?} is stored, but it must be {expected}").into(),
    }
}

/// Implements `sqlx::FromRow` for a record on both databases: each field read by its
/// column name, plainly or through one of the readers above (`named`, `named_or_none`,
/// `date`) with the table named for errors.
macro_rules! from_row {
    ($record:ident in $table:literal { $($field:ident $(: $how:ident)?),* $(,)? }) => {
        $crate::decode::from_row!(@impl sqlx::sqlite::SqliteRow, $record, $table, { $($field $(: $how)?),* });
        $crate::decode::from_row!(@impl sqlx::postgres::PgRow, $record, $table, { $($field $(: $how)?),* });
    };
    (@impl $row:ty, $record:ident, $table:literal, { $($field:ident $(: $how:ident)?),* }) => {
        impl<'r> sqlx::FromRow<'r, $row> for $record {
            fn from_row(row: &'r $row) -> Result<Self, sqlx::Error> {
                Ok($record { $($field: $crate::decode::from_row!(@get row, $table, $field $(, $how)?)),* })
            }
        }
    };
    (@get $row:ident, $table:literal, $field:ident) => {
        sqlx::Row::try_get($row, stringify!($field))?
    };
    (@get $row:ident, $table:literal, $field:ident, $how:ident) => {
        $crate::decode::$how($row, $table, stringify!($field))?
    };
}
pub(crate) use from_row;

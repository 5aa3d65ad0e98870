//! SQL sources: the query run on the database the rule resolved (`sql_target`),
//! read-only and time-limited, and its one row read as a value and, optionally, the
//! time it measures. Milepost's own PostgreSQL database is refused again once
//! connected, by its server's identity, whatever name led there.

use crate::OwnDatabase;
use crate::numeric_text;
use crate::sql_target::SqlTarget;
use jiff::Timestamp;
use milepost_app::kpi::source::redact;
use milepost_app::kpi::source_reader::SQL_SOURCES_ENV;
use sqlx::{Column, ConnectOptions, Connection, Row};

/// How long a PostgreSQL statement may run (`SET LOCAL statement_timeout`), in ms.
const STATEMENT_TIMEOUT_MS: u32 = 8_000;

fn describe_sql_error(error: &sqlx::Error, shown: &str) -> String {
    match error {
        sqlx::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            format!("connection refused to {shown}")
        }
        sqlx::Error::Io(io) => format!("could not reach {shown}: {io}"),
        sqlx::Error::Database(db) => format!("the database refused the query: {}", db.message()),
        sqlx::Error::PoolTimedOut => format!("no answer from {shown}"),
        other => format!("the query failed on {shown}: {other}"),
    }
}

/// The device and inode of a file, to see that the file opened is the file checked.
fn file_identity(path: &std::path::Path) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        std::fs::metadata(path).ok().map(|_| (0, 0))
    }
}

pub(crate) async fn run_sql(
    url: &str,
    target: &SqlTarget,
    query: &str,
    own: &OwnDatabase,
) -> Result<(f64, Option<Timestamp>), String> {
    let shown = redact(url);
    let fail = |e: sqlx::Error| describe_sql_error(&e, &shown);
    let sql = sqlx::AssertSqlSafe(query.to_owned());
    match target {
        SqlTarget::Sqlite { path, immutable } => {
            // Read-only (SQLITE_OPEN_READONLY), never created, and opened from the
            // canonical path that was checked: no `..`, no link, no URI for SQLite to
            // read differently.
            let before = file_identity(path);
            let options = sqlx::sqlite::SqliteConnectOptions::new()
                .filename(path)
                .read_only(true)
                .create_if_missing(false)
                .immutable(*immutable);
            let mut conn = options.connect().await.map_err(fail)?;
            // The file may have been swapped between the check and the open.
            let same = std::fs::canonicalize(path).is_ok_and(|now| &now == path) && file_identity(path) == before;
            let row = if same {
                sqlx::query(sql).fetch_optional(&mut conn).await.map_err(fail)
            } else {
                Err(format!("{shown} changed while it was being opened; nothing was read"))
            };
            let _ = conn.close().await;
            let row = row?.ok_or_else(|| "the query returned no rows".to_owned())?;
            read_sqlite_row(&row)
        }
        SqlTarget::Postgres(options) => run_postgres(options, sql, own, &shown).await,
    }
}

async fn run_postgres(
    options: &sqlx::postgres::PgConnectOptions,
    sql: sqlx::AssertSqlSafe<String>,
    own: &OwnDatabase,
    shown: &str,
) -> Result<(f64, Option<Timestamp>), String> {
    let fail = |e: sqlx::Error| describe_sql_error(&e, shown);
    {
        let mut conn = options.connect().await.map_err(fail)?;
        // Whatever name led here, Milepost's own database is never a source: the
        // server's start instant and the database's name tell it apart.
        let own_identity = own.postgres_identity().await.map_err(|_| "could not read Milepost's own database")?;
        if let Some(own_identity) = own_identity {
            let identity: Result<String, _> =
                sqlx::query_scalar(milepost_sql::POSTGRES_IDENTITY).fetch_one(&mut conn).await;
            let refusal = match identity {
                Ok(identity) if identity == own_identity => Some(format!(
                    "{shown} is Milepost's own database, which no KPI source may read, whatever \
                     {SQL_SOURCES_ENV} allows; nothing was read"
                )),
                Ok(_) => None,
                Err(_) => Some(format!(
                    "{shown} could not be told apart from Milepost's own database (pg_postmaster_start_time() and \
                     current_database() did not answer); nothing was read"
                )),
            };
            if let Some(refusal) = refusal {
                let _ = conn.close().await;
                return Err(refusal);
            }
        }
        // Read-only and time-limited inside the server too; the transaction is rolled
        // back, never committed. A prepared statement holds exactly one statement.
        let result = async {
            let mut tx = conn.begin().await?;
            sqlx::query("SET TRANSACTION READ ONLY").execute(&mut *tx).await?;
            sqlx::query(sqlx::AssertSqlSafe(format!("SET LOCAL statement_timeout = {STATEMENT_TIMEOUT_MS}")))
                .execute(&mut *tx)
                .await?;
            let row = sqlx::query(sql).fetch_optional(&mut *tx).await?;
            tx.rollback().await?;
            Ok::<_, sqlx::Error>(row)
        }
        .await
        .map_err(fail);
        let _ = conn.close().await;
        let row = result?.ok_or_else(|| "the query returned no rows".to_owned())?;
        read_pg_row(&row)
    }
}

/// The index of the value column: `value`, or else the first.
fn value_column<R: Row>(row: &R) -> Result<usize, String> {
    if row.columns().is_empty() {
        return Err("the query returned no columns".to_owned());
    }
    Ok(row.columns().iter().position(|c| c.name() == "value").unwrap_or(0))
}

fn measured_at_of(text: Option<String>) -> Result<Option<Timestamp>, String> {
    match text {
        None => Ok(None),
        Some(text) => milepost_app::kpi::measurement::parse_time(text.trim())
            .or_else(|| text.trim().replace(' ', "T").parse::<Timestamp>().ok())
            .map(Some)
            .ok_or_else(|| "measured_at is not a time: return it as text like 2026-11-16T09:00:00Z".to_owned()),
    }
}

fn read_sqlite_row(row: &sqlx::sqlite::SqliteRow) -> Result<(f64, Option<Timestamp>), String> {
    let index = value_column(row)?;
    let name = row.columns()[index].name().to_owned();
    let value = if let Ok(Some(v)) = row.try_get::<Option<f64>, _>(index) {
        v
    } else if let Ok(Some(v)) = row.try_get::<Option<i64>, _>(index) {
        v as f64
    } else if let Ok(Some(text)) = row.try_get::<Option<String>, _>(index) {
        numeric_text(&text, &format!("the column {name}"))?
    } else {
        return Err(format!("the column {name} is not a number"));
    };
    let at = match row.columns().iter().position(|c| c.name() == "measured_at") {
        Some(at) => row.try_get::<Option<String>, _>(at).ok().flatten(),
        None => None,
    };
    Ok((value, measured_at_of(at)?))
}

fn read_pg_row(row: &sqlx::postgres::PgRow) -> Result<(f64, Option<Timestamp>), String> {
    let index = value_column(row)?;
    let name = row.columns()[index].name().to_owned();
    let value = if let Ok(v) = row.try_get::<Option<f64>, _>(index) {
        v
    } else if let Ok(v) = row.try_get::<Option<f32>, _>(index) {
        v.map(f64::from)
    } else if let Ok(v) = row.try_get::<Option<i64>, _>(index) {
        v.map(|v| v as f64)
    } else if let Ok(v) = row.try_get::<Option<i32>, _>(index) {
        v.map(f64::from)
    } else if let Ok(Some(text)) = row.try_get::<Option<String>, _>(index) {
        Some(numeric_text(&text, &format!("the column {name}"))?)
    } else {
        return Err(format!("the column {name} is not a number: cast it with CAST(... AS DOUBLE PRECISION)"));
    };
    let value = value.ok_or_else(|| format!("the column {name} is NULL"))?;
    let at = match row.columns().iter().position(|c| c.name() == "measured_at") {
        Some(at) => row
            .try_get::<Option<String>, _>(at)
            .map_err(|_| "measured_at must be text: cast it with CAST(... AS TEXT)".to_owned())?,
        None => None,
    };
    Ok((value, measured_at_of(at)?))
}

//! The baseline of the write measurement: the same check-in rows the API wrote,
//! inserted again by sqlx straight into `check_ins` of the same database, each in its
//! own durable commit, then deleted again.
//!
//! The connection settings are the server's (SQLite: WAL, `synchronous=FULL`, the
//! same busy timeout; PostgreSQL: the server's defaults, so `synchronous_commit` as
//! configured). SQLite takes one writer at a time, so its inserts go through one
//! connection, as the server's writes go one at a time through its write gate;
//! PostgreSQL's through as many connections as the server's pool holds (16).

use super::load::{self, Answer, Figures};
use anyhow::Context;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// The note every check-in of the bench carries, so its rows can be told apart.
pub const NOTE: &str = "milepost bench";
/// SQLite's busy timeout, as the server sets it.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections of the PostgreSQL pool, as the server's.
const POSTGRES_CONNECTIONS: u32 = 16;

/// A check-in row as stored, every column but the id.
type Row = (i64, i64, f64, Option<i64>, String, String, Option<i64>, String, i64, i64);

/// A connection pool of either database.
#[derive(Clone)]
pub enum Raw {
    /// SQLite.
    Sqlite(SqlitePool),
    /// PostgreSQL.
    Postgres(PgPool),
}

/// Runs the same generic sqlx expression on whichever pool is open.
macro_rules! on {
    ($raw:expr, |$pool:ident| $body:expr) => {
        match $raw {
            Raw::Sqlite($pool) => $body,
            Raw::Postgres($pool) => $body,
        }
    };
}

const INSERT: &str = "INSERT INTO check_ins (workspace_id, key_result_id, value, confidence, note, blockers,
     author_person_id, source, checked_in_at, created_at)
 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id";

impl Raw {
    /// Opens `url` as the server opens it.
    pub async fn connect(url: &str) -> anyhow::Result<Raw> {
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(SQLITE_BUSY_TIMEOUT)
                .foreign_keys(true);
            Ok(Raw::Sqlite(SqlitePoolOptions::new().max_connections(1).connect_with(options).await?))
        } else {
            let options = PgConnectOptions::from_str(url)?;
            Ok(Raw::Postgres(PgPoolOptions::new().max_connections(POSTGRES_CONNECTIONS).connect_with(options).await?))
        }
    }

    /// The highest check-in id there is (0 for none).
    pub async fn last_check_in(&self) -> anyhow::Result<i64> {
        let last: Option<i64> = on!(self, |pool| sqlx::query_scalar::<_, Option<i64>>("SELECT MAX(id) FROM check_ins")
            .fetch_one(pool)
            .await
            .context("could not read the highest check-in id")?);
        Ok(last.unwrap_or(0))
    }

    /// The bench's check-ins written after `after`, oldest first.
    async fn rows_after(&self, after: i64) -> anyhow::Result<Vec<Row>> {
        const SELECT: &str = "SELECT workspace_id, key_result_id, value, confidence, note, blockers,
                 author_person_id, source, checked_in_at, created_at
             FROM check_ins WHERE id > $1 AND note = $2 ORDER BY id";
        Ok(on!(self, |pool| sqlx::query_as::<_, Row>(SELECT)
            .bind(after)
            .bind(NOTE)
            .fetch_all(pool)
            .await
            .context("could not read the check-ins the API wrote")?))
    }

    /// Inserts copies of the bench's check-ins written after `after` (those the API
    /// wrote) with `clients` clients for `duration`, each row in its own commit, then
    /// deletes the copies.
    pub async fn insert_copies(&self, after: i64, clients: usize, duration: Duration) -> anyhow::Result<Figures> {
        let rows = Arc::new(self.rows_after(after).await?);
        anyhow::ensure!(!rows.is_empty(), "the API wrote no check-in to copy, so the raw inserts have no rows");
        let before = self.last_check_in().await?;
        let raw = self.clone();
        let run = load::run(clients, duration, 0, move |client, n| {
            let raw = raw.clone();
            let rows = Arc::clone(&rows);
            async move {
                let index = (n as usize).wrapping_mul(clients).wrapping_add(client) % rows.len();
                let row = &rows[index];
                raw.insert(row).await.map(|_| Answer { status: 0, bytes: 0 }).map_err(|e| e.to_string())
            }
        })
        .await;
        let deleted = self.delete_after(before).await;
        let figures = run.figures();
        deleted?;
        Ok(figures)
    }

    async fn insert(&self, row: &Row) -> Result<i64, sqlx::Error> {
        let (workspace, key_result, value, confidence, note, blockers, author, source, checked_in_at, created_at) = row;
        on!(self, |pool| sqlx::query_scalar(INSERT)
            .bind(workspace)
            .bind(key_result)
            .bind(value)
            .bind(confidence)
            .bind(note)
            .bind(blockers)
            .bind(author)
            .bind(source)
            .bind(checked_in_at)
            .bind(created_at)
            .fetch_one(pool)
            .await)
    }

    /// Deletes the bench's check-ins after `after`: the raw copies.
    async fn delete_after(&self, after: i64) -> anyhow::Result<u64> {
        const DELETE: &str = "DELETE FROM check_ins WHERE id > $1 AND note = $2";
        let done =
            on!(self, |pool| sqlx::query(DELETE).bind(after).bind(NOTE).execute(pool).await.map(|r| r.rows_affected()));
        done.context("could not delete the raw inserts again: delete the check-ins noted `milepost bench` by hand")
    }

    /// Closes the pool.
    pub async fn close(&self) {
        on!(self, |pool| pool.close().await);
    }
}

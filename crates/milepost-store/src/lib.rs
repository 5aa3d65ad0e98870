//! Milepost's storage: one schema on SQLite (the default, a file in the data directory)
//! or PostgreSQL, reached through [`Store`].
//!
//! Every method takes the workspace id first and every query filters on it, so no code
//! path can read or write across tenants. Updates match the row's `version` and report
//! a stale one as [`StoreError::Conflict`]. All work happens inside a [`Tx`], so a use
//! case either writes everything or nothing.
//!
//! sqlx's `Any` driver cannot express our schema (booleans on SQLite, WAL options), so
//! [`Db`] holds either pool and the `run!` macro runs the same generic sqlx code on
//! whichever is active. SQL is written once, with `$1` placeholders that both accept.

mod access;
mod check_in;
mod cycle;
mod initiative;
mod key_result;
mod kpi;
mod migrate;
mod objective;
mod person;
mod team;
pub mod test_support;
mod workspace;

pub use access::{EventFilter, EventRow, InvitationRow, NewEvent, NewToken, SessionRow, TokenRow};
pub use check_in::{CheckInRow, GoalChangeRow, NewCheckIn};
pub use cycle::{CycleFields, CycleFilter, CycleRow, CycleTransitionRow, NewCycleTransition};
pub use initiative::{InitiativeFields, InitiativeFilter, InitiativeRow};
pub use key_result::{KeyResultFields, KeyResultFilter, KeyResultRow};
pub use kpi::{KpiFields, KpiFilter, KpiRow, MeasurementRow, NewMeasurement};
pub use objective::{ObjectiveFields, ObjectiveFilter, ObjectiveRow};
pub use person::{PersonFields, PersonFilter, PersonRow};
pub use team::{TeamFields, TeamFilter, TeamRow};
pub use workspace::WorkspaceRow;

use milepost_core::WorkspaceId;
use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Postgres, Sqlite, Transaction};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use thiserror::Error;
use tokio::sync::{Mutex, OwnedMutexGuard};

/// What went wrong in storage.
#[derive(Debug, Error)]
pub enum StoreError {
    /// No row with that id in that workspace (rows of other workspaces look the same).
    #[error("not found")]
    NotFound,
    /// The row changed since the version the caller read.
    #[error("the row is at version {current}, not the version given")]
    Conflict {
        /// The row's version now.
        current: i64,
    },
    /// A unique constraint refused the write (a slug, handle or email already taken).
    #[error("already exists ({constraint})")]
    Duplicate {
        /// The constraint or columns reported by the database.
        constraint: String,
    },
    /// A reference to a row that does not exist.
    #[error("refers to a row that does not exist")]
    MissingReference,
    /// A database URL this build cannot use.
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://…")]
    UnsupportedUrl(String),
    /// The database's disk (or SQLite's page limit) is full: the write was refused
    /// and rolled back, nothing of it was saved.
    #[error("the database's disk is full")]
    DiskFull,
    /// The database did not answer in time (for `/readyz`).
    #[error("the database did not answer within {0:?}")]
    TimedOut(Duration),
    /// A writer waited longer than [`WRITE_GATE_TIMEOUT`] for its turn to write.
    #[error("waited more than {0:?} for other writers to finish")]
    WriteQueueFull(Duration),
    /// The database failed or could not be reached.
    #[error(transparent)]
    Database(sqlx::Error),
    /// Migrations failed.
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &error {
            match db.kind() {
                sqlx::error::ErrorKind::UniqueViolation => {
                    return StoreError::Duplicate {
                        constraint: db.constraint().map_or_else(|| db.message().to_owned(), str::to_owned),
                    };
                }
                sqlx::error::ErrorKind::ForeignKeyViolation => return StoreError::MissingReference,
                _ => {}
            }
            if is_disk_full(db.as_ref()) {
                return StoreError::DiskFull;
            }
        }
        StoreError::Database(error)
    }
}

/// Whether a database error says the disk is full: SQLite's `SQLITE_FULL` (primary
/// code 13; sqlx reports the extended code) or PostgreSQL's `disk_full` (SQLSTATE 53100).
fn is_disk_full(error: &dyn sqlx::error::DatabaseError) -> bool {
    const SQLITE_FULL: i64 = 13;
    if error.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
        return error.code().and_then(|code| code.parse::<i64>().ok()).is_some_and(|code| code & 0xff == SQLITE_FULL);
    }
    error.try_downcast_ref::<sqlx::postgres::PgDatabaseError>().is_some() && error.code().as_deref() == Some("53100")
}

/// Results of storage calls.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The database in use: an embedded SQLite file or a PostgreSQL server.
#[derive(Debug, Clone)]
pub enum Db {
    /// SQLite, in WAL mode with full sync.
    Sqlite(SqlitePool),
    /// PostgreSQL.
    Postgres(PgPool),
}

/// Which SQL dialect a database speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// Where a store keeps its data, as its driver connects: what KPI SQL sources must never
/// read, whatever the operator allows.
#[derive(Debug, Clone)]
pub enum StoreLocation {
    /// The SQLite file, as the pool opens it (the `-wal`, `-shm` and `-journal` files
    /// sit beside it).
    Sqlite(std::path::PathBuf),
    /// The PostgreSQL connection options.
    Postgres(Box<PgConnectOptions>),
}

/// Keyset pagination: rows with an id above `after`, at most `limit` of them.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    /// Only rows whose id is greater than this.
    pub after: Option<i64>,
    /// At most this many rows.
    pub limit: i64,
}

impl Page {
    /// Every row (for small, bounded lists such as a workspace's cycles).
    pub const ALL: Page = Page { after: None, limit: i64::MAX };
}

/// The query behind [`Store::postgres_identity`]; a KPI source runs the same one.
pub const POSTGRES_IDENTITY: &str =
    "SELECT CAST(EXTRACT(EPOCH FROM pg_postmaster_start_time()) AS TEXT) || '/' || current_database()";

/// How long a request waits for a pooled PostgreSQL connection, connecting included.
/// Short, so that while the server is unreachable requests answer 503 at once rather
/// than hanging; sixteen connections serve far more than a second's worth of queued work.
pub const POSTGRES_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(1);

/// How long `/readyz` waits for the database to answer.
pub const PING_TIMEOUT: Duration = Duration::from_millis(800);

/// How long SQLite itself retries a write lock another process holds (the CLI writing
/// to the same file). Writers of this process queue at the write gate instead.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a writer waits for its turn at the SQLite write gate before giving up with
/// [`StoreError::WriteQueueFull`]: far longer than any write takes, a last resort.
pub const WRITE_GATE_TIMEOUT: Duration = Duration::from_secs(60);

/// The storage handle: cheap to clone, shared by every request.
#[derive(Debug, Clone)]
pub struct Store {
    db: Db,
    /// SQLite allows one writer at a time. Writers of this process take turns here, in
    /// arrival order, before `BEGIN IMMEDIATE`, instead of polling SQLite's busy
    /// handler, which is unfair and gave up on some writers after its timeout while
    /// others kept winning. Readers never take it (WAL lets them read during a write).
    /// PostgreSQL locks rows, so its writers do not queue here.
    write_gate: Arc<Mutex<()>>,
}

/// A transaction on either database. Dropped without [`Tx::commit`], it rolls back.
/// A write transaction on SQLite holds the store's write gate until it ends.
pub struct Tx {
    // Declared before `_gate` so that it is dropped (its rollback queued) first.
    inner: TxInner,
    _gate: Option<OwnedMutexGuard<()>>,
}

enum TxInner {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Runs the same generic sqlx expression on whichever connection the transaction holds.
macro_rules! run {
    ($tx:expr, |$conn:ident| $body:expr) => {
        match &mut $tx.inner {
            $crate::TxInner::Sqlite(transaction) => {
                let $conn = &mut **transaction;
                $body
            }
            $crate::TxInner::Postgres(transaction) => {
                let $conn = &mut **transaction;
                $body
            }
        }
    };
}
pub(crate) use run;

impl Store {
    /// Connects to `url` (`sqlite://PATH` or `postgres://…`). A SQLite file is created
    /// when missing and opened in WAL mode with `synchronous=FULL`, so a write that was
    /// acknowledged survives a crash or a power cut.
    pub async fn connect(url: &str) -> Result<Store> {
        let db = if url.starts_with("sqlite:") {
            Db::Sqlite(Self::sqlite_pool_options().connect_with(Self::sqlite_options(url)?).await?)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let options = PgConnectOptions::from_str(url)?;
            Db::Postgres(Self::postgres_pool(options).await?)
        } else {
            return Err(StoreError::UnsupportedUrl(url.to_owned()));
        };
        Ok(Store::from_db(db))
    }

    /// How a SQLite file is opened: created when missing, WAL, full sync.
    pub(crate) fn sqlite_options(url: &str) -> Result<SqliteConnectOptions> {
        Ok(SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(SQLITE_BUSY_TIMEOUT)
            .foreign_keys(true))
    }

    /// The SQLite pool: eight connections, each checked on its way back to the pool.
    pub(crate) fn sqlite_pool_options() -> SqlitePoolOptions {
        SqlitePoolOptions::new().max_connections(8).after_release(|connection, _| {
            Box::pin(async move {
                // A dropped transaction only queues its ROLLBACK; the ping runs after it,
                // so the transaction depth read next is the settled one.
                connection.ping().await?;
                Ok(clean(connection.is_in_transaction()))
            })
        })
    }

    pub(crate) async fn postgres_pool(options: PgConnectOptions) -> Result<PgPool> {
        Ok(PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(POSTGRES_ACQUIRE_TIMEOUT)
            .after_release(|connection, _| Box::pin(async move { Ok(clean(connection.is_in_transaction())) }))
            .connect_with(options)
            .await?)
    }

    /// Wraps an open pool.
    pub fn from_db(db: Db) -> Store {
        Store { db, write_gate: Arc::new(Mutex::new(())) }
    }

    /// Which dialect this store speaks.
    pub fn dialect(&self) -> Dialect {
        match self.db {
            Db::Sqlite(_) => Dialect::Sqlite,
            Db::Postgres(_) => Dialect::Postgres,
        }
    }

    /// Where this store keeps its data.
    pub fn location(&self) -> StoreLocation {
        match &self.db {
            Db::Sqlite(pool) => StoreLocation::Sqlite(pool.connect_options().get_filename().to_owned()),
            Db::Postgres(pool) => StoreLocation::Postgres(Box::new((*pool.connect_options()).clone())),
        }
    }

    /// On PostgreSQL, what tells this server and database apart from every other: the
    /// instant the server started (to the microsecond, as seconds) and the database's
    /// name, as `"<seconds>/<name>"`. `None` on SQLite. Any role may read both, so a KPI
    /// source's connection can be compared with it whatever host name led there.
    pub async fn postgres_identity(&self) -> Result<Option<String>> {
        match &self.db {
            Db::Sqlite(_) => Ok(None),
            Db::Postgres(pool) => Ok(Some(sqlx::query_scalar(POSTGRES_IDENTITY).fetch_one(pool).await?)),
        }
    }

    /// Brings the schema up to date; safe to run at every start and from several
    /// servers at once (the migrator takes a lock).
    pub async fn migrate(&self) -> Result<()> {
        migrate::run(&self.db).await
    }

    /// Begins a transaction that will write. On SQLite it first waits for its turn at
    /// the write gate, then takes the write lock at once (`BEGIN IMMEDIATE`), so
    /// writers queue in arrival order instead of failing half-way. Hold it only for
    /// the writes: build answers after [`Tx::commit`], in a [`Store::read`].
    pub async fn write(&self) -> Result<Tx> {
        match &self.db {
            Db::Sqlite(pool) => {
                let gate = tokio::time::timeout(WRITE_GATE_TIMEOUT, Arc::clone(&self.write_gate).lock_owned())
                    .await
                    .map_err(|_| StoreError::WriteQueueFull(WRITE_GATE_TIMEOUT))?;
                let inner = TxInner::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?);
                Ok(Tx { inner, _gate: Some(gate) })
            }
            Db::Postgres(pool) => Ok(Tx { inner: TxInner::Postgres(pool.begin().await?), _gate: None }),
        }
    }

    /// Begins a transaction that only reads, so a page sees one consistent state.
    pub async fn read(&self) -> Result<Tx> {
        let inner = match &self.db {
            Db::Sqlite(pool) => TxInner::Sqlite(pool.begin().await?),
            Db::Postgres(pool) => TxInner::Postgres(pool.begin_with("BEGIN READ ONLY").await?),
        };
        Ok(Tx { inner, _gate: None })
    }

    /// Checks that the database answers (for `/readyz`) within [`PING_TIMEOUT`].
    pub async fn ping(&self) -> Result<()> {
        let ping = async {
            match &self.db {
                Db::Sqlite(pool) => sqlx::query("SELECT 1").execute(pool).await?.rows_affected(),
                Db::Postgres(pool) => sqlx::query("SELECT 1").execute(pool).await?.rows_affected(),
            };
            Ok(())
        };
        tokio::time::timeout(PING_TIMEOUT, ping).await.map_err(|_| StoreError::TimedOut(PING_TIMEOUT))?
    }

    /// Closes every connection, waiting for work in flight.
    pub async fn close(&self) {
        match &self.db {
            Db::Sqlite(pool) => pool.close().await,
            Db::Postgres(pool) => pool.close().await,
        }
    }
}

/// Whether a connection on its way back to the pool may go back: not when it is still
/// inside a transaction. That happens when a ROLLBACK failed because the database had
/// already ended the transaction itself (SQLite does on a full disk): sqlx then keeps
/// counting the transaction as open, and every later `BEGIN` on that connection would
/// fail. Such a connection is closed; the pool opens a fresh one.
fn clean(in_transaction: bool) -> bool {
    if in_transaction {
        tracing::warn!("a connection came back still inside a transaction: closing it");
    }
    !in_transaction
}

impl Tx {
    /// Makes the transaction's writes durable. Only after this returns may a caller
    /// tell anyone that the change happened.
    pub async fn commit(self) -> Result<()> {
        match self.inner {
            TxInner::Sqlite(transaction) => transaction.commit().await?,
            TxInner::Postgres(transaction) => transaction.commit().await?,
        }
        Ok(())
    }

    /// After an update matched no row: tells a missing row (`NotFound`) from a stale
    /// version (`Conflict`).
    pub(crate) async fn missing_or_conflict<T>(
        &mut self,
        table: &'static str,
        workspace: WorkspaceId,
        id: i64,
    ) -> Result<T> {
        let sql = sqlx::AssertSqlSafe(format!("SELECT version FROM {table} WHERE workspace_id = $1 AND id = $2"));
        let current: Option<i64> =
            run!(self, |conn| sqlx::query_scalar(sql).bind(workspace.get()).bind(id).fetch_optional(conn).await?);
        Err(match current {
            Some(current) => StoreError::Conflict { current },
            None => StoreError::NotFound,
        })
    }

    /// Whether a row with that id exists in that workspace, archived or not.
    pub async fn exists(&mut self, table: &'static str, workspace: WorkspaceId, id: i64) -> Result<bool> {
        let sql = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table} WHERE workspace_id = $1 AND id = $2"));
        let count: i64 =
            run!(self, |conn| sqlx::query_scalar(sql).bind(workspace.get()).bind(id).fetch_one(conn).await?);
        Ok(count > 0)
    }
}

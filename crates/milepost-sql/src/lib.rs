//! Milepost's storage on SQLite (the default, a file in the data directory) or
//! PostgreSQL: [`Store`] implements the `milepost-store` crate's [`Storage`] and its
//! transactions implement [`Transaction`], one module per aggregate.
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
pub mod backup;
mod bulk;
mod carry;
mod check_in;
mod comment;
mod cycle;
mod initiative;
mod key_result;
mod kpi;
mod migrate;
pub use migrate::latest_version;
mod objective;
mod person;
mod reminder;
mod review;
mod search;
mod team;
pub mod test_support;
mod webhook;
mod workspace;

pub use milepost_store::{
    BulkLoad, BulkStorage, Database, Dialect, Page, PoolStats, Result, Storage, StoreError, Transaction,
};

use milepost_core::WorkspaceId;
use milepost_store::route::{self, ReadRoute};
use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Postgres, Sqlite};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::{Mutex, OwnedMutexGuard};

/// The database in use: an embedded SQLite file or a PostgreSQL server.
#[derive(Debug, Clone)]
pub enum Db {
    /// SQLite, in WAL mode with full sync.
    Sqlite(SqlitePool),
    /// PostgreSQL.
    Postgres(PgPool),
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
    /// A PostgreSQL streaming replica that lag-tolerant reads go to
    /// ([`Store::with_read_replica`], `milepost_store::route`).
    replica: Option<PgPool>,
    /// Read transactions begun on the primary, on the replica, and routed to the
    /// replica but sent to the primary (`/metrics`).
    counts: Arc<ReadCounts>,
}

#[derive(Debug, Default)]
struct ReadCounts {
    primary: AtomicU64,
    replica: AtomicU64,
    fallbacks: AtomicU64,
}

/// A transaction on either database. Dropped without [`Tx::commit`], it rolls back.
/// A write transaction on SQLite holds the store's write gate until it ends.
pub struct Tx {
    // Declared before `_gate` so that it is dropped (its rollback queued) first.
    inner: TxInner,
    _gate: Option<OwnedMutexGuard<()>>,
    /// What the transaction changes, by workspace, written at commit
    /// ([`Transaction::changes`]).
    changes: Vec<(WorkspaceId, milepost_store::Change)>,
    /// The primary, on a write transaction of a store with a read replica: after a
    /// commit that changed data, the primary's write position is read from it and
    /// noted for the request ([`route::note_written`]), so that its author reads it back.
    note_position: Option<PgPool>,
}

enum TxInner {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

/// Runs the same generic sqlx expression on whichever connection the transaction holds.
macro_rules! run {
    ($tx:expr, |$conn:ident| $body:expr) => {
        $crate::run_on!($tx, |$conn, _sqlite| $body)
    };
}
pub(crate) use run;

/// Like [`run!`], also naming the database (`true` for SQLite), for SQL that must
/// differ between them.
macro_rules! run_on {
    ($tx:expr, |$conn:ident, $sqlite:ident| $body:expr) => {
        match &mut $tx.inner {
            $crate::TxInner::Sqlite(transaction) => {
                let $conn = &mut **transaction;
                let $sqlite = true;
                $body
            }
            $crate::TxInner::Postgres(transaction) => {
                let $conn = &mut **transaction;
                let $sqlite = false;
                $body
            }
        }
    };
}
pub(crate) use run_on;

/// `column IN (the ids)`, the ids bound as one JSON array at `$param` ([`ids_json`]):
/// one bound value however long the list, so a long list meets neither the databases'
/// limits on bound values nor SQLite's cost per numbered parameter, which grows with
/// their count.
pub(crate) fn in_ids(sqlite: bool, column: &str, param: usize) -> String {
    if sqlite {
        format!("{column} IN (SELECT value FROM json_each(${param}))")
    } else {
        // `= ANY(ARRAY(…))` rather than `IN (SELECT …)`: the list becomes one value the
        // planner probes an index with, where it would guess a hundred rows from the
        // function and scan the whole table of links or check-ins of the workspace.
        format!("{column} = ANY(ARRAY(SELECT value::BIGINT FROM jsonb_array_elements_text(${param}::jsonb)))")
    }
}

/// The ids as the JSON array [`in_ids`] reads.
pub(crate) fn ids_json(ids: &[i64]) -> String {
    let items: Vec<String> = ids.iter().map(i64::to_string).collect();
    format!("[{}]", items.join(","))
}

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

    /// This store as the use cases hold it.
    pub fn into_database(self) -> Database {
        Arc::new(self)
    }

    /// Wraps an open pool.
    pub fn from_db(db: Db) -> Store {
        Store { db, write_gate: Arc::new(Mutex::new(())), replica: None, counts: Arc::default() }
    }

    /// Sends lag-tolerant reads ([`route`]) to the PostgreSQL streaming replica at
    /// `url`. Only beside a PostgreSQL primary; the replica must be a hot standby of it
    /// (`pg_last_wal_replay_lsn()` answers), which is checked here.
    pub async fn with_read_replica(mut self, url: &str) -> Result<Store> {
        if !matches!(self.db, Db::Postgres(_)) {
            return Err(StoreError::UnsupportedUrl(format!(
                "{}: a read replica needs a PostgreSQL primary",
                redact_url(url)
            )));
        }
        if !(url.starts_with("postgres:") || url.starts_with("postgresql:")) {
            return Err(StoreError::UnsupportedUrl(redact_url(url)));
        }
        let replica = Self::postgres_pool(PgConnectOptions::from_str(url)?).await?;
        let replaying: Option<String> =
            sqlx::query_scalar("SELECT CAST(pg_last_wal_replay_lsn() AS TEXT)").fetch_one(&replica).await?;
        if replaying.is_none() {
            replica.close().await;
            return Err(StoreError::UnsupportedUrl(format!(
                "{}: this server is not a streaming replica (it replays no log); give a hot standby of the primary",
                redact_url(url)
            )));
        }
        self.replica = Some(replica);
        Ok(self)
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
    async fn begin_write(&self) -> Result<Tx> {
        match &self.db {
            Db::Sqlite(pool) => {
                let gate = tokio::time::timeout(WRITE_GATE_TIMEOUT, Arc::clone(&self.write_gate).lock_owned())
                    .await
                    .map_err(|_| StoreError::WriteQueueFull(WRITE_GATE_TIMEOUT))?;
                let inner = TxInner::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?);
                Ok(Tx { inner, _gate: Some(gate), changes: Vec::new(), note_position: None })
            }
            Db::Postgres(pool) => Ok(Tx {
                inner: TxInner::Postgres(pool.begin().await?),
                _gate: None,
                changes: Vec::new(),
                note_position: self.replica.as_ref().map(|_| pool.clone()),
            }),
        }
    }

    /// Begins a transaction that only reads, so a page sees one consistent state.
    /// Lag-tolerant reads ([`route::current`]) go to the read replica when there is
    /// one and it has replayed the reader's own last write.
    async fn begin_read(&self) -> Result<Tx> {
        if let (Some(replica), ReadRoute::Replica { after }) = (&self.replica, route::current()) {
            if let Some(tx) = self.begin_on_replica(replica, after).await {
                self.counts.replica.fetch_add(1, Ordering::Relaxed);
                return Ok(tx);
            }
            self.counts.fallbacks.fetch_add(1, Ordering::Relaxed);
        }
        self.begin_on_primary().await
    }

    async fn begin_on_primary(&self) -> Result<Tx> {
        self.counts.primary.fetch_add(1, Ordering::Relaxed);
        let inner = match &self.db {
            Db::Sqlite(pool) => TxInner::Sqlite(pool.begin().await?),
            Db::Postgres(pool) => TxInner::Postgres(pool.begin_with("BEGIN READ ONLY").await?),
        };
        Ok(Tx { inner, _gate: None, changes: Vec::new(), note_position: None })
    }

    /// A read transaction on the replica, if it answers and has replayed the primary's
    /// log at least up to `after`; `None` sends the read to the primary.
    async fn begin_on_replica(&self, replica: &PgPool, after: Option<u64>) -> Option<Tx> {
        let mut transaction = match replica.begin_with("BEGIN READ ONLY").await {
            Ok(transaction) => transaction,
            Err(error) => {
                tracing::warn!(%error, "the read replica did not answer: reading from the primary");
                return None;
            }
        };
        if let Some(after) = after {
            let replayed: Option<String> = match sqlx::query_scalar("SELECT CAST(pg_last_wal_replay_lsn() AS TEXT)")
                .fetch_one(&mut *transaction)
                .await
            {
                Ok(replayed) => replayed,
                Err(error) => {
                    tracing::warn!(%error, "the read replica did not say how far it replayed: reading from the primary");
                    return None;
                }
            };
            if replayed.as_deref().and_then(route::parse_lsn).is_none_or(|replayed| replayed < after) {
                return None;
            }
        }
        Some(Tx { inner: TxInner::Postgres(transaction), _gate: None, changes: Vec::new(), note_position: None })
    }

    /// The pools' numbers for `/metrics`.
    pub fn pool_stats(&self) -> Vec<PoolStats> {
        let (size, idle, max) = match &self.db {
            Db::Sqlite(pool) => (pool.size(), pool.num_idle(), pool.options().get_max_connections()),
            Db::Postgres(pool) => (pool.size(), pool.num_idle(), pool.options().get_max_connections()),
        };
        let idle = u32::try_from(idle).unwrap_or(u32::MAX);
        let mut stats = vec![PoolStats {
            pool: "primary",
            size,
            idle,
            max,
            reads: self.counts.primary.load(Ordering::Relaxed),
            fallbacks: 0,
        }];
        if let Some(replica) = &self.replica {
            stats.push(PoolStats {
                pool: "replica",
                size: replica.size(),
                idle: u32::try_from(replica.num_idle()).unwrap_or(u32::MAX),
                max: replica.options().get_max_connections(),
                reads: self.counts.replica.load(Ordering::Relaxed),
                fallbacks: self.counts.fallbacks.load(Ordering::Relaxed),
            });
        }
        stats
    }

    /// Gathers the query planner's statistics after a bulk load (PostgreSQL's
    /// `ANALYZE`); SQLite plans well from its indexes alone, so there it does nothing.
    pub async fn refresh_statistics(&self) -> Result<()> {
        if let Db::Postgres(pool) = &self.db {
            sqlx::query("ANALYZE").execute(pool).await?;
        }
        Ok(())
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
        if let Some(replica) = &self.replica {
            replica.close().await;
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
}

#[async_trait::async_trait]
impl Storage for Store {
    async fn write(&self) -> Result<milepost_store::Tx> {
        Ok(Box::new(self.begin_write().await?))
    }

    async fn read(&self) -> Result<milepost_store::Tx> {
        Ok(Box::new(self.begin_read().await?))
    }

    async fn ping(&self) -> Result<()> {
        Store::ping(self).await
    }

    async fn migrate(&self) -> Result<()> {
        Store::migrate(self).await
    }

    async fn close(&self) {
        Store::close(self).await;
    }

    fn dialect(&self) -> Dialect {
        Store::dialect(self)
    }

    async fn read_primary(&self) -> Result<milepost_store::Tx> {
        Ok(Box::new(self.begin_on_primary().await?))
    }

    fn pool_stats(&self) -> Vec<PoolStats> {
        Store::pool_stats(self)
    }
}

/// A database URL without its password, for messages.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => match url[scheme + 3..at].split_once(':') {
            Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
            None => url.to_owned(),
        },
        _ => url.to_owned(),
    }
}

#[async_trait::async_trait]
impl Transaction for Tx {
    async fn commit(mut self: Box<Self>) -> Result<()> {
        let changed_data = !self.changes.is_empty();
        for (workspace, change) in std::mem::take(&mut self.changes) {
            workspace::record_change(&mut self, workspace, &change).await?;
        }
        match self.inner {
            TxInner::Sqlite(transaction) => transaction.commit().await?,
            TxInner::Postgres(transaction) => transaction.commit().await?,
        }
        if let Some(primary) = self.note_position.filter(|_| changed_data) {
            // The position after the commit: a replica that replayed this far holds it.
            // Unreadable (the primary went away just now), the author reads from the
            // primary until their cookie expires rather than risk not seeing it.
            let position: std::result::Result<String, sqlx::Error> =
                sqlx::query_scalar("SELECT CAST(pg_current_wal_lsn() AS TEXT)").fetch_one(&primary).await;
            route::note_written(position.ok().as_deref().and_then(route::parse_lsn).unwrap_or(u64::MAX));
        }
        Ok(())
    }

    async fn exists(&mut self, table: &'static str, workspace: WorkspaceId, id: i64) -> Result<bool> {
        let sql = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table} WHERE workspace_id = $1 AND id = $2"));
        let count: i64 =
            run!(self, |conn| sqlx::query_scalar(sql).bind(workspace.get()).bind(id).fetch_one(conn).await?);
        Ok(count > 0)
    }

    fn changes(&mut self, workspace: WorkspaceId, change: milepost_store::Change) {
        match self.changes.iter_mut().find(|(w, _)| *w == workspace) {
            Some((_, recorded)) => {
                *recorded = std::mem::replace(recorded, milepost_store::Change::Everything).and(change)
            }
            None => self.changes.push((workspace, change)),
        }
    }
}

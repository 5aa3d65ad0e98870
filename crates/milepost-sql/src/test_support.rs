//! Fresh, isolated databases for tests: a new SQLite file, or a new schema on the
//! PostgreSQL server named by `MILEPOST_TEST_POSTGRES_URL`, so that test runs (and the
//! tests inside one run) never see each other's data.

use crate::{Db, Result, Store};
use sqlx::postgres::PgConnectOptions;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// The environment variable that names the PostgreSQL server for tests.
pub const POSTGRES_URL_VAR: &str = "MILEPOST_TEST_POSTGRES_URL";

/// The PostgreSQL URL for tests, when one is configured.
pub fn postgres_url() -> Option<String> {
    std::env::var(POSTGRES_URL_VAR).ok().filter(|url| !url.trim().is_empty())
}

/// A migrated store on a new SQLite file inside `dir`.
pub async fn sqlite_store(dir: &Path) -> Result<Store> {
    let url = format!("sqlite://{}", dir.join("milepost.db").display());
    let store = Store::connect(&url).await?;
    store.migrate().await?;
    Ok(store)
}

/// A migrated store on a new SQLite file inside `dir` whose connections may not grow
/// the file past `page_limit` pages (`PRAGMA max_page_count`, read again each time a
/// connection is handed out). A write that needs more pages fails with `SQLITE_FULL`,
/// exactly as on a full disk; raising the limit is freeing space. SQLite never lowers
/// the limit below the pages already in use, so 1 means "full now".
pub async fn sqlite_store_with_page_limit(dir: &Path, page_limit: Arc<AtomicU64>) -> Result<Store> {
    let url = migrated_sqlite_file(dir).await?;
    let on_connect = Arc::clone(&page_limit);
    let pool = Store::sqlite_pool_options()
        .after_connect(move |connection, _| {
            let pages = on_connect.load(Ordering::SeqCst);
            Box::pin(async move { limit_pages(connection, pages).await })
        })
        .before_acquire(move |connection, _| {
            let pages = page_limit.load(Ordering::SeqCst);
            Box::pin(async move { limit_pages(connection, pages).await.map(|()| true) })
        })
        .connect_with(Store::sqlite_options(&url)?)
        .await?;
    Ok(Store::from_db(Db::Sqlite(pool)))
}

/// A migrated store on a new SQLite file inside `dir` whose connections give up on a
/// lock another writer holds after `busy_timeout` (SQLite's own busy handler) instead of
/// the server's ten seconds: with a short one, a writer that waited for another in
/// SQLite's busy loop rather than at the store's write gate fails at once.
pub async fn sqlite_store_with_busy_timeout(dir: &Path, busy_timeout: std::time::Duration) -> Result<Store> {
    let url = migrated_sqlite_file(dir).await?;
    let options = Store::sqlite_options(&url)?.busy_timeout(busy_timeout);
    let pool = Store::sqlite_pool_options().connect_with(options).await?;
    Ok(Store::from_db(Db::Sqlite(pool)))
}

/// Creates and migrates a new SQLite file inside `dir`, closes it, and answers its URL,
/// for a test that opens it with a pool of its own.
async fn migrated_sqlite_file(dir: &Path) -> Result<String> {
    let url = format!("sqlite://{}", dir.join("milepost.db").display());
    let store = Store::connect(&url).await?;
    store.migrate().await?;
    store.close().await;
    Ok(url)
}

async fn limit_pages(connection: &mut sqlx::SqliteConnection, pages: u64) -> Result<(), sqlx::Error> {
    let sql = sqlx::AssertSqlSafe(format!("PRAGMA max_page_count = {pages}"));
    sqlx::query(sql).execute(connection).await.map(|_| ())
}

/// A name no other test, in this run or another, will pick.
#[expect(
    clippy::disallowed_methods,
    reason = "the system's time only makes the name unique across runs; no time is read for the app"
)]
pub fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    format!("{prefix}_{}_{}_{}", std::process::id(), nanos, COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// A migrated store in a new, empty schema of the PostgreSQL server at `url`, and the
/// URL that reaches that schema (for starting a server on it).
pub async fn postgres_store(url: &str) -> Result<(Store, String)> {
    let schema = unique_name("milepost_test");
    let admin = Store::connect(url).await?;
    if let Db::Postgres(pool) = &admin.db {
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}"))).execute(pool).await?;
    }
    admin.close().await;
    let options = PgConnectOptions::from_str(url)?.options([("search_path", schema.as_str())]);
    let store = Store::from_db(Db::Postgres(Store::postgres_pool(options).await?));
    store.migrate().await?;
    let separator = if url.contains('?') { '&' } else { '?' };
    Ok((store, format!("{url}{separator}options=-csearch_path%3D{schema}")))
}

/// Runs one statement on `store`'s own pool, bypassing every check of the store: only
/// for tests that must put the database into a state the store never writes (a
/// corrupted row, as a hand edit or a failing disk would leave it).
pub async fn execute_unchecked(store: &Store, sql: &str) -> Result<u64> {
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    Ok(match &store.db {
        Db::Sqlite(pool) => sqlx::query(sql).execute(pool).await?.rows_affected(),
        Db::Postgres(pool) => sqlx::query(sql).execute(pool).await?.rows_affected(),
    })
}

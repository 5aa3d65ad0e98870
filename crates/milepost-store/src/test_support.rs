//! Fresh, isolated databases for tests: a new SQLite file, or a new schema on the
//! PostgreSQL server named by `MILEPOST_TEST_POSTGRES_URL`, so that test runs (and the
//! tests inside one run) never see each other's data.

use crate::{Db, Result, Store};
use sqlx::postgres::PgConnectOptions;
use std::path::Path;
use std::str::FromStr;
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

/// A name no other test, in this run or another, will pick.
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

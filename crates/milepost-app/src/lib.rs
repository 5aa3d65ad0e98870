//! Milepost's use cases: the one API that the JSON API, the web app and the CLI call.
//!
//! Every operation takes a [`Caller`] first (who is asking, in which workspace), checks
//! its input into domain types, does its reads and writes in one store transaction and
//! returns a view with the computed numbers of SPEC §4 (progress, expected progress,
//! status, score). Front ends hold no business rule: they parse a request, call one
//! function here and render what it returns.

pub mod access;
pub mod calibration;
pub mod caller;
pub mod check_in;
pub mod check_in_import;
pub mod cycle;
pub mod error;
mod evaluation;
pub mod forecast_eval;
pub mod initiative;
pub mod key_result;
pub mod kpi;
pub mod objective;
pub mod okr_file;
pub mod page;
pub mod patch;
pub mod permission;
pub mod person;
pub mod session;
pub mod team;
pub mod time;
pub mod workspace;

pub use caller::Caller;
pub use error::{AppError, FieldError, Location};
pub use page::{ListParams, Paged};
pub use workspace::WorkspaceNames;

use jiff::Timestamp;
use milepost_store::Store;
use std::sync::Arc;

/// Where the app reads the time. Tests and the demo pass a fixed or shifted clock; the
/// server uses the system's.
pub type Clock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

/// The application: storage plus the clock. Cheap to clone; one per process.
#[derive(Clone)]
pub struct App {
    store: Store,
    clock: Clock,
    /// The databases a KPI's SQL source may read, set by the operator
    /// (`MILEPOST_SQL_SOURCES`); see [`App::with_sql_sources`]. Empty: SQL sources are refused. A source reads with the
    /// server's own access, so without this an editor could point one at Milepost's own
    /// database and read other workspaces' numbers.
    sql_sources: Arc<Vec<String>>,
    /// URL prefixes a KPI's HTTP source (PromQL, JSON) may fetch, set by the operator
    /// (`MILEPOST_HTTP_SOURCES`); see [`App::with_http_sources`]. Empty: refused.
    http_sources: Arc<Vec<String>>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App").field("store", &self.store).finish_non_exhaustive()
    }
}

impl App {
    /// An app on `store` with the system clock.
    pub fn new(store: Store) -> App {
        App::with_clock(store, Arc::new(Timestamp::now))
    }

    /// An app on `store` reading the time from `clock`.
    pub fn with_clock(store: Store, clock: Clock) -> App {
        App { store, clock, sql_sources: Arc::new(Vec::new()), http_sources: Arc::new(Vec::new()) }
    }

    /// Opens the database at `url` (`sqlite://PATH` or `postgres://…`) with the system
    /// clock. Call [`App::migrate`] before serving.
    pub async fn connect(url: &str) -> Result<App, AppError> {
        Ok(App::new(Store::connect(url).await?))
    }

    /// Lets KPI SQL sources read the databases of `entries`: SQLite folders or files
    /// (`sqlite:///srv/metrics/`, `sqlite:///srv/metrics/uptime.db`) and PostgreSQL
    /// servers or databases (`postgres://reader@analytics/metrics`), compared as
    /// [`kpi::sql_target`] resolves them; none by default. Milepost's own database is
    /// refused whatever they say.
    pub fn with_sql_sources(mut self, entries: Vec<String>) -> App {
        self.sql_sources = Arc::new(entries.into_iter().filter(|p| !p.trim().is_empty()).collect());
        self
    }

    /// The rule a KPI's SQL source is checked with, when set and at every run.
    pub(crate) fn sql_rule(&self) -> kpi::sql_target::SqlRule<'_> {
        kpi::sql_target::SqlRule { allowed: &self.sql_sources, own: self.store.location() }
    }

    /// The time now, by the app's clock.
    pub fn now(&self) -> Timestamp {
        (self.clock)()
    }

    /// Whether the database answers, for readiness probes.
    pub async fn ready(&self) -> Result<(), AppError> {
        Ok(self.store.ping().await?)
    }

    /// Brings the database schema up to date.
    pub async fn migrate(&self) -> Result<(), AppError> {
        Ok(self.store.migrate().await?)
    }

    /// Closes the database connections.
    pub async fn close(&self) {
        self.store.close().await;
    }

    /// The same app (its store and the sources it allows) reading the time from
    /// `clock`: the demo loader replays a story's history on a clock that moves with it.
    pub fn with_clock_from(&self, clock: Clock) -> App {
        App { clock, ..self.clone() }
    }

    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    pub(crate) fn now_ms(&self) -> i64 {
        self.now().as_millisecond()
    }
}

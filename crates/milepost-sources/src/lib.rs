//! Milepost's KPI pull sources: the adapters that read a KPI's value from outside, kept
//! out of the use cases (`milepost-app`), which call them through the app's
//! [`SourceReader`] trait. A SQL query against a SQLite or PostgreSQL database
//! (read-only, time-limited; `sql`), a PromQL instant query or a JSON document over
//! HTTP (`http`).
//!
//! A source reads with the server's own access, so each reads only what the operator
//! allows: the databases of `MILEPOST_SQL_SOURCES`, resolved the way the driver will
//! open them (`sql_target`), and the URL prefixes of `MILEPOST_HTTP_SOURCES`.
//! Milepost's own database is refused whatever the lists say ([`OwnDatabase`]). Both
//! are checked when an editor sets a source and again at every run.
//!
//! `milepost serve` (and the CLI commands that act on the database) build one
//! [`KpiSources`] from the operator's lists and give it to the app
//! (`App::with_sources`).

mod http;
mod own;
mod sql;
mod sql_target;
mod webhook;

pub use http::{check_http_prefix, http_url_allowed};
pub use milepost_app::kpi::source_reader::{HTTP_SOURCES_ENV, SQL_SOURCES_ENV};
pub use own::OwnDatabase;
pub use sql_target::check_sql_entry;
pub use webhook::{WEBHOOK_URLS_ENV, WebhookClient};

use jiff::Timestamp;
use milepost_app::FieldError;
use milepost_app::kpi::KpiSource;
use milepost_app::kpi::source::redact;
use milepost_app::kpi::source_reader::{BoxFuture, NO_HTTP_SOURCES_ALLOWED, Reading, SourceReader};
use milepost_app::kpi::sql_query::check_sql_query;
use sql_target::{SqlRule, SqlTarget};
use std::sync::Arc;
use std::time::Duration;

/// How long one run may take in all: connecting, querying, reading the answer.
pub const RUN_TIMEOUT: Duration = Duration::from_secs(10);

/// The source reader of a Milepost installation: the operator's allow-lists and
/// Milepost's own database, which no source may read.
#[derive(Debug, Clone)]
pub struct KpiSources {
    /// The databases a SQL source may read (`MILEPOST_SQL_SOURCES`): SQLite folders or
    /// files and PostgreSQL servers or databases. Empty: SQL sources are refused.
    sql_allowed: Vec<String>,
    /// The URL prefixes an HTTP source (PromQL, JSON) may fetch
    /// (`MILEPOST_HTTP_SOURCES`). Empty: refused.
    http_allowed: Vec<String>,
    /// Milepost's own database.
    own: OwnDatabase,
}

impl KpiSources {
    /// A reader whose SQL sources may read the databases of `sql_allowed` (SQLite
    /// folders or files, `sqlite:///srv/metrics/`, `sqlite:///srv/metrics/uptime.db`,
    /// and PostgreSQL servers or databases, `postgres://reader@analytics/metrics`,
    /// compared as `sql_target` resolves them) and whose HTTP sources may fetch URLs
    /// under one of `http_allowed` (`http://prometheus:9090/`, compared as
    /// [`http_url_allowed`] does). Blank entries are dropped; neither list allows
    /// anything by default. `own` is never read, whatever the lists say.
    ///
    /// A source reads with the server's own access and from inside the network it
    /// runs in: without these lists an editor could point a SQL source at Milepost's
    /// own database and read other workspaces' numbers, or make the server fetch cloud
    /// metadata (`169.254.169.254`) or internal admin pages.
    pub fn new(sql_allowed: Vec<String>, http_allowed: Vec<String>, own: OwnDatabase) -> KpiSources {
        let keep = |list: Vec<String>| list.into_iter().filter(|entry| !entry.trim().is_empty()).collect();
        KpiSources { sql_allowed: keep(sql_allowed), http_allowed: keep(http_allowed), own }
    }

    /// [`KpiSources::new`], ready for `App::with_sources`.
    pub fn shared(sql_allowed: Vec<String>, http_allowed: Vec<String>, own: OwnDatabase) -> Arc<dyn SourceReader> {
        Arc::new(KpiSources::new(sql_allowed, http_allowed, own))
    }

    /// The rule a SQL source is checked with, when set and at every run.
    fn sql_rule(&self) -> SqlRule<'_> {
        SqlRule { allowed: &self.sql_allowed, own: self.own.location() }
    }

    /// Whether an HTTP source may fetch `url`.
    fn http_source_allowed(&self, url: &str) -> bool {
        reqwest::Url::parse(url.trim()).is_ok_and(|parsed| http_url_allowed(&self.http_allowed, &parsed))
    }

    /// Whether the operator allows `source`: the sentence at `/source/url` if not.
    async fn refusal(&self, source: &KpiSource) -> Option<String> {
        match source {
            KpiSource::Sql { url, .. } => match self.sql_rule().resolve(url).await {
                Ok(_) => None,
                Err(why) => Some(format!(
                    "SQL sources may read only the databases the operator allows ({SQL_SOURCES_ENV}): {why}"
                )),
            },
            KpiSource::Prometheus { url, .. } | KpiSource::HttpJson { url, .. } => {
                // A URL that is no http URL at all is left to the definition's checks,
                // which say so.
                let Ok(parsed) = reqwest::Url::parse(url.trim()) else { return None };
                if !matches!(parsed.scheme(), "http" | "https") || http_url_allowed(&self.http_allowed, &parsed) {
                    return None;
                }
                if self.http_allowed.is_empty() {
                    Some(NO_HTTP_SOURCES_ALLOWED.to_owned())
                } else {
                    let allowed: Vec<String> = self.http_allowed.iter().map(|p| redact(p.trim())).collect();
                    Some(format!(
                        "{} is not under a URL the operator allows for HTTP sources ({HTTP_SOURCES_ENV}): {}",
                        redact(url.trim()),
                        allowed.join(", ")
                    ))
                }
            }
        }
    }

    /// Runs `source` once, after checking it against the rules again: the operator
    /// may have withdrawn the permission, and a SQL source's database is resolved again
    /// (the file system may have changed since it was set: a link swapped in). The run
    /// opens what this finds.
    async fn run(&self, source: &KpiSource) -> Result<(f64, Option<Timestamp>), String> {
        match source {
            KpiSource::Sql { url, query } => match self.sql_rule().resolve(url).await {
                Err(why) => Err(format!(
                    "SQL sources may read only the databases the operator allows ({SQL_SOURCES_ENV}): {why}; nothing \
                     was read"
                )),
                Ok(target) => match check_sql_query(url, query) {
                    Err(why) => Err(format!("{why}; nothing was read")),
                    Ok(()) => self.fetch(source, Some(&target)).await,
                },
            },
            KpiSource::Prometheus { url, .. } | KpiSource::HttpJson { url, .. } if !self.http_source_allowed(url) => {
                Err(format!(
                    "HTTP sources may fetch only the URLs the operator allows ({HTTP_SOURCES_ENV}); {} is not among them",
                    redact(url.trim())
                ))
            }
            _ => self.fetch(source, None).await,
        }
    }

    /// Reads the source within [`RUN_TIMEOUT`]: the value, and the time it measures
    /// when the source says. A SQL source reads `sql`, the database its URL was
    /// resolved to and checked as, never its URL again. An HTTP request follows a
    /// redirect only to a URL under one of the allowed prefixes.
    async fn fetch(&self, source: &KpiSource, sql: Option<&SqlTarget>) -> Result<(f64, Option<Timestamp>), String> {
        let shown = redact(source.url());
        match tokio::time::timeout(RUN_TIMEOUT, self.fetch_untimed(source, sql)).await {
            Ok(result) => result,
            Err(_) => Err(format!("no answer from {shown} within {} s", RUN_TIMEOUT.as_secs())),
        }
    }

    async fn fetch_untimed(
        &self,
        source: &KpiSource,
        sql: Option<&SqlTarget>,
    ) -> Result<(f64, Option<Timestamp>), String> {
        match source {
            KpiSource::Sql { url, query } => match sql {
                Some(target) => sql::run_sql(url, target, query, &self.own).await,
                None => Err("the SQL source's database was not resolved".to_owned()),
            },
            KpiSource::Prometheus { url, query } => http::read_prometheus(url, query, &self.http_allowed).await,
            KpiSource::HttpJson { url, path } => http::read_json(url, path, &self.http_allowed).await,
        }
    }
}

impl SourceReader for KpiSources {
    fn check<'a>(&'a self, source: &'a KpiSource) -> BoxFuture<'a, Result<(), FieldError>> {
        Box::pin(async move {
            match self.refusal(source).await {
                None => Ok(()),
                Some(detail) => Err(FieldError::body("/source/url", detail)),
            }
        })
    }

    fn read<'a>(&'a self, source: &'a KpiSource) -> BoxFuture<'a, Result<Reading, String>> {
        Box::pin(async move { self.run(source).await.map(|(value, measured_at)| Reading { value, measured_at }) })
    }
}

/// A number written as text (a column's, a Prometheus sample's); `what` names it in the
/// error.
fn numeric_text(text: &str, what: &str) -> Result<f64, String> {
    // The text itself is never repeated: a failure is shown to everyone who reads the
    // KPI, and must not become a way to read what a source was not meant to give.
    text.trim().parse::<f64>().map_err(|_| format!("{what} is text, not a number"))
}

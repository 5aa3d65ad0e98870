//! The seam between the KPI use cases and the I/O of pull sources: the use cases
//! store, check and schedule a KPI's [`KpiSource`] and record what a run finds; a
//! [`SourceReader`] decides whether the operator allows a source and reads it (SQL on
//! SQLite or PostgreSQL, PromQL and JSON over HTTP).
//!
//! The reader the server and the CLI use lives in the `milepost-sources` crate, so
//! that this crate needs no HTTP client and no database driver for it. An [`App`]
//! holds one as `Arc<dyn SourceReader>` ([`App::with_sources`]); without one it
//! refuses every source as an installation that allows none does ([`RefuseAll`]).
//!
//! A reader must never reach Milepost's own database: `milepost_sources` builds it
//! with the store's location and the identity of its PostgreSQL server, read again at
//! each run.

use super::source::{KpiSource, redact};
use crate::{App, FieldError};
use jiff::Timestamp;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// The variable an operator lists the databases SQL sources may read in.
pub const SQL_SOURCES_ENV: &str = "MILEPOST_SQL_SOURCES";

/// The variable an operator lists the URL prefixes HTTP sources may fetch in.
pub const HTTP_SOURCES_ENV: &str = "MILEPOST_HTTP_SOURCES";

/// Why an HTTP source is refused when the operator allows no URL at all: the sentence
/// at `/source/url`, saying how to allow some.
pub const NO_HTTP_SOURCES_ALLOWED: &str = "HTTP sources may fetch only the URLs the operator allows, and none are \
     allowed: the operator allows some by setting MILEPOST_HTTP_SOURCES to comma-separated URL prefixes \
     (http://prometheus:9090/,https://metrics.example.com/) where milepost serve runs";

/// A future a reader returns: boxed, so that the trait can be used as `dyn`, and
/// `Send`, so that the server can run it on any thread.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What one run of a source found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reading {
    /// The value.
    pub value: f64,
    /// The time it measures, when the source says (a Prometheus sample's time, a SQL
    /// row's `measured_at`); otherwise the run's time is taken.
    pub measured_at: Option<Timestamp>,
}

/// Checks and reads KPI pull sources, with the operator's rules about what they may
/// reach. Implemented by `milepost_sources::KpiSources`; [`RefuseAll`] is the default.
pub trait SourceReader: Send + Sync {
    /// Whether the operator allows `source`, checked when an editor sets it (before the
    /// definition's other checks). `Err` is the problem to report, at `/source/url`. A
    /// URL that is not of the source's kind at all is left to the definition's checks,
    /// which say so.
    fn check<'a>(&'a self, source: &'a KpiSource) -> BoxFuture<'a, Result<(), FieldError>>;

    /// Runs `source` once, checking it against the operator's rules again (they may
    /// have changed since it was set): what it found, or the sentence a person reads on
    /// the KPI (`last_error`), which never repeats a password.
    fn read<'a>(&'a self, source: &'a KpiSource) -> BoxFuture<'a, Result<Reading, String>>;
}

/// A reader that refuses every source, as an installation whose operator allows no
/// database and no URL: what an [`App`] uses until it is given another.
#[derive(Debug, Clone, Copy, Default)]
pub struct RefuseAll;

impl RefuseAll {
    /// Why `url` may not be read as a SQL source, with nothing allowed.
    fn sql_refusal(url: &str) -> String {
        let shown = redact(url.trim());
        let why = if url.trim().starts_with("sqlite:")
            || url.trim().starts_with("postgres:")
            || url.trim().starts_with("postgresql:")
        {
            format!("the URL {shown} is not a database the operator allows for SQL sources (allowed: none are allowed)")
        } else {
            format!("{shown} is neither a sqlite: nor a postgres:// URL")
        };
        format!("SQL sources may read only the databases the operator allows ({SQL_SOURCES_ENV}): {why}")
    }
}

impl SourceReader for RefuseAll {
    fn check<'a>(&'a self, source: &'a KpiSource) -> BoxFuture<'a, Result<(), FieldError>> {
        let refusal = match source {
            KpiSource::Sql { url, .. } => Some(RefuseAll::sql_refusal(url)),
            // A URL that is no http URL at all is left to the definition's checks.
            KpiSource::Prometheus { url, .. } | KpiSource::HttpJson { url, .. } => url::Url::parse(url.trim())
                .is_ok_and(|parsed| matches!(parsed.scheme(), "http" | "https"))
                .then(|| NO_HTTP_SOURCES_ALLOWED.to_owned()),
        };
        Box::pin(async move { refusal.map_or(Ok(()), |detail| Err(FieldError::body("/source/url", detail))) })
    }

    fn read<'a>(&'a self, source: &'a KpiSource) -> BoxFuture<'a, Result<Reading, String>> {
        let refusal = match source {
            KpiSource::Sql { url, .. } => format!("{}; nothing was read", RefuseAll::sql_refusal(url)),
            KpiSource::Prometheus { url, .. } | KpiSource::HttpJson { url, .. } => format!(
                "HTTP sources may fetch only the URLs the operator allows ({HTTP_SOURCES_ENV}); {} is not among them",
                redact(url.trim())
            ),
        };
        Box::pin(async move { Err(refusal) })
    }
}

impl App {
    /// The app with `reader` deciding which KPI sources may be set and run, and reading
    /// them: `milepost_sources::KpiSources` with the operator's allow-lists. Until this
    /// is called, every source is refused ([`RefuseAll`]).
    pub fn with_sources(mut self, reader: Arc<dyn SourceReader>) -> App {
        self.sources = reader;
        self
    }

    /// A source may read only what the operator allowed; the reader says, at
    /// `/source/url`.
    pub(crate) async fn refuse_unallowed_source(&self, source: Option<&KpiSource>) -> Result<(), crate::AppError> {
        match source {
            Some(source) => self.sources.check(source).await.map_err(|problem| crate::AppError::Invalid(vec![problem])),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn refuse_all_refuses_every_source_as_an_empty_allow_list_does() {
        let sql = KpiSource::Sql { url: "sqlite:///srv/m/a.db".into(), query: "SELECT 1".into() };
        let error = RefuseAll.check(&sql).await.unwrap_err();
        assert_eq!(error.location, crate::Location::Body("/source/url".into()));
        assert!(error.detail.contains(SQL_SOURCES_ENV) && error.detail.contains("none are allowed"), "{error:?}");
        let read = RefuseAll.read(&sql).await.unwrap_err();
        assert!(read.contains(SQL_SOURCES_ENV) && read.ends_with("nothing was read"), "{read}");

        let http = KpiSource::HttpJson { url: "http://u:secret@169.254.169.254/".into(), path: "a".into() };
        assert_eq!(RefuseAll.check(&http).await.unwrap_err().detail, NO_HTTP_SOURCES_ALLOWED);
        let read = RefuseAll.read(&http).await.unwrap_err();
        assert!(read.contains(HTTP_SOURCES_ENV) && read.contains("not among them"), "{read}");
        assert!(!read.contains("secret"), "{read}");
        // Not an http URL at all: the definition's checks say so.
        let odd = KpiSource::Prometheus { url: "ftp://p".into(), query: "up".into() };
        assert!(RefuseAll.check(&odd).await.is_ok());
    }
}

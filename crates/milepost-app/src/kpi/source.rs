//! Pull sources: where the server fetches a KPI's values itself, on the KPI's cadence
//! (issue 4). A SQL query against a SQLite or PostgreSQL database (read-only,
//! time-limited), a PromQL instant query against a Prometheus-compatible HTTP API, or
//! a JSON HTTP endpoint with a dotted path to the number.
//!
//! A run that works records a measurement through the same path as the API (so linked
//! key results get their check-ins) and clears the last failure; a run that fails
//! stores the failure as a sentence on the KPI (`last_error`), with an audit event: the
//! failure is data a person sees, never a dropped error. [`App::run_due_sources`] is
//! what the server's scheduler calls; servers sharing one database claim each due run
//! by compare-and-set, so a source runs once per period.

use super::sql_target::{self, SQL_SOURCES_ENV, SqlTarget};
use super::{KpiView, MeasurementInput, MeasurementSource, cadence_of, not_found};
use crate::access::record;
use crate::error::{AppError, Problems};
use crate::permission::{Action, require};
use crate::{App, Caller};
use jiff::Timestamp;
use milepost_core::WorkspaceId;
use milepost_sql::Store;
use milepost_store::KpiRow;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::{Column, ConnectOptions, Connection, Row};
use std::sync::Arc;
use std::time::Duration;

/// How long one run may take in all: connecting, querying, reading the answer.
pub const RUN_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a PostgreSQL statement may run (`SET LOCAL statement_timeout`), in ms.
const STATEMENT_TIMEOUT_MS: u32 = 8_000;
/// The longest query accepted, in characters.
const QUERY_MAX: usize = 10_000;
/// The longest URL accepted, in characters.
const URL_MAX: usize = 2_000;
/// The longest JSON path accepted, in characters.
const PATH_MAX: usize = 200;
/// The most due sources one scheduler pass runs.
const DUE_MAX: i64 = 100;

/// Where the server pulls a KPI's values from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum KpiSource {
    /// A SQL query returning one row: a column `value` (or else the first column) and,
    /// optionally, `measured_at` as text (RFC 3339 or `YYYY-MM-DD`). Run read-only.
    Sql {
        /// `sqlite:///path/to/file.db` or `postgres://user:password@host/database`.
        url: String,
        /// The query.
        query: String,
    },
    /// A PromQL instant query: the first sample of the vector (or the scalar).
    Prometheus {
        /// The Prometheus base URL: `http://prometheus:9090`.
        url: String,
        /// The PromQL query.
        query: String,
    },
    /// A JSON document fetched with GET, and a dotted path to a number in it.
    HttpJson {
        /// The URL of the document.
        url: String,
        /// A path like `data.items.0.value`; the value is a number or a numeric string.
        path: String,
    },
}

impl KpiSource {
    /// The source recorded on the measurements it makes.
    pub fn measurement_source(&self) -> MeasurementSource {
        match self {
            KpiSource::Sql { .. } => MeasurementSource::Sql,
            KpiSource::Prometheus { .. } => MeasurementSource::Prometheus,
            KpiSource::HttpJson { .. } => MeasurementSource::Http,
        }
    }

    fn url(&self) -> &str {
        match self {
            KpiSource::Sql { url, .. } | KpiSource::Prometheus { url, .. } | KpiSource::HttpJson { url, .. } => url,
        }
    }

    /// The same source with any password in its URL replaced by `***`, to show.
    pub fn redacted(&self) -> KpiSource {
        let mut shown = self.clone();
        match &mut shown {
            KpiSource::Sql { url, .. } | KpiSource::Prometheus { url, .. } | KpiSource::HttpJson { url, .. } => {
                *url = redact(url);
            }
        }
        shown
    }

    /// Checks a source as a request gives it, noting problems at `/source/...`.
    pub(crate) fn check(&self, problems: &mut Problems) {
        let url = self.url().trim();
        let schemes: &[&str] = match self {
            KpiSource::Sql { .. } => &["sqlite", "postgres", "postgresql"],
            _ => &["http", "https"],
        };
        match reqwest::Url::parse(url) {
            _ if url.chars().count() > URL_MAX => {
                problems.push("/source/url", format!("must be at most {URL_MAX} characters"));
            }
            Ok(parsed) if schemes.contains(&parsed.scheme()) => {}
            Ok(parsed) => problems
                .push("/source/url", format!("the scheme {:?} is not one of {}", parsed.scheme(), schemes.join(", "))),
            Err(_) => problems.push("/source/url", format!("{:?} is not a URL", redact(url))),
        }
        let (pointer, text, max) = match self {
            KpiSource::Sql { query, .. } | KpiSource::Prometheus { query, .. } => ("/source/query", query, QUERY_MAX),
            KpiSource::HttpJson { path, .. } => ("/source/path", path, PATH_MAX),
        };
        if text.trim().is_empty() {
            problems.push(pointer, "must not be empty");
        } else if text.chars().count() > max {
            problems.push(pointer, format!("must be at most {max} characters"));
        }
        if let KpiSource::Sql { url, query } = self
            && !query.trim().is_empty()
            && let Err(why) = check_sql_query(url, query)
        {
            problems.push("/source/query", why);
        }
        if let KpiSource::HttpJson { path, .. } = self
            && path.split('.').any(|segment| segment.trim().is_empty())
        {
            problems.push("/source/path", "write the path as names and indexes between dots: data.items.0.value");
        }
    }

    /// Runs the source once: the value, and the time it measures when the source says.
    /// The error is the sentence a person reads on the KPI. A SQL source reads `sql`,
    /// the database its URL was resolved to and checked as, never its URL again;
    /// `own` is Milepost's store, which it must not reach. An HTTP request follows a
    /// redirect only to a URL under one of `http_allowed`.
    pub(crate) async fn fetch(
        &self,
        sql: Option<&SqlTarget>,
        own: &Store,
        http_allowed: &[String],
    ) -> Result<(f64, Option<Timestamp>), String> {
        let shown = redact(self.url());
        match tokio::time::timeout(RUN_TIMEOUT, self.fetch_untimed(sql, own, http_allowed)).await {
            Ok(result) => result,
            Err(_) => Err(format!("no answer from {shown} within {} s", RUN_TIMEOUT.as_secs())),
        }
    }

    async fn fetch_untimed(
        &self,
        sql: Option<&SqlTarget>,
        own: &Store,
        http_allowed: &[String],
    ) -> Result<(f64, Option<Timestamp>), String> {
        match self {
            KpiSource::Sql { url, query } => match sql {
                Some(target) => run_sql(url, target, query, own).await,
                None => Err("the SQL source's database was not resolved".to_owned()),
            },
            KpiSource::Prometheus { url, query } => {
                let endpoint = format!("{}/api/v1/query", url.trim_end_matches('/'));
                let answer = get_json(&endpoint, &[("query", query.as_str())], http_allowed).await?;
                prometheus_value(&answer).map(|(value, at)| (value, Some(at)))
            }
            KpiSource::HttpJson { url, path } => {
                let answer = get_json(url, &[], http_allowed).await?;
                json_number(&answer, path).map(|value| (value, None))
            }
        }
    }
}

/// A URL with its password replaced by `***`.
pub fn redact(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            // Only fails for URLs that cannot have a password, which this one has.
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        Ok(_) => url.to_owned(),
        // Not a URL: hide everything between a scheme and an `@`.
        Err(_) => match (url.find("://"), url.rfind('@')) {
            (Some(start), Some(at)) if at > start => format!("{}***{}", &url[..start + 3], &url[at..]),
            _ => url.to_owned(),
        },
    }
}

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

/// A SQL source's query, checked for its database's kind (named by `url`'s scheme).
fn check_sql_query(url: &str, query: &str) -> Result<(), String> {
    if url.trim().starts_with("sqlite:") {
        sql_target::check_sqlite_query(query)
    } else {
        sql_target::check_postgres_query(query)
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

async fn run_sql(url: &str, target: &SqlTarget, query: &str, own: &Store) -> Result<(f64, Option<Timestamp>), String> {
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
    own: &Store,
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
        Some(text) => super::measurement::parse_time(text.trim())
            .or_else(|| text.trim().replace(' ', "T").parse::<Timestamp>().ok())
            .map(Some)
            .ok_or_else(|| "measured_at is not a time: return it as text like 2026-11-16T09:00:00Z".to_owned()),
    }
}

fn numeric_text(text: &str, what: &str) -> Result<f64, String> {
    // The text itself is never repeated: a failure is shown to everyone who reads the
    // KPI, and must not become a way to read what a source was not meant to give.
    text.trim().parse::<f64>().map_err(|_| format!("{what} is text, not a number"))
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

async fn get_json(url: &str, query: &[(&str, &str)], http_allowed: &[String]) -> Result<Value, String> {
    let shown = redact(url);
    // A redirect is followed only to where a source could point itself: under an
    // allowed prefix (and at most a few times). Else the redirect is the answer, and
    // is reported below.
    let allowed = http_allowed.to_vec();
    let policy = reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() < 5 && http_url_allowed(&allowed, attempt.url()) {
            attempt.follow()
        } else {
            attempt.stop()
        }
    });
    let client = reqwest::Client::builder()
        .timeout(RUN_TIMEOUT)
        .redirect(policy)
        .build()
        .map_err(|e| format!("could not make an HTTP client: {e}"))?;
    let mut target = reqwest::Url::parse(url).map_err(|_| format!("{shown} is not a URL"))?;
    if !query.is_empty() {
        target.query_pairs_mut().extend_pairs(query);
    }
    let response = client.get(target).send().await.map_err(|e| describe_http_error(&e, &shown))?;
    let status = response.status();
    if status.is_redirection() {
        let to = response.headers().get(reqwest::header::LOCATION).and_then(|l| l.to_str().ok()).unwrap_or("nowhere");
        return Err(format!(
            "{shown} redirected to {}, which is not under a URL the operator allows ({HTTP_SOURCES_ENV}); \
             the redirect was not followed",
            redact(to)
        ));
    }
    if !status.is_success() {
        return Err(format!("{shown} answered {status}"));
    }
    let bytes = response.bytes().await.map_err(|e| describe_http_error(&e, &shown))?;
    serde_json::from_slice(&bytes).map_err(|_| format!("{shown} did not answer JSON"))
}

fn describe_http_error(error: &reqwest::Error, shown: &str) -> String {
    let mut cause: Option<&dyn std::error::Error> = Some(error);
    while let Some(e) = cause {
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::ConnectionRefused
        {
            return format!("connection refused to {shown}");
        }
        cause = e.source();
    }
    if error.is_timeout() {
        format!("no answer from {shown} within {} s", RUN_TIMEOUT.as_secs())
    } else if error.is_connect() {
        format!("could not connect to {shown}")
    } else {
        format!("the request to {shown} failed: {error}")
    }
}

/// The first sample of a Prometheus instant-query answer: its value and time.
fn prometheus_value(answer: &Value) -> Result<(f64, Timestamp), String> {
    if answer["status"] != "success" {
        let error = answer["error"].as_str().unwrap_or("no reason given");
        return Err(format!("Prometheus refused the query: {error}"));
    }
    let data = &answer["data"];
    let sample = match data["resultType"].as_str() {
        Some("vector") => {
            let first = data["result"].get(0).ok_or_else(|| "the query returned no samples".to_owned())?;
            &first["value"]
        }
        Some("scalar") => &data["result"],
        Some(other) => return Err(format!("the query returned a {other}: write an instant vector or a scalar query")),
        None => return Err("Prometheus answered without a result type".to_owned()),
    };
    let seconds = sample[0].as_f64().ok_or_else(|| "the sample has no time".to_owned())?;
    let text = sample[1].as_str().ok_or_else(|| "the sample has no value".to_owned())?;
    let value = numeric_text(text, "the sample")?;
    let at = Timestamp::from_millisecond((seconds * 1000.0) as i64).map_err(|_| "the sample's time is out of range")?;
    Ok((value, at))
}

/// The number at a dotted path (`data.items.0.value`) in a JSON document.
fn json_number(document: &Value, path: &str) -> Result<f64, String> {
    let mut here = document;
    for segment in path.split('.') {
        let next = match here {
            Value::Object(map) => map.get(segment),
            Value::Array(items) => segment.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        };
        here = next.ok_or_else(|| format!("no number at {path}: nothing at {segment:?}"))?;
    }
    match here {
        Value::Number(n) => n.as_f64().ok_or_else(|| format!("no number at {path}")),
        Value::String(text) => text.trim().parse::<f64>().map_err(|_| format!("no number at {path}: it is text")),
        Value::Null => Err(format!("no number at {path}: it is null")),
        Value::Bool(_) => Err(format!("no number at {path}: it is true or false")),
        Value::Array(_) => Err(format!("no number at {path}: it is a list")),
        Value::Object(_) => Err(format!("no number at {path}: it is an object")),
    }
}

/// The variable an operator lists the URL prefixes HTTP sources may fetch in.
pub const HTTP_SOURCES_ENV: &str = "MILEPOST_HTTP_SOURCES";

/// Checks an operator's HTTP source prefix: an `http` or `https` URL with a host. The
/// error is a sentence naming it.
pub fn check_http_prefix(prefix: &str) -> Result<(), String> {
    match reqwest::Url::parse(prefix.trim()) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host_str().is_some() => Ok(()),
        Ok(_) => Err(format!("{:?} is not an http or https URL with a host", redact(prefix.trim()))),
        Err(_) => Err(format!("{:?} is not a URL: write it like http://prometheus:9090/", redact(prefix.trim()))),
    }
}

/// Whether `url` is under one of `prefixes`, compared as parsed, normalised URLs: the
/// same scheme, host and port (a default port written or not), and a path that is the
/// prefix's path or goes on from it at a `/`. So `http://prometheus:9090/` allows
/// `http://prometheus:9090/api/v1/query` but neither `http://prometheus:9090.evil.com/`
/// nor `http://prometheus:9090@evil/` (a user name and password before the host `evil`);
/// `https://m.example.com/ops` allows `/ops/x` but not `/opsx`; `…/ops/` allows `/ops`.
pub fn http_url_allowed(prefixes: &[String], url: &reqwest::Url) -> bool {
    prefixes.iter().filter_map(|p| reqwest::Url::parse(p.trim()).ok()).any(|prefix| {
        if prefix.scheme() != url.scheme()
            || prefix.host_str().is_none()
            || prefix.host_str() != url.host_str()
            || prefix.port_or_known_default() != url.port_or_known_default()
        {
            return false;
        }
        let (base, path) = (prefix.path(), url.path());
        // `/ops/` allows `/ops` too: the same folder, the way a Prometheus base URL is
        // written.
        path == base
            || path == base.trim_end_matches('/')
            || (path.starts_with(base) && (base.ends_with('/') || path[base.len()..].starts_with('/')))
    })
}

impl App {
    /// Lets KPI HTTP sources (PromQL and JSON) fetch URLs under one of `prefixes`
    /// (`http://prometheus:9090/`, `https://metrics.example.com/ops/`), compared as
    /// [`http_url_allowed`] does; none by default. A source fetches from inside the
    /// network the server runs in, so without this an editor could make the server
    /// read cloud metadata (`169.254.169.254`) or internal admin pages.
    pub fn with_http_sources(mut self, prefixes: Vec<String>) -> App {
        self.http_sources = Arc::new(prefixes.into_iter().filter(|p| !p.trim().is_empty()).collect());
        self
    }

    /// Whether a KPI's HTTP source may fetch `url`.
    fn http_source_allowed(&self, url: &str) -> bool {
        reqwest::Url::parse(url.trim()).is_ok_and(|parsed| http_url_allowed(&self.http_sources, &parsed))
    }

    /// A source may read only what the operator allowed: a SQL source a database of
    /// [`App::with_sql_sources`], an HTTP source a URL of [`App::with_http_sources`].
    pub(crate) async fn refuse_unallowed_source(&self, source: Option<&KpiSource>) -> Result<(), AppError> {
        match source {
            Some(KpiSource::Sql { url, .. }) => match self.sql_rule().resolve(url).await {
                Ok(_) => Ok(()),
                Err(why) => Err(AppError::invalid(
                    "/source/url",
                    format!("SQL sources may read only the databases the operator allows ({SQL_SOURCES_ENV}): {why}"),
                )),
            },
            Some(KpiSource::Prometheus { url, .. } | KpiSource::HttpJson { url, .. }) => {
                // A URL that is no http URL at all is left to `check`, which says so.
                let Ok(parsed) = reqwest::Url::parse(url.trim()) else { return Ok(()) };
                if !matches!(parsed.scheme(), "http" | "https") || http_url_allowed(&self.http_sources, &parsed) {
                    return Ok(());
                }
                let detail = if self.http_sources.is_empty() {
                    format!(
                        "HTTP sources may fetch only the URLs the operator allows, and none are allowed: the operator \
                         allows some by setting {HTTP_SOURCES_ENV} to comma-separated URL prefixes \
                         (http://prometheus:9090/,https://metrics.example.com/) where milepost serve runs"
                    )
                } else {
                    let allowed: Vec<String> = self.http_sources.iter().map(|p| redact(p.trim())).collect();
                    format!(
                        "{} is not under a URL the operator allows for HTTP sources ({HTTP_SOURCES_ENV}): {}",
                        redact(url.trim()),
                        allowed.join(", ")
                    )
                };
                Err(AppError::invalid("/source/url", detail))
            }
            _ => Ok(()),
        }
    }
}

/// The stored source of a KPI, if it has one that reads.
pub(crate) fn source_of(row: &KpiRow) -> Option<KpiSource> {
    row.source.as_deref().and_then(|text| serde_json::from_str(text).ok())
}

impl App {
    /// Runs a KPI's source now (editors and admins). A failure is recorded on the KPI
    /// (`last_error`) and the answer is still the KPI: the failure is data.
    pub async fn run_kpi_source(&self, caller: &Caller, id: i64) -> Result<KpiView, AppError> {
        require(caller, Action::DefineKpi)?;
        let row = {
            let mut tx = self.store().read().await?;
            tx.kpi(caller.workspace, id).await?.ok_or_else(|| not_found(id))?
        };
        let Some(source) = source_of(&row) else {
            return Err(AppError::Conflict {
                code: "no_source",
                detail: format!("KPI {} has no source to run: set one with a change of `source`", row.slug),
                location: None,
            });
        };
        if row.archived {
            return Err(AppError::Conflict {
                code: "archived",
                detail: format!("KPI {} is archived: restore it to run its source", row.slug),
                location: None,
            });
        }
        self.run_source(caller, &row, &source).await?;
        self.get_kpi(caller, id).await
    }

    /// Runs every source that is due by the app's clock, across all workspaces, each
    /// once: a run is claimed first by moving its `next_run_at` one cadence period on
    /// (compare-and-set), so another server on the same database skips it. How many ran.
    pub async fn run_due_sources(&self) -> Result<usize, AppError> {
        let now = self.now();
        let due = {
            let mut tx = self.store().read().await?;
            tx.due_kpi_sources(now.as_millisecond(), DUE_MAX).await?
        };
        let mut ran = 0;
        for row in due {
            let (Some(seen), Some(source)) = (row.next_run_at, source_of(&row)) else { continue };
            let workspace = WorkspaceId(row.workspace_id);
            let next = now.saturating_add(cadence_of(&row).period()).unwrap_or(now).as_millisecond();
            let (claimed, slug) = {
                let mut tx = self.store().write().await?;
                let claimed = tx.claim_kpi_source(workspace, row.id, seen, next).await?;
                let slug = tx.workspace(workspace).await?.map(|w| w.slug).unwrap_or_default();
                tx.commit().await?;
                (claimed, slug)
            };
            if !claimed {
                continue;
            }
            let caller = Caller::operator(workspace, slug);
            if let Err(error) = self.run_source(&caller, &row, &source).await {
                tracing::warn!(kpi = row.id, %error, "a KPI source run could not be recorded");
            }
            ran += 1;
        }
        Ok(ran)
    }

    /// Runs `source` and records the outcome: the measurement and a cleared error in one
    /// transaction, or the failure's sentence with an audit event.
    async fn run_source(&self, caller: &Caller, row: &KpiRow, source: &KpiSource) -> Result<(), AppError> {
        // Checked again at every run: the operator may have withdrawn the permission.
        // The SQL source's database is resolved again too: the file system may have
        // changed since it was set (a link swapped in). The run opens what this finds.
        let fetched = match source {
            KpiSource::Sql { url, query } => match self.sql_rule().resolve(url).await {
                Err(why) => Err(format!(
                    "SQL sources may read only the databases the operator allows ({SQL_SOURCES_ENV}): {why}; nothing \
                     was read"
                )),
                Ok(target) => match check_sql_query(url, query) {
                    Err(why) => Err(format!("{why}; nothing was read")),
                    Ok(()) => source.fetch(Some(&target), &self.own, &self.http_sources).await,
                },
            },
            KpiSource::Prometheus { url, .. } | KpiSource::HttpJson { url, .. } if !self.http_source_allowed(url) => {
                Err(format!(
                    "HTTP sources may fetch only the URLs the operator allows ({HTTP_SOURCES_ENV}); {} is not among them",
                    redact(url.trim())
                ))
            }
            _ => source.fetch(None, &self.own, &self.http_sources).await,
        };
        let failure = match fetched {
            Ok((value, measured_at)) => {
                let input = MeasurementInput { measured_at: measured_at.unwrap_or_else(|| self.now()), value };
                match self.write_measurements(caller, row.id, vec![input], source.measurement_source()).await {
                    Ok((_, mut tx)) => {
                        tx.record_kpi_source_run(caller.workspace, row.id, self.now_ms(), None).await?;
                        tx.commit().await?;
                        return Ok(());
                    }
                    Err(AppError::Invalid(problems)) => problems
                        .iter()
                        .map(|p| p.detail.trim_start_matches("row 1: ").to_owned())
                        .collect::<Vec<_>>()
                        .join("; "),
                    Err(other) => return Err(other),
                }
            }
            Err(sentence) => sentence,
        };
        let now = self.now_ms();
        let mut tx = self.store().write().await?;
        tx.record_kpi_source_run(caller.workspace, row.id, now, Some(&failure)).await?;
        let summary = serde_json::json!({ "kind": source.measurement_source().as_str(), "error": failure });
        record(&mut tx, caller, "run_source", "kpi", row.id, None::<&()>, Some(&summary), now).await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn passwords_never_show() {
        assert_eq!(redact("postgres://milepost:s3cret@db:5432/app"), "postgres://milepost:***@db:5432/app");
        assert_eq!(redact("sqlite:///tmp/a.db"), "sqlite:///tmp/a.db");
        assert_eq!(redact("http://example.test/x"), "http://example.test/x");
    }

    #[test]
    fn paths_walk_objects_and_arrays() {
        let doc = json!({"data": {"items": [{"value": 4.5}, {"value": "7"}]}});
        assert_eq!(json_number(&doc, "data.items.0.value"), Ok(4.5));
        assert_eq!(json_number(&doc, "data.items.1.value"), Ok(7.0));
        assert!(json_number(&doc, "data.value").unwrap_err().starts_with("no number at data.value"));
        assert!(json_number(&doc, "data.items").is_err());
    }

    #[test]
    fn prometheus_vectors_and_scalars() {
        let vector = json!({"status": "success", "data": {"resultType": "vector",
            "result": [{"metric": {}, "value": [1_700_000_000.5, "99.5"]}]}});
        let (value, at) = prometheus_value(&vector).unwrap();
        assert_eq!(value, 99.5);
        assert_eq!(at.as_millisecond(), 1_700_000_000_500);
        let scalar = json!({"status": "success", "data": {"resultType": "scalar", "result": [1.0, "3"]}});
        assert_eq!(prometheus_value(&scalar).unwrap().0, 3.0);
        let empty = json!({"status": "success", "data": {"resultType": "vector", "result": []}});
        assert_eq!(prometheus_value(&empty).unwrap_err(), "the query returned no samples");
    }

    #[test]
    fn http_prefixes_match_parsed_urls_not_text() {
        // A URL that does not parse (`prometheus:9090.evil.com` has no port) is refused.
        let allowed = |prefix: &str, url: &str| {
            reqwest::Url::parse(url).is_ok_and(|url| http_url_allowed(&[prefix.to_owned()], &url))
        };
        let prometheus = "http://prometheus:9090/";
        assert!(allowed(prometheus, "http://prometheus:9090/api/v1/query?query=up"));
        assert!(allowed(prometheus, "http://PROMETHEUS:9090/"));
        assert!(allowed("http://prometheus:9090", "http://prometheus:9090/x"));
        assert!(!allowed(prometheus, "http://prometheus:9090.evil.com/"));
        assert!(!allowed(prometheus, "http://prometheus:9090@evil/"));
        assert!(!allowed(prometheus, "http://prometheus.evil.com:9090/"));
        assert!(!allowed(prometheus, "http://prometheus:9090%2e.evil.com/"));
        assert!(!allowed(prometheus, "http://prometheus.evil.com:9090/"));
        assert!(!allowed(prometheus, "http://prometheus:9090%2e.evil.com/"));
        assert!(!allowed(prometheus, "http://prometheus:9091/"));
        assert!(!allowed(prometheus, "https://prometheus:9090/"));
        assert!(!allowed(prometheus, "http://prometheus/"), "another port: the default one");
        assert!(allowed("http://metrics.test/", "http://metrics.test:80/x"), "the default port written out");
        assert!(allowed("https://m.test/ops", "https://m.test/ops/status.json"));
        assert!(allowed("https://m.test/ops/", "https://m.test/ops/../ops/a"), "dot segments resolved first");
        assert!(!allowed("https://m.test/ops", "https://m.test/opsx"));
        assert!(allowed("https://m.test/ops/", "https://m.test/ops"));
        assert!(!allowed("https://m.test/ops/", "https://m.test/op"));
        assert!(!allowed("https://m.test/ops/", "https://m.test/ops/../admin"));
        assert!(!allowed("not a url", "http://169.254.169.254/latest/meta-data/"));
        assert!(!http_url_allowed(&[], &reqwest::Url::parse("http://169.254.169.254/").unwrap()));
        assert!(check_http_prefix("http://prometheus:9090/").is_ok());
        assert!(check_http_prefix("prometheus:9090").is_err());
        assert!(check_http_prefix("file:///etc/passwd").is_err());
    }

    #[test]
    fn configs_are_checked_field_by_field() {
        let mut problems = Problems::new();
        KpiSource::HttpJson { url: "ftp://x".into(), path: "a..b".into() }.check(&mut problems);
        KpiSource::Sql { url: "mysql://x".into(), query: " ".into() }.check(&mut problems);
        let Err(AppError::Invalid(found)) = problems.finish() else { panic!("bad sources accepted") };
        let pointers: Vec<_> = found.iter().map(|p| p.location.clone()).collect();
        assert_eq!(pointers.len(), 4, "{found:?}");
        assert!(pointers.contains(&crate::Location::Pointer("/source/query".into())));
        let mut fine = Problems::new();
        KpiSource::Prometheus { url: "http://p:9090".into(), query: "up".into() }.check(&mut fine);
        assert!(fine.finish().is_ok());
    }
}

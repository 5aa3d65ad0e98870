//! Pull sources: where the server fetches a KPI's values itself, on the KPI's cadence
//! (issue 4). A SQL query against a SQLite or PostgreSQL database (read-only,
//! time-limited), a PromQL instant query against a Prometheus-compatible HTTP API, or
//! a JSON HTTP endpoint with a dotted path to the number.
//!
//! This module holds what a KPI stores and the use cases that run it: the definition
//! ([`KpiSource`]) and its checks, and the runs. Whether the operator allows a source,
//! and the reading itself, are the app's [`SourceReader`](super::source_reader::SourceReader)'s
//! (the `milepost-sources` crate), so that the use cases do no network or database I/O
//! of their own.
//!
//! A run that works records a measurement through the same path as the API (so linked
//! key results get their check-ins) and clears the last failure; a run that fails
//! stores the failure as a sentence on the KPI (`last_error`), with an audit event: the
//! failure is data a person sees, never a dropped error. `app.kpis().run_due_sources` is
//! what the server's scheduler calls; servers sharing one database claim each due run
//! by compare-and-set, so a source runs once per period.

use super::measurement::Shape;
use super::source_reader::Reading;
use super::sql_query::check_sql_query;
use super::{KpiView, MeasurementInput, MeasurementSource, cadence_of, not_found};
use crate::Caller;
use crate::access::record;
use crate::error::{AppError, Problems};
use crate::kpi::Kpis;
use crate::permission::{Action, require};
use milepost_core::KpiId;
use milepost_core::WorkspaceId;
use milepost_store::KpiRow;
use serde::{Deserialize, Serialize};

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

    /// The URL it reads, as written (with any password: show [`KpiSource::redacted`]).
    pub fn url(&self) -> &str {
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
        match url::Url::parse(url) {
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
            && !path.trim().is_empty()
            && path.split('.').any(|segment| segment.trim().is_empty())
        {
            problems.push("/source/path", "write the path as names and indexes between dots: data.items.0.value");
        }
    }
}

/// A URL with its password replaced by `***`.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
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

/// What a URL's password is written as to keep the stored one: the password a
/// shown source has ([`KpiSource::redacted`]), so that a source read and sent back
/// unchanged keeps its password.
pub const KEPT_PASSWORD: &str = "***";

impl KpiSource {
    /// This source with `password` put in its URL (a form's separate password field);
    /// refused at `/source/url` when the URL cannot carry one.
    pub fn with_password(self, password: &str) -> Result<KpiSource, crate::FieldError> {
        let refused = || {
            crate::FieldError::body("/source/url", "a password goes with a URL that names a host: scheme://user@host/…")
        };
        let mut given = url::Url::parse(self.url().trim()).map_err(|_| refused())?;
        given.set_password(Some(password)).map_err(|()| refused())?;
        let mut source = self;
        match &mut source {
            KpiSource::Sql { url, .. } | KpiSource::Prometheus { url, .. } | KpiSource::HttpJson { url, .. } => {
                *url = given.to_string();
            }
        }
        Ok(source)
    }

    /// Whether its URL has a password (shown as `***` once redacted).
    pub fn has_password(&self) -> bool {
        url::Url::parse(self.url().trim()).is_ok_and(|u| u.password().is_some())
    }

    /// This source with a URL password written `***` replaced by the password `stored`
    /// has, so a source read (redacted) and sent back keeps its password. The stored
    /// password is kept only for the same scheme, host, port and user: moving the URL
    /// elsewhere while keeping `***` would send the stored password to another server,
    /// and is refused at `/source/url`.
    pub(crate) fn keeping_password(self, stored: Option<&KpiSource>) -> Result<KpiSource, crate::FieldError> {
        let Ok(mut given) = url::Url::parse(self.url().trim()) else { return Ok(self) };
        if given.password() != Some(KEPT_PASSWORD) {
            return Ok(self);
        }
        let same_place = |old: &url::Url| {
            old.scheme() == given.scheme()
                && old.host_str() == given.host_str()
                && old.port_or_known_default() == given.port_or_known_default()
                && old.username() == given.username()
        };
        let kept = stored
            .and_then(|old| url::Url::parse(old.url().trim()).ok())
            .filter(same_place)
            .and_then(|old| old.password().map(str::to_owned));
        let Some(password) = kept else {
            return Err(crate::FieldError::body(
                "/source/url",
                format!(
                    "{KEPT_PASSWORD} stands for the password stored for this source, and there is none for this \
                     user at this host and port: write the password"
                ),
            ));
        };
        // Only fails for URLs that cannot have a password, which this one has.
        let _ = given.set_password(Some(&password));
        let mut source = self;
        match &mut source {
            KpiSource::Sql { url, .. } | KpiSource::Prometheus { url, .. } | KpiSource::HttpJson { url, .. } => {
                *url = given.to_string();
            }
        }
        Ok(source)
    }
}

/// What a dry run of a source found: the value it would record, or why it could not
/// read one. Nothing is written.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SourceTestResult {
    /// The source tried (a password in its URL shows as `***`).
    pub source: KpiSource,
    /// The value a run would record now; `null` when the source could not be read.
    pub value: Option<f64>,
    /// The time that value measures: the source's own, or now.
    pub measured_at: Option<jiff::Timestamp>,
    /// Why no value could be read (the sentence a run would record as `last_error`);
    /// `null` when a value was read.
    pub error: Option<String>,
}

/// A source to try: the one given, or else the KPI's own.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceTest {
    /// A source to try before it is saved (a URL password written `***` means the one
    /// stored); left out, the KPI's own source is tried.
    pub source: Option<KpiSource>,
}

/// The stored source of a KPI, if it has one that reads.
pub(crate) fn source_of(row: &KpiRow) -> Option<KpiSource> {
    row.source.as_deref().and_then(|text| serde_json::from_str(text).ok())
}

impl Kpis<'_> {
    /// Runs a KPI's source now (editors and admins). A failure is recorded on the KPI
    /// (`last_error`) and the answer is still the KPI: the failure is data.
    pub async fn run_source(self, caller: &Caller, id: KpiId) -> Result<KpiView, AppError> {
        let id = id.get();
        require(caller, Action::DefineKpi)?;
        let row = {
            let mut tx = self.app.store().read().await?;
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
        self.run_one_source(caller, &row, &source).await?;
        self.get(caller, KpiId(id)).await
    }

    /// Tries a source once without writing anything (editors and admins): the KPI's own,
    /// or `test.source` as it would be saved. The definition's checks and the
    /// operator's allow-lists apply exactly as to a save and a run (a refusal is a
    /// problem at `/source/...`, 422); a source that cannot be read answers its sentence
    /// in `error`. No measurement, no run time, no error and no audit event is written.
    pub async fn test_source(self, caller: &Caller, id: KpiId, test: SourceTest) -> Result<SourceTestResult, AppError> {
        let id = id.get();
        require(caller, Action::DefineKpi)?;
        let row = {
            let mut tx = self.app.store().read().await?;
            tx.kpi(caller.workspace, id).await?.ok_or_else(|| not_found(id))?
        };
        let stored = source_of(&row);
        let source = match test.source {
            Some(given) => {
                given.keeping_password(stored.as_ref()).map_err(|problem| AppError::Invalid(vec![problem]))?
            }
            None => stored.ok_or_else(|| AppError::Conflict {
                code: "no_source",
                detail: format!("KPI {} has no source to test: give one as `source`", row.slug),
                location: None,
            })?,
        };
        self.app.refuse_unallowed_source(Some(&source)).await?;
        let mut problems = Problems::new();
        source.check(&mut problems);
        problems.finish()?;
        let (value, measured_at, error) = match self.app.sources.read(&source).await {
            Ok(Reading { value, measured_at }) if value.is_finite() => {
                (Some(value), Some(measured_at.unwrap_or_else(|| self.app.now())), None)
            }
            Ok(Reading { value, .. }) => {
                (None, None, Some(format!("the source gave {value}, which is not a number to record")))
            }
            Err(sentence) => (None, None, Some(sentence)),
        };
        Ok(SourceTestResult { source: source.redacted(), value, measured_at, error })
    }

    /// Runs every source that is due by the app's clock, across all workspaces, each
    /// once: a run is claimed first by moving its `next_run_at` one cadence period on
    /// (compare-and-set), so another server on the same database skips it. How many ran.
    pub async fn run_due_sources(self) -> Result<usize, AppError> {
        let now = self.app.now();
        let due = {
            let mut tx = self.app.store().read().await?;
            tx.due_kpi_sources(now.as_millisecond(), DUE_MAX).await?
        };
        let mut ran = 0;
        for row in due {
            let (Some(seen), Some(source)) = (row.next_run_at, source_of(&row)) else { continue };
            let workspace = WorkspaceId(row.workspace_id);
            let next = now.saturating_add(cadence_of(&row).period()).unwrap_or(now).as_millisecond();
            let (claimed, slug) = {
                let mut tx = self.app.write_outside_read_model().await?;
                let claimed = tx.claim_kpi_source(workspace, row.id, seen, next).await?;
                let slug = tx.workspace(workspace).await?.map(|w| w.slug).unwrap_or_default();
                tx.commit().await?;
                (claimed, slug)
            };
            if !claimed {
                continue;
            }
            let caller = Caller::operator(workspace, slug);
            if let Err(error) = self.run_one_source(&caller, &row, &source).await {
                tracing::warn!(kpi = row.id, %error, "a KPI source run could not be recorded");
            }
            ran += 1;
        }
        Ok(ran)
    }

    /// Runs `source` and records the outcome: the measurement and a cleared error in one
    /// transaction, or the failure's sentence with an audit event.
    async fn run_one_source(self, caller: &Caller, row: &KpiRow, source: &KpiSource) -> Result<(), AppError> {
        // The reader checks the source against the operator's rules again at every run:
        // the operator may have withdrawn the permission, and the file system may have
        // changed since it was set (a link swapped in).
        let fetched = self.app.sources.read(source).await;
        let failure = match fetched {
            Ok(Reading { value, measured_at }) => {
                let input = MeasurementInput { measured_at: measured_at.unwrap_or_else(|| self.app.now()), value };
                match self
                    .write_measurements(caller, row.id, vec![input], source.measurement_source(), Shape::One)
                    .await
                {
                    Ok((_, mut tx)) => {
                        tx.record_kpi_source_run(caller.workspace, row.id, self.app.now_ms(), None).await?;
                        tx.commit().await?;
                        self.app.source_runs.count(true);
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
        let now = self.app.now_ms();
        let mut tx = self.app.write(caller.workspace).await?;
        tx.record_kpi_source_run(caller.workspace, row.id, now, Some(&failure)).await?;
        let summary = serde_json::json!({ "kind": source.measurement_source().as_str(), "error": failure });
        record(&mut tx, caller, "run_source", "kpi", row.id, None::<&()>, Some(&summary), now).await?;
        let event = crate::outbox::Event::KpiSourceFailed {
            kpi: (row.id, row.slug.clone(), row.name.clone()),
            error: failure.clone(),
        };
        crate::outbox::emit(&mut tx, caller.workspace, &event, crate::time::from_ms(now)).await?;
        tx.commit().await?;
        self.app.source_runs.count(false);
        Ok(())
    }
}

/// How the KPI source runs of one process went, counted as they end.
#[derive(Debug, Default)]
pub struct SourceRunCounts {
    succeeded: std::sync::atomic::AtomicU64,
    failed: std::sync::atomic::AtomicU64,
}

/// The numbers of [`SourceRunCounts`] at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SourceRuns {
    /// Runs that recorded a value.
    pub succeeded: u64,
    /// Runs that recorded a failure on the KPI (the source could not be read, or its
    /// value was refused).
    pub failed: u64,
}

impl SourceRunCounts {
    fn count(&self, succeeded: bool) {
        let counter = if succeeded { &self.succeeded } else { &self.failed };
        counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// The numbers now.
    pub fn get(&self) -> SourceRuns {
        SourceRuns {
            succeeded: self.succeeded.load(std::sync::atomic::Ordering::Relaxed),
            failed: self.failed.load(std::sync::atomic::Ordering::Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_show() {
        assert_eq!(redact("postgres://milepost:s3cret@db:5432/app"), "postgres://milepost:***@db:5432/app");
        assert_eq!(redact("sqlite:///tmp/a.db"), "sqlite:///tmp/a.db");
        assert_eq!(redact("http://example.test/x"), "http://example.test/x");
    }

    #[test]
    fn three_stars_keep_the_stored_password_only_for_the_same_place() {
        let json = |url: &str| KpiSource::HttpJson { url: url.into(), path: "a".into() };
        let stored = json("http://reader:s3cret@metrics:8080/status.json");
        let kept = json("http://reader:***@metrics:8080/other.json").keeping_password(Some(&stored)).unwrap();
        assert_eq!(kept.url(), "http://reader:s3cret@metrics:8080/other.json");
        // A new password, or none, is taken as given.
        let given = json("http://reader:fresh@metrics:8080/status.json");
        assert_eq!(given.clone().keeping_password(Some(&stored)).unwrap(), given);
        let plain = json("http://metrics:8080/status.json");
        assert_eq!(plain.clone().keeping_password(Some(&stored)).unwrap(), plain);
        // Another host, port or user, or nothing stored: *** would send the password
        // elsewhere, or means nothing.
        for elsewhere in [
            "http://reader:***@evil:8080/status.json",
            "http://reader:***@metrics:9090/status.json",
            "http://other:***@metrics:8080/status.json",
            "https://reader:***@metrics:8080/status.json",
        ] {
            let refused = json(elsewhere).keeping_password(Some(&stored)).unwrap_err();
            assert_eq!(refused.location, crate::Location::Body("/source/url".into()), "{elsewhere}");
        }
        assert!(json("http://reader:***@metrics:8080/").keeping_password(None).is_err());
    }

    #[test]
    fn configs_are_checked_field_by_field() {
        let mut problems = Problems::new();
        KpiSource::HttpJson { url: "ftp://x".into(), path: "a..b".into() }.check(&mut problems);
        KpiSource::Sql { url: "mysql://x".into(), query: " ".into() }.check(&mut problems);
        let Err(AppError::Invalid(found)) = problems.finish() else { panic!("bad sources accepted") };
        let pointers: Vec<_> = found.iter().map(|p| p.location.clone()).collect();
        assert_eq!(pointers.len(), 4, "{found:?}");
        assert!(pointers.contains(&crate::Location::Body("/source/query".into())));
        let mut fine = Problems::new();
        KpiSource::Prometheus { url: "http://p:9090".into(), query: "up".into() }.check(&mut fine);
        assert!(fine.finish().is_ok());
    }
}

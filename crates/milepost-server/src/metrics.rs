//! `/metrics`: the server's numbers in Prometheus' text format (version 0.0.4).
//!
//! - `milepost_http_request_duration_seconds{method, route, status}`: a histogram of
//!   every request's time, by the route's pattern as axum matched it
//!   (`/api/v1/objectives/{id}`, never the URL asked for, so no id and no query reaches
//!   a label; `unmatched` for what no route matched); its `_count` is the requests.
//! - `milepost_db_pool_size{pool}`, `milepost_db_pool_connections{pool, state}` and
//!   `milepost_db_pool_max_connections`:
//!   the connection pools (`primary`, and `replica` when reads go to one);
//!   `milepost_db_read_transactions_total{pool}` and
//!   `milepost_db_replica_fallbacks_total`: where read transactions went.
//! - `milepost_scheduler_runs_total{job, outcome}`: the scheduler's passes by job
//!   (`start_cycles`, `run_kpi_sources`) and outcome (`ok`, `error`), and
//!   `milepost_scheduler_claims_total{job}`: the cycles this server started and the
//!   sources it ran (with several servers, each claim is one server's).
//! - `milepost_kpi_source_runs_total{outcome}`: KPI pull-source runs that recorded a
//!   value (`success`) or a failure (`failure`).
//! - Outbox deliveries will count in `milepost_outbox_deliveries_total{outcome}` through
//!   [`Metrics::outbox_delivery`] once webhooks have their outbox; nothing calls it yet.
//!
//! The registry is this server's own, a few maps behind a mutex, rather than the
//! `metrics` crate's process-wide recorder: tests run many servers in one process, and
//! each must count only its own requests.

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use milepost_app::App;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

/// The upper bounds of the latency histogram's buckets, in seconds.
const BUCKETS: [f64; 12] = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// The methods a label may name; anything else counts as `other`.
const METHODS: [&str; 7] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/// This server's counters and histograms. Cheap to clone; clones share them.
#[derive(Debug, Clone, Default)]
pub struct Metrics {
    inner: Arc<Mutex<Registry>>,
}

#[derive(Debug, Default)]
struct Registry {
    requests: BTreeMap<(&'static str, String, u16), Histogram>,
    scheduler_runs: BTreeMap<(&'static str, &'static str), u64>,
    scheduler_claims: BTreeMap<&'static str, u64>,
    outbox: BTreeMap<&'static str, u64>,
}

#[derive(Debug, Default)]
struct Histogram {
    /// Counts per bucket (not cumulative), and one past the last bound.
    buckets: [u64; BUCKETS.len() + 1],
    sum: f64,
    count: u64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        let at = BUCKETS.iter().position(|bound| seconds <= *bound).unwrap_or(BUCKETS.len());
        self.buckets[at] += 1;
        self.sum += seconds;
        self.count += 1;
    }
}

impl Metrics {
    fn registry(&self) -> std::sync::MutexGuard<'_, Registry> {
        // A panic while holding it leaves plain numbers behind: still fit to count on.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts a request to `route` answered with `status` after `seconds`.
    pub fn request(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let method = METHODS.iter().find(|m| **m == method).copied().unwrap_or("other");
        self.registry().requests.entry((method, route.to_owned(), status)).or_default().observe(seconds);
    }

    /// Counts a scheduler pass of `job` that ended `ok` or in an error, and the work it
    /// claimed.
    pub fn scheduler_run(&self, job: &'static str, ok: bool, claimed: usize) {
        let mut registry = self.registry();
        *registry.scheduler_runs.entry((job, if ok { "ok" } else { "error" })).or_default() += 1;
        *registry.scheduler_claims.entry(job).or_default() += u64::try_from(claimed).unwrap_or(u64::MAX);
    }

    /// Counts a webhook delivery from the outbox by its outcome (`delivered`,
    /// `failed`, `gave_up`): the place for the outbox to report, once there is one.
    pub fn outbox_delivery(&self, outcome: &'static str) {
        *self.registry().outbox.entry(outcome).or_default() += 1;
    }

    /// Everything, in Prometheus' text format, with `app`'s pools and KPI source runs.
    pub fn render(&self, app: &App) -> String {
        let mut out = String::new();
        let registry = self.registry();
        family(&mut out, "milepost_build_info", "gauge", "The running Milepost's version (always 1).");
        let _ = writeln!(out, "milepost_build_info{{version=\"{}\"}} 1", env!("CARGO_PKG_VERSION"));

        family(
            &mut out,
            "milepost_http_request_duration_seconds",
            "histogram",
            "Time to answer a request, by method, route pattern and status.",
        );
        for ((method, route, status), histogram) in &registry.requests {
            let labels = format!("method=\"{method}\",route=\"{}\",status=\"{status}\"", escape(route));
            let mut cumulative = 0;
            for (bound, count) in BUCKETS.iter().zip(histogram.buckets) {
                cumulative += count;
                let _ = writeln!(
                    out,
                    "milepost_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "milepost_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                histogram.count
            );
            let _ = writeln!(out, "milepost_http_request_duration_seconds_sum{{{labels}}} {}", histogram.sum);
            let _ = writeln!(out, "milepost_http_request_duration_seconds_count{{{labels}}} {}", histogram.count);
        }

        let pools = app.pool_stats();
        family(&mut out, "milepost_db_pool_connections", "gauge", "Database connections open, by pool and state.");
        for pool in &pools {
            let busy = pool.size.saturating_sub(pool.idle);
            let _ =
                writeln!(out, "milepost_db_pool_connections{{pool=\"{}\",state=\"idle\"}} {}", pool.pool, pool.idle);
            let _ = writeln!(out, "milepost_db_pool_connections{{pool=\"{}\",state=\"in_use\"}} {busy}", pool.pool);
        }
        family(&mut out, "milepost_db_pool_size", "gauge", "Database connections open, idle or in use, by pool.");
        for pool in &pools {
            let _ = writeln!(out, "milepost_db_pool_size{{pool=\"{}\"}} {}", pool.pool, pool.size);
        }
        family(&mut out, "milepost_db_pool_max_connections", "gauge", "The most connections a pool opens.");
        for pool in &pools {
            let _ = writeln!(out, "milepost_db_pool_max_connections{{pool=\"{}\"}} {}", pool.pool, pool.max);
        }
        family(&mut out, "milepost_db_read_transactions_total", "counter", "Read transactions begun, by pool.");
        for pool in &pools {
            let _ = writeln!(out, "milepost_db_read_transactions_total{{pool=\"{}\"}} {}", pool.pool, pool.reads);
        }
        if let Some(replica) = pools.iter().find(|p| p.pool == "replica") {
            family(
                &mut out,
                "milepost_db_replica_fallbacks_total",
                "counter",
                "Lag-tolerant reads sent to the primary: the replica had not replayed the reader's own write, or did not answer.",
            );
            let _ = writeln!(out, "milepost_db_replica_fallbacks_total {}", replica.fallbacks);
        }

        family(&mut out, "milepost_scheduler_runs_total", "counter", "Scheduler passes, by job and outcome.");
        for job in ["start_cycles", "run_kpi_sources"] {
            for outcome in ["ok", "error"] {
                let count = registry.scheduler_runs.get(&(job, outcome)).copied().unwrap_or(0);
                let _ = writeln!(out, "milepost_scheduler_runs_total{{job=\"{job}\",outcome=\"{outcome}\"}} {count}");
            }
        }
        family(
            &mut out,
            "milepost_scheduler_claims_total",
            "counter",
            "Work this server's scheduler claimed and did: cycles started, KPI sources run.",
        );
        for job in ["start_cycles", "run_kpi_sources"] {
            let count = registry.scheduler_claims.get(job).copied().unwrap_or(0);
            let _ = writeln!(out, "milepost_scheduler_claims_total{{job=\"{job}\"}} {count}");
        }

        let runs = app.source_runs();
        family(
            &mut out,
            "milepost_kpi_source_runs_total",
            "counter",
            "KPI pull-source runs, by outcome; a failure is kept on its KPI.",
        );
        let _ = writeln!(out, "milepost_kpi_source_runs_total{{outcome=\"success\"}} {}", runs.succeeded);
        let _ = writeln!(out, "milepost_kpi_source_runs_total{{outcome=\"failure\"}} {}", runs.failed);

        if !registry.outbox.is_empty() {
            family(&mut out, "milepost_outbox_deliveries_total", "counter", "Webhook deliveries, by outcome.");
            for (outcome, count) in &registry.outbox {
                let _ = writeln!(out, "milepost_outbox_deliveries_total{{outcome=\"{outcome}\"}} {count}");
            }
        }
        out
    }
}

fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// A label value as the text format writes it.
fn escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// The middleware that times every request under its route's pattern.
pub(crate) async fn track(State(metrics): State<Metrics>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let route =
        request.extensions().get::<MatchedPath>().map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let response = next.run(request).await;
    metrics.request(&method, &route, response.status().as_u16(), started.elapsed().as_secs_f64());
    response
}

/// Who may read `/metrics`: anyone who reaches the server, or, with a token set
/// (`MILEPOST_METRICS_TOKEN`), only a scraper that sends it as a bearer token.
#[derive(Debug, Clone, Default)]
pub struct MetricsAccess {
    /// The bearer token a scraper must send, if any.
    pub token: Option<String>,
}

/// Equal, in a time that does not depend on where they differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

pub(crate) async fn get_metrics(
    State((app, metrics, access)): State<(App, Metrics, MetricsAccess)>,
    headers: HeaderMap,
) -> Response {
    if let Some(token) = &access.token {
        let sent = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        if !sent.is_some_and(|sent| same(sent.as_bytes(), token.as_bytes())) {
            return crate::problem::ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "/metrics needs the scrape token (MILEPOST_METRICS_TOKEN) as a bearer token".to_owned(),
            )
            .into_response();
        }
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8"), (header::CACHE_CONTROL, "no-store")],
        metrics.render(&app),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_histogram_counts_each_request_in_its_bucket_and_those_above() {
        let mut histogram = Histogram::default();
        histogram.observe(0.003);
        histogram.observe(0.2);
        histogram.observe(60.0);
        assert_eq!(histogram.count, 3);
        assert_eq!(histogram.buckets[1], 1, "0.003 s falls under 0.005");
        assert_eq!(histogram.buckets[6], 1, "0.2 s under 0.25");
        assert_eq!(histogram.buckets[BUCKETS.len()], 1, "a minute past every bound");
    }

    #[test]
    fn label_values_are_escaped_and_odd_methods_grouped() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
        let metrics = Metrics::default();
        metrics.request("BREW", "unmatched", 405, 0.01);
        assert!(metrics.registry().requests.contains_key(&("other", "unmatched".to_owned(), 405)));
        assert!(same(b"abc", b"abc") && !same(b"abc", b"abd") && !same(b"abc", b"ab"));
    }
}

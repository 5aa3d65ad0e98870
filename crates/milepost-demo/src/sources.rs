//! The demo's pull sources: a small SQLite metrics file in the data directory
//! ([`DEMO_METRICS_FILE`]) that the demo's SQL-source KPI reads and that the demo's
//! stand-in ops endpoint (`milepost serve --demo`) answers from, and the KPI changes
//! that point the demo's KPIs at them. The sources are set through the same use case
//! as the API's `PATCH /api/v1/kpis/{id}` (`app.kpis().update`).

use jiff::Timestamp;
use milepost_app::kpi::KpiPatch;
use milepost_app::{App, AppError};
use serde_json::{Value, json};
use std::path::Path;

/// The SQLite file, in the data directory, whose table feeds the demo's support KPI.
pub const DEMO_METRICS_FILE: &str = "demo-metrics.db";
/// The demo KPI fed by a SQL source.
const DEMO_SOURCED_KPI: &str = "first-response-time";
/// The demo KPI fed by a PromQL source on the demo's stand-in for Prometheus.
pub const DEMO_PROMETHEUS_KPI: &str = "website-uptime";
/// The demo KPI fed by a JSON source on the demo's stand-in status document.
pub const DEMO_JSON_KPI: &str = "checkout-latency-p95";
/// The one PromQL query the demo's stand-in for Prometheus answers: the storefront's
/// uptime over the last day, in percent.
pub const DEMO_PROMQL: &str = "avg_over_time(probe_success{job=\"storefront\"}[1d]) * 100";
/// Where the number is in the demo's stand-in status document.
pub const DEMO_JSON_PATH: &str = "checkout.latency_p95_ms";

/// The metrics file's absolute path in `data_dir`: a source must read the same file
/// whatever the directory the server runs in later.
fn metrics_file(data_dir: &Path) -> std::path::PathBuf {
    std::path::absolute(data_dir).unwrap_or_else(|_| data_dir.to_owned()).join(DEMO_METRICS_FILE)
}

/// Why the metrics file could not be written, as the app's error.
fn write_failed(file: &Path, error: &sqlx::Error) -> AppError {
    AppError::Conflict {
        code: "demo_source",
        detail: format!("could not write the demo's metrics file {}: {error}", file.display()),
        location: None,
    }
}

/// A KPI change from JSON: the API's own body shape.
fn patch(body: Value) -> Result<KpiPatch, AppError> {
    serde_json::from_value(body).map_err(|e| AppError::invalid("/source", e))
}

/// Opens (creating) the metrics file, runs `create`, then `insert` once a row with its
/// values bound, and closes it.
async fn write_rows(
    file: &Path,
    create: &'static str,
    insert: &'static str,
    rows: Vec<Vec<Value>>,
) -> Result<(), AppError> {
    use sqlx::{ConnectOptions, Connection};
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(file).create_if_missing(true);
    let mut conn = options.connect().await.map_err(|e| write_failed(file, &e))?;
    let written = async {
        sqlx::query(create).execute(&mut conn).await?;
        for row in rows {
            let mut query = sqlx::query(insert);
            for value in row {
                query = match value {
                    Value::String(text) => query.bind(text),
                    other => query.bind(other.as_f64().unwrap_or_default()),
                };
            }
            query.execute(&mut conn).await?;
        }
        Ok::<_, sqlx::Error>(())
    }
    .await;
    let _ = conn.close().await;
    written.map_err(|e| write_failed(file, &e))
}

/// Gives the demo workspace's `first-response-time` KPI a SQL pull source: a small
/// SQLite file written into `data_dir` ([`DEMO_METRICS_FILE`], a week of hours with
/// the KPI's latest value last), so the scheduler has a source it can run locally.
/// Leaves a KPI that already has a source as it is; whether it set one.
pub async fn attach_demo_sources(app: &App, workspace_slug: &str, data_dir: &Path) -> Result<bool, AppError> {
    let caller = app.workspaces().caller(workspace_slug).await?;
    let kpi = app.kpis().find(&caller, DEMO_SOURCED_KPI).await?;
    if kpi.source.is_some() {
        return Ok(false);
    }
    let file = metrics_file(data_dir);
    let latest = kpi.state.last_value.unwrap_or(4.0);
    let today = app.now().to_zoned(jiff::tz::TimeZone::UTC).date();
    // A week drifting down to the latest value, a quarter of an hour a day.
    let rows = (0..7i32)
        .rev()
        .map(|back| {
            let day = today.checked_sub(jiff::Span::new().days(back)).unwrap_or(today);
            vec![json!(day.to_string()), json!(latest + f64::from(back) * 0.25)]
        })
        .collect();
    write_rows(
        &file,
        "CREATE TABLE IF NOT EXISTS first_response (day TEXT PRIMARY KEY, hours REAL NOT NULL)",
        "INSERT OR REPLACE INTO first_response (day, hours) VALUES ($1, $2)",
        rows,
    )
    .await?;
    let change = patch(json!({
        "version": kpi.version,
        "source": {"kind": "sql", "url": format!("sqlite://{}", file.display()),
                   "query": "SELECT hours AS value FROM first_response ORDER BY day DESC LIMIT 1"},
    }))?;
    app.kpis().update(&caller, kpi.id, change).await?;
    Ok(true)
}

/// The numbers the demo's stand-in ops endpoint serves now, read from the demo's
/// metrics file ([`DEMO_METRICS_FILE`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DemoOps {
    /// The storefront's uptime over the last day, in percent.
    pub uptime_pct: f64,
    /// The checkout's p95 latency, in milliseconds.
    pub checkout_p95_ms: f64,
}

/// Reads the demo's ops numbers for the moment `now` from the metrics file `file`
/// (opened read-only): the day's row (the latest one up to that day), moved a little
/// with the time of day, so that each run measures something new. The error is a
/// sentence.
pub async fn read_demo_ops(file: &Path, now: Timestamp) -> Result<DemoOps, String> {
    use sqlx::{ConnectOptions, Connection, Row};
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(file).read_only(true).create_if_missing(false);
    let failed = |e: sqlx::Error| format!("could not read the demo's metrics file {}: {e}", file.display());
    let mut conn = options.connect().await.map_err(failed)?;
    let today = now.to_zoned(jiff::tz::TimeZone::UTC).date().to_string();
    let row =
        sqlx::query("SELECT uptime_pct, checkout_p95_ms FROM ops_daily WHERE day <= $1 ORDER BY day DESC LIMIT 1")
            .bind(today)
            .fetch_optional(&mut conn)
            .await;
    let _ = conn.close().await;
    let row = row.map_err(failed)?.ok_or_else(|| "the demo's metrics file has no ops rows yet".to_owned())?;
    let (uptime, latency): (f64, f64) = (row.try_get(0).map_err(failed)?, row.try_get(1).map_err(failed)?);
    // A slow wave over the day, a few minutes a step: the numbers move, around the day's.
    let phase = (now.as_second() / 300) as f64 / 288.0 * std::f64::consts::TAU;
    Ok(DemoOps {
        uptime_pct: ((uptime + 0.02 * phase.sin()) * 1000.0).round().min(100_000.0) / 1000.0,
        checkout_p95_ms: (latency + 25.0 * phase.sin()).round(),
    })
}

/// Gives two demo KPIs sources on the demo's stand-in ops endpoint at `ops_base`
/// (`http://127.0.0.1:8080/demo/ops/`, served by `milepost serve --demo` itself):
/// `website-uptime` a PromQL source ([`DEMO_PROMQL`]), `checkout-latency-p95` a JSON
/// one ([`DEMO_JSON_PATH`]), their numbers written as a week of rows into the
/// metrics file in `data_dir` (table `ops_daily`). Run at every demo start: the
/// server's address may have changed, and the sources follow it. Whether a source
/// was set or changed.
pub async fn attach_demo_ops_sources(
    app: &App,
    workspace_slug: &str,
    data_dir: &Path,
    ops_base: &str,
) -> Result<bool, AppError> {
    let caller = app.workspaces().caller(workspace_slug).await?;
    let uptime = app.kpis().find(&caller, DEMO_PROMETHEUS_KPI).await?;
    let latency = app.kpis().find(&caller, DEMO_JSON_KPI).await?;
    let base = ops_base.trim_end_matches('/');
    let prometheus = json!({"kind": "prometheus", "url": base, "query": DEMO_PROMQL});
    let status = json!({"kind": "http_json", "url": format!("{base}/status.json"), "path": DEMO_JSON_PATH});
    let file = metrics_file(data_dir);
    let today = app.now().to_zoned(jiff::tz::TimeZone::UTC).date();
    let (last_uptime, last_latency) =
        (uptime.state.last_value.unwrap_or(99.9), latency.state.last_value.unwrap_or(700.0));
    // A week up to today and one ahead, from the KPIs' latest values; days already
    // written keep their numbers.
    let rows = (-7i32..=7)
        .map(|offset| {
            let day = today.checked_add(jiff::Span::new().days(offset)).unwrap_or(today);
            let swing = f64::from((offset * 7).rem_euclid(5) - 2);
            vec![
                json!(day.to_string()),
                json!((last_uptime + 0.01 * swing).min(100.0)),
                json!(last_latency + 15.0 * swing),
            ]
        })
        .collect();
    write_rows(
        &file,
        "CREATE TABLE IF NOT EXISTS ops_daily \
         (day TEXT PRIMARY KEY, uptime_pct REAL NOT NULL, checkout_p95_ms REAL NOT NULL)",
        "INSERT OR IGNORE INTO ops_daily (day, uptime_pct, checkout_p95_ms) VALUES ($1, $2, $3)",
        rows,
    )
    .await?;
    let mut changed = false;
    for (kpi, source, what) in [(&uptime, prometheus, "Prometheus"), (&latency, status, "JSON status endpoint")] {
        if serde_json::to_value(&kpi.source).ok().as_ref() == Some(&source) {
            continue;
        }
        let description = format!(
            "Demo: pulled from the demo's stand-in for your {what}, served by milepost serve --demo at {base}/. \
             Point the source at your own to use it for real."
        );
        app.kpis()
            .update(
                &caller,
                kpi.id,
                patch(json!({"version": kpi.version, "description": description, "source": source}))?,
            )
            .await?;
        changed = true;
    }
    Ok(changed)
}

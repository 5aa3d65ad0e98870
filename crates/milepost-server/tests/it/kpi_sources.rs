//! KPI pull sources, each run for real: SQL against a SQLite file the test makes and
//! against the local PostgreSQL, PromQL and JSON against a small HTTP server the test
//! starts. Failures (nothing listening, no rows, a bad path, no number, a write refused
//! by the read-only connection) are recorded on the KPI and shown; the scheduler runs a
//! due source once per period and feeds the linked key results.

use crate::harness::{Api, Org, id, on_store_allowing, sources, two_servers_on_postgres_allowing};
use axum::Router;
use axum::routing::get;
use milepost_core::KpiId;
use serde_json::{Value, json};
use sqlx::{ConnectOptions, Connection};
use std::str::FromStr;

/// A daily KPI with `source`.
fn kpi_with(name: &str, source: Value) -> Value {
    json!({"name": name, "direction": "higher_is_better", "target": 99.9, "cadence": "daily", "source": source})
}

/// Starts a small HTTP server on port 0: a Prometheus-shaped instant query and a plain
/// JSON document. Its base URL.
async fn outside_server() -> String {
    let router = Router::new()
        .route(
            "/api/v1/query",
            get(|query: axum::extract::RawQuery| async move {
                // Only the query the test asks for has samples.
                let asked = query.0.unwrap_or_default();
                let result = if asked.contains("up") {
                    json!([{"metric": {"job": "web"}, "value": [1_794_744_000.0, "99.97"]}])
                } else {
                    json!([])
                };
                axum::Json(json!({"status": "success", "data": {"resultType": "vector", "result": result}}))
            }),
        )
        .route(
            "/status.json",
            get(|| async { axum::Json(json!({"data": {"items": [{"value": 99.5}, {"value": "n/a"}]}})) }),
        )
        // A redirect to a place of its own, and one to the cloud's metadata service.
        .route("/moved.json", get(|| async { axum::response::Redirect::temporary("/status.json") }))
        .route(
            "/metadata.json",
            get(|| async { axum::response::Redirect::temporary("http://169.254.169.254/latest/meta-data/") }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    base
}

/// A local address nothing listens on.
async fn closed_port() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{address}")
}

/// The outside servers a test's server may fetch from: `base`, serving, and `down`,
/// where nothing listens.
#[derive(Debug, Clone)]
struct Outside {
    base: String,
    down: String,
}

/// Runs `body` against a server (on SQLite, or on PostgreSQL with `postgres`) whose
/// HTTP sources may fetch from the outside servers, and only from them.
async fn with_outside<F, Fut>(postgres: bool, body: F)
where
    F: FnOnce(Api, Outside) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let outside = Outside { base: outside_server().await, down: closed_port().await };
    let allowed = vec![format!("{}/", outside.base), format!("{}/", outside.down)];
    on_store_allowing(postgres, allowed, |api| body(api, outside)).await;
}

/// A test on SQLite and on PostgreSQL, its server allowed to fetch from [`Outside`].
macro_rules! outside_test {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                with_outside(false, $body).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                with_outside(true, $body).await;
            }
        }
    };
}

/// Changes a KPI's source (the KPI at `path`) and runs it.
async fn set_and_run(api: &Api, path: &str, source: Value) -> Value {
    let current = api.get(path).await.expect(200);
    api.patch(path, json!({"version": current["version"], "source": source})).await.expect(200);
    api.post(&format!("{path}/source/run"), json!({})).await.expect(200)
}

http_test!(sql_sources_read_a_sqlite_file_read_only, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let api = org.api.clone();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("metrics.db");
    let url = format!("sqlite://{}", file.display());
    let mut conn =
        sqlx::sqlite::SqliteConnectOptions::from_str(&url).unwrap().create_if_missing(true).connect().await.unwrap();
    sqlx::query("CREATE TABLE uptime (day TEXT, value REAL)").execute(&mut conn).await.unwrap();
    sqlx::query("INSERT INTO uptime VALUES ('2026-11-14', 99.2), ('2026-11-15', 99.95)")
        .execute(&mut conn)
        .await
        .unwrap();

    let query = "SELECT value, day AS measured_at FROM uptime ORDER BY day DESC LIMIT 1";
    let kpi = api
        .post("/api/v1/kpis", kpi_with("Uptime", json!({"kind": "sql", "url": url, "query": query})))
        .await
        .expect(201);
    assert_eq!(kpi["source"]["kind"], "sql");
    assert_eq!(kpi["last_run_at"], Value::Null);
    let path = format!("/api/v1/kpis/{}", id(&kpi));
    let ran = api.post(&format!("{path}/source/run"), json!({})).await.expect(200);
    assert_eq!(ran["last_error"], Value::Null, "{ran}");
    assert_eq!(ran["state"]["last_value"], 99.95);
    assert_eq!(ran["state"]["last_measured_at"], "2026-11-15T00:00:00Z");
    assert!(ran["last_run_at"].is_string());
    let series = api.get(&format!("{path}/series?from=2026-11-01T00:00:00Z")).await.expect(200);
    assert_eq!(series["points"].as_array().map(Vec::len), Some(1), "{series}");

    // Writing through the source is refused by the read-only connection, and reported.
    let write =
        json!({"kind": "sql", "url": url, "query": "INSERT INTO uptime VALUES ('2026-11-16', 1) RETURNING value"});
    let refused = set_and_run(&api, &path, write).await;
    let error = refused["last_error"].as_str().unwrap_or_default();
    assert!(error.contains("readonly"), "{refused}");
    assert!(refused["last_error_at"].is_string());
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM uptime").fetch_one(&mut conn).await.unwrap();
    assert_eq!(count, 2, "nothing was written");
    assert_eq!(api.get(&path).await.expect(200)["last_error"], refused["last_error"], "GET shows the failure");

    let none = json!({"kind": "sql", "url": url, "query": "SELECT value FROM uptime WHERE day = 'never'"});
    assert_eq!(set_and_run(&api, &path, none).await["last_error"], "the query returned no rows");
    let words = json!({"kind": "sql", "url": url, "query": "SELECT 'lots' AS value"});
    let wordy = set_and_run(&api, &path, words).await;
    let error = wordy["last_error"].as_str().unwrap_or_default();
    assert!(error.contains("not a number") && !error.contains("lots"), "the text is not repeated: {wordy}");
    let missing = format!("sqlite://{}", dir.path().join("absent.db").display());
    let absent = set_and_run(&api, &path, json!({"kind": "sql", "url": missing, "query": "SELECT 1"})).await;
    assert!(absent["last_error"].is_string(), "a missing file is not created: {absent}");
    assert!(!dir.path().join("absent.db").exists());

    // A run that works clears the failure.
    let fine = json!({"kind": "sql", "url": url, "query": "SELECT 99.99 AS value"});
    let fixed = set_and_run(&api, &path, fine).await;
    assert_eq!(fixed["last_error"], Value::Null);
    assert_eq!(fixed["last_error_at"], Value::Null);
    conn.close().await.unwrap();
});

http_test!(sql_sources_read_postgres_in_a_read_only_transaction, |api: Api| async move {
    // A database of its own: Milepost's own is never a source.
    let Some(url) = crate::harness::postgres_source_database().await else {
        eprintln!("MILEPOST_TEST_POSTGRES_URL is not set: the PostgreSQL source checks nothing");
        return;
    };
    let org = Org::new(&api, "acme").await;
    let api = org.api.clone();
    let schema = format!("source_{}", std::process::id() as u64 * 1000 + u64::from(rand_suffix()));
    let mut conn = sqlx::postgres::PgConnectOptions::from_str(&url).unwrap().connect().await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}"))).execute(&mut conn).await.unwrap();
    let table = format!("{schema}.signups");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE TABLE {table} (at TIMESTAMPTZ, n BIGINT)")))
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("INSERT INTO {table} VALUES ('2026-11-15T08:00:00Z', 42)")))
        .execute(&mut conn)
        .await
        .unwrap();

    let query = format!("SELECT n AS value, CAST(at AS TEXT) AS measured_at FROM {table}");
    let body = kpi_with("Signups", json!({"kind": "sql", "url": url, "query": query}));
    let kpi = api.post("/api/v1/kpis", body).await.expect(201);
    let path = format!("/api/v1/kpis/{}", id(&kpi));
    let ran = api.post(&format!("{path}/source/run"), json!({})).await.expect(200);
    assert_eq!(ran["last_error"], Value::Null, "{ran}");
    assert_eq!(ran["state"]["last_value"], 42.0);
    assert_eq!(ran["state"]["last_measured_at"], "2026-11-15T08:00:00Z");

    let write = format!("INSERT INTO {table} VALUES (now(), 1) RETURNING n");
    let refused = set_and_run(&api, &path, json!({"kind": "sql", "url": url, "query": write})).await;
    assert!(refused["last_error"].as_str().unwrap_or_default().contains("read-only"), "{refused}");
    let count: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(count, 1, "nothing was written");

    // A password in the URL never shows.
    let secret = json!({"kind": "sql", "url": "postgres://reader:s3cret@127.0.0.1:1/metrics", "query": "SELECT 1"});
    let shown = set_and_run(&api, &path, secret).await;
    assert_eq!(shown["source"]["url"], "postgres://reader:***@127.0.0.1:1/metrics");
    let error = shown["last_error"].as_str().unwrap_or_default();
    assert!(error.starts_with("connection refused to") && !error.contains("s3cret"), "{shown}");
    assert!(!api.get(&path).await.body.to_string().contains("s3cret"));

    sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE"))).execute(&mut conn).await.unwrap();
    conn.close().await.unwrap();
});

/// A few random bits, so that concurrent runs use schemas of their own.
#[expect(clippy::disallowed_methods, reason = "the time only varies a schema name; no time is read for the app")]
fn rand_suffix() -> u16 {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
    (nanos % 1000) as u16
}

outside_test!(prometheus_and_json_sources_read_http_servers, |api: Api, outside: Outside| async move {
    let org = Org::new(&api, "acme").await;
    let api = org.api.clone();
    let Outside { base, down } = outside;

    let prometheus = json!({"kind": "prometheus", "url": base, "query": "avg(up{job=\"web\"}) * 100"});
    let kpi = api.post("/api/v1/kpis", kpi_with("Availability", prometheus)).await.expect(201);
    let path = format!("/api/v1/kpis/{}", id(&kpi));
    let ran = api.post(&format!("{path}/source/run"), json!({})).await.expect(200);
    assert_eq!(ran["last_error"], Value::Null, "{ran}");
    assert_eq!(ran["state"]["last_value"], 99.97);
    assert_eq!(ran["state"]["last_measured_at"], "2026-11-15T12:00:00Z", "the sample's own time");
    let empty = set_and_run(&api, &path, json!({"kind": "prometheus", "url": base, "query": "nothing"})).await;
    assert_eq!(empty["last_error"], "the query returned no samples");

    let document = format!("{base}/status.json");
    let good = json!({"kind": "http_json", "url": document, "path": "data.items.0.value"});
    let json_ran = set_and_run(&api, &path, good).await;
    assert_eq!(json_ran["last_error"], Value::Null, "{json_ran}");
    assert_eq!(json_ran["state"]["last_value"], 99.5);
    let bad_path = set_and_run(&api, &path, json!({"kind": "http_json", "url": document, "path": "data.value"})).await;
    assert!(bad_path["last_error"].as_str().unwrap_or_default().starts_with("no number at data.value"), "{bad_path}");
    let wordy = json!({"kind": "http_json", "url": document, "path": "data.items.1.value"});
    let wordy = set_and_run(&api, &path, wordy).await;
    assert!(wordy["last_error"].as_str().unwrap_or_default().starts_with("no number at data.items.1.value"));
    let missing =
        set_and_run(&api, &path, json!({"kind": "http_json", "url": format!("{base}/gone"), "path": "a"})).await;
    assert!(missing["last_error"].as_str().unwrap_or_default().contains("404"), "{missing}");

    let refused = set_and_run(&api, &path, json!({"kind": "http_json", "url": format!("{down}/x"), "path": "a"})).await;
    assert_eq!(refused["last_error"], format!("connection refused to {down}/x"));
    let shown = api.get(&path).await.expect(200);
    assert_eq!(shown["last_error"], refused["last_error"]);
    assert_eq!(shown["last_error_at"], refused["last_error_at"]);
    // The failure is in the audit trail too.
    let events = api.get("/api/v1/events?entity=kpi&limit=500").await.expect(200);
    let events = events["items"].as_array().unwrap();
    let failures = events.iter().filter(|e| e["action"] == "run_source").count();
    assert_eq!(failures, 5, "one event per failed run");
    let measured = events.iter().filter(|e| e["action"] == "record_measurements").count();
    assert_eq!(measured, 2, "one event per run that measured");
});

outside_test!(source_configs_are_checked_and_removable, |api: Api, outside: Outside| async move {
    let org = Org::new(&api, "acme").await;
    let api = org.api.clone();
    let bad = kpi_with("Bad", json!({"kind": "http_json", "url": "ftp://example.test/x", "path": " "}));
    let reply = api.post("/api/v1/kpis", bad).await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    let pointers: Vec<&str> =
        reply.body["errors"].as_array().unwrap().iter().filter_map(|e| e["pointer"].as_str()).collect();
    assert!(pointers.contains(&"/source/url") && pointers.contains(&"/source/path"), "{}", reply.body);
    let unknown = api.post("/api/v1/kpis", kpi_with("Odd", json!({"kind": "ftp", "url": "x"}))).await;
    assert_eq!(unknown.status, 422, "{}", unknown.body);
    let sql = kpi_with("Sql", json!({"kind": "sql", "url": "mysql://db/x", "query": ""}));
    let reply = api.post("/api/v1/kpis", sql).await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert_eq!(api.get("/api/v1/kpis").await.expect(200)["items"], json!([]), "nothing was written");

    let plain = api.post(
        "/api/v1/kpis",
        json!({"name": "Plain", "direction": "higher_is_better", "target": 1, "cadence": "daily"}),
    );
    let plain = plain.await.expect(201);
    let path = format!("/api/v1/kpis/{}", id(&plain));
    assert_eq!(api.post(&format!("{path}/source/run"), json!({})).await.status, 409, "nothing to run");
    let with = api.patch(
        &path,
        json!({"version": plain["version"], "source": {"kind": "http_json", "url": outside.down, "path": "v"}}),
    );
    let with = with.await.expect(200);
    assert_eq!(with["source"]["path"], "v");
    let without = api.patch(&path, json!({"version": with["version"], "source": null})).await.expect(200);
    assert_eq!(without["source"], Value::Null);
    assert_eq!(api.app().kpis().run_due_sources().await.unwrap(), 0, "a removed source is never due");
});

outside_test!(
    the_scheduler_runs_a_due_source_once_per_period_and_feeds_key_results,
    |api: Api, outside: Outside| async move {
        let org = Org::new(&api, "acme").await;
        let api = org.api.clone();
        let base = outside.base;
        let source = json!({"kind": "http_json", "url": format!("{base}/status.json"), "path": "data.items.0.value"});
        let kpi = id(&api.post("/api/v1/kpis", kpi_with("Uptime", source)).await.expect(201));
        let maintain = json!({"title": "Keep uptime at or above 99", "kind": "maintain", "target": 99, "kpi_id": kpi});
        let objective = api
            .objective(json!({"cycle_id": org.cycle, "title": "Be reliable", "owner_person_id": org.dana,
                          "key_results": [maintain]}))
            .await;
        let key_result = id(&objective["key_results"][0]);

        // Due at once; then not again before a day has passed.
        assert_eq!(api.app().kpis().run_due_sources().await.unwrap(), 1);
        assert_eq!(api.app().kpis().run_due_sources().await.unwrap(), 0, "claimed for a period");
        api.shift_clock(jiff::SignedDuration::from_hours(23));
        assert_eq!(api.app().kpis().run_due_sources().await.unwrap(), 0, "not before its period");
        api.shift_clock(jiff::SignedDuration::from_hours(24));
        assert_eq!(api.app().kpis().run_due_sources().await.unwrap(), 1, "due again a day later");
        let series = api.get(&format!("/api/v1/kpis/{kpi}/series?from=2026-01-01T00:00:00Z")).await.expect(200);
        assert_eq!(series["points"].as_array().map(Vec::len), Some(2), "{series}");
        let check_ins = api.get(&format!("/api/v1/key-results/{key_result}/check-ins")).await.expect(200);
        let check_ins = check_ins["items"].as_array().unwrap();
        assert!(!check_ins.is_empty(), "the linked key result got a check-in");
        assert_eq!(check_ins[0]["value"], 99.5);

        // The task itself: started on a short interval, it runs what is due, and stops.
        api.shift_clock(jiff::SignedDuration::from_hours(24 * 3));
        let scheduler =
            milepost_server::scheduler::Scheduler::start(api.app().clone(), std::time::Duration::from_millis(20));
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            let series = api.get(&format!("/api/v1/kpis/{kpi}/series?from=2026-01-01T00:00:00Z")).await.expect(200);
            if series["points"].as_array().map(Vec::len) == Some(3) {
                break;
            }
            assert!(std::time::Instant::now() < deadline, "the scheduler did not run the due source: {series}");
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        scheduler.stop().await;
        api.shift_clock(jiff::SignedDuration::ZERO);
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_postgres_run_a_due_source_once() {
    let base = outside_server().await;
    let Some((one, two)) = two_servers_on_postgres_allowing(vec![base.clone()]).await else { return };
    let org = Org::new(&one.api, "acme").await;
    // Several due sources, so that the two passes overlap.
    for index in 0..6 {
        let source = json!({"kind": "http_json", "url": format!("{base}/status.json"), "path": "data.items.0.value"});
        org.api.post("/api/v1/kpis", kpi_with(&format!("Uptime {index}"), source)).await.expect(201);
    }
    let (app_one, app_two) = (one.api.app(), two.api.app());
    let (first, second) = tokio::join!(app_one.kpis().run_due_sources(), app_two.kpis().run_due_sources());
    assert_eq!(first.unwrap() + second.unwrap(), 6, "each due source ran once, on one server or the other");
    let events = org.api.get("/api/v1/events?entity=kpi&limit=500").await.expect(200);
    let measured = events["items"].as_array().unwrap().iter().filter(|e| e["action"] == "record_measurements").count();
    assert_eq!(measured, 6);
    one.stop().await;
    two.stop().await;
}

http_test!(the_demo_has_a_sql_source_that_runs_locally, |api: Api| async move {
    let today = crate::harness::now().to_zoned(jiff::tz::TimeZone::UTC).date();
    let summary = milepost_demo::load_demo(api.app(), today).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    assert!(milepost_demo::attach_demo_sources(api.app(), &summary.workspace, dir.path()).await.unwrap());
    assert!(!milepost_demo::attach_demo_sources(api.app(), &summary.workspace, dir.path()).await.unwrap(), "once");
    let caller = api.app().workspaces().caller(&summary.workspace).await.unwrap();
    let kpi = api.app().kpis().find(&caller, "first-response-time").await.unwrap();
    let latest = kpi.state.last_value;
    let ran = api.app().kpis().run_source(&caller, kpi.id).await.unwrap();
    assert_eq!(ran.last_error, None, "{ran:?}");
    assert_eq!(ran.state.last_value, latest, "the file ends on the KPI's latest value");
    assert!(ran.last_run_at.is_some());
});

http_test!(sql_sources_read_only_the_databases_the_operator_allows, |api: Api| async move {
    // The demo's source reads its metrics file; an app that allows only another folder
    // refuses to set such a source, and refuses to run one already set.
    let today = crate::harness::now().to_zoned(jiff::tz::TimeZone::UTC).date();
    let summary = milepost_demo::load_demo(api.app(), today).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    assert!(milepost_demo::attach_demo_sources(api.app(), &summary.workspace, dir.path()).await.unwrap());
    let strict =
        api.app().clone().with_sources(sources(api.store(), vec!["sqlite:///srv/metrics/".into()], Vec::new()));
    let caller = strict.workspaces().caller(&summary.workspace).await.unwrap();
    let kpi = strict.kpis().find(&caller, "first-response-time").await.unwrap();
    let ran = strict.kpis().run_source(&caller, kpi.id).await.unwrap();
    let error = ran.last_error.unwrap_or_default();
    assert!(error.contains("MILEPOST_SQL_SOURCES"), "{error}");
    assert_eq!(ran.state.last_value, kpi.state.last_value, "nothing recorded");
    // Milepost's own database is no source unless the operator says so.
    let own: milepost_app::kpi::KpiPatch = serde_json::from_value(json!({
        "version": ran.version,
        "source": {"kind": "sql", "url": "sqlite:///var/lib/milepost/milepost.db", "query": "SELECT 1"}
    }))
    .unwrap();
    match strict.kpis().update(&caller, kpi.id, own).await {
        Err(milepost_app::AppError::Invalid(problems)) => {
            assert!(problems[0].detail.contains("MILEPOST_SQL_SOURCES"), "{problems:?}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
});

http_test!(http_sources_are_refused_unless_the_operator_allows_them, |api: Api| async move {
    let org = Org::new(&api, "acme").await;
    let api = org.api.clone();
    for source in [
        json!({"kind": "http_json", "url": "http://169.254.169.254/latest/meta-data/", "path": "a"}),
        json!({"kind": "prometheus", "url": "http://prometheus:9090", "query": "up"}),
    ] {
        let reply = api.post("/api/v1/kpis", kpi_with("Metadata", source)).await;
        assert_eq!(reply.status, 422, "{}", reply.body);
        assert_eq!(reply.body["errors"][0]["pointer"], "/source/url", "{}", reply.body);
        let detail = reply.body["errors"][0]["detail"].as_str().unwrap_or_default();
        // The test server allows only the port where nothing listens.
        assert!(detail.contains("MILEPOST_HTTP_SOURCES") && detail.contains(crate::harness::NOWHERE), "{detail}");
    }
    assert_eq!(api.get("/api/v1/kpis").await.expect(200)["items"], json!([]), "nothing was written");
    // An installation that allows none says so, and how the operator allows some.
    let none = api.app().clone().with_sources(sources(api.store(), Vec::new(), Vec::new()));
    let caller = none.workspaces().caller("acme").await.unwrap();
    let new: milepost_app::kpi::NewKpi = serde_json::from_value(kpi_with(
        "Metadata",
        json!({"kind": "http_json", "url": "http://169.254.169.254/latest/meta-data/", "path": "a"}),
    ))
    .unwrap();
    match none.kpis().create(&caller, new).await {
        Err(milepost_app::AppError::Invalid(problems)) => {
            let detail = &problems[0].detail;
            assert!(detail.contains("none are allowed") && detail.contains("MILEPOST_HTTP_SOURCES"), "{detail}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
});

outside_test!(http_sources_fetch_only_under_the_allowed_prefixes, |api: Api, outside: Outside| async move {
    let org = Org::new(&api, "acme").await;
    let api = org.api.clone();
    let port = outside.base.rsplit(':').next().unwrap_or_default().to_owned();
    // Text that starts like an allowed prefix is not under it once parsed.
    for url in [
        "http://169.254.169.254/latest/meta-data/".to_owned(),
        format!("{}@169.254.169.254/", outside.base),
        format!("http://127.0.0.1.evil.test:{port}/status.json"),
        format!("https://127.0.0.1:{port}/status.json"),
        "http://127.0.0.1:1/status.json".to_owned(),
    ] {
        let reply =
            api.post("/api/v1/kpis", kpi_with("Odd", json!({"kind": "http_json", "url": url, "path": "a"}))).await;
        assert_eq!(reply.status, 422, "{url}: {}", reply.body);
        assert_eq!(reply.body["errors"][0]["pointer"], "/source/url", "{}", reply.body);
        let detail = reply.body["errors"][0]["detail"].as_str().unwrap_or_default();
        assert!(
            detail.contains("MILEPOST_HTTP_SOURCES") && detail.contains(&outside.base),
            "names the allowed: {detail}"
        );
    }

    // A redirect is followed under the allowed prefixes, and not out of them.
    let moved =
        json!({"kind": "http_json", "url": format!("{}/moved.json", outside.base), "path": "data.items.0.value"});
    let kpi = api.post("/api/v1/kpis", kpi_with("Moved", moved)).await.expect(201);
    let path = format!("/api/v1/kpis/{}", id(&kpi));
    let ran = api.post(&format!("{path}/source/run"), json!({})).await.expect(200);
    assert_eq!(ran["last_error"], Value::Null, "{ran}");
    assert_eq!(ran["state"]["last_value"], 99.5);
    let away = json!({"kind": "http_json", "url": format!("{}/metadata.json", outside.base), "path": "a"});
    let refused = set_and_run(&api, &path, away).await;
    let error = refused["last_error"].as_str().unwrap_or_default();
    assert!(error.contains("redirected to http://169.254.169.254/") && error.contains("not followed"), "{refused}");

    // An operator who withdraws the permission stops the runs of a source already set;
    // the failure is on the KPI and nothing is recorded.
    let fine = json!({"kind": "prometheus", "url": outside.base, "query": "up"});
    let before = set_and_run(&api, &path, fine).await;
    assert_eq!(before["last_error"], Value::Null, "{before}");
    let strict =
        api.app().clone().with_sources(sources(api.store(), Vec::new(), vec!["https://metrics.example.com/".into()]));
    let caller = strict.workspaces().caller("acme").await.unwrap();
    let after = strict.kpis().run_source(&caller, KpiId(id(&kpi))).await.unwrap();
    let error = after.last_error.unwrap_or_default();
    assert!(error.contains("MILEPOST_HTTP_SOURCES") && error.contains("not among them"), "{error}");
    assert_eq!(json!(after.state.last_value), before["state"]["last_value"], "nothing recorded");
    let series = api.get(&format!("{path}/series?from=2026-01-01T00:00:00Z")).await.expect(200);
    assert_eq!(series["points"].as_array().map(Vec::len), Some(2), "the two runs allowed, no third: {series}");
    assert_eq!(api.get(&path).await.expect(200)["last_error"], json!(error), "the API shows the failure");
});

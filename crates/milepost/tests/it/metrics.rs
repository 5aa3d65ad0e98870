//! `/metrics` scraped by a real Prometheus, who may read it, and JSON logs that carry
//! each request's id.

use super::ops::{Guard, free_port, program, scrape, series, wait_for};
use super::*;

const SCRAPE_TOKEN: &str = "scrape-secret-for-the-test";

#[tokio::test]
async fn prometheus_scrapes_requests_by_route_and_the_pools_with_the_scrape_token() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_with(
        dir.path(),
        &["--demo", "--data-dir", "data"],
        &[("MILEPOST_METRICS_TOKEN", SCRAPE_TOKEN)],
        Stdio::inherit(),
    );
    // Requests for two different objectives count under one route pattern.
    let objectives = get_json(&server, "/api/v1/objectives?limit=2").await;
    for objective in objectives["items"].as_array().unwrap() {
        get_json(&server, &format!("/api/v1/objectives/{}", objective["id"])).await;
    }
    let missing = client().get(format!("{}/no/such/page/12345", server.base)).send().await.unwrap();
    assert_eq!(missing.status(), 404);

    // Without the token, or with another, nothing is shown.
    let open = client().get(format!("{}/metrics", server.base)).send().await.unwrap();
    assert_eq!(open.status(), 401);
    let wrong = client().get(format!("{}/metrics", server.base)).bearer_auth("nope").send().await.unwrap();
    assert_eq!(wrong.status(), 401);
    let page = scrape(&server.base, Some(SCRAPE_TOKEN)).await;
    let by_id =
        r#"milepost_http_request_duration_seconds_count{method="GET",route="/api/v1/objectives/{id}",status="200"}"#;
    assert_eq!(series(&page, by_id), 2.0, "{page}");
    assert_eq!(
        series(&page, r#"milepost_http_request_duration_seconds_count{method="GET",route="unmatched",status="404"}"#),
        1.0
    );
    assert!(!page.contains("12345") && !page.contains("limit="), "no URL, id or query in a label:\n{page}");
    assert!(page.contains(r#"milepost_http_request_duration_seconds_bucket{method="GET",route="/api/v1/objectives/{id}",status="200",le="+Inf"} 2"#));
    assert_eq!(series(&page, r#"milepost_db_pool_max_connections{pool="primary"}"#), 8.0);
    let size = series(&page, r#"milepost_db_pool_size{pool="primary"}"#);
    let idle = series(&page, r#"milepost_db_pool_connections{pool="primary",state="idle"}"#);
    let busy = series(&page, r#"milepost_db_pool_connections{pool="primary",state="in_use"}"#);
    assert!(size >= 1.0 && size == idle + busy, "{page}");
    assert!(page.contains(r#"milepost_scheduler_runs_total{job="start_cycles",outcome="ok"}"#));
    assert!(page.contains(r#"milepost_kpi_source_runs_total{outcome="failure"}"#));

    // A real Prometheus scrapes it with the token and answers queries on it.
    let Some(prometheus) = program("prometheus", &[]) else { return };
    let port = free_port();
    let target = server.base.trim_start_matches("http://");
    let config = dir.path().join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: milepost\n    \
             authorization:\n      credentials: {SCRAPE_TOKEN}\n    static_configs:\n      - targets: ['{target}']\n"
        ),
    )
    .unwrap();
    let log = std::fs::File::create(dir.path().join("prometheus.log")).unwrap();
    let _prometheus = Guard(
        std::process::Command::new(prometheus)
            .arg(format!("--config.file={}", config.display()))
            .arg(format!("--storage.tsdb.path={}", dir.path().join("tsdb").display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap(),
    );
    let query = |promql: &'static str| {
        let query: String = form_urlencoded_query(promql);
        let url = format!("http://127.0.0.1:{port}/api/v1/query?query={query}");
        async move {
            let response = client().get(url).send().await.ok()?;
            let body: serde_json::Value = response.json().await.ok()?;
            let value = body["data"]["result"][0]["value"][1].as_str()?.parse::<f64>().ok()?;
            Some(value)
        }
    };
    let up = wait_for("Prometheus to scrape Milepost", Duration::from_secs(30), || async {
        query(r#"up{job="milepost"}"#).await.filter(|up| *up == 1.0)
    })
    .await;
    assert_eq!(up, 1.0);
    let requests = wait_for("our series in Prometheus", Duration::from_secs(10), || async {
        query(r#"sum(milepost_http_request_duration_seconds_count{route="/api/v1/objectives/{id}"})"#).await
    })
    .await;
    assert_eq!(requests, 2.0, "Prometheus reads the same count");
    let log = std::fs::read_to_string(dir.path().join("prometheus.log")).unwrap_or_default();
    // Prometheus logs a refused scrape as "server returned HTTP status 401 …" (a bare
    // "401" could be part of its own random port).
    assert!(!log.contains("HTTP status 401"), "Prometheus was refused:\n{log}");
}

#[tokio::test]
async fn json_logs_carry_the_request_id_in_every_line_of_the_request() {
    let dir = tempfile::tempdir().unwrap();
    let log_path = dir.path().join("server.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let server = start_with(
        dir.path(),
        &["--demo", "--data-dir", "data", "--log-format", "json"],
        &[("MILEPOST_LOG", "info")],
        Stdio::from(log),
    );
    let token = server.token.clone().unwrap();
    // A request id the client chose is kept and sent back; without one the server makes one.
    let chosen = "ops-test-request-7f3a";
    let response = client()
        .get(format!("{}/api/v1/objectives?limit=1", server.base))
        .bearer_auth(&token)
        .header("x-request-id", chosen)
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], chosen);
    let made = client().get(format!("{}/api/v1/nothing", server.base)).bearer_auth(&token).send().await.unwrap();
    let made = made.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(made.len(), 36, "a UUID: {made}");

    let lines = wait_for("the request's log line", Duration::from_secs(10), || {
        let (log_path, made) = (log_path.clone(), made.clone());
        async move {
            let text = std::fs::read_to_string(&log_path).ok()?;
            let lines: Vec<serde_json::Value> = text
                .lines()
                .filter(|l| l.contains(chosen) || l.contains(&made))
                .map(|l| serde_json::from_str(l).unwrap())
                .collect();
            (lines.len() >= 2).then_some(lines)
        }
    })
    .await;
    for line in &lines {
        let span = &line["span"];
        assert_eq!(span["name"], "request", "{line}");
        assert!(span["request_id"] == chosen || span["request_id"] == made.as_str(), "{line}");
        assert!(line["fields"]["status"].is_number(), "{line}");
    }
    let ours = lines.iter().find(|l| l["span"]["request_id"] == chosen).unwrap();
    assert_eq!(ours["span"]["route"], "/api/v1/objectives");
    assert!(!ours.to_string().contains("limit=1"), "the query is never logged: {ours}");
    // Every line the server wrote is one JSON object.
    let text = std::fs::read_to_string(&log_path).unwrap();
    for line in text.lines() {
        assert!(serde_json::from_str::<serde_json::Value>(line).is_ok(), "not JSON: {line}");
    }
}

/// `text` escaped for a URL's query.
fn form_urlencoded_query(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

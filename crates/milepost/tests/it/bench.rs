//! `milepost bench` through the real binary: a quick run on the demo workspace, on
//! SQLite and on PostgreSQL, writes every measurement with sane numbers and all answers
//! as expected, leaves none of its raw inserts behind, and fails loudly when it cannot
//! log in; `--compare` judges PostgreSQL against SQLite.

use super::*;
use milepost_sql::test_support::{postgres_store, postgres_url};
use serde_json::Value;

/// The reads every run measures, at each of the default 1 and 32 clients.
const READS: [&str; 5] = ["dashboard", "alignment tree", "cycle page (objectives)", "objectives API", "objective page"];

fn bench(cwd: &Path, args: &[&str]) -> std::process::Output {
    milepost(cwd).arg("bench").args(args).output().unwrap()
}

/// Checks one measurement's figures: answered, every answer `status`, percentiles in order.
fn check_figures(what: &str, figures: &Value, status: &str) {
    let number = |key: &str| figures[key].as_f64().unwrap_or_else(|| panic!("{what}: no {key} in {figures}"));
    assert!(number("requests") > 0.0, "{what}: no requests: {figures}");
    assert_eq!(number("failures"), 0.0, "{what}: failures: {figures}");
    assert!(number("throughput_per_s") > 0.0, "{what}: no throughput: {figures}");
    assert!(number("p50_ms") > 0.0, "{what}: p50 of 0: {figures}");
    assert!(number("p99_ms") >= number("p50_ms"), "{what}: p99 below p50: {figures}");
    assert!(number("max_ms") >= number("p99_ms"), "{what}: max below p99: {figures}");
    assert!(number("mean_ms") > 0.0, "{what}: mean of 0: {figures}");
    let statuses = figures["statuses"].as_object().unwrap();
    assert_eq!(statuses.keys().collect::<Vec<_>>(), vec![status], "{what}: other statuses than {status}: {figures}");
    assert_eq!(statuses[status].as_f64(), Some(number("requests")), "{what}: {figures}");
}

/// Runs a quick bench on the demo workspace with `data` and checks its JSON.
fn a_quick_run_measures_everything(cwd: &Path, data: &[&str], database: &str) -> Value {
    let json = cwd.join("bench.json");
    let output = bench(cwd, &[&["--demo", "--quick", "--json", json.to_str().unwrap()], data].concat());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["database"], database);
    assert!(report["machine"]["cores"].as_u64().unwrap() >= 1);
    assert!(report["command"].as_str().unwrap().contains("bench"));
    let reads = report["reads"].as_array().unwrap();
    for clients in [1, 32] {
        for name in READS {
            let read = reads
                .iter()
                .find(|r| r["name"] == name && r["clients"] == clients)
                .unwrap_or_else(|| panic!("no {name} at {clients} clients in {report}"));
            let what = format!("{name} at {clients} clients");
            check_figures(&what, &read["figures"], "200");
            check_figures(&format!("/healthz beside {what}"), &read["baseline"], "200");
            assert!(read["figures"]["bytes_per_response"].as_f64().unwrap() > 100.0, "{what}: an empty page");
            assert!(read["throughput_ratio"].as_f64().unwrap() > 0.0, "{what}");
            assert_eq!(read["pass"].is_boolean(), clients == 32, "{what}: the p99 goal is judged at 32 clients");
        }
    }
    assert!(stdout.contains("/api/v1/objectives?cycle_id="), "the table names each path: {stdout}");
    let writes = &report["writes"];
    assert_eq!(writes["clients"], 32);
    check_figures("check-ins through the API", &writes["api"], "201");
    check_figures("raw inserts", &writes["raw"], "0");
    assert!(writes["ratio"].as_f64().unwrap() > 0.0);
    let memory = &report["memory"];
    for key in ["idle_bytes", "peak_reads_bytes", "peak_writes_bytes"] {
        let bytes = memory[key].as_u64().unwrap_or_else(|| panic!("no {key} in {memory}"));
        assert!((1_000_000..4_000_000_000).contains(&bytes), "{key}: {bytes}");
    }
    let goals = report["goals"].as_array().unwrap();
    assert_eq!(goals.len(), READS.len() + 2, "a goal per page at 32 clients, the writes, the memory: {goals:?}");
    report
}

/// How many check-ins the bench left, read through the API as the demo's admin.
async fn bench_check_ins(server: &Server) -> usize {
    let cycles = get_json(server, "/api/v1/cycles").await;
    let mut count = 0;
    for cycle in cycles["items"].as_array().unwrap() {
        let key_results = get_json(server, &format!("/api/v1/key-results?cycle_id={}&limit=500", cycle["id"])).await;
        for key_result in key_results["items"].as_array().unwrap() {
            let page = get_json(server, &format!("/api/v1/key-results/{}/check-ins?limit=500", key_result["id"])).await;
            count += page["items"].as_array().unwrap().iter().filter(|c| c["note"] == "milepost bench").count();
        }
    }
    count
}

/// The check-ins the API wrote stay (one per client's warm-up call beside those
/// counted); the raw copies are gone.
async fn only_the_api_check_ins_remain(cwd: &Path, data: &[&str], report: &Value) {
    let server = start(cwd, &[&["--demo"], data].concat());
    let api = report["writes"]["api"]["requests"].as_u64().unwrap() as usize;
    let left = bench_check_ins(&server).await;
    assert!((api..=api + 32).contains(&left), "{left} check-ins noted `milepost bench` for {api} API writes");
}

#[tokio::test]
async fn a_quick_bench_on_sqlite_measures_every_page_write_and_memory() {
    let dir = tempfile::tempdir().unwrap();
    let data = ["--data-dir", "data"];
    let report = a_quick_run_measures_everything(dir.path(), &data, "sqlite");
    only_the_api_check_ins_remain(dir.path(), &data, &report).await;
}

#[tokio::test]
async fn a_quick_bench_on_postgresql_measures_every_page_write_and_memory() {
    let Some(url) = postgres_url() else {
        eprintln!("MILEPOST_TEST_POSTGRES_URL is not set: this PostgreSQL test checks nothing");
        return;
    };
    let (store, schema_url) = postgres_store(&url).await.unwrap();
    store.close().await;
    let dir = tempfile::tempdir().unwrap();
    let data = ["--database-url", &schema_url];
    let report = a_quick_run_measures_everything(dir.path(), &data, "postgres");
    only_the_api_check_ins_remain(dir.path(), &data, &report).await;
}

#[test]
fn a_bench_that_cannot_log_in_fails_saying_so() {
    let dir = tempfile::tempdir().unwrap();
    let output = bench(dir.path(), &["--demo", "--quick", "--data-dir", "data", "--password", "not-the-password"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(stderr.contains("could not log in to `demo` as dana.whitfield@example.com: 401"), "{stderr}");
    assert!(!String::from_utf8_lossy(&output.stdout).contains("p99"), "no table for a run that measured nothing");
}

#[test]
fn compare_judges_postgresql_against_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let figures = |p99: f64, per_s: f64| {
        serde_json::json!({ "requests": 10, "failures": 0, "statuses": { "200": 10 }, "first_failure": null,
            "p50_ms": p99 / 2.0, "p99_ms": p99, "mean_ms": p99 / 2.0, "max_ms": p99, "throughput_per_s": per_s,
            "bytes_per_response": 1000.0, "seconds": 1.0 })
    };
    let run = |database: &str, p99: f64| {
        serde_json::json!({ "milepost_version": "0", "build": "release",
            "machine": { "cores": 2, "memory_bytes": null, "load_average": null }, "command": "milepost bench",
            "database": database, "database_url": "x", "seconds_per_measurement": 1.0, "seed": null,
            "logged_in_as": "dana", "writes": null,
            "memory": { "idle_bytes": null, "peak_reads_bytes": null, "peak_writes_bytes": null, "pass": null },
            "goals": [],
            "reads": [
                { "name": "dashboard", "path": "/", "clients": 32, "figures": figures(p99, 100.0),
                  "baseline": figures(1.0, 1000.0), "p99_ratio": p99, "throughput_ratio": 0.1, "pass": null },
                { "name": "objective page", "path": "/objectives/3", "clients": 32, "figures": figures(p99 * 3.0, 100.0),
                  "baseline": figures(1.0, 1000.0), "p99_ratio": p99, "throughput_ratio": 0.1, "pass": null }
            ] })
    };
    std::fs::write(dir.path().join("sqlite.json"), run("sqlite", 10.0).to_string()).unwrap();
    // The dashboard 1.5× slower, the objective page 4.5×.
    let mut postgres = run("postgres", 15.0);
    postgres["reads"][1]["figures"]["p99_ms"] = serde_json::json!(135.0);
    std::fs::write(dir.path().join("postgres.json"), postgres.to_string()).unwrap();
    let output = bench(dir.path(), &["--compare", "postgres.json", "sqlite.json"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    // The last two columns: PostgreSQL's factor over SQLite, and the verdict.
    let judged = |name: &str| {
        let line = stdout.lines().find(|l| l.starts_with(name)).unwrap_or_else(|| panic!("no {name}: {stdout}"));
        line.split_whitespace().rev().take(2).collect::<Vec<_>>()
    };
    assert_eq!(judged("dashboard"), ["pass", "1.50"], "{stdout}");
    assert_eq!(judged("objective page"), ["FAIL", "4.50"], "{stdout}");
    assert!(stdout.contains("PostgreSQL within 2× of SQLite (p99 for reads, rate for writes): 1 of 2"), "{stdout}");
}

#[test]
fn a_server_that_cannot_start_fails_the_bench_saying_so() {
    let dir = tempfile::tempdir().unwrap();
    let output = bench(dir.path(), &["--quick", "--database-url", "postgres://nobody@127.0.0.1:1/none"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(stderr.contains("the server stopped before it listened"), "{stderr}");
}

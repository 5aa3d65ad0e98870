//! `milepost kpi import-slo`: OpenSLO files into KPIs on a data directory, through the
//! real binary. The PromQL an import makes is run by a real Prometheus (scraping
//! itself), so a query Prometheus would refuse fails here.

use super::ops::{Guard, free_port, program, wait_for};
use crate::milepost;
use serde_json::Value;
use std::path::Path;
use std::process::Output;
use std::time::Duration;

fn run(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = milepost(cwd);
    command.env_remove("MILEPOST_SQL_SOURCES").env_remove("MILEPOST_HTTP_SOURCES");
    command.envs(env.iter().copied()).args(args).args(["--data-dir", "d"]);
    command.output().unwrap()
}

#[track_caller]
fn ok(output: &Output) -> (String, String) {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "failed: {stdout}{stderr}");
    (stdout, stderr)
}

#[track_caller]
fn fails(output: &Output) -> String {
    assert!(!output.status.success(), "succeeded: {}", String::from_utf8_lossy(&output.stdout));
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// An SLO file on `url`: an availability ratio of counters and a threshold.
fn slos(url: &str, target: &str) -> String {
    format!(
        "apiVersion: openslo/v1
kind: DataSource
metadata:
  name: prom
spec:
  type: Prometheus
  connectionDetails:
    url: {url}
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: api-availability
  displayName: API availability
spec:
  service: prometheus
  indicator:
    metadata:
      name: ok-requests
    spec:
      ratioMetric:
        counter: true
        good:
          metricSource:
            metricSourceRef: prom
            spec:
              query: sum(prometheus_http_requests_total{{code=\"200\"}})
        total:
          metricSource:
            metricSourceRef: prom
            spec:
              query: sum(prometheus_http_requests_total)
  budgetingMethod: Occurrences
  objectives:
    - target: {target}
  alertPolicies:
    - alertPolicyRef: page-the-on-call
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: head-series
  displayName: Series in memory
spec:
  service: prometheus
  indicator:
    metadata:
      name: series
    spec:
      thresholdMetric:
        metricSource:
          metricSourceRef: prom
          spec:
            query: prometheus_tsdb_head_series
  budgetingMethod: Timeslices
  objectives:
    - op: lt
      value: 1000000
      target: 0.99
      timeSliceWindow: 1d
"
    )
}

#[tokio::test]
async fn slos_become_kpis_whose_promql_a_real_prometheus_answers() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    ok(&run(cwd, &["workspace", "create", "Acme"], &[]));
    // A KPI the import does not name is left alone (an import is not an apply of the
    // owner's whole file).
    ok(&run(
        cwd,
        &["kpi", "create", "--name", "Signups", "--direction", "higher", "--target", "10", "--cadence", "daily"],
        &[],
    ));
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    std::fs::write(cwd.join("slos.yaml"), slos(&url, "0.995")).unwrap();

    // The operator's allow-list holds: nothing is written when the URL is not allowed.
    let refused = fails(&run(cwd, &["kpi", "import-slo", "slos.yaml"], &[]));
    assert!(refused.contains("KPI `api-availability`") && refused.contains("MILEPOST_HTTP_SOURCES"), "{refused}");
    assert!(refused.contains("alert policies are not imported"), "what is left out is said: {refused}");
    let listed: Value = serde_json::from_str(&ok(&run(cwd, &["kpi", "list", "--output", "json"], &[])).0).unwrap();
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");

    let allowed = format!("{url}/");
    let env = [("MILEPOST_HTTP_SOURCES", allowed.as_str())];
    let (dry, _) = ok(&run(cwd, &["kpi", "import-slo", "slos.yaml", "--dry-run"], &env));
    assert!(dry.contains("Plan: 2 to create.") && dry.contains("Dry run"), "{dry}");
    let (done, _) = ok(&run(cwd, &["kpi", "import-slo", "slos.yaml"], &env));
    assert!(done.contains("Plan: 2 to create.") && done.contains("(slos.yaml: SLO api-availability)"), "{done}");
    let (again, _) = ok(&run(cwd, &["kpi", "import-slo", "slos.yaml"], &env));
    assert!(again.contains("No changes"), "the same file twice changes nothing: {again}");
    std::fs::write(cwd.join("slos.yaml"), slos(&url, "0.99")).unwrap();
    let (moved, _) = ok(&run(cwd, &["kpi", "import-slo", "slos.yaml"], &env));
    assert!(moved.contains("Plan: 1 to update.") && moved.contains("target: 99.5 → 99.0"), "{moved}");

    let shown: Value =
        serde_json::from_str(&ok(&run(cwd, &["kpi", "show", "api-availability", "--output", "json"], &env)).0).unwrap();
    assert_eq!((shown["target"].as_f64(), shown["warning_band"].as_f64()), (Some(99.0), Some(1.0)), "{shown}");
    assert_eq!(shown["unit"], "%");
    assert_eq!(shown["source"]["kind"], "prometheus", "{shown}");
    assert_eq!(shown["source"]["url"], url.as_str());
    let listed: Value = serde_json::from_str(&ok(&run(cwd, &["kpi", "list", "--output", "json"], &[])).0).unwrap();
    let slugs: Vec<&str> = listed.as_array().unwrap().iter().filter_map(|k| k["slug"].as_str()).collect();
    assert_eq!(slugs.len(), 3, "signups stays: {slugs:?}");
    assert!(slugs.contains(&"signups"));

    // A real Prometheus, scraping itself, runs the queries the import made.
    let Some(prometheus) = program("prometheus", &[]) else { return };
    let config = cwd.join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: self\n    \
             static_configs:\n      - targets: ['127.0.0.1:{port}']\n"
        ),
    )
    .unwrap();
    let log = std::fs::File::create(cwd.join("prometheus.log")).unwrap();
    let _prometheus = Guard(
        std::process::Command::new(prometheus)
            .arg(format!("--config.file={}", config.display()))
            .arg(format!("--storage.tsdb.path={}", cwd.join("tsdb").display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap(),
    );
    for slug in ["api-availability", "head-series"] {
        let value = wait_for(&format!("Prometheus to answer the query of {slug}"), Duration::from_secs(40), || {
            let output = run(cwd, &["kpi", "source", "run", slug], &env);
            async move {
                let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
                let value =
                    stdout.split("recorded ").nth(1)?.split_whitespace().next()?.trim_end_matches([',', '.', ':']);
                value.parse::<f64>().ok()
            }
        })
        .await;
        match slug {
            "api-availability" => assert!((0.0..=100.0).contains(&value), "a share in percent: {value}"),
            _ => assert!(value > 0.0, "series in memory: {value}"),
        }
    }
}

#[test]
fn slos_go_into_a_kpi_file_that_apply_then_reads() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    ok(&run(cwd, &["workspace", "create", "Acme"], &[]));
    ok(&run(
        cwd,
        &["user", "create", "--workspace", "acme", "--email", "dana@example.com", "--name", "Dana", "--role", "editor"],
        &[],
    ));
    let spec = crate::repo_file("../milepost-okrfile/tests/fixtures/openslo/spec-budgeting-method-timeslices-slo.yaml");
    let spec = spec.to_str().unwrap();
    let (written, notes) =
        ok(&run(cwd, &["kpi", "import-slo", spec, "--owner", "@dana", "--kpi-file", "kpis/sre.md"], &[]));
    assert!(written.contains("Wrote kpis/sre.md (2 new, 0 replaced)"), "{written}");
    assert!(notes.contains("slices of 1m are finer"), "{notes}");
    let file = std::fs::read_to_string(cwd.join("kpis/sre.md")).unwrap();
    assert!(file.starts_with("---\nkpis: @dana\n---\n"), "{file}");
    let (applied, _) = ok(&run(cwd, &["apply", "kpis/sre.md"], &[]));
    assert!(applied.contains("Plan: 2 to create."), "{applied}");
    let with_ids = std::fs::read_to_string(cwd.join("kpis/sre.md")).unwrap();
    assert!(with_ids.contains("<!-- id: KPI-1 -->"), "{with_ids}");
    // Importing again merges by slug and keeps the id markers: the apply then changes nothing.
    let (merged, _) = ok(&run(cwd, &["kpi", "import-slo", spec, "--owner", "@dana", "--kpi-file", "kpis/sre.md"], &[]));
    assert!(merged.contains("(0 new, 2 replaced)"), "{merged}");
    assert_eq!(std::fs::read_to_string(cwd.join("kpis/sre.md")).unwrap(), with_ids);
    let (again, _) = ok(&run(cwd, &["apply", "kpis/sre.md"], &[]));
    assert!(again.contains("No changes"), "{again}");
    // Another owner's file is not merged into.
    let other = fails(&run(cwd, &["kpi", "import-slo", spec, "--kpi-file", "kpis/sre.md"], &[]));
    assert!(other.contains("holds the KPIs of @dana, not of nobody"), "{other}");
    // A file with an error imports nothing.
    std::fs::write(
        cwd.join("bad.yaml"),
        "apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: x\nspec:\n  budgetingMethod: Sometimes\n",
    )
    .unwrap();
    let bad = fails(&run(cwd, &["kpi", "import-slo", "bad.yaml", "--kpi-file", "kpis/new.md"], &[]));
    assert!(bad.contains("bad.yaml (document 1), spec.budgetingMethod") && bad.contains("nothing imported"), "{bad}");
    assert!(!cwd.join("kpis/new.md").exists());
}
